/** Loads the whole Japanese strings: a chunk fetched with the panel's views when the locale is Japanese. */
export const loadJapanese = () => import('./i18n-ja');
/** Loads what layers `config.strings` over the built-in strings: a chunk of its own, fetched when a config has strings. */
export const loadCustomStrings = () => import('./i18n-custom');
/** Loads the whole English strings: a chunk of its own, fetched with the panel's views. */
export const loadEnglish = () => import('./i18n-en');
