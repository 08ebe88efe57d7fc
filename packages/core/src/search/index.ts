export { validateArticles, type Article } from './articles';
export { buildSearchIndex, loadSearchIndex, createSearchIndexFrom, type SearchHit, type SearchIndex, type SearchIndexOptions } from './engine';
export type { SnippetPart } from './snippet';
