import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessengerConfig } from '../../config';
import type { ContextTracker } from '../../context';
import { createConversationStore, type ConversationStatus } from '../../conversation';
import type { MessengerStorage } from '../../storage';
import { transportError } from '../../transport/backoff';
import type { HandoffPacket, TransportAdapter } from '../../transport/types';
import type { Message } from '../../types';
import { createHandoffPart, type HandoffRecord } from '.';
import { importEngines } from '../import-engines';
import type { Kernel } from '../kernel';
import type { SearchPart } from '../search';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const snapshot = {
  page: { url: 'https://shop.example/orders/1042', path: '/orders/1042', title: 'Your orders', referrer: '' },
  trail: [
    { type: 'page' as const, at: 1, url: 'https://shop.example/', title: 'Home' },
    { type: 'page' as const, at: 2, url: 'https://shop.example/orders/1042', title: 'Your orders' },
  ],
  device: { viewport: { width: 1280, height: 800 }, language: 'en', timeZone: 'UTC', platform: 'desktop' as const },
};

function setup(config: Partial<MessengerConfig> = {}, transport?: Partial<TransportAdapter>) {
  const conversation = createConversationStore();
  const sent: HandoffPacket[] = [];
  const events: any[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  const stored: any[] = [];
  const t = {
    connect() {},
    send: async () => {},
    handoff: async (p: unknown) => void sent.push(p as HandoffPacket),
    close() {},
    ...transport,
  } as TransportAdapter;
  const search = {
    history: () => ({
      searches: [{ query: 'charged twice', at: 3, found: false }],
      articles: [{ id: 'billing', title: 'Billing', at: 4, helpful: false }],
    }),
  } as unknown as SearchPart;
  const cfg = { appId: 'acme', user: { id: 'u1', name: 'Aiko', userHash: 'abc123', attributes: { plan: 'pro' } }, ...config } as MessengerConfig;
  let n = 0;
  const k = {
    config: () => cfg,
    signal: () => new AbortController().signal,
    locale: () => (cfg.locale as 'en' | 'ja') || 'en',
    conversationId: () => 'c1',
    visitorId: () => 'u1',
    conversation,
    storage: () => ({ putConversation: (c: unknown) => stored.push(c) }) as unknown as MessengerStorage,
    context: () => ({ snapshot: () => snapshot }) as unknown as ContextTracker,
    transport: () => t,
    line: async () => t,
    say(text: string) {
      const m: Message = { id: 'b' + n++, conversationId: 'c1', author: 'bot', text, at: Date.now() };
      conversation.upsert(m);
      return m;
    },
    receive: (m: Message) => conversation.upsert(m),
    // As the messenger does: the status changes, is stored with the conversation, and is announced.
    setStatus(patch: Partial<ConversationStatus>) {
      conversation.setStatus(patch);
      const s = conversation.$status.get();
      stored.push({ id: 'c1', status: s.phase === 'closed' ? 'closed' : 'open', handoff: s });
      events.push({ emitted: 'status', args: [s] });
    },
    track: (e: unknown) => events.push(e),
    emit: (name: string, ...args: unknown[]) => events.push({ emitted: name, args }),
    on: () => () => {},
    report: (e: { message: string }) => errors.push(e.message),
    warn: (w: { message: string }) => warnings.push(w.message),
    fetchJson: async () => ({}),
    open() {},
    isOpen: () => false,
  } as unknown as Kernel;
  const say = (text: string, at: number) => conversation.upsert({ id: 'u' + at, conversationId: 'c1', author: 'user', text, at });
  return { part: createHandoffPart(k, importEngines, { search }), conversation, sent, events, warnings, errors, stored, say };
}

describe('handoff', () => {
  it('sends the full packet: user with identity token, context, transcript, searches, flow answers and routed triage', async () => {
    const h = setup();
    h.say('I was charged twice for my order', 10);
    h.part.request({ reason: 'billing question', flow: { id: 'returns', answers: { order: '1042' } } });
    await vi.waitFor(() => expect(h.sent).toHaveLength(1));
    const p = h.sent[0]!;
    expect(p.user).toMatchObject({ id: 'u1', userHash: 'abc123' });
    expect(p.context.page.path).toBe('/orders/1042');
    expect(p.context.trail.map((e) => e.title)).toEqual(['Home', 'Your orders']);
    expect(p.transcript.map((m) => m.text)).toEqual(['I was charged twice for my order']);
    expect(p.searches[0]).toMatchObject({ query: 'charged twice', found: false });
    expect(p.articles[0]).toMatchObject({ helpful: false });
    expect(p.flows).toEqual([{ id: 'returns', answers: { order: '1042' } }]);
    expect(p.triage).toMatchObject({ severity: 'high', effort: 'high', primary: 'person' });
    expect(p.triage.reasons).toContain('billing "charged twice"');
    expect(p.reason).toBe('billing question');
    expect(h.conversation.$status.get().phase).toBe('waiting');
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'handoff.requested', reason: 'billing question' }));
    expect(h.stored.at(-1).handoff.handoff.id).toBe(p.id);
  });

  it('keeps the packet id while in line, so a reload sends the same packet again', async () => {
    const a = setup();
    a.part.request();
    await vi.waitFor(() => expect(a.sent).toHaveLength(1));
    const saved = a.stored.at(-1).handoff;
    const b = setup();
    b.conversation.setStatus({ ...saved, phase: 'waiting', queuePosition: 3 });
    b.part.boot!();
    await vi.waitFor(() => expect(b.sent).toHaveLength(1));
    expect(b.sent[0]!.id).toBe(a.sent[0]!.id);
    b.part.request({ reason: 'still waiting' });
    await vi.waitFor(() => expect(b.sent).toHaveLength(2));
    expect(b.sent[1]!.id).toBe(a.sent[0]!.id);
  });

  it('starts a new handoff with a new id after the conversation was closed', async () => {
    const h = setup();
    h.part.request();
    await vi.waitFor(() => expect(h.sent).toHaveLength(1));
    h.conversation.setStatus({ phase: 'closed' });
    h.say('My router keeps dropping the line', 20);
    h.part.request();
    await vi.waitFor(() => expect(h.sent).toHaveLength(2));
    expect(h.sent[1]!.id).not.toBe(h.sent[0]!.id);
    expect([h.sent[0]!.reason, h.sent[1]!.reason]).toEqual(['asked for a person', 'My router keeps dropping the line']);
  });

  it('retries while the line is down and stops at an error that says retrying will not help', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const h = setup({}, {
      handoff: async () => {
        calls++;
        if (calls < 3) throw transportError('no ack', 'timeout');
      },
    });
    h.part.request();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(3);
    const refused = setup({}, { handoff: async () => Promise.reject(transportError('too big', 'too-large', false)) });
    refused.part.request();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(refused.errors).toEqual(['the handoff was refused: too big']);
  });

  it('uses a configured channel map and warns about a faulty rule set, keeping the defaults', async () => {
    const routes = { '*/*/*': { primary: 'email', secondary: 'phone' } };
    const h = setup({ channelMap: { routes }, triageRules: { rules: [{ raise: { mood: 'high' } }] } });
    h.say('I was charged twice', 1);
    h.part.request();
    await vi.waitFor(() => expect(h.sent).toHaveLength(1));
    expect(h.sent[0]!.triage).toMatchObject({ primary: 'email', secondary: 'phone', severity: 'high' });
    expect(h.warnings).toEqual(['triageRules .rules[0].raise.mood: expected complexity, severity or effort set to low, medium or high']);
  });

  it('keeps the packet under the relay frame cap by dropping the oldest lines', async () => {
    const h = setup();
    for (let i = 0; i < 40; i++) h.say(`${i} ` + 'x'.repeat(3000), i + 1);
    h.part.request();
    await vi.waitFor(() => expect(h.sent).toHaveLength(1));
    const p = h.sent[0]!;
    expect(new TextEncoder().encode(JSON.stringify(p)).length).toBeLessThan(64 * 1024);
    expect(p.transcript.at(-1)!.text.startsWith('39 ')).toBe(true);
    expect(p.transcript.length).toBeLessThan(40);
  });

  it('files an e-mail follow-up as a ticket and confirms it; refuses a bad address', async () => {
    const posts: any[] = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      posts.push({ url, body: JSON.parse(String(init.body)) });
      return new Response('[]', { status: 201 });
    });
    const h = setup({ ticketUrl: 'https://desk.example/tickets' });
    h.say('Is anyone there?', 1);
    h.part.request();
    h.conversation.setStatus({ phase: 'away', nextOpenAt: 5 });
    expect(await h.part.followUpByEmail('not an address')).toBe('invalid');
    expect(posts).toHaveLength(0);
    expect(await h.part.followUpByEmail(' aiko_k@example.com ')).toBe('sent');
    expect(posts).toHaveLength(1);
    expect(posts[0].url).toBe('https://desk.example/tickets');
    expect(posts[0].body.packet.user).toMatchObject({ id: 'u1', email: 'aiko_k@example.com', userHash: 'abc123' });
    expect(posts[0].body.packet.transcript.map((m: Message) => m.text)).toEqual(['Is anyone there?']);
    const said = h.conversation.$messages.get().at(-1)!;
    expect(said.author).toBe('bot');
    expect(said.text).toContain('aiko\\_k\\@example\\.com');
    const record = (h.conversation.$status.get() as { handoff?: HandoffRecord }).handoff!;
    expect(record).toMatchObject({ email: 'aiko_k@example.com', ticketId: posts[0].body.id });
  });

  it('says the follow-up failed when the help desk keeps refusing', async () => {
    vi.stubGlobal('fetch', async () => new Response('no', { status: 400 }));
    const h = setup({ ticketUrl: 'https://desk.example/tickets', locale: 'ja' });
    expect(await h.part.followUpByEmail('aiko@example.com')).toBe('failed');
    expect(h.errors[0]).toMatch(/could not be filed: HTTP 400/);
  });
});

describe('live context after the handoff', () => {
  it('sends where the customer is now while a person is involved, at most once a second, and stops when the conversation ends', async () => {
    const context = vi.fn();
    const h = setup({}, { context });
    h.part.request();
    await vi.waitFor(() => expect(h.sent).toHaveLength(1));
    h.conversation.setStatus({ phase: 'agent', agentName: 'Sam' });
    h.part.activity?.('page');
    h.part.activity?.('event', 'cart.viewed');
    h.part.activity?.('page');
    await vi.waitFor(() => expect(context).toHaveBeenCalledTimes(1), { timeout: 3000 });
    expect(context.mock.calls[0]![0]).toMatchObject({
      page: { path: '/orders/1042' },
      trail: [{ title: 'Home' }, { title: 'Your orders' }],
      articles: [{ id: 'billing', helpful: false }],
      searches: [{ query: 'charged twice' }],
    });
    h.conversation.setStatus({ phase: 'closed' });
    h.part.activity?.('page');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(context).toHaveBeenCalledTimes(1);
  });
});
