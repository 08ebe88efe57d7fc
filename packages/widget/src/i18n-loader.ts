/** Loads the Japanese strings: a chunk of its own, fetched when the locale is Japanese. */
export const loadJapanese = () => import('./i18n-ja');
