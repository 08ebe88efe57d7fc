import { describe, expect, it } from 'vitest';
import { createProactiveEngine, validateProactiveRules, type CapState, type ProactiveRule } from './proactive';

function setup(rules: ProactiveRule[], extra: { maxPerDay?: number; quiet?: boolean; sessionId?: string; store?: { s?: CapState } } = {}) {
  const clock = { t: Date.UTC(2025, 0, 1, 9) };
  const store = extra.store || {};
  const engine = createProactiveEngine({
    rules,
    now: () => clock.t,
    maxPerDay: extra.maxPerDay,
    quiet: extra.quiet,
    sessionId: extra.sessionId,
    storage: { get: () => store.s && structuredClone(store.s), set: (s) => (store.s = structuredClone(s)) },
  });
  const ctx = (url = '/pricing', attributes: Record<string, unknown> = {}) => ({ url, pageSince: clock.t, attributes });
  return { clock, engine, ctx, store };
}

const ids = (hits: { ruleId: string }[]) => hits.map((h) => h.ruleId);

describe('validateProactiveRules', () => {
  it('keeps good rules and reports each mistake with its JSON path', () => {
    const { rules, problems } = validateProactiveRules({
      rules: [
        { id: 'ok', url: '/pricing*', message: { en: 'Need help?', ja: 'お困りですか？' }, once: 'user' },
        { id: 'ok', flow: 'returns' },
        { id: '', message: 'x', afterSeconds: -1, once: 'weekly', colour: 'red' },
        { id: 'both', message: 'x', flow: 'y' },
        { id: 'seg', message: 'x', segment: { plan: { above: 3 } }, maxPerDay: 1.5 },
        'nope',
      ],
    });
    expect(rules.map((r) => r.id)).toEqual(['ok']);
    expect(problems).toEqual([
      { path: '$.rules[1].id', message: 'the id "ok" is used twice' },
      { path: '$.rules[2].id', message: 'expected a non-empty string' },
      { path: '$.rules[2].afterSeconds', message: 'expected a number of seconds, 0 or more' },
      { path: '$.rules[2].once', message: 'expected "user", "session" or "page"' },
      { path: '$.rules[2].colour', message: 'unknown field "colour"' },
      { path: '$.rules[3]', message: 'a rule needs either "message" or "flow", not both' },
      { path: '$.rules[4].segment', message: expect.stringContaining('attribute tests') },
      { path: '$.rules[4].maxPerDay', message: 'expected a whole number of at least 1' },
      { path: '$.rules[5]', message: 'expected a rule object' },
    ]);
  });

  it('accepts a bare array and reads the file-wide quiet and daily cap', () => {
    expect(validateProactiveRules([{ id: 'a', message: 'hi' }]).rules).toHaveLength(1);
    expect(validateProactiveRules({ rules: [], quiet: true, maxPerDay: 3 })).toMatchObject({ quiet: true, maxPerDay: 3, problems: [] });
    expect(validateProactiveRules('junk').problems).toEqual([{ path: '$', message: 'expected a list of rules' }]);
    expect(validateProactiveRules(null).problems).toHaveLength(1);
  });
});

