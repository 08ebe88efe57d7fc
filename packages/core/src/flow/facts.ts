import type { FlowTrigger, TriggerEnv } from './types';
import { hashFlowText, readFlowPath } from './read';

/** A stable bucket 0..99 for a user (key) and a flow or experiment (salt). */
export function rolloutBucket(key: string, salt: string): number {
  return parseInt(hashFlowText(`${salt}\u0000${key}`), 16) % 100;
}

/** Glob match without regular expressions: `*` matches any run of characters. */
function globMatch(pattern: string, s: string): boolean {
  let p = 0, i = 0, star = -1, mark = 0;
  while (i < s.length) {
    if (p < pattern.length && pattern[p] == s[i]) p++, i++;
    else if (p < pattern.length && pattern[p] == '*') (star = p++), (mark = i);
    else if (star >= 0) (p = star + 1), (i = ++mark);
    else return false;
  }
  while (pattern[p] == '*') p++;
  return p == pattern.length;
}

/**
 * True when the page, the visit, the user's plan, the caps and the rollout fit the trigger: all of
 * it but its `when` condition. The messenger checks this much at boot with a few hundred bytes of
 * code, and loads the flow engine only when it holds.
 */
export function matchTriggerFacts(trigger: FlowTrigger, env: TriggerEnv): boolean {
  const t = trigger || {};
  const path = env.url.replace(/^[a-z][\w+.-]*:\/\/[^/]*/i, '').replace(/[?#].*/, '') || '/';
  const urls = t.url == null ? [] : ([] as string[]).concat(t.url);
  const plan = readFlowPath(env.user, 'attributes.plan');
  const visits = env.visits ?? 1;
  const cap = t.frequency == 'once-per-user' ? env.seenByUser : t.frequency == 'once-per-session' && env.seenInSession;
  return (
    (!urls.length || urls.some((u) => globMatch(u, u[0] == '/' ? path : env.url))) &&
    (!t.event || t.event == env.event) &&
    (env.timeOnPageMs ?? 0) >= (t.timeOnPageMs ?? 0) &&
    (!t.visitor || (visits <= 1) == (t.visitor == 'new')) &&
    visits >= (t.minVisits ?? 0) &&
    (t.plan == null || ([] as unknown[]).concat(t.plan).includes(plan)) &&
    !cap &&
    (t.rollout == null || rolloutBucket(env.bucketKey, env.flowId) < t.rollout)
  );
}
