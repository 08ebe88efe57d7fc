import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessengerConfig } from '../../config';
import { createContextTracker } from '../../context';
import { createConversationStore } from '../../conversation';
import { createMessengerStorage, type MessengerStorage } from '../../storage';
import { createFlowPart, type FlowPart } from '.';
import { importEngines } from '../import-engines';
import { requestAllowed } from './part';
import type { HandoffRequest } from '../handoff';
import type { Kernel, MadoguchiError } from '../kernel';
import type { Message } from '../../types';
// Test flows are JSON files, so the schema test checks them too: a localized choice, an e-mail
// input and a handoff; a survey started by an event, then a callback.
import ask from './fixtures/ask.json';
import rated from './fixtures/rated.json';
import { checkFlows } from './check';
import { flowStamp, hashFlowText } from '../../flow/read';

// The validator's chunk, watched: flows the build stamped must run without it.
vi.mock('./check', async (actual) => {
  const real = await actual<typeof import('./check')>();
  return { checkFlows: vi.fn(real.checkFlows) };
});

interface Rig {
  k: Kernel;
  part: FlowPart;
  storage: MessengerStorage;
  said: () => string[];
  errors: MadoguchiError[];
  events: Array<{ type: string }>;
  emitted: unknown[][];
  handoffs: HandoffRequest[];
  /** Survey answers handed to the transport (the agents' shift figures). */
  surveys: unknown[];
  messages: () => Message[];
}

let rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs) r.part.shutdown?.();
  rigs = [];
  fetched = [];
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** Flow files the page serves, as text. */
const served: Record<string, string> = {
  '/ask.json': JSON.stringify(ask),
  '/twice.json': '{"id":"twice","version":1,"start":"a","nodes":{"a":{"type":"end","text":"one"},"a":{"type":"end","text":"two"}}}',
  '/bom.json': '\ufeff' + JSON.stringify({ id: 'bom', version: 1, start: 'a', nodes: { a: { type: 'end', text: 'BOM ok' } } }),
};
/** Every URL fetched, in order. */
let fetched: string[] = [];
/** The page at https://shop.example/help, serving `served`. */
const serve = () => {
  vi.stubGlobal('location', new URL('https://shop.example/help'));
  vi.stubGlobal('fetch', async (url: string) => {
    fetched.push(url);
    const text = served[new URL(url, 'https://shop.example').pathname];
    return text == null ? new Response('', { status: 404 }) : new Response(new TextEncoder().encode(text));
  });
};

/** A kernel over real conversation, context and (memory) storage, shared across "reloads". */
function rig(
  config: Partial<MessengerConfig>,
  storage = createMessengerStorage({ appId: 't', mode: 'none' }),
  conversationId = 'c1',
  /** With the trigger check first (as the messenger loads flows): counts the flow engine's loads. */
  two?: { engineLoads: number },
): Rig {
  const conversation = createConversationStore();
  const context = createContextTracker({ window: null });
  serve();
  const errors: MadoguchiError[] = [];
  const events: Array<{ type: string }> = [];
  const emitted: unknown[][] = [];
  const handoffs: HandoffRequest[] = [];
  const surveys: unknown[] = [];
  let n = 0;
  const k: Kernel = {
    config: () => ({ appId: 't', user: { id: 'u1', name: 'Aiko' }, ...config }) as MessengerConfig,
    signal: () => new AbortController().signal,
    locale: () => (config.locale as 'en' | 'ja') || 'en',
    conversationId: () => conversationId,
    visitorId: () => 'u1',
    conversation,
    storage: () => storage,
    context: () => context,
    transport: () => ({ survey: (answer: unknown) => surveys.push(answer) }) as never,
    line: async () => undefined,
    say(text, extra) {
      const m = { id: String(++n), conversationId, author: 'bot' as const, text, at: Date.now(), ...extra };
      conversation.upsert(m);
      return m;
    },
    receive: (m) => conversation.upsert(m),
    track: (e) => events.push(e),
    emit: (...args) => (emitted.push(args), []),
    on: () => () => {},
    report: (e) => errors.push(e),
    warn: (w) => errors.push({ message: `warning: ${w.message}` }),
    fetchJson: async () => {
      throw new Error('flows are fetched as text');
    },
    open: () => {},
    setStatus: (patch) => conversation.setStatus(patch),
    isOpen: () => false,
  };
  const search = { loaded: async () => true, query: (q: string) => (/router/.test(q) ? [{ id: 'a1', title: 'Set up the router', score: 1, snippet: [] }] : []) } as never;
  const handoff = {
    request: (r: HandoffRequest) => {
      handoffs.push(r);
      conversation.setStatus({ phase: 'waiting' });
    },
    followUpByEmail: () => {},
  } as never;
  const load = two ? () => (two.engineLoads++, importEngines.flow()) : importEngines.flow;
  const part = createFlowPart(k, load, { search, handoff }, two && importEngines.triggers);
  const said = () => conversation.$messages.get().map((m) => m.text);
  const messages = () => conversation.$messages.get();
  const r = { k, part, storage, said, errors, events, emitted, handoffs, surveys, messages };
  rigs.push(r);
  return r;
}

