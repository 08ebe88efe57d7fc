export type * from './types';
export { validateFlow, flowExits, FLOW_NODE_FIELDS, FLOW_TRIGGER_FIELDS } from './validate';
export { createFlowRunner, readFlowAnswer, FLOW_MAX_STEPS } from './runner';
export { matchFlowTrigger, rolloutBucket } from './trigger';
export { flowToMermaid } from './mermaid';
export { escapeFlowMarkdown, fillFlowTemplate, pickFlowText, testFlowCondition, checkFlowPattern } from './text';
