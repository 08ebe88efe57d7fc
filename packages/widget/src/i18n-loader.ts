/** Loads the Japanese strings: a chunk of its own, fetched when the locale is Japanese. */
export const loadJapanese = () => import('./i18n-ja');
/** Loads what layers `config.strings` over the built-in strings: a chunk of its own, fetched when a config has strings. */
export const loadCustomStrings = () => import('./i18n-custom');
