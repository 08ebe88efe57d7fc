import { MAX_MATCH_STEPS, MAX_PATTERN_STEPS } from './pattern';
import { FLOW_CONDITION_DEPTH } from './text';

/** Limits every flow is held to, the same in the validator, the runner, the widget and the CLI. */
export const FLOW_LIMITS = {
  /** Nodes in one flow. */
  nodes: 1000,
  /** Levels of objects and lists anywhere in the file (`$comment`, callback `data`, values). */
  depth: 32,
  /** Levels of all / any / not in one condition. */
  conditionDepth: FLOW_CONDITION_DEPTH,
  /** Nodes one turn may pass through before it waits for the user (the runner's step guard). */
  steps: 100,
  /** Sub-flows running inside one another. */
  calls: 5,
  /** Longest wait for a request node, in milliseconds. */
  requestMs: 30000,
  /** The size of one pattern, and of all of a flow's patterns together: steps per character of text. */
  patternSteps: MAX_PATTERN_STEPS,
  /** Steps of matching one turn may take across all patterns; past it a pattern does not match and the turn reports it. */
  matchSteps: MAX_MATCH_STEPS,
};
