export type * from './types';
export { validateFlow, checkFlowVars, checkFlowCalls, flowExits, FLOW_NODE_FIELDS, FLOW_TRIGGER_FIELDS, FLOW_LIMITS, FLOW_CONTEXT } from './validate';
export { createFlowRunner, readFlowAnswer, FLOW_MAX_STEPS, SURVEY_MAX } from './runner';
export { matchFlowTrigger, rolloutBucket } from './trigger';
export { flowToMermaid } from './mermaid';
export { escapeFlowMarkdown, fillFlowTemplate, pickFlowText, testFlowCondition, checkFlowPattern } from './text';
