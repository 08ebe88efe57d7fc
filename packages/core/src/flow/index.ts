export type * from './types';
export { validateFlow, checkFlowCalls, flowExits, FLOW_NODE_FIELDS, FLOW_TRIGGER_FIELDS, FLOW_CONTEXT } from './validate';
export { FLOW_LIMITS } from './limits';
export { createFlowRunner, checkFlowVars, readFlowAnswer, FLOW_MAX_STEPS, SURVEY_MAX } from './runner';
export { flowStamp, FLOW_RULES } from './read';
export { matchFlowTrigger, rolloutBucket } from './trigger';
export { flowToMermaid } from './mermaid';
export { escapeFlowMarkdown, fillFlowTemplate, pickFlowText, testFlowCondition, checkFlowPattern } from './text';