describe('createProactiveEngine', () => {
  it('matches URL patterns on the path, ignoring query and hash unless the pattern has them', () => {
    const { engine, ctx } = setup([
      { id: 'pricing', url: '/pricing*', message: 'a', once: 'page' },
      { id: 'exact', url: ['/docs', '/help'], message: 'b', once: 'page' },
      { id: 'query', url: '/search?q=*', message: 'c', once: 'page' },
      { id: 'full', url: 'https://shop.example/*', message: 'd', once: 'page' },
    ]);
    expect(ids(engine.evaluate(ctx('https://shop.example/pricing/team?utm=x#top'), 'page'))).toEqual(['pricing', 'full']);
    expect(ids(engine.evaluate(ctx('/help?x=1'), 'page'))).toEqual(['exact']);
    expect(ids(engine.evaluate(ctx('/docs/more'), 'page'))).toEqual([]);
    expect(ids(engine.evaluate(ctx('/search?q=shoes'), 'page'))).toEqual(['query']);
    expect(ids(engine.evaluate(ctx('https://other.example/pricing'), 'page'))).toEqual(['pricing']);
  });

  it('waits for time on page and says when to check again', () => {
    const { engine, ctx, clock } = setup([
      { id: 'slow', afterSeconds: 30, message: 'still there?' },
      { id: 'fast', afterSeconds: 10, message: 'hi' },
    ]);
    const c = ctx('/');
    expect(engine.evaluate(c, 'page')).toEqual([]);
    expect(engine.nextCheckIn(c)).toBe(10_000);
    clock.t += 10_000;
    expect(ids(engine.evaluate(c, 'tick'))).toEqual(['fast']);
    engine.markShown('fast');
    expect(engine.nextCheckIn(c)).toBe(20_000);
    clock.t += 20_000;
    expect(ids(engine.evaluate(c, 'tick'))).toEqual(['slow']);
    engine.markShown('slow');
    expect(engine.nextCheckIn(c)).toBeUndefined();
  });

  it('fires event rules on their event only, and sorts hits by priority', () => {
    const { engine, ctx } = setup([
      { id: 'fail', event: 'checkout_failed', flow: 'payment-help', priority: 1 },
      { id: 'page', message: 'welcome' },
      { id: 'fail2', event: 'checkout_failed', message: 'sorry', priority: 5 },
    ]);
    const c = ctx('/checkout');
    expect(ids(engine.evaluate(c, 'page'))).toEqual(['page']);
    expect(engine.evaluate(c, { event: 'other' })).toEqual([]);
    const hits = engine.evaluate(c, { event: 'checkout_failed' });
    expect(hits).toEqual([
      { ruleId: 'fail2', message: 'sorry', flow: undefined, sound: false },
      { ruleId: 'fail', message: undefined, flow: 'payment-help', sound: false },
    ]);
  });

  it('targets segments on attributes and context facts', () => {
    const { engine, ctx } = setup([
      { id: 'returning-pro', segment: { returning: true, plan: ['pro', 'team'], visitCount: { gte: 3, lt: 10 } }, message: 'a', once: 'page' },
      { id: 'no-email', segment: { email: { exists: false }, plan: { not: 'free' } }, message: 'b', once: 'page' },
    ]);
    expect(ids(engine.evaluate(ctx('/', { returning: true, plan: 'team', visitCount: 3 }), 'page'))).toEqual(['returning-pro', 'no-email']);
    expect(ids(engine.evaluate(ctx('/', { returning: true, plan: 'team', visitCount: 10, email: 'a@b.c' }), 'page'))).toEqual([]);
    expect(ids(engine.evaluate(ctx('/', { returning: false, plan: 'free', visitCount: 5 }), 'page'))).toEqual([]);
    expect(ids(engine.evaluate(ctx('/', { returning: true, plan: 'pro', visitCount: '5' }), 'page'))).toEqual(['no-email']);
  });

  it('shows a once-per-session rule once per session, kept across page loads', () => {
    const store = {};
    const a = setup([{ id: 'r', message: 'hi' }], { sessionId: 's1', store });
    expect(ids(a.engine.evaluate(a.ctx(), 'page'))).toEqual(['r']);
    a.engine.markShown('r');
    expect(a.engine.evaluate(a.ctx(), 'page')).toEqual([]);
    const reload = setup([{ id: 'r', message: 'hi' }], { sessionId: 's1', store });
    expect(reload.engine.evaluate(reload.ctx(), 'page')).toEqual([]);
    const next = setup([{ id: 'r', message: 'hi' }], { sessionId: 's2', store });
    expect(ids(next.engine.evaluate(next.ctx(), 'page'))).toEqual(['r']);
  });

  it('shows a once-per-user rule once ever, and a per-page rule again on the next page', () => {
    const store = {};
    const a = setup([{ id: 'u', message: 'hi', once: 'user' }, { id: 'p', message: 'yo', once: 'page' }], { sessionId: 's1', store });
    a.engine.markShown('u');
    a.engine.markShown('p');
    expect(a.engine.evaluate(a.ctx(), 'tick')).toEqual([]);
    expect(ids(a.engine.evaluate(a.ctx(), 'page'))).toEqual(['p']);
    a.clock.t += 30 * 864e5;
    const later = setup([{ id: 'u', message: 'hi', once: 'user' }], { sessionId: 's9', store });
    expect(later.engine.evaluate(later.ctx(), 'page')).toEqual([]);
  });

  it('caps a rule at N per rolling 24 hours, and all rules together', () => {
    const { engine, ctx, clock } = setup([{ id: 'r', message: 'hi', once: 'page', maxPerDay: 2 }]);
    for (let i = 0; i < 2; i++) {
      expect(ids(engine.evaluate(ctx(), 'page'))).toEqual(['r']);
      engine.markShown('r');
      clock.t += 3600e3;
    }
    expect(engine.evaluate(ctx(), 'page')).toEqual([]);
    clock.t += 22 * 3600e3; // the first showing is now 24 hours old
    expect(ids(engine.evaluate(ctx(), 'page'))).toEqual(['r']);

    const all = setup([{ id: 'a', message: 'a' }, { id: 'b', message: 'b' }], { maxPerDay: 1 });
    all.engine.markShown('a');
    expect(all.engine.evaluate(all.ctx(), 'page')).toEqual([]);
  });

  it('stays silent in quiet mode and remembers it', () => {
    const store = {};
    const a = setup([{ id: 'r', message: 'hi', sound: true }], { store });
    expect(a.engine.evaluate(a.ctx(), 'page')[0].sound).toBe(true);
    a.engine.setQuiet(true);
    expect(a.engine.isQuiet()).toBe(true);
    expect(a.engine.evaluate(a.ctx(), 'page')).toEqual([]);
    expect(a.engine.nextCheckIn(a.ctx())).toBeUndefined();
    const b = setup([{ id: 'r', message: 'hi' }], { store });
    expect(b.engine.evaluate(b.ctx(), 'page')).toEqual([]);
    b.engine.setQuiet(false);
    expect(ids(b.engine.evaluate(b.ctx(), 'page'))).toEqual(['r']);
    const forced = setup([{ id: 'r', message: 'hi' }], { quiet: true });
    expect(forced.engine.evaluate(forced.ctx(), 'page')).toEqual([]);
  });

  it('survives broken storage', () => {
    const engine = createProactiveEngine({
      rules: [{ id: 'r', message: 'hi' }],
      storage: {
        get: () => {
          throw new Error('blocked');
        },
        set: () => {
          throw new Error('blocked');
        },
      },
    });
    expect(engine.evaluate({ url: '/', pageSince: Date.now() }, 'page')).toHaveLength(1);
    engine.markShown('r');
    expect(engine.evaluate({ url: '/', pageSince: Date.now() }, 'page')).toEqual([]);
  });
});

describe('proactive.schema.json', () => {
  it('describes the same rule fields the validator accepts', async () => {
    const { readFile } = await import('node:fs/promises');
    const schema = JSON.parse(await readFile(new URL('../../schema/proactive.schema.json', import.meta.url), 'utf8'));
    const fields = Object.keys(schema.$defs.rule.properties);
    const rule = Object.fromEntries(fields.map((f) => [f, null]));
    const unknown = validateProactiveRules([{ ...rule, id: 'a', message: 'hi', colour: 1 }]).problems.filter((p) => p.message.startsWith('unknown'));
    expect(unknown.map((p) => p.path)).toEqual(['$[0].colour']);
    expect(fields.sort()).toEqual('afterSeconds event flow id maxPerDay message once priority segment sound url'.split(' '));
  });
});
