/** Loads the views of extras.ts; the script-tag build fetches them as madoguchi-ui.js instead. */
export const loadExtras = () => import('./extras');
