// The flow engine as the messenger loads it: what the flow part uses, and the flow part's code, in one chunk.
export { validateFlow, checkFlowVars, checkFlowCalls, createFlowRunner, matchFlowTrigger } from '../../flow';
export { createFlowPartImpl } from './part';
