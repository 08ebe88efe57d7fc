import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { validateFlow } from './index';
import { flowJsonSchema } from './schema';

const schemaFile = new URL('../../schema/flow.schema.json', import.meta.url);
const root = new URL('../../../../', import.meta.url);

/** A flow that uses every node type and every field, so every rule is mutated. */
export const everyField = {
  $schema: 'flow.schema.json',
  $comment: 'every field',
  id: 'every',
  version: '1.0',
  locale: ['en', 'ja'],
  start: 'hello',
  variables: { email: 'string', n: { type: 'number', default: 1 }, seen: { type: 'list', default: [] }, ok: { type: 'boolean', $comment: 'flag' } },
  trigger: {
    url: ['/help*'],
    event: 'opened',
    timeOnPageMs: 1000,
    visitor: 'new',
    minVisits: 1,
    plan: 'pro',
    when: { any: [{ var: 'context.device.platform', eq: 'mobile' }, { not: { var: 'user.attributes.vip', exists: true } }] },
    rollout: 50,
    frequency: 'once-per-user',
  },
  nodes: {
    hello: {
      type: 'message',
      $comment: 'hi',
      text: { en: 'Hi {{user.name}}', ja: 'こんにちは' },
      delayMs: 10,
      image: { src: 'https://cdn.example.com/a.png', alt: 'A' },
      links: [
        { label: 'Docs', url: 'https://example.com/docs?q={{vars.email}}' },
        { label: 'Orders', url: '/orders' },
      ],
      cards: [
        { title: 'Returns', url: 'https://example.com/help/returns', text: 'How to return' },
        { title: 'Refunds', article: 'refund-timing' },
      ],
      next: 'menu',
    },
    menu: {
      type: 'choice',
      text: 'Pick',
      options: [
        { id: 'a', label: 'A', next: 'ask' },
        { id: 'b', label: { en: 'B', ja: 'B' }, next: 'list' },
      ],
      allowHuman: true,
    },
    list: { type: 'choice', optionsFrom: { var: 'seen', next: 'many' }, save: 'email' },
    many: {
      type: 'choice',
      multiple: true,
      options: [
        { id: 'x', label: 'X' },
        { id: 'y', label: 'Y' },
      ],
      save: 'seen',
      next: 'some',
    },
    some: { type: 'choice', multiple: true, optionsFrom: { var: 'seen', next: 'ask' }, save: 'seen' },
    ask: {
      type: 'input',
      text: 'E-mail?',
      input: 'email',
      save: 'email',
      placeholder: 'you@example.com',
      minLength: 3,
      maxLength: 100,
      pattern: '^[^@]+@\\w+\\.\\w+$',
      retryText: 'Again?',
      maxRetries: 2,
      allowHuman: true,
      next: 'count',
      exhausted: 'human',
    },
    count: { type: 'input', text: 'How many?', input: 'number', save: 'n', min: 1, max: 9, next: 'check', exhausted: 'human' },
    check: {
      type: 'condition',
      when: { all: [{ var: 'vars.n', gte: 2 }, { var: 'vars.email', matches: 'example' }, { var: 'context.page.path', in: ['/a'] }, { var: 'vars.seen', contains: 'x' }] },
      then: 'update',
      else: 'hop',
    },
    hop: { type: 'condition', when: { any: [{ var: 'vars.email', withinDays: 30 }, { var: 'now', hours: { zone: 'Asia/Tokyo', days: ['mon', 'fri'], from: '09:00', to: '24:00' } }] }, then: 'jump', else: 'jump' },
    jump: { type: 'goto', target: 'find' },
    update: {
      type: 'set',
      ops: [
        { var: 'n', op: 'add', value: 1 },
        { var: 'seen', op: 'append', value: 'x' },
        { var: 'email', op: 'copy', from: 'user.email' },
        { var: 'ok', op: 'set', value: true },
        { var: 'seen', op: 'clear' },
      ],
      next: 'find',
    },
    find: { type: 'search', query: '{{vars.email}}', save: 'seen', found: 'rate', notFound: 'wait', allowHuman: true },
    wait: { type: 'delay', ms: 100, next: 'ab', allowHuman: true },
    ab: {
      type: 'split',
      branches: [
        { percent: 33.4, next: 'rate' },
        { percent: 33.3, next: 'cb' },
        { percent: 33.3, next: 'human' },
      ],
    },
    rate: { type: 'survey', scale: 'nps', text: 'Recommend us?', save: 'n', next: 'cb', allowHuman: true },
    cb: { type: 'callback', name: 'done', data: { a: 1 }, next: 'look' },
    look: {
      type: 'request',
      handler: 'order',
      method: 'POST',
      body: { id: '{{vars.email}}' },
      timeoutMs: 5000,
      save: { email: 'customer.email' },
      allowHuman: true,
      ok: 'fetch',
      error: 'human',
      timeout: 'human',
    },
    fetch: { type: 'request', url: '/api/orders/{{vars.email}}', ok: 'sub', error: 'human', timeout: 'human' },
    sub: { type: 'flow', flow: 'other', in: { order: 'vars.email' }, out: { n: 'count' }, next: 'human' },
    human: {
      type: 'handoff',
      text: 'A person',
      note: 'Note',
      hints: { complexity: 'low', severity: 'high', effort: 'medium', reason: 'r', tags: ['t'] },
      next: 'end',
    },
    end: { type: 'end', text: 'Bye' },
  },
};

/** Folders of the repository that hold flow files: the examples, the tests, the packages' sources. */
const FLOW_FOLDERS = ['examples', 'tests', ...readdirSync(new URL('packages/', root)).map((p) => `packages/${p}/src`)];

