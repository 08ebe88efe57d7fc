// The search engine as the messenger loads it: the engine and the search part's code, in one chunk.
export * from '../../search';
export { createSearchPartImpl } from './part';
