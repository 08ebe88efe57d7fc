// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TransportAdapter, TransportSink } from '../transport/types';
import { createMessengerStorage } from '../storage';
import { importEngines } from './import-engines';
import { createMessenger, type Messenger } from './index';

let m: Messenger | undefined;
afterEach(async () => {
  await m?.shutdown();
  m = undefined;
  vi.restoreAllMocks();
});

/** A transport we drive by hand. */
function manualTransport() {
  let sink: TransportSink | undefined;
  let connected!: () => void;
  const sent: string[] = [];
  const adapter: TransportAdapter = {
    connect: (_s, k) => {
      sink = k;
      k.status({ type: 'online', online: true });
      connected();
    },
    send: async (message) => void sent.push(message.text),
    handoff: async () => {},
    close: () => {},
  };
  return { adapter, sent, sink: () => sink!, connected: new Promise<void>((resolve) => (connected = resolve)) };
}

const ready = (messenger: Messenger) => new Promise<void>((resolve) => messenger.on('ready', resolve));

describe('createMessenger', () => {
  it('sends user messages through the transport and shows agent replies', async () => {
    const t = manualTransport();
    m = createMessenger({ appId: 'unit-send', transport: t.adapter, storage: 'none' });
    await ready(m);
    // The first message brings the line up.
    m.send('  Where is my order?  ');
    await t.connected;
    await vi.waitFor(() => expect(t.sent).toEqual(['Where is my order?']));
    // Nothing in a help centre answers it: an acknowledgment does.
    await vi.waitFor(() => expect(m!.state.$messages.get().map((x) => x.note?.kind)).toContain('ack'));
    t.sink().message({ id: 'a1', text: 'On its way!', authorName: 'Ken' });
    const texts = m.state.$messages.get().map((x) => [x.author, x.text || x.note?.kind]);
    expect(texts).toEqual([
      ['user', 'Where is my order?'],
      ['bot', 'ack'],
      ['agent', 'On its way!'],
    ]);
    await vi.waitFor(() => expect(m!.state.$messages.get()[0]!.status).toBe('sent'));
  });

  it('counts unread replies while closed and clears them on open', async () => {
    const t = manualTransport();
    m = createMessenger({ appId: 'unit-unread', transport: t.adapter, storage: 'none' });
    await ready(m);
    m.open();
    m.close();
    await t.connected;
    const counts: number[] = [];
    m.on('unread', (n) => counts.push(n));
    t.sink().message({ id: 'a1', text: 'Hello?' });
    t.sink().message({ id: 'a2', text: 'Still there?' });
    m.open();
    expect(counts).toEqual([1, 2, 0]);
  });

  it('brings the line up only when there is something to carry: the panel opening, a message, or a conversation a person may answer', async () => {
    const storage = 'none' as const;
    const idle = manualTransport();
    let connects = 0;
    const counted = { ...idle.adapter, connect: (s: Parameters<TransportAdapter['connect']>[0], k: TransportSink) => (connects++, idle.adapter.connect(s, k)) };
    m = createMessenger({ appId: 'unit-lazy', transport: counted, storage });
    await ready(m);
    await new Promise((ok) => setTimeout(ok, 20));
    expect(connects).toBe(0);
    m.open();
    await idle.connected;
    m.open();
    m.close();
    m.send('Hello');
    await vi.waitFor(() => expect(idle.sent).toEqual(['Hello']));
    expect(connects).toBe(1);

    // A reload of a page where the customer has written: the line comes up at boot, panel closed,
    // so a person's reply can show as a badge and a preview.
    const first = manualTransport();
    const before = createMessenger({ appId: 'unit-lazy-2', transport: first.adapter, storage: 'always' });
    await ready(before);
    before.send('Is anyone there?');
    await vi.waitFor(() => expect(first.sent).toEqual(['Is anyone there?']));
    before.close();
    const after = manualTransport();
    m = createMessenger({ appId: 'unit-lazy-2', transport: after.adapter, storage: 'always' });
    await ready(m);
    await after.connected;
    after.sink().message({ id: 'r1', text: 'Yes, Ken here.' });
    expect(m.state.$unread.get()).toBe(1);
  });

  it('reports commands before boot and bad input as errors, never throwing', () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation(() => {});
    m = createMessenger();
    m.on('error', (e) => errors.push(e.message));
    expect(() => m!.open()).not.toThrow();
    m.boot({ appId: 'unit-bad', storage: 'none', position: 'middle' as never, transport: { type: 'loopback', delay: 1 } });
    m.track('' as string);
    expect(errors[0]).toBe('"open" was called before "boot"');
    expect(errors[1]).toMatch(/^config position expected one of/);
    expect(errors[2]).toMatch(/"track" failed: an event name/);
  });

  it('keeps a throwing event handler away from the host and reports it', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const errors: string[] = [];
    m = createMessenger({ appId: 'unit-handler', storage: 'none', transport: { type: 'loopback', delay: 1 } });
    m.on('error', (e) => errors.push(e.message));
    m.on('open', () => {
      throw new Error('host bug');
    });
    expect(() => m!.open()).not.toThrow();
    expect(errors).toEqual(['a handler of "open" threw']);
  });

  it('streams typed insights events with time, conversation and visitor', async () => {
    m = createMessenger({ appId: 'unit-events', storage: 'none', user: { id: 'u9' }, transport: { type: 'loopback', delay: 1 } });
    await ready(m);
    const events: Array<{ type: string; visitorId?: string; conversationId?: string; at: number }> = [];
    m.on('event', (e) => events.push(e));
    m.open();
    m.send('hi');
    m.close();
    expect(events.map((e) => e.type)).toEqual(['widget.opened', 'message.sent', 'widget.closed']);
    expect(events[0]).toMatchObject({ visitorId: 'u9', conversationId: expect.any(String), at: expect.any(Number) });
  });

  it('restores the conversation from storage in a new messenger (a reload)', async () => {
    const t = manualTransport();
    const first = createMessenger({ appId: 'unit-reload', transport: t.adapter, storage: 'always' });
    await ready(first);
    first.open();
    first.send('Remember me');
    await vi.waitFor(() => expect(t.sent).toEqual(['Remember me']));
    await vi.waitFor(() => expect(first.state.$messages.get()).toHaveLength(2));
    // A reload: the old page goes away without shutdown, a new messenger boots.
    const second = createMessenger({ appId: 'unit-reload', transport: manualTransport().adapter, storage: 'always' });
    m = second;
    await ready(second);
    // The question, and the acknowledgment it got (nothing in the help centre answers it).
    expect(second.state.$messages.get().map((x) => x.text || x.note?.kind)).toEqual(['Remember me', 'ack']);
    expect(second.state.$open.get()).toBe(true);
  });

  it('keeps the pages visited for the next page view, saved after the boot call, once for a burst of navigation', async () => {
    const puts = vi.spyOn(IDBObjectStore.prototype, 'put');
    const contextWrites = () => puts.mock.calls.filter(([, key]) => key === 'x').length;
    m = createMessenger({ appId: 'unit-context', transport: manualTransport().adapter, storage: 'always', user: { id: 'u7' } });
    // The boot call itself writes no context: that waits for a task of its own.
    expect(contextWrites()).toBe(0);
    await ready(m);
    await vi.waitFor(() => expect(contextWrites()).toBe(1));
    history.pushState({}, '', '/orders/7');
    history.replaceState({}, '', '/orders/7?tab=1');
    await vi.waitFor(async () => {
      const saved = (await createMessengerStorage({ appId: 'unit-context', mode: 'always' }).getContext()) as { trail?: Array<{ url?: string }> } | undefined;
      expect(saved?.trail?.map((e) => new URL(e.url!).pathname)).toContain('/orders/7');
    });
    expect(contextWrites()).toBe(2);
  });

  it('restores only the latest page of a long conversation and reads earlier pages on request', async () => {
    const storage = createMessengerStorage({ appId: 'unit-history', mode: 'always', broadcast: false });
    const at = Date.now() - 1e6;
    for (let i = 0; i < 150; i++) storage.putMessage({ id: `m${i}`, conversationId: 'c1', author: i % 2 ? 'agent' : 'user', text: `#${i}`, at: at + i });
    storage.putConversation({ id: 'c1', status: 'open', createdAt: at, updatedAt: at + 149 });
    storage.setSession({ conversationId: 'c1' });
    await storage.close();
    m = createMessenger({ appId: 'unit-history', storage: 'always', transport: manualTransport().adapter });
    await ready(m);
    const texts = () => m!.state.$messages.get().map((x) => x.text);
    expect(texts()).toHaveLength(60);
    expect(texts()[0]).toBe('#90');
    expect(texts().at(-1)).toBe('#149');
    expect(m.state.$hasEarlier.get()).toBe(true);
    expect(await m.loadEarlier()).toBe(true);
    expect(texts()).toHaveLength(120);
    expect(texts()[0]).toBe('#30');
    expect(await m.loadEarlier()).toBe(true);
    expect(texts()).toEqual(Array.from({ length: 150 }, (_, i) => `#${i}`));
    expect(m.state.$hasEarlier.get()).toBe(false);
    expect(await m.loadEarlier()).toBe(false);
  });

  it('keeps when a paged conversation began, though its first message was not read', async () => {
    const storage = createMessengerStorage({ appId: 'unit-created', mode: 'always', broadcast: false });
    const at = Date.now() - 1e6;
    for (let i = 0; i < 100; i++) storage.putMessage({ id: `m${i}`, conversationId: 'c1', author: 'user', text: `#${i}`, at: at + i });
    storage.putConversation({ id: 'c1', status: 'open', createdAt: at, updatedAt: at + 99 });
    storage.setSession({ conversationId: 'c1' });
    await storage.close();
    m = createMessenger({ appId: 'unit-created', storage: 'always', transport: manualTransport().adapter });
    await ready(m);
    m.send('one more');
    const check = createMessengerStorage({ appId: 'unit-created', mode: 'always', broadcast: false });
    await vi.waitFor(async () => expect((await check.listConversations())[0].updatedAt).toBeGreaterThan(at + 99));
    expect((await check.listConversations())[0].createdAt).toBe(at);
    await check.close();
  });

  it('is ready (the launcher may show) before a slow transport or engine has arrived', async () => {
    let arrive!: () => void;
    const late = new Promise<void>((resolve) => (arrive = resolve));
    const engines = { ...importEngines, search: () => late.then(() => importEngines.search()) };
    const connects: string[] = [];
    const slow: TransportAdapter = {
      connect: () => late.then(() => void connects.push('connected')),
      send: async () => {},
      handoff: async () => {},
      close: () => {},
    };
    m = createMessenger({ appId: 'unit-fast', storage: 'none', transport: slow, faq: [{ id: 'a', title: 'Router setup', body: 'Plug it in.' }] }, { engines });
    await ready(m);
    expect(connects).toEqual([]);
    expect(m.search.query('router')).toEqual([]);
    arrive();
    await vi.waitFor(() => expect(m!.search.query('router').map((h) => h.id)).toEqual(['a']));
    m.open();
    await vi.waitFor(() => expect(connects).toEqual(['connected']));
  });

  it('loads each engine through the registry it is given, and reports one that fails to load', async () => {
    const asked: string[] = [];
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const engines = {
      ...importEngines,
      flow: () => (asked.push('flow'), Promise.reject(new Error('offline'))),
      search: () => (asked.push('search'), importEngines.search()),
    };
    m = createMessenger(undefined, { engines });
    m.on('error', (e) => errors.push(e.message));
    m.boot({ appId: 'unit-engines', storage: 'none', flows: [{ id: 'x' }] });
    await ready(m);
    // The trigger check finds a file that is plainly not a flow and asks for the engine to say why.
    await vi.waitFor(() => expect(errors).toContain('the flow engine could not be loaded: offline'));
    // No FAQ: the search engine is not fetched until an article is asked for.
    expect(asked).toEqual(['flow']);
    m.showArticle('a');
    await vi.waitFor(() => expect(asked).toEqual(['flow', 'search']));
  });

  it('starts a new conversation when the relay refuses the token and no tab has another, and sends there what was typed', async () => {
    const sessions: Array<{ conversationId: string; token?: string }> = [];
    const sent: Array<[string, string]> = [];
    let sink: TransportSink | undefined;
    const adapter: TransportAdapter = {
      connect(session, k) {
        sessions.push({ conversationId: session.conversationId, token: session.token });
        sink = k;
        // The relay does not know this conversation's token: every hello for the first one is refused.
        if (sessions.length > 1 && session.conversationId !== sessions[0]!.conversationId) k.status({ type: 'online', online: true });
        else setTimeout(() => k.error(Object.assign(new Error('this conversation needs its token'), { code: 'forbidden' })));
      },
      send: async (message) => {
        if (sessions.at(-1)!.conversationId === sessions[0]!.conversationId) throw new Error('not connected');
        sent.push([sessions.at(-1)!.conversationId, message.text]);
      },
      handoff: async () => {},
      close: () => {},
    };
    m = createMessenger({ appId: 'unit-lost', transport: adapter, storage: 'none' });
    const errors: string[] = [];
    m.on('error', (e) => errors.push(e.message));
    await ready(m);
    m.send('Is my order late?');
    const first = m.state.$messages.get()[0]!.conversationId;
    await vi.waitFor(() => expect(sessions.map((x) => x.conversationId).filter((id) => id !== first)).toHaveLength(1), { timeout: 3000 });
    const next = sessions.at(-1)!.conversationId;
    expect(sessions.at(-1)!.token).toBeUndefined();
    expect(errors).toContain('transport: this conversation needs its token; a new conversation starts');
    // The new conversation says so, and carries the message typed in the lost one, sent there.
    await vi.waitFor(() => expect(sent).toEqual([[next, 'Is my order late?']]), { timeout: 5000 });
    const thread = m.state.$messages.get();
    expect(thread.every((x) => x.conversationId === next)).toBe(true);
    expect(thread.map((x) => x.note?.kind ?? x.text)).toEqual(['lost', 'Is my order late?']);
    await vi.waitFor(() => expect(m!.state.$messages.get()[1]!.status).toBe('sent'));
    expect(sink).toBeDefined();
  });

  it('tells the handoff in notes added once, answers a burst with one acknowledgment, and starts anew after a close', async () => {
    const t = manualTransport();
    m = createMessenger({ appId: 'unit-story', transport: t.adapter, storage: 'none', replyTime: { en: 'within a day' } });
    await ready(m);
    m.send('First');
    m.send('Second');
    await t.connected;
    await vi.waitFor(() => expect(m!.state.$messages.get().filter((x) => x.note?.kind === 'ack')).toHaveLength(1));
    expect(m.state.$messages.get().find((x) => x.note?.kind === 'ack')!.note).toEqual({ kind: 'ack', replyTime: 'within a day' });
    m.talkToPerson();
    t.sink().status({ type: 'queue', position: 2 });
    t.sink().status({ type: 'queue', position: 2 });
    t.sink().status({ type: 'queue', position: 1 });
    t.sink().status({ type: 'agent-joined', name: 'Ken' });
    t.sink().status({ type: 'agent-joined', name: 'Ken' });
    t.sink().status({ type: 'closed' });
    const notes = () => m!.state.$messages.get().filter((x) => x.author === 'system').map((x) => x.note);
    await vi.waitFor(() => expect(notes()).toHaveLength(5));
    expect(notes()).toEqual([{ kind: 'asked' }, { kind: 'queue', position: 2 }, { kind: 'queue', position: 1 }, { kind: 'joined', name: 'Ken' }, { kind: 'closed' }]);
    const closedId = m.state.$messages.get()[0]!.conversationId;
    m.send('A new question');
    const now = m.state.$messages.get();
    expect(now[0]).toMatchObject({ author: 'user', text: 'A new question' });
    expect(now[0]!.conversationId).not.toBe(closedId);
    expect(m.state.$status.get().phase).toBe('bot');
    // The closed one stays readable in the list of earlier conversations.
    const earlier = await m.conversations();
    expect(earlier.map((c) => c.id)).toEqual([closedId]);
    expect(earlier[0]!.messages.map((x) => x.text).filter(Boolean)).toEqual(['First', 'Second']);
  });

  it('says the line is unreachable after the transport reports it, until it is back', async () => {
    const t = manualTransport();
    m = createMessenger({ appId: 'unit-down', transport: t.adapter, storage: 'none' });
    const errors: string[] = [];
    m.on('error', (e) => errors.push(e.message));
    await ready(m);
    m.open();
    await t.connected;
    t.sink().status({ type: 'online', online: false });
    t.sink().error(new Error('could not connect (3 attempts): add the origin to allowedOrigins'));
    expect(m.state.$status.get().unreachable).toBe(true);
    expect(errors[0]).toContain('allowedOrigins');
    t.sink().status({ type: 'online', online: true });
    expect(m.state.$status.get().unreachable).toBe(false);
  });
});
