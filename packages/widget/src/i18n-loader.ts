/** Loads the Japanese strings; the script-tag build fetches them as madoguchi-ja.js instead. */
export const loadJapanese = () => import('./i18n-ja');
