export { validateArticles, type Article } from './articles';
export {
  buildSearchIndex,
  buildIndexSliced,
  compactSearchIndex,
  loadSearchIndex,
  loadCompactIndex,
  createSearchIndexFrom,
  openSearchIndex,
  type CompactIndex,
  type LoadOptions,
  type SearchHit,
  type SearchIndex,
  type SearchIndexOptions,
  type SliceOptions,
} from './engine';
export type { SnippetPart } from './snippet';