const settle = () => new Promise((ok) => setTimeout(ok, 0));
const waitKind = (r: Rig) => r.part.$wait.get()?.kind;

describe('flows in the messenger', () => {
  it('loads a flow by URL, asks, takes a choice and an answer, and hands the answers to a person', async () => {
    const r = rig({ flows: ['/ask.json'] });
    await r.part.boot!();
    r.part.start('ask');
    await settle();
    expect(r.said()).toEqual(['Hi Aiko!', 'What about?']);
    expect(r.part.$wait.get()).toMatchObject({ kind: 'choice', question: 'What about?', options: [{ id: 'billing', label: 'Billing' }, { id: 'other', label: 'Other' }] });
    r.part.reply({ type: 'choice', id: 'billing' });
    await settle();
    expect(waitKind(r)).toBe('input');
    expect(r.part.waitsForText()).toBe(true);
    expect(r.part.userText!('not-a-mail')).toBe(true);
    await settle();
    expect(r.part.$wait.get()).toMatchObject({ kind: 'input', error: 'Not an e-mail.' });
    expect(r.part.current()).toEqual({ id: 'ask', answers: { topic: 'billing' } });
    expect(r.part.userText!('aiko@example.com')).toBe(true);
    await settle();
    expect(r.said().at(-1)).toBe('Passing you on.');
    expect(r.handoffs).toEqual([
      { reason: 'billing', hints: { severity: 'high', reason: 'billing' }, flow: { id: 'ask', answers: { topic: 'billing', email: 'aiko@example.com' }, finished: true }, note: 'Mail aiko@example.com' },
    ]);
    expect(r.part.$wait.get()).toBeNull();
    expect(r.part.current()).toBeNull();
    expect(r.events.map((e) => e.type)).toEqual(['flow.started', 'flow.step', 'flow.step', 'flow.step', 'flow.finished']);
    expect(await r.storage.getFlowState('c1')).toBeFalsy();
    expect(r.part.waitsForText()).toBe(false);
    expect(r.part.userText!('anything else')).toBe(false);
  });

  it('refuses an invalid flow with every error and its path, and still runs the valid one', async () => {
    const broken = { id: 'broken', version: 1, start: 'a', nodes: { a: { type: 'message', text: 'hi', next: 'nowhere' } } };
    const r = rig({ flows: [broken, '/ask.json', '/missing.json'] });
    await r.part.boot!();
    expect(r.errors).toContainEqual({ path: '$.nodes.a.next', message: expect.stringContaining('"nowhere"') });
    expect(r.errors).toContainEqual({ path: 'flows[2]', message: expect.stringContaining('404') });
    r.part.start('broken');
    r.part.start('ask');
    await settle();
    expect(r.errors.at(-1)).toEqual({ path: 'startFlow', message: 'there is no loaded flow "broken"' });
    expect(waitKind(r)).toBe('choice');
  });

  it('resumes at the same node after a reload, and restarts politely when the flow changed', async () => {
    const storage = createMessengerStorage({ appId: 't', mode: 'none' });
    const first = rig({ flows: [ask] }, storage);
    await first.part.boot!();
    first.part.start('ask');
    await settle();
    first.part.reply({ type: 'choice', id: 'billing' });
    await settle();
    first.part.shutdown!();

    const again = rig({ flows: [ask] }, storage);
    await again.part.boot!();
    await settle();
    expect(again.part.$wait.get()).toMatchObject({ kind: 'input', node: 'email' });
    expect(again.said()).toEqual([]);
    expect(again.part.current()).toEqual({ id: 'ask', answers: { topic: 'billing' } });
    again.part.shutdown!();

    const changed = { ...ask, nodes: { ...ask.nodes, email: { ...ask.nodes.email, input: 'text' } } };
    const third = rig({ flows: [changed] }, storage);
    await third.part.boot!();
    await settle();
    expect(third.said()[0]).toMatch(/starting again/);
    expect(third.part.$wait.get()).toMatchObject({ kind: 'choice', node: 'menu' });
  });

  it('starts a flow by its event trigger, records the survey answer and passes callbacks to the host', async () => {
    const r = rig({ flows: [rated, ask] });
    await r.part.boot!();
    r.part.activity!('page');
    await settle();
    expect(r.part.$wait.get()).toBeNull();
    r.part.activity!('event', 'checkout-done');
    await settle();
    expect(r.part.$wait.get()).toMatchObject({ kind: 'survey', scale: 'csat' });
    expect(r.part.userText!('great')).toBe(false);
    r.part.reply({ type: 'survey', score: 4 });
    await settle();
    expect(r.events).toContainEqual({ type: 'survey.answered', kind: 'csat', score: 4, scaled: 75 });
    expect(r.surveys).toEqual([{ kind: 'csat', score: 4 }]);
    expect(r.emitted).toEqual([['flow:callback', { name: 'rated', data: { via: 'flow' } }]]);
    expect(r.said().at(-1)).toBe('Thanks!');
  });

  it('records an NPS answer (0–10) as survey.answered of its own kind, with its 0–100 value', async () => {
    const nps = { id: 'nps', version: 1, start: 'rate', nodes: { rate: { type: 'survey', scale: 'nps', text: 'Recommend us?', next: 'done' }, done: { type: 'end', text: 'Thanks!' } } };
    const r = rig({ flows: [nps] });
    await r.part.boot!();
    r.part.start('nps');
    await settle();
    expect(r.part.$wait.get()).toMatchObject({ kind: 'survey', scale: 'nps' });
    r.part.reply({ type: 'survey', score: 11 });
    await settle();
    expect(r.events.filter((e) => e.type == 'survey.answered')).toEqual([]);
    r.part.reply({ type: 'survey', score: 0 });
    await settle();
    expect(r.events.filter((e) => e.type == 'survey.answered')).toEqual([{ type: 'survey.answered', kind: 'nps', score: 0, scaled: 0 }]);
    expect(r.surveys).toEqual([{ kind: 'nps', score: 0 }]);
    expect(r.said().at(-1)).toBe('Thanks!');
  });

  it("stores a message node's image, link buttons and cards with the bot message, apart from its text", async () => {
    const rich = {
      id: 'rich',
      version: 1,
      start: 'a',
      variables: { order: 'string' },
      nodes: {
        a: {
          type: 'message',
          text: 'Order {{vars.order}}:',
          image: { src: 'https://cdn.example.com/box.png', alt: 'The box' },
          links: [{ label: 'Track {{vars.order}}', url: 'https://shop.example.com/track/{{vars.order}}' }],
          cards: [{ title: 'Returns', article: 'returns', text: 'Within 30 days.' }],
          next: 'b',
        },
        b: { type: 'end', text: 'Bye.' },
      },
    };
    const r = rig({ flows: [rich] });
    await r.part.boot!();
    r.part.start('rich', { vars: { order: 'A 1' } });
    await settle();
    const [first, last] = r.messages();
    expect(first).toMatchObject({
      text: 'Order A 1:',
      image: { src: 'https://cdn.example.com/box.png', alt: 'The box' },
      links: [{ label: 'Track A 1', url: 'https://shop.example.com/track/A%201' }],
      cards: [{ title: 'Returns', article: 'returns', text: 'Within 30 days.' }],
    });
    expect(Object.keys(last)).not.toContain('links');
    expect(last.text).toBe('Bye.');
  });

  it('does not trigger while a person is involved, and abandons a running flow when the user asks for one', async () => {
    const r = rig({ flows: [rated, ask] });
    await r.part.boot!();
    r.part.start('ask');
    await settle();
    r.k.conversation.setStatus({ phase: 'waiting' });
    expect(r.part.$wait.get()).toBeNull();
    expect(r.events.at(-1)).toMatchObject({ type: 'flow.abandoned', flowId: 'ask', nodeId: 'menu' });
    r.part.activity!('event', 'checkout-done');
    await settle();
    expect(r.part.$wait.get()).toBeNull();
  });

  it('runs in Japanese, matching a typed choice label', async () => {
    const r = rig({ flows: [ask], locale: 'ja' });
    await r.part.boot!();
    r.part.start('ask');
    await settle();
    expect(r.said()).toEqual(['こんにちは', 'ご用件は?']);
    expect(r.part.userText!('その他')).toBe(true);
    await settle();
    expect(r.said().at(-1)).toBe('Bye.');
  });

  it('answers a flow search with the FAQ and offers the articles found', async () => {
    const find = { id: 'find', version: 1, start: 's', nodes: { s: { type: 'search', query: 'router setup', found: 'yes', notFound: 'no' }, yes: { type: 'end', text: 'Found it.' }, no: { type: 'end', text: 'Nothing.' } } };
    const r = rig({ flows: [find] });
    await r.part.boot!();
    r.part.start('find');
    await settle();
    await settle();
    expect(r.said()).toEqual(['Found it.']);
    expect(r.part.$articles.get()).toEqual([{ id: 'a1', title: 'Set up the router' }]);
  });

  it('checks a flow file as text, like the CLI: keys defined twice are refused, a byte-order mark is only warned about', async () => {
    const r = rig({ flows: ['/twice.json', '/bom.json'] });
    await r.part.boot!();
    expect(r.errors).toContainEqual({ path: '$.nodes.a', message: expect.stringContaining('defined twice') });
    expect(r.errors).toContainEqual({ message: expect.stringMatching(/^warning: \$: starts with a byte-order mark/) });
    r.part.start('bom');
    await settle();
    expect(r.said()).toEqual(['BOM ok']);
  });

  it('gives flows the whole documented context (device, time on page) and starting values from the host', async () => {
    const where = {
      id: 'where',
      version: 1,
      start: 'c',
      variables: { order: 'string', items: 'number' },
      nodes: {
        c: { type: 'condition', when: { all: [{ var: 'context.device.platform', eq: 'desktop' }, { var: 'context.timeOnPageMs', gte: 0 }] }, then: 'yes', else: 'no' },
        yes: { type: 'end', text: 'Desktop, order {{vars.order}}, {{vars.items}} items.' },
        no: { type: 'end', text: 'Elsewhere.' },
      },
    };
    const r = rig({ flows: [where] });
    await r.part.boot!();
    r.part.start('where', { vars: { order: 'A-17', items: 'three', stranger: 1 } });
    await settle();
    expect(r.said()).toEqual(['Desktop, order A\\-17,  items.']);
    expect(r.errors).toContainEqual({ path: 'vars.items', message: 'must be a number, like the variable; it is ignored. (startFlow "where")' });
    expect(r.errors).toContainEqual({ path: 'vars.stranger', message: expect.stringContaining('is not a variable of flow "where"') });
  });

  it('looks things up through the host page and allowed endpoints, and runs sub-flows', async () => {
    const lookup = {
      id: 'lookup',
      version: 1,
      start: 'host',
      variables: { order: 'string', status: 'string', eta: 'string' },
      nodes: {
        host: { type: 'request', handler: 'order', body: { id: '{{vars.order}}' }, save: { status: 'status' }, ok: 'api', error: 'oops', timeout: 'oops' },
        api: { type: 'request', url: '/api/eta/{{vars.order}}', save: { eta: 'eta' }, ok: 'outside', error: 'oops', timeout: 'oops' },
        outside: { type: 'request', url: 'https://other.example/x', ok: 'sub', error: 'sub', timeout: 'sub' },
        sub: { type: 'flow', flow: 'thanks', in: { what: 'vars.status' }, next: 'done' },
        done: { type: 'end', text: '{{vars.status}}, {{vars.eta}}' },
        oops: { type: 'end', text: 'oops' },
      },
    };
    const thanks = { id: 'thanks', version: 1, start: 't', variables: { what: 'string' }, nodes: { t: { type: 'message', text: 'Sub-flow sees {{vars.what}}.' } } };
    served['/api/eta/A%201'] = JSON.stringify({ eta: 'Friday' });
    const r = rig({ flows: [lookup, thanks], flowRequests: ['https://api.example/'] });
    await r.part.boot!();
    r.part.start('lookup', { vars: { order: 'A 1' } });
    await settle();
    const [name, req] = r.emitted.find((e) => e[0] == 'flow:request')!;
    expect(name).toBe('flow:request');
    expect(req).toMatchObject({ name: 'order', params: { id: 'A 1' } });
    expect(r.part.$busy.get()).toBe(true);
    (req as { respond: (d: unknown) => void }).respond(Promise.resolve({ status: 'shipped' }));
    for (let i = 0; i < 6; i++) await settle();
    expect(r.errors).toContainEqual({ path: 'flow lookup outside', message: expect.stringContaining('is not in "flowRequests"') });
    expect(r.said()).toEqual(['Sub-flow sees shipped.', 'shipped, Friday']);
    expect(r.part.current()).toBeNull();
    expect(r.part.$busy.get()).toBe(false);
  });

  it('takes the timeout exit when the host never answers, and refuses a flow whose sub-flow is missing', async () => {
    vi.useFakeTimers();
    try {
      const slow = { id: 'slow', version: 1, start: 'q', nodes: { q: { type: 'request', handler: 'nobody', timeoutMs: 500, ok: 'a', error: 'a', timeout: 'late' }, a: { type: 'end', text: 'answered' }, late: { type: 'end', text: 'late' } } };
      const caller = { id: 'caller', version: 1, start: 'c', nodes: { c: { type: 'flow', flow: 'absent' } } };
      const r = rig({ flows: [slow, caller] });
      await r.part.boot!();
      expect(r.errors).toContainEqual({ path: 'caller: $.nodes.c.flow', message: 'calls "absent", which is not among the flows loaded. (flow caller refused)' });
      r.part.start('slow');
      await vi.advanceTimersByTimeAsync(600);
      expect(r.said()).toEqual(['late']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('lets flows call only paths on the site and the https prefixes the host allows', () => {
    const allow = ['https://api.example/orders/', 'http://plain.example/', 'https://nohost'];
    serve();
    expect(requestAllowed('/api/x', allow)).toBe(true);
    // A browser reads a backslash as a slash: these paths leave the site.
    for (const away of ['/\\evil.example/api', '/\\/evil.example', '/\t/evil.example/api', '\\\\evil.example/api'])
      expect(requestAllowed(away, allow), away).toBe(false);
    expect(requestAllowed('/api/a\\b', allow)).toBe(true);
    expect(requestAllowed('https://api.example/orders/1', allow)).toBe(true);
    expect(requestAllowed('https://api.example/orders/../admin', allow)).toBe(false);
    expect(requestAllowed('https://api.example.evil/orders/1', allow)).toBe(false);
    expect(requestAllowed('http://plain.example/x', allow)).toBe(false);
    expect(requestAllowed('//api.example/orders/1', allow)).toBe(false);
    expect(requestAllowed('https://api.example/orders/1', undefined)).toBe(false);
  });

  it('hands the answers of the calling flow along when a person is asked for inside a sub-flow', async () => {
    const outer = { id: 'outer', version: 1, start: 's', variables: { order: 'string' }, nodes: { s: { type: 'set', ops: [{ var: 'order', op: 'set', value: 'MD-9' }], next: 'c' }, c: { type: 'flow', flow: 'inner' } } };
    const inner = { id: 'inner', version: 1, start: 'q', variables: { note: 'string' }, nodes: { q: { type: 'input', input: 'text', text: 'Anything else?', save: 'note', next: 'e', exhausted: 'e' }, e: { type: 'end' } } };
    const r = rig({ flows: [outer, inner] });
    await r.part.boot!();
    r.part.start('outer');
    await settle();
    expect(r.said()).toEqual(['Anything else?']);
    expect(r.part.current()).toEqual({ id: 'outer', answers: { order: 'MD-9' } });
  });

  describe('with the trigger check first', () => {
    const atUrl = (r: Rig, url: string) => {
      const real = r.k.context();
      r.k.context = () => ({ ...real, snapshot: () => ({ ...real.snapshot(), page: { ...real.snapshot().page, url } }) });
    };
    const onOrders = { ...ask, id: 'orders', trigger: { url: '/orders/*' } };

    it('loads no flow engine while no trigger fits, and loads it to start the flow when one does', async () => {
      const two = { engineLoads: 0 };
      const r = rig({ flows: ['/ask.json', onOrders, rated] }, undefined, 'c1', two);
      atUrl(r, 'https://shop.example/home');
      await r.part.boot!();
      r.part.activity!('page');
      r.part.activity!('event', 'something-else');
      await settle();
      expect(two.engineLoads).toBe(0);
      expect(r.said()).toEqual([]);
      atUrl(r, 'https://shop.example/orders/1042');
      r.part.activity!('page');
      await vi.waitFor(() => expect(r.said()).toEqual(['Hi Aiko!', 'What about?']));
      expect(two.engineLoads).toBe(1);
      expect(r.events).toContainEqual({ type: 'flow.started', flowId: 'orders', nodeId: 'hello' });
    });

    it('starts an event-triggered flow with the event that fitted, once the engine has arrived', async () => {
      const two = { engineLoads: 0 };
      const r = rig({ flows: [rated, ask] }, undefined, 'c1', two);
      await r.part.boot!();
      expect(two.engineLoads).toBe(0);
      r.part.activity!('event', 'checkout-done');
      await vi.waitFor(() => expect(r.part.$wait.get()).toMatchObject({ kind: 'survey', scale: 'csat' }));
      expect(two.engineLoads).toBe(1);
    });

    it('loads the engine at boot to resume a flow saved mid-way, and for a file that is not a flow, which it reports', async () => {
      const storage = createMessengerStorage({ appId: 't', mode: 'none' });
      const first = rig({ flows: [ask] }, storage);
      await first.part.boot!();
      first.part.start('ask');
      await settle();
      first.part.shutdown!();
      const two = { engineLoads: 0 };
      const again = rig({ flows: [ask] }, storage, 'c1', two);
      await again.part.boot!();
      await vi.waitFor(() => expect(again.part.$wait.get()).toMatchObject({ kind: 'choice', node: 'menu' }));
      expect(two.engineLoads).toBe(1);

      const broken = { engineLoads: 0 };
      const bad = rig({ flows: ['/ask.json', { id: 'half', start: 'a' }] }, undefined, 'c1', broken);
      await bad.part.boot!();
      await vi.waitFor(() => expect(bad.errors.map((e) => e.message).join()).toMatch(/flow half refused/));
      expect(broken.engineLoads).toBe(1);
    });

    it('loads the engine for startFlow, and never twice', async () => {
      const two = { engineLoads: 0 };
      const r = rig({ flows: ['/ask.json'] }, undefined, 'c1', two);
      await r.part.boot!();
      r.part.start('ask');
      r.part.start('ask');
      await vi.waitFor(() => expect(r.part.$wait.get()).toMatchObject({ kind: 'choice' }));
      expect(two.engineLoads).toBe(1);
    });
  });

  describe('from a flow index (`madoguchi flow build`)', () => {
    const onOrders = { ...ask, id: 'orders', trigger: { url: '/orders/*' } };
    const index = (entries: unknown[]) => JSON.stringify({ flowIndex: 1, flows: entries });
    const atOrders = (r: Rig) => {
      const real = r.k.context();
      r.k.context = () => ({ ...real, snapshot: () => ({ ...real.snapshot(), page: { ...real.snapshot().page, url: 'https://shop.example/orders/7' } }) });
    };
    const INDEX = 'https://shop.example/flows/flows.index.json';

    it('fetches only the index at boot, and the flow files once a trigger fits', async () => {
      served['/flows/orders.json'] = JSON.stringify(onOrders);
      served['/flows/ask.json'] = JSON.stringify(ask);
      served['/flows/flows.index.json'] = index([
        { id: 'orders', src: 'orders.json', trigger: onOrders.trigger },
        { id: 'ask', src: 'ask.json' },
      ]);
      const two = { engineLoads: 0 };
      const r = rig({ flows: INDEX }, undefined, 'c1', two);
      await r.part.boot!();
      r.part.activity!('page');
      await settle();
      expect(fetched).toEqual([INDEX]);
      expect(two.engineLoads).toBe(0);
      atOrders(r);
      r.part.activity!('page');
      await vi.waitFor(() => expect(r.said()).toEqual(['Hi Aiko!', 'What about?']));
      expect(fetched.slice(1).sort()).toEqual(['https://shop.example/flows/ask.json', 'https://shop.example/flows/orders.json']);
      expect(two.engineLoads).toBe(1);
      expect(r.errors).toEqual([]);
    });

    it('starts a flow without a trigger by id, and says when the index no longer tells what a file does', async () => {
      served['/flows/orders.json'] = JSON.stringify({ ...onOrders, trigger: { url: '/account/*' } });
      served['/flows/ask.json'] = JSON.stringify(ask);
      served['/flows/flows.index.json'] = index([
        { id: 'orders', src: 'orders.json', trigger: onOrders.trigger },
        { id: 'ask', src: 'ask.json' },
      ]);
      const r = rig({ flows: INDEX }, undefined, 'c1', { engineLoads: 0 });
      await r.part.boot!();
      r.part.start('ask');
      await vi.waitFor(() => expect(waitKind(r)).toBe('choice'));
      expect(r.errors.map((e) => e.message)).toEqual([
        'warning: the flow index is out of date for orders: its entry\'s trigger differs from the file\'s; run `madoguchi flow build`',
      ]);
    });

    it('runs the files the build stamped without loading the validator, and validates one changed since', async () => {
      const orders = JSON.stringify(onOrders, null, 2);
      served['/flows/orders.json'] = orders;
      served['/flows/ask.json'] = JSON.stringify(ask);
      const stamped = [
        { id: 'orders', src: 'orders.json', trigger: onOrders.trigger, checked: flowStamp(orders) },
        { id: 'ask', src: 'ask.json', checked: flowStamp(served['/flows/ask.json']) },
      ];
      served['/flows/flows.index.json'] = index(stamped);
      vi.mocked(checkFlows).mockClear();
      const r = rig({ flows: INDEX }, undefined, 'c1', { engineLoads: 0 });
      await r.part.boot!();
      r.part.start('ask');
      await vi.waitFor(() => expect(waitKind(r)).toBe('choice'));
      expect(r.said()).toEqual(['Hi Aiko!', 'What about?']);
      expect(r.errors).toEqual([]);
      expect(checkFlows).not.toHaveBeenCalled();
      r.part.shutdown!();

      // Edited after the build (a step now leads nowhere): the stamp no longer fits, so it is checked and refused.
      served['/flows/ask.json'] = JSON.stringify({ ...ask, start: 'nowhere' });
      const edited = rig({ flows: INDEX }, undefined, 'c2', { engineLoads: 0 });
      await edited.part.boot!();
      edited.part.start('ask');
      await vi.waitFor(() => expect(edited.errors.at(-1)).toEqual({ path: 'startFlow', message: 'there is no loaded flow "ask"' }));
      expect(edited.errors[0]).toMatchObject({ path: '$.start', message: expect.stringContaining('(flow ask refused)') });
      expect(checkFlows).toHaveBeenCalledTimes(1);
      edited.part.shutdown!();

      // Stamped under another release's rules: validated again here, then it runs.
      served['/flows/ask.json'] = JSON.stringify(ask);
      served['/flows/flows.index.json'] = index([stamped[0], { ...stamped[1], checked: hashFlowText(`0.0.1\u0000${served['/flows/ask.json']}`) }]);
      const older = rig({ flows: INDEX }, undefined, 'c3', { engineLoads: 0 });
      await older.part.boot!();
      older.part.start('ask');
      await vi.waitFor(() => expect(waitKind(older)).toBe('choice'));
      expect(older.errors).toEqual([]);
      expect(checkFlows).toHaveBeenCalledTimes(2);
    });

    it('reports an index that is not one, with where and why, and keeps the page working', async () => {
      served['/flows/flows.index.json'] = index([{ id: 'orders', src: 'orders.json' }, { id: 'ask' }]);
      const r = rig({ flows: INDEX }, undefined, 'c1', { engineLoads: 0 });
      await r.part.boot!();
      await vi.waitFor(() => expect(r.errors).toHaveLength(1));
      expect(r.errors[0]).toEqual({
        path: 'flows',
        message: `flow index ${INDEX}: flows[1]: expected { "id", "src", "trigger" } (build it with \`madoguchi flow build\`); no flow can start`,
      });
      r.part.start('orders');
      await vi.waitFor(() => expect(r.errors.at(-1)).toEqual({ path: 'startFlow', message: 'there is no loaded flow "orders"' }));
      expect(fetched).toEqual([INDEX]);
    });
  });
});
