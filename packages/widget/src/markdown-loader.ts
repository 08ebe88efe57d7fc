/** Loads the Markdown parser: a chunk of its own, fetched with the first formatted message. */
export const loadMarkdown = () => import('@madoguchi/core/markdown');