/** Every JSON file under the folders that is a flow (not a transcript, an index or other data), by its path in the repository. */
export function flowFiles(): string[] {
  const found: string[] = [];
  for (const folder of FLOW_FOLDERS) {
    const dir = new URL(`${folder}/`, root);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' }))
      if (f.endsWith('.json') && !/(^|\/)(node_modules|dist)\//.test(f)) {
        const json = JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
        if (json && typeof json == 'object' && 'nodes' in json && 'start' in json) found.push(`${folder}/${f}`);
      }
  }
  return found.sort();
}

/** Every example flow and every test flow the agreement is checked on. */
function corpus(): Array<[string, unknown]> {
  return [['everyField', everyField], ...flowFiles().map((f) => [f, JSON.parse(readFileSync(new URL(f, root), 'utf8'))] as [string, unknown])];
}

const deep = (n: number): unknown => (n ? { x: deep(n - 1) } : 1);
const REPLACEMENTS: unknown[] = [null, true, -1, 150, 2.5, '', 'constructor', [], {}, deep(70)];

/** One-defect variants: each key removed, each value replaced, unknown and `$` keys added. */
function* mutations(v: unknown, path: Array<string | number> = []): Generator<[string, (root: any) => void]> {
  if (!v || typeof v != 'object') return;
  const at = (root: any) => path.reduce((o, k) => o[k], root);
  const where = path.join('.') || '$';
  if (!Array.isArray(v)) for (const extra of ['extra', '$extra', '$comment', 'type'] as const) yield [`${where} +${extra}`, (r) => void (at(r)[extra] = extra == '$comment' ? 7 : 'x')];
  for (const [k, x] of Object.entries(v)) {
    const key = Array.isArray(v) ? Number(k) : k;
    yield [`${where} -${k}`, (r) => (Array.isArray(at(r)) ? at(r).splice(key, 1) : delete at(r)[key])];
    for (const rep of REPLACEMENTS) yield [`${where}.${k} = ${JSON.stringify(rep).slice(0, 30)}`, (r) => void (at(r)[key] = structuredClone(rep))];
    yield* mutations(x, [...path, key]);
  }
}

/**
 * Rules no JSON Schema can state: they look across the file (node references, declared variables
 * and their types, reachability, loops, totals) or into text (templates, patterns). Only these may make the
 * validator refuse what the schema accepts.
 */
const ACROSS = [
  /is not declared in "variables"/,
  /needs a \w+ variable/,
  /which is not a node in this flow/,
  /cannot be reached from "start"/,
  /without waiting for the user/,
  /must add up to 100 percent/,
  /like the variable/,
  /is used twice/,
  /a trigger is checked before the flow starts/,
  /"context\.[\w.]+" is never set/,
  // A comparison the path's type or known values settle: `now` is a number, `vars.x` is declared.
  /^"(now|(vars|context)\.[\w.]+)" is .+, so this (can never hold|always holds)\.$/,
  /nests deeper than \d+ levels of objects and lists \(the limit\)/,
  /^at character \d+|steps \(the limit\)/,
  /must be a time zone/,
];
const acrossOnly = (e: { path: string; message: string }) =>
  ACROSS.some((re) => re.test(e.message)) || (/must be a path/.test(e.message) && !/\.(var|from)$/.test(e.path));

describe('the flow JSON Schema', () => {
  const generated = JSON.stringify(flowJsonSchema(), null, 2) + '\n';
  if (process.env.UPDATE_FLOW_SCHEMA) writeFileSync(schemaFile, generated);

  it('is the one generated from the validator (UPDATE_FLOW_SCHEMA=1 rewrites it)', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(generated);
  });

  // Strict mode: Ajv refuses a schema with unknown keywords or keywords that do not fit their type.
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false });
  let compiled: ReturnType<typeof ajv.compile> | undefined;
  const schemaAccepts = Object.assign((flow: unknown) => (compiled ??= ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8'))))(flow) as boolean, {
    get errors() {
      return compiled?.errors;
    },
  });

  it("checks every flow file of the examples and the tests, the widget's and the browser tests' included", () => {
    const files = flowFiles();
    for (const f of ['examples/flows/order-status.json', 'packages/core/src/flow/fixtures/conditions.json', 'packages/core/src/messenger/flows/fixtures/ask.json', 'tests/e2e/fixtures/rich.json'])
      expect(files).toContain(f);
    expect(files.filter((f) => f.startsWith('examples/'))).toHaveLength(6);
  });

  it('accepts every example and test flow, as the validator does', () => {
    for (const [name, flow] of corpus()) {
      expect(validateFlow(flow).errors, name).toEqual([]);
      expect(schemaAccepts(flow) || schemaAccepts.errors, name).toBe(true);
    }
  });

  it('agrees with the validator on every one-defect mutation of them', () => {
    const disagreements: string[] = [];
    let checked = 0;
    let refused = 0;
    for (const [name, flow] of corpus())
      for (const [what, mutate] of mutations(flow)) {
        const copy = structuredClone(flow);
        mutate(copy);
        const byValidator = validateFlow(copy).errors;
        const bySchema = schemaAccepts(copy);
        checked++;
        if (!bySchema) refused++;
        if (!bySchema && !byValidator.length) disagreements.push(`${name}: ${what}: only the schema refuses it (${ajv.errorsText(schemaAccepts.errors)})`);
        const only = byValidator.filter((e) => !acrossOnly(e));
        if (bySchema && only.length) disagreements.push(`${name}: ${what}: only the validator refuses it (${only.map((e) => `${e.path}: ${e.message}`).join('; ')})`);
      }
    expect(disagreements).toEqual([]);
    expect(checked).toBeGreaterThan(3000);
    expect(refused).toBeGreaterThan(checked / 3);
  }, 120_000);
});
