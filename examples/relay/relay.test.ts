import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createRelay, createRelayState, isOpenAt, nextOpeningAfter } from './relay.mjs';
import {
  createHttpTransport,
  createOutbox,
  createWebSocketTransport,
  createWebhookTransport,
  type EventSourceLike,
  type TransportAdapter,
  type TransportSession,
  type TransportStatus,
} from '../../packages/core/src/transport/index';

type Relay = ReturnType<typeof createRelay>;
const running: Array<{ relay: Relay; server: Server }> = [];
const cleanups: Array<() => void> = [];

/** Starts the relay on a real HTTP server (port 0 = any free one), as demo.mjs does. */
async function startRelay(options: Parameters<typeof createRelay>[0] = {}, port = 0) {
  const relay = createRelay(options);
  const server = createServer((req, res) => {
    if (!relay.handleRequest(req, res)) res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket, head) => {
    if (!relay.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const entry = { relay, server };
  running.push(entry);
  const p = (server.address() as AddressInfo).port;
  return { relay, server, port: p, http: `http://127.0.0.1:${p}`, ws: `ws://127.0.0.1:${p}` };
}

async function stopRelay(relay: Relay, server: Server) {
  await relay.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  running.splice(running.findIndex((r) => r.relay === relay), 1);
}

afterEach(async () => {
  for (const fn of cleanups.splice(0)) fn();
  for (const { relay, server } of running.slice()) await stopRelay(relay, server);
});

/** A sink that records everything an adapter reports. */
function recorder() {
  const messages: Array<{ id: string; text: string; authorName?: string }> = [];
  const statuses: TransportStatus[] = [];
  const errors: Error[] = [];
  return {
    messages,
    statuses,
    errors,
    sink: { message: (m: (typeof messages)[number]) => messages.push(m), status: (s: TransportStatus) => statuses.push(s), error: (e: Error) => errors.push(e) },
    last: (type: TransportStatus['type']) => statuses.filter((s) => s.type === type).at(-1) as any,
  };
}

const session = (conversationId: string, name = 'Aiko', extra: Partial<TransportSession['user']> = {}): TransportSession => ({
  appId: 'acme',
  visitorId: 'v-' + conversationId,
  conversationId,
  locale: 'en',
  user: { id: 'u-' + conversationId, name, ...extra },
});

const packet = (id: string, conversationId: string) => ({
  id,
  conversationId,
  createdAt: Date.now(),
  locale: 'en',
  reason: 'I was charged twice',
  user: { id: 'u-' + conversationId, name: 'Aiko' },
  context: { page: { url: 'https://shop.example/billing' }, trail: [{ type: 'page' as const, at: 1, url: 'https://shop.example/' }] },
  transcript: [],
  searches: [{ query: 'refund', at: 1, found: false }],
  articles: [],
  flows: [{ id: 'billing', answers: { order: 'A-42' } }],
  triage: { complexity: 'medium' as const, severity: 'high' as const, effort: 'low' as const, reasons: ['billing "charged twice"'] },
});

function track(adapter: TransportAdapter) {
  cleanups.push(() => adapter.close());
  return adapter;
}

/** An agent on the console's WebSocket. */
async function agent(url: string, name: string) {
  const ws = new WebSocket(url + '/agent/ws');
  const frames: any[] = [];
  const conversations = new Map<string, any>();
  ws.on('message', (data) => {
    const f = JSON.parse(String(data));
    frames.push(f);
    if (f.type === 'snapshot') for (const c of f.conversations) conversations.set(c.id, c);
    if (f.type === 'conversation') conversations.set(f.conversation.id, f.conversation);
  });
  await new Promise((resolve) => ws.on('open', resolve));
  ws.send(JSON.stringify({ type: 'hello', name }));
  await vi.waitFor(() => expect(frames.some((f) => f.type === 'snapshot')).toBe(true));
  cleanups.push(() => ws.close());
  return { ws, frames, conversations, send: (f: object) => ws.send(JSON.stringify(f)) };
}

/** A tiny EventSource for Node 20 (which has none): fetch plus a server-sent-events parser. */
class NodeEventSource implements EventSourceLike {
  readyState = 0;
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  private abort = new AbortController();
  constructor(url: string) {
    this.read(url).catch(() => this.fail());
  }
  private fail() {
    if (this.readyState === 2) return;
    this.readyState = 2;
    this.onerror?.({});
  }
  private async read(url: string) {
    const res = await fetch(url, { signal: this.abort.signal, headers: { accept: 'text/event-stream' } });
    if (res.status !== 200 || !res.body) return this.fail();
    this.readyState = 1;
    this.onopen?.({});
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        if (data && this.readyState === 1) this.onmessage?.({ data });
      }
    }
    this.fail();
  }
  close() {
    this.readyState = 2;
    this.abort.abort();
  }
}

describe('WebSocket transport against the relay', () => {
  it('hands off, queues two customers, and carries accept, replies, typing and close both ways', async () => {
    const { ws, http } = await startRelay();
    const desk = await agent(ws, 'Sam');
    const a = recorder();
    const b = recorder();
    const ta = track(createWebSocketTransport({ url: ws + '/relay/ws', WebSocket: WebSocket as never }));
    const tb = track(createWebSocketTransport({ url: ws + '/relay/ws', WebSocket: WebSocket as never }));
    ta.connect(session('ca', 'Aiko'), a.sink);
    tb.connect(session('cb', 'Ben'), b.sink);
    await ta.send({ id: 'm1', conversationId: 'ca', text: 'I was charged twice', at: Date.now() });
    await ta.handoff(packet('pa', 'ca'));
    await tb.handoff(packet('pb', 'cb'));
    await vi.waitFor(() => expect(a.last('queue')).toMatchObject({ position: 1 }));
    await vi.waitFor(() => expect(b.last('queue')).toMatchObject({ position: 2, expectedWaitSeconds: 360 }));

    const seen = desk.conversations.get('ca');
    expect(seen.packet.reason).toBe('I was charged twice');
    expect(seen.packet.flows[0].answers.order).toBe('A-42');
    expect(seen.messages.map((m: any) => m.text)).toEqual(['I was charged twice']);

    desk.send({ type: 'accept', conversationId: 'ca' });
    await vi.waitFor(() => expect(a.last('agent-joined')).toEqual({ type: 'agent-joined', name: 'Sam' }));
    await vi.waitFor(() => expect(b.last('queue')).toMatchObject({ position: 1 }));

    ta.typing!(true);
    await vi.waitFor(() => expect(desk.frames).toContainEqual({ type: 'typing', conversationId: 'ca', on: true }));
    desk.send({ type: 'typing', conversationId: 'ca', on: true });
    await vi.waitFor(() => expect(a.last('typing')).toEqual({ type: 'typing', on: true }));
    desk.send({ type: 'message', conversationId: 'ca', id: 'r1', text: 'Refunding the second charge now.' });
    await vi.waitFor(() => expect(a.messages).toEqual([expect.objectContaining({ id: 'r1', text: 'Refunding the second charge now.', authorName: 'Sam' })]));
    expect(b.messages).toEqual([]);

    desk.send({ type: 'close', conversationId: 'ca' });
    await vi.waitFor(() => expect(a.last('closed')).toEqual({ type: 'closed' }));
    expect(a.errors).toEqual([]);
    // the console page is served beside the relay
    const page = await fetch(http + '/agent');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('Agent console');
  });

  it('says "away" with no agent online and outside office hours, with the next opening', async () => {
    const closedAllWeek = { timeZone: 'Asia/Tokyo', days: [1], open: '09:00', close: '09:01' };
    const awayMessage = { en: 'We are back on Monday.', ja: '月曜日に再開します。' };
    const { ws } = await startRelay({ officeHours: closedAllWeek, awayMessage, now: () => Date.UTC(2026, 0, 6, 3, 0) }); // Tue 12:00 JST
    const a = recorder();
    const t = track(createWebSocketTransport({ url: ws + '/relay/ws', WebSocket: WebSocket as never }));
    t.connect(session('away'), a.sink);
    await t.handoff(packet('p-away', 'away'));
    await vi.waitFor(() => expect(a.last('away')).toMatchObject({ message: 'We are back on Monday.', nextOpenAt: Date.UTC(2026, 0, 12, 0, 0) }));
    expect(a.last('queue')).toMatchObject({ position: 1 });
  });

  it('reconnects after the relay restarts; messages typed meanwhile arrive once, in order', async () => {
    const state = createRelayState();
    const first = await startRelay({ state });
    const port = first.port;
    const a = recorder();
    const t = track(createWebSocketTransport({ url: first.ws + '/relay/ws', WebSocket: WebSocket as never, retryBaseMs: 50, retryMaxMs: 200, ackTimeoutMs: 300 }));
    const outbox = createOutbox({ send: t.send, retryBaseMs: 50, retryMaxMs: 200 });
    cleanups.push(() => outbox.close());
    t.connect(session('cr'), a.sink);
    outbox.push({ id: 'm1', conversationId: 'cr', text: 'one', at: 1 });
    await vi.waitFor(() => expect(outbox.items()).toEqual([]));

    await stopRelay(first.relay, first.server);
    await vi.waitFor(() => expect(a.last('online')).toEqual({ type: 'online', online: false }));
    outbox.push({ id: 'm2', conversationId: 'cr', text: 'two', at: 2 });
    outbox.push({ id: 'm3', conversationId: 'cr', text: 'three', at: 3 });
    outbox.push({ id: 'm2', conversationId: 'cr', text: 'two', at: 2 }); // a double tap
    await new Promise((r) => setTimeout(r, 600)); // several failed attempts while down
    expect(outbox.items().map((m) => m.id)).toEqual(['m2', 'm3']);

    const second = await startRelay({ state }, port);
    const desk = await agent(second.ws, 'Sam');
    await vi.waitFor(() => expect(outbox.items()).toEqual([]), { timeout: 5000 });
    await vi.waitFor(() => expect(desk.conversations.get('cr')?.messages.map((m: any) => m.text)).toEqual(['one', 'two', 'three']));
    expect(state.conversations.get('cr')!.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
  });

  it('answers bad frames with an error frame and keeps the connection', async () => {
    const { ws, relay } = await startRelay({ maxFrameBytes: 1024 });
    const socket = new WebSocket(ws + '/relay/ws');
    cleanups.push(() => socket.close());
    const frames: any[] = [];
    socket.on('message', (d) => frames.push(JSON.parse(String(d))));
    await new Promise((r) => socket.on('open', r));
    socket.send('not json');
    socket.send(JSON.stringify({ type: 'message', id: 'x', text: 'hi' }));
    socket.send(JSON.stringify({ type: 'hello', session: session('bad') }));
    socket.send(JSON.stringify({ type: 'message', id: 'big', text: 'x'.repeat(2000) }));
    socket.send(JSON.stringify({ type: 'dance' }));
    socket.send(JSON.stringify({ type: 'message', id: 'same', text: 'once' }));
    socket.send(JSON.stringify({ type: 'message', id: 'same', text: 'once' }));
    socket.send(JSON.stringify({ type: 'ping' }));
    await vi.waitFor(() => expect(frames.at(-1)).toEqual({ type: 'pong' }));
    expect(frames.filter((f) => f.type === 'error').map((f) => f.code)).toEqual(['bad-frame', 'hello-first', 'too-large', 'unknown-type']);
    expect(frames.find((f) => f.code === 'too-large').id).toBe('big');
    expect(frames.filter((f) => f.type === 'ack')).toEqual([{ type: 'ack', id: 'same' }, { type: 'ack', id: 'same' }]);
    expect(relay.state.conversations.get('bad')!.messages.map((m) => m.text)).toEqual(['once']);
  });

  it('checks the identity token when given a secret', async () => {
    const secret = 'shh';
    const { ws } = await startRelay({ identitySecret: secret });
    const desk = await agent(ws, 'Sam');
    const good = recorder();
    const bad = recorder();
    const hash = createHmac('sha256', secret).update('u-good').digest('hex');
    track(createWebSocketTransport({ url: ws + '/relay/ws', WebSocket: WebSocket as never })).connect(session('good', 'G', { userHash: hash }), good.sink);
    track(createWebSocketTransport({ url: ws + '/relay/ws', WebSocket: WebSocket as never })).connect(session('bad', 'B', { userHash: 'ab'.repeat(32) }), bad.sink);
    await vi.waitFor(() => expect(desk.conversations.get('good')?.identity).toBe('verified'));
    await vi.waitFor(() => expect(bad.errors.map((e: any) => e.code)).toEqual(['unauthorized']));
    expect(desk.conversations.get('good').user.userHash).toBeUndefined(); // the token is not shown to agents
  });
});

describe('origins', () => {
  const opened = (url: string, origin: string) =>
    new Promise<string>((resolve) => {
      const socket = new WebSocket(url, { origin });
      socket.on('open', () => {
        socket.close();
        resolve('open');
      });
      socket.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      socket.on('error', () => resolve('error'));
    });

  it('lets only allowed pages connect from a browser, and its own origin by default', async () => {
    const own = await startRelay();
    expect(await opened(own.ws + '/relay/ws', own.http)).toBe('open');
    expect(await opened(own.ws + '/relay/ws', 'https://evil.example')).toBe('403');
    const posted = await fetch(own.http + '/relay/http/frames', { method: 'POST', headers: { origin: 'https://evil.example' }, body: '{}' });
    expect(posted.status).toBe(403);
    const listed = await startRelay({ allowedOrigins: ['https://shop.example'] });
    expect(await opened(listed.ws + '/relay/ws', 'https://shop.example')).toBe('open');
    expect(await opened(listed.ws + '/relay/ws', listed.http)).toBe('403');
    // The agent console is the relay's own page, whatever the customers' pages are.
    expect(await opened(listed.ws + '/agent/ws', listed.http)).toBe('open');
    expect(await opened(listed.ws + '/agent/ws', 'https://shop.example')).toBe('403');
  });
});

describe('HTTP transport against the relay', () => {
  it('posts messages (acked), hands off, and gets replies and status as server-sent events', async () => {
    const { ws, http } = await startRelay();
    const desk = await agent(ws, 'Kei');
    const a = recorder();
    const t = track(createHttpTransport({ url: http + '/relay/http', EventSource: NodeEventSource }));
    t.connect(session('h1', 'Hana', { jwt: 'header.payload.sig' }), a.sink);
    await vi.waitFor(() => expect(a.last('online')).toEqual({ type: 'online', online: true }));
    await t.send({ id: 'hm1', conversationId: 'h1', text: 'hello over http', at: 1 });
    await t.send({ id: 'hm1', conversationId: 'h1', text: 'hello over http', at: 1 });
    await t.handoff(packet('hp', 'h1'));
    await vi.waitFor(() => expect(a.last('queue')).toMatchObject({ position: 1 }));
    expect(desk.conversations.get('h1').identity).toBe('unverified');
    expect(desk.conversations.get('h1').messages.map((m: any) => m.id)).toEqual(['hm1']);
    desk.send({ type: 'accept', conversationId: 'h1' });
    desk.send({ type: 'message', conversationId: 'h1', id: 'hr1', text: 'Hi Hana' });
    await vi.waitFor(() => expect(a.messages.map((m) => m.text)).toEqual(['Hi Hana']));
    expect(a.last('agent-joined')).toEqual({ type: 'agent-joined', name: 'Kei' });
    t.typing!(true);
    await vi.waitFor(() => expect(desk.frames).toContainEqual({ type: 'typing', conversationId: 'h1', on: true }));
  });

  it('says hello again when a restarted relay has forgotten the conversation', async () => {
    const first = await startRelay();
    const a = recorder();
    const t = track(createHttpTransport({ url: first.http + '/relay/http', EventSource: NodeEventSource, retryBaseMs: 50, retryMaxMs: 200 }));
    t.connect(session('h2'), a.sink);
    await t.send({ id: 'x1', conversationId: 'h2', text: 'before', at: 1 });
    await stopRelay(first.relay, first.server);
    await expect(t.send({ id: 'x2', conversationId: 'h2', text: 'while down', at: 2 })).rejects.toThrow();
    const second = await startRelay({}, first.port); // fresh memory
    await t.send({ id: 'x2', conversationId: 'h2', text: 'while down', at: 2 });
    expect(second.relay.state.conversations.get('h2')!.messages.map((m) => m.text)).toEqual(['while down']);
    await vi.waitFor(() => expect(a.last('online')).toEqual({ type: 'online', online: true }));
  });

  it('refuses an oversize body with a frame the outbox will not retry', async () => {
    const { http } = await startRelay({ maxFrameBytes: 512 });
    const t = track(createHttpTransport({ url: http + '/relay/http', EventSource: NodeEventSource }));
    t.connect(session('h3'), recorder().sink);
    await expect(t.send({ id: 'big', conversationId: 'h3', text: 'x'.repeat(1000), at: 1 })).rejects.toMatchObject({ code: 'too-large', retry: false });
  });
});

describe('webhook transport against the relay', () => {
  it('files one ticket with the packet and the whole transcript, once', async () => {
    const { ws, http } = await startRelay();
    const desk = await agent(ws, 'Sam');
    const a = recorder();
    let posts = 0;
    const counting: typeof fetch = (input, init) => (posts++, fetch(input, init));
    const t = track(createWebhookTransport({ url: http + '/relay/http/tickets', fetch: counting }));
    t.connect(session('w1', 'Wren', { email: 'wren@example.com' }), a.sink);
    await t.send({ id: 'w-m1', conversationId: 'w1', text: 'Please e-mail me', at: 5 });
    await t.send({ id: 'w-m1', conversationId: 'w1', text: 'Please e-mail me', at: 5 });
    const p = { ...packet('w-p', 'w1'), transcript: [{ id: 'w-b0', author: 'bot' as const, text: 'How can I help?', at: 1 }] };
    await t.handoff(p);
    await t.handoff(p);
    expect(posts).toBe(1);
    expect(a.last('ticket')).toEqual({ type: 'ticket', id: 'w-p' });
    const ticket = desk.frames.find((f) => f.type === 'ticket').ticket;
    expect(ticket.packet.transcript.map((m: any) => m.text)).toEqual(['How can I help?', 'Please e-mail me']);
    expect(ticket.session.user.email).toBe('wren@example.com');
  });

  it('reports a refused ticket as an error, not worth retrying when the URL is wrong', async () => {
    const { http } = await startRelay();
    const t = track(createWebhookTransport({ url: http + '/relay/http/nowhere' }));
    t.connect(session('w2'), recorder().sink);
    await expect(t.handoff(packet('w-p2', 'w2'))).rejects.toMatchObject({ code: 'http-404', retry: false });
  });
});

describe('office hours', () => {
  const hours = { timeZone: 'Asia/Tokyo', days: [1, 2, 3, 4, 5], open: '09:00', close: '18:00' };
  it('knows when the office is open, in its own time zone', () => {
    expect(isOpenAt(hours, Date.UTC(2026, 0, 6, 1, 0))).toBe(true); // Tue 10:00 JST
    expect(isOpenAt(hours, Date.UTC(2026, 0, 6, 10, 0))).toBe(false); // Tue 19:00 JST
    expect(isOpenAt(hours, Date.UTC(2026, 0, 10, 1, 0))).toBe(false); // Sat
  });
  it('finds the next opening, skipping the weekend', () => {
    expect(nextOpeningAfter(hours, Date.UTC(2026, 0, 6, 10, 0))).toBe(Date.UTC(2026, 0, 7, 0, 0)); // Wed 09:00 JST
    expect(nextOpeningAfter(hours, Date.UTC(2026, 0, 9, 10, 0))).toBe(Date.UTC(2026, 0, 12, 0, 0)); // Fri evening → Mon
  });
});
