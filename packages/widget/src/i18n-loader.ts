/** Loads the Japanese strings; the script-tag build fetches them as madoguchi-ja.js instead. */
export const loadJapanese = () => import('./i18n-ja');
/** Loads what layers `config.strings` over the built-in strings; the script-tag build fetches madoguchi-strings.js. */
export const loadCustomStrings = () => import('./i18n-custom');
