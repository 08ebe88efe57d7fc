import type { LocalizedText, Problem } from '../types';

/** A test on one attribute: a value (equal), a list (one of), or comparisons that must all hold. */
export type SegmentMatch =
  | string
  | number
  | boolean
  | null
  | Array<string | number | boolean | null>
  | { gt?: number | string; gte?: number | string; lt?: number | string; lte?: number | string; not?: unknown; exists?: boolean };

/** One proactive rule: when to reach out, what to show, and how often at most. */
export interface ProactiveRule {
  id: string;
  /** Path pattern(s), `*` matches anything: `/pricing*`. A pattern with `?` also sees the query; with `://` the whole URL. */
  url?: string | string[];
  /** Seconds the visitor has been on the page before the rule may fire. */
  afterSeconds?: number;
  /** A custom event name (`track`) that fires the rule; such a rule fires on that event only. */
  event?: string;
  /** Every key must match the visitor's attributes (user attributes plus returning, visitCount, locale…). */
  segment?: Record<string, SegmentMatch>;
  /** Text to show in the launcher preview and the thread. */
  message?: LocalizedText;
  /** Or: a flow to start. */
  flow?: string;
  /** At most once per user, per session (the default) or per page view. */
  once?: 'user' | 'session' | 'page';
  /** At most this many showings of this rule in any 24 hours. */
  maxPerDay?: number;
  /** Higher first when several rules match at once. */
  priority?: number;
  /** Play a sound with it. Off unless set. */
  sound?: boolean;
}

/** What the engine remembers to honour the caps; give it storage to keep it across page loads. */
export interface CapState {
  /** Rules ever shown to this user. */
  ever: string[];
  /** [ruleId, at] of every showing in the last 24 hours. */
  recent: Array<[string, number]>;
  /** The session that `session` belongs to. */
  sessionId?: string;
  /** Rules shown in that session. */
  session: string[];
  /** The visitor or host asked for quiet. */
  quiet?: boolean;
}

/** What the engine sees when it evaluates. */
export interface ProactiveContext {
  /** The page address: an absolute URL or a path. */
  url: string;
  /** Epoch ms when the current page view began. */
  pageSince: number;
  /** User attributes merged with context facts (returning, visitCount, locale). */
  attributes?: Record<string, unknown>;
}

/** page: a page view began; tick: time passed; { event }: the host tracked a custom event. */
export type ProactiveTrigger = 'page' | 'tick' | { event: string };

/** A rule that matched: show `message` or start `flow`. Never take focus. */
export interface ProactiveHit {
  ruleId: string;
  message?: LocalizedText;
  flow?: string;
  sound: boolean;
}

export interface ProactiveOptions {
  rules: ProactiveRule[];
  /** Show nothing at all. */
  quiet?: boolean;
  /** At most this many proactive showings of all rules in any 24 hours. */
  maxPerDay?: number;
  /** The current session; session caps reset when it changes. Default: this engine's lifetime. */
  sessionId?: string;
  now?: () => number;
  storage?: { get(): CapState | undefined | null; set(state: CapState): void };
}

export interface ProactiveEngine {
  /** Rules that may be shown now, highest priority first. Changes nothing: call `markShown` for the one you show. */
  evaluate(ctx: ProactiveContext, trigger: ProactiveTrigger): ProactiveHit[];
  /** Records a showing, so caps count it. */
  markShown(ruleId: string): void;
  /** Ms until a time-based rule could fire on this page (set one timer, then `evaluate(ctx, 'tick')`); undefined if none. */
  nextCheckIn(ctx: ProactiveContext): number | undefined;
  /** Turns quiet mode on or off; kept in storage. */
  setQuiet(on: boolean): void;
  isQuiet(): boolean;
}

const DAY = 864e5;
const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v == 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v == 'string' && v != '';
const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
const isSegmentMatch = (m: unknown) =>
  isObj(m) ? Object.keys(m).every((o) => /^(gte?|lte?|not|exists)$/.test(o)) : !Array.isArray(m) || !m.some((x) => typeof x == 'object' && x);

/** Each rule field: its test and what it should be. */
const RULE_FIELDS: Record<string, [(v: any) => boolean, string]> = {
  id: [isStr, 'a non-empty string'],
  url: [(v) => [].concat(v).length > 0 && [].concat(v).every(isStr), 'a URL pattern or a list of them'],
  afterSeconds: [(v) => typeof v == 'number' && v >= 0, 'a number of seconds, 0 or more'],
  event: [isStr, 'an event name'],
  segment: [(v) => isObj(v) && Object.values(v).every(isSegmentMatch), 'an object of attribute tests (a value, a list, or gt/gte/lt/lte/not/exists)'],
  message: [(v) => isStr(v) || (isObj(v) && Object.values(v).every(isStr)), 'text or text per locale'],
  flow: [isStr, 'a flow id'],
  once: [(v) => /^(user|session|page)$/.test(v), '"user", "session" or "page"'],
  maxPerDay: [isCount, 'a whole number of at least 1'],
  priority: [(v) => typeof v == 'number', 'a number'],
  sound: [(v) => typeof v == 'boolean', 'true or false'],
};

/**
 * Checks a proactive rules file: an array of rules or `{ rules, quiet?, maxPerDay? }`.
 * Returns the valid rules (a broken rule is left out) and a problem for each mistake.
 */
