import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessengerConfig } from '../../config';
import { createContextTracker } from '../../context';
import { createConversationStore } from '../../conversation';
import { createMessengerStorage, type MessengerStorage } from '../../storage';
import { createFlowPart, type FlowPart } from '.';
import { importEngines } from '../import-engines';
import type { HandoffRequest } from '../handoff';
import type { Kernel, MadoguchiError } from '../kernel';

const ask = {
  id: 'ask',
  version: 1,
  start: 'hello',
  variables: { topic: 'string', email: 'string' },
  nodes: {
    hello: { type: 'message', text: { en: 'Hi {{user.name}}!', ja: 'こんにちは' }, next: 'menu' },
    menu: {
      type: 'choice',
      text: { en: 'What about?', ja: 'ご用件は?' },
      save: 'topic',
      options: [
        { id: 'billing', label: { en: 'Billing', ja: 'お支払い' }, next: 'email' },
        { id: 'other', label: { en: 'Other', ja: 'その他' }, next: 'bye' },
      ],
    },
    email: { type: 'input', input: 'email', text: 'Your e-mail?', retryText: 'Not an e-mail.', save: 'email', next: 'pass', exhausted: 'pass' },
    pass: { type: 'handoff', text: 'Passing you on.', note: 'Mail {{vars.email}}', hints: { severity: 'high', reason: 'billing' } },
    bye: { type: 'end', text: 'Bye.' },
  },
};

const rated = {
  id: 'rated',
  version: 1,
  start: 'rate',
  trigger: { event: 'checkout-done' },
  nodes: {
    rate: { type: 'survey', scale: 'csat', text: 'How was it?', next: 'cb' },
    cb: { type: 'callback', name: 'rated', data: { via: 'flow' }, next: 'done' },
    done: { type: 'end', text: 'Thanks!' },
  },
};

interface Rig {
  k: Kernel;
  part: FlowPart;
  storage: MessengerStorage;
  said: () => string[];
  errors: MadoguchiError[];
  events: Array<{ type: string }>;
  emitted: unknown[][];
  handoffs: HandoffRequest[];
}

let rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs) r.part.shutdown?.();
  rigs = [];
  vi.restoreAllMocks();
});

/** A kernel over real conversation, context and (memory) storage, shared across "reloads". */
function rig(config: Partial<MessengerConfig>, storage = createMessengerStorage({ appId: 't', mode: 'none' }), conversationId = 'c1'): Rig {
  const conversation = createConversationStore();
  const context = createContextTracker({ window: null });
  const errors: MadoguchiError[] = [];
  const events: Array<{ type: string }> = [];
  const emitted: unknown[][] = [];
  const handoffs: HandoffRequest[] = [];
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
    transport: () => undefined,
    say(text) {
      const m = { id: String(++n), conversationId, author: 'bot' as const, text, at: Date.now() };
      conversation.upsert(m);
      return m;
    },
    receive: (m) => conversation.upsert(m),
    track: (e) => events.push(e),
    emit: (...args) => emitted.push(args),
    on: () => () => {},
    report: (e) => errors.push(e),
    warn: () => {},
    fetchJson: async (url) => {
      if (url == '/ask.json') return ask;
      throw new Error(`${url} answered 404`);
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
  const part = createFlowPart(k, importEngines.flow, { search, handoff });
  const said = () => conversation.$messages.get().map((m) => m.text);
  const r = { k, part, storage, said, errors, events, emitted, handoffs };
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
    expect(r.emitted).toEqual([['flow:callback', { name: 'rated', data: { via: 'flow' } }]]);
    expect(r.said().at(-1)).toBe('Thanks!');
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
});
