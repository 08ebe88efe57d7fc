// The flow engine as the messenger loads it: what the flow part uses, and the flow part's code, in
// one chunk. The validator is not in it: built flows carry a stamp instead (see ./check). Imported
// from their own files, not the flow folder's index, which would bring the validator along.
export { checkFlowVars, createFlowRunner } from '../../flow/runner';
export { matchFlowTrigger } from '../../flow/trigger';
export { createFlowPartImpl } from './part';