export function validateProactiveRules(json: unknown): {
  rules: ProactiveRule[];
  problems: Problem[];
  quiet?: boolean;
  maxPerDay?: number;
} {
  const problems: Problem[] = [];
  const top = isObj(json) ? json : { rules: json };
  const at = isObj(json) ? '$.rules' : '$';
  const rules: ProactiveRule[] = [];
  const ids: unknown[] = [];
  const bad = (path: string, message: string) => problems.push({ path, message });
  if (!Array.isArray(top.rules)) bad(at, 'expected a list of rules');
  if (top.quiet != null && typeof top.quiet != 'boolean') bad('$.quiet', 'expected true or false');
  if (top.maxPerDay != null && !isCount(top.maxPerDay)) bad('$.maxPerDay', 'expected a whole number of at least 1');
  (Array.isArray(top.rules) ? top.rules : []).forEach((r: unknown, i: number) => {
    const p = `${at}[${i}]`;
    const before = problems.length;
    if (!isObj(r)) return bad(p, 'expected a rule object');
    for (const k of new Set(['id', ...Object.keys(r)])) {
      const f = RULE_FIELDS[k];
      if (!f) bad(`${p}.${k}`, `unknown field "${k}"`);
      else if ((r[k] != null || k == 'id') && !f[0](r[k])) bad(`${p}.${k}`, `expected ${f[1]}`);
    }
    if (ids.includes(r.id)) bad(`${p}.id`, `the id "${r.id}" is used twice`);
    ids.push(r.id);
    if ((r.message == null) == (r.flow == null)) bad(p, 'a rule needs either "message" or "flow", not both');
    if (problems.length == before) rules.push(r as ProactiveRule);
  });
  return { rules, problems, quiet: top.quiet === true, maxPerDay: isCount(top.maxPerDay) ? top.maxPerDay : undefined };
}

/** True when a path pattern (`*` = anything) matches the URL. */
function urlMatches(pattern: string, url: string): boolean {
  const rest = url.replace(/^[a-z][\w+.-]*:\/\/[^/?#]*/i, '').replace(/#.*/, '') || '/';
  const target = pattern.includes('://') ? url : pattern.includes('?') ? rest : rest.replace(/\?.*/, '');
  return new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(target);
}

function segmentMatches(m: SegmentMatch, v: unknown): boolean {
  if (Array.isArray(m)) return m.includes(v as never);
  if (!isObj(m)) return v === m;
  const cmp = (x: unknown, f: (a: any, b: any) => boolean) => x == null || (typeof v == typeof x && f(v, x));
  return (
    (m.exists == null || (v != null) == m.exists) &&
    (!('not' in m) || v !== m.not) &&
    cmp(m.gt, (a, b) => a > b) &&
    cmp(m.gte, (a, b) => a >= b) &&
    cmp(m.lt, (a, b) => a < b) &&
    cmp(m.lte, (a, b) => a <= b)
  );
}

/**
 * Decides when to reach out. Drive it with `evaluate(ctx, 'page')` on each page view,
 * `evaluate(ctx, { event })` on each tracked event, and `evaluate(ctx, 'tick')` when the
 * `nextCheckIn(ctx)` timer fires; show the first hit and call `markShown(hit.ruleId)`.
 */
export function createProactiveEngine(opts: ProactiveOptions): ProactiveEngine {
  const now = opts.now || Date.now;
  const sessionId = opts.sessionId || Math.random().toString(36);
  let page: string[] = [];
  let state: CapState = { ever: [], recent: [], session: [] };
  try {
    const s = opts.storage?.get();
    if (s && Array.isArray(s.ever) && Array.isArray(s.recent) && Array.isArray(s.session)) state = s;
  } catch {
    // unreadable storage: start afresh
  }
  if (state.sessionId != sessionId) state = { ...state, sessionId, session: [] };
  const save = () => {
    try {
      opts.storage?.set(state);
    } catch {
      // caps then hold for this page only
    }
  };
  const quiet = () => !!(opts.quiet || state.quiet);

  /** Every condition but time and trigger. */
  const eligible = (r: ProactiveRule, ctx: ProactiveContext) => {
    const since = now() - DAY;
    const recent = state.recent.filter((x) => x[1] > since);
    const once = r.once || 'session';
    return (
      !quiet() &&
      !(once == 'user' ? state.ever : once == 'session' ? state.session : page).includes(r.id) &&
      !page.includes(r.id) &&
      !(r.maxPerDay && recent.filter((x) => x[0] == r.id).length >= r.maxPerDay) &&
      !(opts.maxPerDay && recent.length >= opts.maxPerDay) &&
      (!r.url || ([] as string[]).concat(r.url).some((u) => urlMatches(u, ctx.url))) &&
      Object.keys(r.segment || {}).every((k) => segmentMatches(r.segment![k], ctx.attributes?.[k]))
    );
  };
  const wait = (r: ProactiveRule, ctx: ProactiveContext) => (r.afterSeconds || 0) * 1e3 - (now() - ctx.pageSince);

  return {
    evaluate(ctx, trigger) {
      if (trigger == 'page') page = [];
      return opts.rules
        .filter(
          (r) =>
            (typeof trigger == 'object' ? trigger.event == r.event : !r.event) && wait(r, ctx) <= 0 && eligible(r, ctx),
        )
        .sort((a, b) => (b.priority || 0) - (a.priority || 0))
        .map((r) => ({ ruleId: r.id, message: r.message, flow: r.flow, sound: r.sound === true }));
    },
    markShown(id) {
      const at = now();
      page.push(id);
      state.session.push(id);
      if (!state.ever.includes(id)) state.ever.push(id);
      state.recent = state.recent.filter((x) => x[1] > at - DAY).concat([[id, at]]);
      save();
    },
    nextCheckIn(ctx) {
      const waits = opts.rules.filter((r) => !r.event && eligible(r, ctx)).map((r) => wait(r, ctx));
      const next = Math.min(...waits.filter((w) => w > 0));
      return next < Infinity ? next : undefined;
    },
    setQuiet(on) {
      state.quiet = on;
      save();
    },
    isQuiet: quiet,
  };
}
