/** Loads the views of extras.ts: a chunk of its own, fetched the first time the panel shows one. */
export const loadExtras = () => import('./extras');
