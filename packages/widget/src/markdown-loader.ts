/** Loads the Markdown parser; the script-tag build fetches it as madoguchi-markdown.js instead. */
export const loadMarkdown = () => import('@madoguchi/core');
