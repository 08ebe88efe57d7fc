// The search engine as the messenger loads it: what the search part uses, and the search part's
// code, in one chunk. Only these: a chunk keeps every export, and the rest of the engine (the
// index writer, for one) has no use on a page.
export { openSearchIndex } from '../../search/engine';
export { createSearchPartImpl } from './part';
