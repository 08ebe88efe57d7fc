// The flow engine as the messenger loads it: the engine and the flow part's code, in one chunk.
export * from '../../flow';
export { createFlowPartImpl } from './part';
