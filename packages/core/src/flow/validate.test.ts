import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { checkFlowCalls, createFlowRunner, FLOW_LIMITS, FLOW_NODE_FIELDS, validateFlow } from './index';

const base = () => ({
  id: 'f',
  version: 1,
  start: 'a',
  variables: { email: 'string', n: 'number', tags: 'list' } as Record<string, unknown>,
  nodes: {
    a: { type: 'input', input: 'email', text: 'Your e-mail?', save: 'email', next: 'b', exhausted: 'b' },
    b: { type: 'end' },
  } as Record<string, any>,
});

const paths = (r: { errors: { path: string }[] }) => r.errors.map((e) => e.path).sort();

describe('validateFlow', () => {
  it('accepts a correct flow and returns it', () => {
    const r = validateFlow(base());
    expect(r.errors).toEqual([]);
    expect(r.flow?.id).toBe('f');
  });

  it('reports invalid JSON text and non-objects at $', () => {
    expect(paths(validateFlow('{"id": '))).toEqual(['$']);
    expect(validateFlow('{"id": ').errors[0].message).toMatch(/not valid JSON/);
    expect(paths(validateFlow(42))).toEqual(['$']);
    expect(paths(validateFlow(null))).toEqual(['$']);
  });

  it('reports missing and mistyped root fields', () => {
    const r = validateFlow({ version: true, nodes: {}, extra: 1 });
    expect(paths(r)).toEqual(['$.extra', '$.id', '$.nodes', '$.start', '$.version']);
    expect(r.errors.find((e) => e.path == '$.extra')?.message).toBe('is not a field of a flow.');
  });

  it('reports duplicate keys found in the JSON text, with their path', () => {
    const text = '{"id":"f","version":1,"start":"a","nodes":{"a":{"type":"end"},"a":{"type":"end","text":"x"}},"x":[{"k":1,"k":2}]}';
    const r = validateFlow(text);
    expect(paths(r)).toEqual(['$.nodes.a', '$.x', '$.x[0].k']);
    expect(r.errors[0].message).toMatch(/defined twice/);
  });

  it('reports duplicate option ids', () => {
    const f = base();
    f.nodes.a = { type: 'choice', options: [{ id: 'x', label: 'X', next: 'b' }, { id: 'x', label: 'Y', next: 'b' }] };
    expect(paths(validateFlow(f))).toEqual(['$.nodes.a.options[1].id']);
  });

  it('reports dangling node references and an unknown start', () => {
    const f = base();
    f.nodes.a.next = 'nowhere';
    f.start = 'missing';
    const r = validateFlow(f);
    expect(paths(r)).toContain('$.nodes.a.next');
    expect(paths(r)).toContain('$.start');
    expect(r.errors.find((e) => e.path == '$.nodes.a.next')?.message).toBe('points to "nowhere", which is not a node in this flow.');
  });

  it('reports unreachable nodes', () => {
    const f = base();
    f.nodes.orphan = { type: 'message', text: 'hi' };
    const r = validateFlow(f);
    expect(paths(r)).toEqual(['$.nodes.orphan']);
    expect(r.errors[0].message).toMatch(/cannot be reached/);
  });

  it('reports unknown node types and fields, and bad ids', () => {
    const f = base();
    f.nodes.b = { type: 'teleport' };
    f.nodes.a.nxt = 'b';
    f.nodes['bad id'] = { type: 'end' };
    f.nodes.a.next = 'bad id';
    const r = validateFlow(f);
    expect(paths(r)).toEqual(['$.nodes.a.nxt', '$.nodes.b.type', '$.nodes["bad id"]']);
  });

  it('reports unknown and mistyped variables', () => {
    const f = base();
    f.nodes.a.save = 'n'; // an e-mail saved into a number
    f.nodes.a.text = 'Hi {{vars.nobody}} {{user.password}}';
    f.nodes.b = { type: 'condition', when: { all: [{ var: 'vars.email', gt: 3 }, { var: 'vars.ghost', eq: 1 }] }, then: 'c', else: 'c' };
    f.nodes.c = { type: 'set', ops: [{ var: 'email', op: 'add', value: 1 }, { var: 'tags', op: 'set', value: 'x' }, { var: 'zzz', op: 'clear' }], next: 'd' };
    f.nodes.d = { type: 'choice', optionsFrom: { var: 'email', next: 'e' } };
    f.nodes.e = { type: 'end' };
    const r = validateFlow(f);
    expect(paths(r)).toEqual([
      '$.nodes.a.save',
      '$.nodes.a.text',
      '$.nodes.a.text',
      '$.nodes.b.when.all[0].var',
      '$.nodes.b.when.all[1].var',
      '$.nodes.c.ops[0].var',
      '$.nodes.c.ops[1].value',
      '$.nodes.c.ops[2].var',
      '$.nodes.d.optionsFrom.var',
    ]);
    expect(r.errors.find((e) => e.path == '$.nodes.a.save')?.message).toBe('needs a string variable, but "n" is declared as number.');
  });

  it('requires an exit for exhausted retries', () => {
    const f = base();
    delete f.nodes.a.exhausted;
    const r = validateFlow(f);
    expect(r.errors).toEqual([{ path: '$.nodes.a.exhausted', message: 'a input node needs "exhausted": the node to go to when the retries run out.' }]);
  });

  it('refuses a loop that never waits for the user, but allows one through an input', () => {
    const f = base();
    f.start = 'x';
    f.nodes = {
      x: { type: 'message', text: 'again', next: 'y' },
      y: { type: 'goto', target: 'x' },
    };
    const r = validateFlow(f);
    expect(paths(r)).toEqual(['$.nodes.x']);
    expect(r.errors[0].message).toContain('x → y → x');
    f.nodes.y = { type: 'input', input: 'text', text: 'ok?', save: 'email', next: 'x', exhausted: 'x' };
    expect(validateFlow(f).errors).toEqual([]);
  });

  it('refuses patterns it cannot run, naming the limit; nested repeats are fine, matching is linear', () => {
    for (const pattern of ['(x)\\1', '(?=a)b', 'a'.repeat(201), '[', 'x{3,1}', '(a{999}){3}']) {
      const f = base();
      f.nodes.a.pattern = pattern;
      expect(paths(validateFlow(f)), pattern).toEqual(['$.nodes.a.pattern']);
    }
    const f = base();
    f.nodes.a.pattern = 'a'.repeat(201);
    expect(validateFlow(f).errors[0].message).toBe('is over 200 characters (the limit).');
    f.nodes.a.pattern = '(a{999}){3}';
    expect(validateFlow(f).errors[0].message).toMatch(/over 1000 steps per character \(the limit\)/);
    for (const pattern of ['^MD-[0-9]{6}$', '(a+)+$', '^\\d*\\d*\\d*\\d*x$', '^[\\w\\-]+$', 'ORD\\-\\d+', '^\\p{Script=Han}+$']) {
      f.nodes.a.pattern = pattern;
      expect(validateFlow(f).errors, pattern).toEqual([]);
    }
  });

  it('bounds the matching work of a flow: each pattern by its size, all of them together by the same limit, naming the path', () => {
    // A class of many Unicode properties repeated up to 99x times: a few hundred ms for each such pattern on one answer.
    const props = '\\p{Lu}\\p{Ll}\\p{Nd}\\p{Zs}\\p{Po}\\p{Sm}\\p{Sc}\\p{Sk}\\p{So}\\p{Pd}\\p{Ps}\\p{Pe}\\p{Pi}\\p{Pf}\\p{Pc}\\p{Cc}\\p{Cf}\\p{Lo}\\p{Lm}';
    const f = base();
    f.nodes.a.next = 'c';
    f.nodes.c = { type: 'condition', when: { any: [0, 1, 2].map((i) => ({ var: 'vars.email', matches: `(?:[^${props}]){0,99${i}}b` })) }, then: 'b', else: 'b' };
    let r = validateFlow(f);
    expect(paths(r)).toEqual(['$.nodes.c.when.any[0].matches', '$.nodes.c.when.any[1].matches', '$.nodes.c.when.any[2].matches']);
    expect(r.errors[0].message).toBe('has a size over 1000 steps per character (the limit); use smaller counts in {n,m}.');
    // Each small enough alone (393, 396 and 399 steps per character: a split and a one-member class for each repeat), three together are not.
    f.nodes.c.when = { any: [0, 1, 2].map((i) => ({ var: 'vars.email', matches: `[^x]{0,13${i}}b` })) };
    f.nodes.a.pattern = '^\\w';
    r = validateFlow(f);
    expect(r.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      `$.nodes.c.when.any[2].matches: brings this flow's patterns to ${393 + 396 + 399 + 4} steps per character, over the limit of ${FLOW_LIMITS.patternSteps} for one flow.`,
    ]);
    f.nodes.c.when.any.pop();
    expect(validateFlow(f).errors).toEqual([]);
  });

  it('checks split percentages, enums, conditions and triggers', () => {
    const f = base();
    f.nodes.b = { type: 'split', branches: [{ percent: 30, next: 'c' }, { percent: 30, next: 'c' }] };
    f.nodes.c = { type: 'survey', scale: 'stars' };
    f.nodes.a.next = 'd';
    f.nodes.d = { type: 'condition', when: { var: 'user.name', eq: 'x', ne: 'y' }, then: 'b', else: 'b' };
    (f as any).trigger = { rollout: 'half', visitor: 'old' };
    expect(paths(validateFlow(f))).toEqual(['$.nodes.b.branches', '$.nodes.c.scale', '$.nodes.d.when', '$.trigger.rollout', '$.trigger.visitor']);
  });

  it('warns when a node hides "Talk to a person" and when a locale is missing', () => {
    const f = base() as any;
    f.locale = ['en', 'ja'];
    f.nodes.a.allowHuman = false;
    f.nodes.a.text = { en: 'E-mail?' };
    const r = validateFlow(f);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.path)).toEqual(['$.nodes.a.text', '$.nodes.a.allowHuman']);
  });

  it('never throws on random or mutated input, only reports (seeded fuzz)', () => {
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)];
    const atoms = [null, true, 0, -1, 1e309, 'a', '', 'vars.email', '{{vars.x}}', 'b', '__proto__', [], {}];
    const randomValue = (d: number): unknown =>
      d > 3 || rand() < 0.4
        ? pick(atoms)
        : rand() < 0.5
          ? Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(d + 1))
          : Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [pick(['type', 'next', 'text', 'when', 'ops', 'options', 'var', 'eq', 'all', 'a']), randomValue(d + 1)]));
    const example = JSON.parse(readFileSync(new URL('../../../../examples/flows/support-router.json', import.meta.url), 'utf8'));
    const mutate = (v: any, d = 0): any => {
      if (!v || typeof v != 'object' || d > 6) return rand() < 0.1 ? randomValue(3) : v;
      const copy: any = Array.isArray(v) ? [...v] : { ...v };
      for (const k of Object.keys(copy)) {
        const r = rand();
        if (r < 0.05) delete copy[k];
        else if (r < 0.1) copy[k] = randomValue(2);
        else copy[k] = mutate(copy[k], d + 1);
      }
      return copy;
    };
    for (let i = 0; i < 300; i++) {
      const input = i % 3 == 0 ? randomValue(0) : i % 3 == 1 ? mutate(example) : JSON.stringify(mutate(example)).slice(0, Math.floor(rand() * 4000));
      const r = validateFlow(input);
      expect(Array.isArray(r.errors)).toBe(true);
      for (const e of r.errors) expect(e.path.startsWith('$')).toBe(true);
      if (r.flow) expect(r.errors).toEqual([]);
    }
  });

  it('mirrors the JSON Schema: the same node types and fields', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schema/flow.schema.json', import.meta.url), 'utf8'));
    for (const [type, spec] of Object.entries(FLOW_NODE_FIELDS)) {
      const fields = spec.split(' ').map((f) => f.split(':')[0]);
      const def = schema.$defs[type];
      expect(Object.keys(def.properties).filter((k) => k != 'type' && k != '$comment').sort(), type).toEqual([...fields].sort());
      const required = spec.split(' ').filter((f) => !f.endsWith('?')).map((f) => f.split(':')[0]);
      expect(def.required.filter((k: string) => k != 'type').sort(), type).toEqual(required.sort());
    }
    expect(schema.$defs.node.properties.type.enum.sort()).toEqual(Object.keys(FLOW_NODE_FIELDS).sort());
  });

  describe('limits and rules, each named in its message', () => {
    const msg = (r: ReturnType<typeof validateFlow>, path: string) => r.errors.find((e) => e.path == path)?.message;

    it('keeps percentages within 0-100 and lets split totals round', () => {
      const f = base();
      f.nodes.a.next = 's';
      f.nodes.s = { type: 'split', branches: [{ percent: 150, next: 'b' }, { percent: -50, next: 'b' }] };
      (f as any).trigger = { rollout: 101 };
      const r = validateFlow(f);
      expect(paths(r)).toEqual(['$.nodes.s.branches[0].percent', '$.nodes.s.branches[1].percent', '$.trigger.rollout']);
      expect(msg(r, '$.trigger.rollout')).toBe('must be a percentage from 0 to 100.');
      f.nodes.s.branches = [33.4, 33.3, 33.3].map((percent) => ({ percent, next: 'b' }));
      delete (f as any).trigger;
      expect(validateFlow(f).errors).toEqual([]);
      f.nodes.s.branches[0].percent = 30;
      expect(msg(validateFlow(f), '$.nodes.s.branches')).toBe('must add up to 100 percent (they add up to 96.6).');
    });

    it('takes node ids that are names of object methods as plain ids', () => {
      const f = base();
      f.nodes.a.next = 'constructor';
      f.nodes['constructor'] = { type: 'message', text: 'x', next: 'toString' };
      f.nodes['toString'] = { type: 'message', text: 'y', next: 'b' };
      expect(validateFlow(f).errors).toEqual([]);
    });

    it('refuses what can never hold where it stands: vars in a trigger, context paths never set or of another type', () => {
      const f = base();
      (f as any).trigger = { when: { var: 'vars.email', exists: true } };
      f.nodes.a.next = 'c';
      f.nodes.c = { type: 'condition', when: { any: [{ var: 'context.device.os', eq: 'ios' }, { var: 'context.visitCount', matches: '1' }, { var: 'context.device.platform', eq: 'phone' }] }, then: 'b', else: 'b' };
      const r = validateFlow(f);
      expect(msg(r, '$.trigger.when.var')).toMatch(/a trigger is checked before the flow starts/);
      expect(msg(r, '$.nodes.c.when.any[0].var')).toMatch(/^"context.device.os" is never set/);
      expect(msg(r, '$.nodes.c.when.any[1].var')).toBe('"context.visitCount" is a number, so this can never hold.');
      expect(msg(r, '$.nodes.c.when.any[2].var')).toBe('"context.device.platform" is one of mobile, tablet, desktop, so this can never hold.');
    });

    it('allows $comment (a string) anywhere and no other $ field', () => {
      const f = base() as any;
      f.$comment = 'ok';
      f.nodes.a.$comment = 'ok';
      expect(validateFlow(f).errors).toEqual([]);
      f.nodes.a.$id = 'x';
      f.nodes.b.$comment = { nested: true };
      const r = validateFlow(f);
      expect(paths(r)).toEqual(['$.nodes.a.$id', '$.nodes.b.$comment']);
      expect(msg(r, '$.nodes.a.$id')).toBe('is not a field of a input node; the only $ field here is "$comment".');
    });

    it('refuses a comparison that the path\'s known values or type settle, with every operator, saying which way', () => {
      const f = base();
      f.nodes.a.next = 'c';
      const leaves = [
        { var: 'context.device.platform', in: ['iOS', 'android'] },
        { var: 'context.device.platform', ne: 'iOS' },
        { var: 'context.device.platform', contains: 'iOS' },
        { var: 'context.device.platform', matches: '^(ios|android)$' },
        { var: 'context.device.platform', matches: 'e' },
        { var: 'context.device.platform', in: ['mobile', 'tablet', 'desktop'] },
        { var: 'context.device.platform', gt: 1 },
        { var: 'now', eq: 'monday' },
        { var: 'now', ne: 'monday' },
        { var: 'now', contains: 'mon' },
        { var: 'context.visitCount', in: ['1', '2'] },
        { var: 'vars.tags', eq: ['a'] },
        { var: 'vars.tags', lt: 1 },
        { var: 'vars.email', contains: 1 },
        { var: 'vars.n', withinDays: 3 },
        { var: 'context.returning', withinDays: 3 },
      ];
      // Each of these depends on the value: none is refused.
      const fine = [
        { var: 'context.device.platform', in: ['mobile', 'iOS'] },
        { var: 'context.device.platform', ne: 'mobile' },
        { var: 'context.device.platform', contains: 'obi' },
        { var: 'context.device.platform', matches: '^m' },
        { var: 'now', gt: 0 },
        { var: 'vars.tags', contains: 'a' },
        { var: 'vars.email', in: ['a@b.c', 1] },
        { var: 'vars.email', exists: true },
        { var: 'user.attributes.plan', eq: 1 },
      ];
      f.nodes.c = { type: 'condition', when: { any: [...leaves, ...fine] }, then: 'b', else: 'b' };
      const r = validateFlow(f);
      expect(r.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
        '$.nodes.c.when.any[0].var: "context.device.platform" is one of mobile, tablet, desktop, so this can never hold.',
        '$.nodes.c.when.any[1].var: "context.device.platform" is one of mobile, tablet, desktop, so this always holds.',
        '$.nodes.c.when.any[2].var: "context.device.platform" is one of mobile, tablet, desktop, so this can never hold.',
        '$.nodes.c.when.any[3].var: "context.device.platform" is one of mobile, tablet, desktop, so this can never hold.',
        '$.nodes.c.when.any[4].var: "context.device.platform" is one of mobile, tablet, desktop, so this always holds.',
        '$.nodes.c.when.any[5].var: "context.device.platform" is one of mobile, tablet, desktop, so this always holds.',
        '$.nodes.c.when.any[6].var: "context.device.platform" is one of mobile, tablet, desktop, so this can never hold.',
        '$.nodes.c.when.any[7].var: "now" is a number, so this can never hold.',
        '$.nodes.c.when.any[8].var: "now" is a number, so this always holds.',
        '$.nodes.c.when.any[9].var: "now" is a number, so this can never hold.',
        '$.nodes.c.when.any[10].var: "context.visitCount" is a number, so this can never hold.',
        '$.nodes.c.when.any[11].var: "vars.tags" is a list, so this can never hold.',
        '$.nodes.c.when.any[12].var: "vars.tags" is a list, so this can never hold.',
        '$.nodes.c.when.any[13].var: "vars.email" is a string, so this can never hold.',
        // withinDays reads a number (epoch ms) or a date string: a number variable may hold either way.
        '$.nodes.c.when.any[15].var: "context.returning" is a boolean, so this can never hold.',
      ]);
    });

    it('allows $comment (a string) on every part of a condition, and names every operator when a leaf has none', () => {
      const f = base() as any;
      f.nodes.a.next = 'c';
      f.nodes.c = { type: 'condition', when: { $comment: 'why', any: [{ var: 'vars.email', eq: '/a', $comment: 'why' }, { not: { var: 'vars.n', exists: true }, $comment: 'why' }] }, then: 'b', else: 'b' };
      expect(validateFlow(f).errors).toEqual([]);
      f.nodes.c.when.any[0].$comment = 7;
      f.nodes.c.when.any[1] = { var: 'vars.n', $note: 'x', gte: 1 };
      const r = validateFlow(f);
      expect(paths(r)).toEqual(['$.nodes.c.when.any[0].$comment', '$.nodes.c.when.any[1]']);
      expect(msg(r, '$.nodes.c.when.any[0].$comment')).toBe('must be a string.');
      expect(msg(r, '$.nodes.c.when.any[1]')).toBe(
        'must be { "var": …, <one of eq ne gt gte lt lte contains matches exists in withinDays hours>: … }, { "all" or "any": […] } or { "not": … }, each with an optional "$comment".',
      );
    });

    it('refuses deep nesting anywhere before it can overflow a stack, naming the limit', () => {
      let data: any = 1;
      for (let i = 0; i < 10_000; i++) data = { d: data };
      const f = base() as any;
      f.nodes.a.next = 'cb';
      f.nodes.cb = { type: 'callback', name: 'x', data, next: 'b' };
      const r = validateFlow(f);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0].message).toBe(`nests deeper than ${FLOW_LIMITS.depth} levels of objects and lists (the limit).`);
      expect(r.errors[0].path.startsWith('$.nodes.cb.data.d.d')).toBe(true);
      let text = '1';
      for (let i = 0; i < 10_000; i++) text = `[${text}]`;
      expect(validateFlow(`{"id":"x","$comment":${text}}`).errors[0].message).toMatch(/the limit/);
    });

    it('refuses conditions nested past their limit, saying what it is', () => {
      const f = base();
      let when: any = { var: 'vars.n', gt: 1 };
      for (let i = 0; i <= FLOW_LIMITS.conditionDepth; i++) when = { not: when };
      f.nodes.a.next = 'c';
      f.nodes.c = { type: 'condition', when, then: 'b', else: 'b' };
      expect(validateFlow(f).errors.map((e) => e.message)).toEqual([`nests all / any / not deeper than ${FLOW_LIMITS.conditionDepth} levels (the limit).`]);
    });

    it('refuses a run of nodes longer than one turn may pass, exactly where the runner would stop', () => {
      const chain = (k: number) => {
        const f = base();
        for (let i = 0; i < k; i++) f.nodes[`m${i}`] = { type: 'message', text: `${i}`, next: i + 1 < k ? `m${i + 1}` : 'b' };
        f.nodes.a.next = 'm0';
        return f;
      };
      const run = (f: any) => {
        const runner = createFlowRunner(f, { locale: 'en', bucketKey: 'u', user: {}, context: {} });
        runner.start();
        return runner.reply({ type: 'text', value: 'a@b.co' });
      };
      const longest = chain(FLOW_LIMITS.steps - 1);
      expect(validateFlow(longest).errors).toEqual([]);
      const turn = run(longest);
      expect(turn.done).toBe(true);
      expect(turn.error).toBeUndefined();
      expect(turn.messages).toHaveLength(FLOW_LIMITS.steps - 1);
      const tooLong = chain(FLOW_LIMITS.steps);
      expect(validateFlow(tooLong).errors).toEqual([
        { path: '$.nodes.m0', message: expect.stringContaining(`starts a run of ${FLOW_LIMITS.steps + 1} nodes without waiting for the user, over the limit of ${FLOW_LIMITS.steps}`) },
      ]);
      expect(run(tooLong).error).toMatch(/passed 100 nodes without waiting/);
    });

    it('refuses more nodes than the limit, saying so', () => {
      const f = base();
      for (let i = 0; i < FLOW_LIMITS.nodes; i++) f.nodes[`x${i}`] = { type: 'end' };
      expect(validateFlow(f).errors).toEqual([{ path: '$.nodes', message: `has ${FLOW_LIMITS.nodes + 2} nodes, over the limit of ${FLOW_LIMITS.nodes}; split the flow.` }]);
    });
  });

  it('checks request nodes: handler or url, allowed URL shapes, the timeout limit, typed saves', () => {
    const f = base();
    f.variables.status = 'string';
    f.nodes.a.next = 'r';
    f.nodes.r = { type: 'request', handler: 'h', url: '/x', timeoutMs: 60000, save: { status: 'a.b', nope: 'c' }, ok: 'b', error: 'b', timeout: 'b' };
    const r = validateFlow(f);
    expect(paths(r)).toEqual(['$.nodes.r', '$.nodes.r.save.nope', '$.nodes.r.timeoutMs']);
    expect(r.errors.find((e) => e.path == '$.nodes.r.timeoutMs')?.message).toBe('must be a whole number of milliseconds from 100 to 30000 (the limit).');
    // A browser reads a backslash as a slash: `/\evil.example` is another site, as is a host with one.
    for (const url of ['http://api.example.com/x', '//evil.example/x', 'https://{{vars.email}}/x', 'javascript:alert(1)', '/\\evil.example/api', '/\\/evil.example', 'https://api.example.com\\@evil.example/x']) {
      f.nodes.r = { type: 'request', url, ok: 'b', error: 'b', timeout: 'b' };
      expect(paths(validateFlow(f)), url).toEqual(['$.nodes.r.url']);
    }
    f.nodes.r = { type: 'request', url: 'https://api.example.com/orders/{{vars.email}}', ok: 'b', error: 'b', timeout: 'b' };
    expect(validateFlow(f).errors).toEqual([]);
  });

  it('checks dates and office hours: zones, days, times, and that hours apply to now', () => {
    const f = base();
    f.nodes.a.next = 'c';
    f.nodes.c = {
      type: 'condition',
      when: { all: [{ var: 'now', hours: { zone: 'Mars/Olympus', days: ['someday'], from: '9:00', to: '25:00' } }, { var: 'vars.email', hours: { zone: 'UTC' } }, { var: 'vars.email', withinDays: -1 }] },
      then: 'b',
      else: 'b',
    };
    const r = validateFlow(f);
    expect(r.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      '$.nodes.c.when.all[0].hours.zone: must be a time zone such as "Asia/Tokyo" or "UTC".',
      '$.nodes.c.when.all[0].hours.days: must be a non-empty list of days: sun, mon, tue, wed, thu, fri, sat.',
      '$.nodes.c.when.all[0].hours.from: must be a time of day, "HH:MM" from 00:00 to 24:00.',
      '$.nodes.c.when.all[0].hours.to: must be a time of day, "HH:MM" from 00:00 to 24:00.',
      '$.nodes.c.when.all[1].var: "vars.email" is a string, so this can never hold.',
      '$.nodes.c.when.all[2].withinDays: must be a whole number, 0 or more.',
    ]);
  });

  it('checks sub-flow calls across the flows loaded together', () => {
    const caller = validateFlow({
      id: 'main',
      version: 1,
      start: 'c',
      variables: { n: 'number' },
      nodes: { c: { type: 'flow', flow: 'sub', in: { x: 'vars.n', ghost: 'vars.n' }, out: { n: 'label' }, next: 'd' }, d: { type: 'flow', flow: 'missing' } },
    }).flow!;
    const sub = validateFlow({ id: 'sub', version: 1, start: 'e', variables: { x: 'number', label: 'string' }, nodes: { e: { type: 'flow', flow: 'main' } } }).flow!;
    expect(checkFlowCalls([caller, sub])).toEqual([
      { path: 'main: $.nodes.c.in.ghost', message: 'is not a variable of flow "sub".' },
      { path: 'main: $.nodes.c.out.n', message: 'is a number, but "label" in flow "sub" is a string.' },
      { path: 'main: $.nodes.d.flow', message: 'calls "missing", which is not among the flows loaded.' },
      { path: 'main', message: 'calls itself: main → sub → main.' },
      { path: 'sub', message: 'calls itself: sub → main → sub.' },
    ]);
  });

  describe('the step limit across sub-flows', () => {
    /** A chain of `k` message nodes `<name>0…`, the last going to `next`; returns its first node. */
    const chain = (nodes: Record<string, any>, name: string, k: number, next?: string) => {
      for (let i = 0; i < k; i++) nodes[`${name}${i}`] = { type: 'message', text: `${name}${i}`, ...(i + 1 < k ? { next: `${name}${i + 1}` } : next ? { next } : {}) };
      return k ? `${name}0` : next;
    };
    /**
     * main: an input, `before` messages, a call of sub, then (with `back`) `after` messages and an
     * end. sub: (with `wait`) an input first, then `inside` messages and (with `end`) an end node.
     */
    const pair = (o: { before: number; inside: number; after: number; back: boolean; end: boolean; wait: boolean }) => {
      const main: any = { id: 'main', version: 1, start: 'ask', variables: { email: 'string' }, nodes: {} };
      const sub: any = { id: 'sub', version: 1, start: 'go', variables: { why: 'string' }, nodes: {} };
      if (o.back) main.nodes.done = { type: 'end', text: 'done' };
      main.nodes.call = { type: 'flow', flow: 'sub', ...(o.back ? { next: chain(main.nodes, 'a', o.after, 'done') } : {}) };
      const first = chain(main.nodes, 'p', o.before, 'call');
      main.nodes.ask = { type: 'input', input: 'email', text: 'E-mail?', save: 'email', next: first, exhausted: first };
      if (o.end) sub.nodes.e = { type: 'end' };
      const body = chain(sub.nodes, 's', o.inside, o.end ? 'e' : undefined)!;
      if (o.wait) sub.nodes.go = { type: 'input', input: 'text', text: 'Why?', save: 'why', next: body, exhausted: body };
      else sub.nodes.go = { type: 'goto', target: body };
      return [main, sub] as const;
    };
    /** Whether the runner's guard stops a turn: the one after the e-mail, and the one after sub's question. */
    const guardStops = ([main, sub]: readonly [any, any]) => {
      const runner = createFlowRunner(main, { locale: 'en', bucketKey: 'u', user: {}, context: {}, flows: { sub } });
      runner.start();
      const turns = [runner.reply({ type: 'text', value: 'a@b.co' })];
      if (turns[0].wait) turns.push(runner.reply({ type: 'text', value: 'because' }));
      return turns.some((t) => t.error?.includes(`passed ${FLOW_LIMITS.steps} nodes without waiting`));
    };

    it('refuses exactly the sets of flows whose runs the runner would stop, whichever way the sub-flow ends', () => {
      let refused = 0;
      let accepted = 0;
      for (const wait of [false, true])
        for (const end of [false, true])
          for (const back of [false, true])
            for (let x = 20; x <= 80; x++) {
              // The number that decides: messages before the call, or, after sub's question, inside it.
              const flows = pair({ before: wait ? 3 : x, inside: wait ? x : 30, after: 30, back, end, wait });
              if (flows.some((f) => validateFlow(f).errors.length)) continue;
              const problems = checkFlowCalls(flows as any).filter((p) => p.message.includes('without waiting'));
              const label = JSON.stringify({ wait, end, back, x });
              expect(problems.length > 0, label).toBe(guardStops(flows));
              if (problems.length) refused++;
              else accepted++;
            }
      expect(refused).toBeGreaterThan(50);
      expect(accepted).toBeGreaterThan(50);
    });

    it('names the run through the flows and the limit, at the node the run starts from', () => {
      const problems = checkFlowCalls(pair({ before: 40, inside: 40, after: 30, back: true, end: true, wait: false }) as any);
      expect(problems).toEqual([
        {
          path: 'main: $.nodes.p0',
          message: `starts a run of 114 steps without waiting for the user through sub-flows (main "p0" → sub "go" → main "a0"), over the limit of ${FLOW_LIMITS.steps} that one turn may pass; add a choice, input or survey on the way.`,
        },
      ]);
      // After sub's question, the run goes on in main once sub ends: it is named from there.
      const resumed = checkFlowCalls(pair({ before: 3, inside: 70, after: 40, back: true, end: false, wait: true }) as any);
      expect(resumed.map((p) => p.path)).toEqual(['sub: $.nodes.s0']);
      expect(resumed[0].message).toContain('(sub "s0" → main "a0")');
    });

    it('does not throw on a flow given without validation whose start is not a node', () => {
      const [main, sub] = pair({ before: 3, inside: 3, after: 3, back: true, end: true, wait: false });
      expect(checkFlowCalls([main, { ...sub, start: 'gone' }] as any)).toEqual([]);
    });
  });
});
