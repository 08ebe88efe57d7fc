import type { FlowTrigger, TriggerEnv } from './types';
import { matchTriggerFacts } from './facts';
import { testFlowCondition } from './text';

export { rolloutBucket } from './facts';

/** True when the page, the user, the moment and the rollout all fit the trigger. */
export function matchFlowTrigger(trigger: FlowTrigger, env: TriggerEnv): boolean {
  const t = trigger || {};
  return matchTriggerFacts(t, env) && (!t.when || testFlowCondition(t.when, { user: env.user, context: env.context, now: env.now ?? Date.now() }));
}
