import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
// @ts-expect-error plain JavaScript module without types
import { isOpenAt, nextOpeningAfter } from '../src/relay.mjs';
import {
  createHttpTransport,
  createOutbox,
  createWebSocketTransport,
  createWebhookTransport,
  type EventSourceLike,
  type TransportAdapter,
  type TransportSession,
  type TransportStatus,
} from '../../core/src/transport/index';
import { agent, cleanupSchemas, fetchFrom, startRelay, waitUntil, wsFrom, type Running } from './support';

const running: Running[] = [];
const cleanups: Array<() => void> = [];

async function relay(options: Record<string, unknown> = {}, port = 0) {
  const r = await startRelay(options, port);
  running.push(r);
  return r;
}

afterEach(async () => {
  for (const fn of cleanups.splice(0)) fn();
  for (const r of running.splice(0)) await r.stop();
});
afterAll(cleanupSchemas);
// Without a Postgres server each relay embeds PGlite, which takes seconds to start on a busy machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

/** A sink that records everything an adapter reports, tokens included. */
function recorder() {
  const messages: Array<{ id: string; text: string; authorName?: string }> = [];
  const statuses: TransportStatus[] = [];
  const errors: Error[] = [];
  const tokens: string[] = [];
  return {
    messages,
    statuses,
    errors,
    tokens,
    sink: {
      message: (m: (typeof messages)[number]) => messages.push(m),
      status: (s: TransportStatus) => statuses.push(s),
      error: (e: Error) => errors.push(e),
      session: ({ token }: { token: string }) => tokens.push(token),
    },
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

function track<T extends TransportAdapter>(adapter: T) {
  cleanups.push(() => adapter.close());
  return adapter;
}
const wsTransport = (r: Running, extra = {}) => track(createWebSocketTransport({ url: r.ws + '/relay/ws', WebSocket: wsFrom(r.origin) as never, ...extra }));

/** A tiny EventSource for Node 20 (which has none): fetch plus a server-sent-events parser, sending an Origin. */
function eventSourceFrom(origin: string) {
  return class NodeEventSource implements EventSourceLike {
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
      const res = await fetch(url, { signal: this.abort.signal, headers: { accept: 'text/event-stream', origin } });
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
  };
}
const httpTransport = (r: Running, extra = {}) =>
  track(createHttpTransport({ url: r.http + '/relay/http', EventSource: eventSourceFrom(r.origin), fetch: fetchFrom(r.origin), ...extra }));

describe('WebSocket transport against the relay', () => {
  it('hands off, queues two customers, and carries accept, replies, typing and close both ways; agents get deltas', async () => {
    const r = await relay();
    const desk = await agent(r, 'Sam');
    const a = recorder();
    const b = recorder();
    const ta = wsTransport(r);
    const tb = wsTransport(r);
    ta.connect(session('ca', 'Aiko'), a.sink);
    tb.connect(session('cb', 'Ben'), b.sink);
    await ta.send({ id: 'm1', conversationId: 'ca', text: 'I was charged twice', at: Date.now() });
    await ta.handoff(packet('pa', 'ca'));
    await tb.handoff(packet('pb', 'cb'));
    await vi.waitFor(() => expect(a.last('queue')).toMatchObject({ position: 1 }));
    await vi.waitFor(() => expect(b.last('queue')).toMatchObject({ position: 2, expectedWaitSeconds: 360 }));
    expect(a.tokens).toHaveLength(1);

    // Agents get each message once, as a delta, and the packet when they open the conversation.
    await vi.waitFor(() => expect(desk.messages.get('ca')?.map((m) => m.text)).toEqual(['I was charged twice']));
    expect(desk.frames.filter((f) => f.type === 'conversation').every((f) => !('messages' in f.conversation) && !('packet' in f.conversation))).toBe(true);
    desk.send({ type: 'open', conversationId: 'ca' });
    await vi.waitFor(() => expect(desk.frames.find((f) => f.type === 'history')).toBeDefined());
    const history = desk.frames.find((f) => f.type === 'history');
    expect(history.packet.reason).toBe('I was charged twice');
    expect(history.packet.flows[0].answers.order).toBe('A-42');
    expect(history.messages.map((m: any) => m.text)).toEqual(['I was charged twice']);

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
    const page = await fetch(r.http + '/agent');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('Agent console');
  });

  it('says "away" with no agent online and outside office hours, with the next opening', async () => {
    const closedAllWeek = { timeZone: 'Asia/Tokyo', days: [1], open: '09:00', close: '09:01' };
    const awayMessage = { en: 'We are back on Monday.', ja: '月曜日に再開します。' };
    const r = await relay({ officeHours: closedAllWeek, awayMessage, now: () => Date.UTC(2026, 0, 6, 3, 0) }); // Tue 12:00 JST
    const a = recorder();
    const t = wsTransport(r);
    t.connect(session('away'), a.sink);
    await t.handoff(packet('p-away', 'away'));
    await vi.waitFor(() => expect(a.last('away')).toMatchObject({ message: 'We are back on Monday.', nextOpenAt: Date.UTC(2026, 0, 12, 0, 0) }));
    expect(a.last('queue')).toMatchObject({ position: 1 });
  });

  it('keeps everything in its data directory: after a restart, messages typed meanwhile arrive once, in order, and the place in line holds', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'madoguchi-relay-test-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startRelay({ dataDir });
    const a = recorder();
    const t = createWebSocketTransport({ url: first.ws + '/relay/ws', WebSocket: wsFrom(first.origin) as never, retryBaseMs: 50, retryMaxMs: 200, ackTimeoutMs: 2000 });
    const outbox = createOutbox({ send: t.send, retryBaseMs: 50, retryMaxMs: 200 });
    cleanups.push(() => outbox.close(), () => t.close());
    t.connect(session('cr'), a.sink);
    outbox.push({ id: 'm1', conversationId: 'cr', text: 'one', at: 1 });
    await vi.waitFor(() => expect(outbox.items()).toEqual([]));
    await t.handoff(packet('p-cr', 'cr'));
    await vi.waitFor(() => expect(a.last('queue')).toMatchObject({ position: 1 }));

    await first.stop();
    await vi.waitFor(() => expect(a.last('online')).toEqual({ type: 'online', online: false }));
    outbox.push({ id: 'm2', conversationId: 'cr', text: 'two', at: 2 });
    outbox.push({ id: 'm3', conversationId: 'cr', text: 'three', at: 3 });
    outbox.push({ id: 'm2', conversationId: 'cr', text: 'two', at: 2 }); // a double tap
    await new Promise((r) => setTimeout(r, 300));

    const second = await relay({ dataDir }, first.port);
    const desk = await agent(second, 'Sam');
    await vi.waitFor(() => expect(outbox.items()).toEqual([]), { timeout: 10_000 });
    desk.send({ type: 'open', conversationId: 'cr' });
    await vi.waitFor(() => expect(desk.frames.find((f) => f.type === 'history')?.messages.map((m: any) => m.text)).toEqual(['one', 'two', 'three']));
    expect(desk.frames.find((f) => f.type === 'history').packet.id).toBe('p-cr');
    expect(desk.conversations.get('cr')).toMatchObject({ phase: 'waiting' });
    const rows = await second.relay.db.query(`select id from messages where conversation_id = 'cr' order by seq`);
    expect(rows.map((m: any) => m.id)).toEqual(['m1', 'm2', 'm3']);
    await vi.waitFor(() => expect(a.last('queue')).toMatchObject({ position: 1 }));
  }, 30_000);

  it('checks the identity token when given a secret (userHash or JWT), and agents see whether it was verified', async () => {
    const secret = 'shh';
    const r = await relay({ identitySecret: secret });
    const desk = await agent(r, 'Sam');
    const good = recorder();
    const bad = recorder();
    const hash = createHmac('sha256', secret).update('u-good').digest('hex');
    wsTransport(r).connect(session('good', 'G', { userHash: hash }), good.sink);
    wsTransport(r).connect(session('bad', 'B', { userHash: 'ab'.repeat(32) }), bad.sink);
    await vi.waitFor(() => expect(desk.conversations.get('good')).toMatchObject({ identity: 'verified', verified: true }));
    await vi.waitFor(() => expect(bad.errors.map((e: any) => e.code)).toContain('unauthorized'));
    expect(desk.conversations.get('good').user.userHash).toBeUndefined(); // the token is not shown to agents
    const { SignJWT } = await import('jose');
    const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u-jwt').setExpirationTime('5m').sign(new TextEncoder().encode(secret));
    wsTransport(r).connect(session('jwt', 'J', { jwt }), recorder().sink);
    await vi.waitFor(() => expect(desk.conversations.get('jwt')?.verified).toBe(true));
    const forged = recorder();
    const other = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u-jwt2').sign(new TextEncoder().encode('not the secret'));
    wsTransport(r).connect(session('jwt2', 'K', { jwt: other }), forged.sink);
    await vi.waitFor(() => expect(forged.errors.map((e: any) => e.code)).toContain('unauthorized'));
  });
});

describe('HTTP transport against the relay', () => {
  it('posts messages (acked once), hands off, and gets replies and status as server-sent events, all with the token', async () => {
    const r = await relay();
    const desk = await agent(r, 'Kei');
    const a = recorder();
    const t = httpTransport(r);
    t.connect(session('h1', 'Hana', { jwt: 'header.payload.sig' }), a.sink);
    await vi.waitFor(() => expect(a.last('online')).toEqual({ type: 'online', online: true }));
    await t.send({ id: 'hm1', conversationId: 'h1', text: 'hello over http', at: 1 });
    await t.send({ id: 'hm1', conversationId: 'h1', text: 'hello over http', at: 1 });
    await t.handoff(packet('hp', 'h1'));
    await vi.waitFor(() => expect(a.last('queue')).toMatchObject({ position: 1 }));
    expect(desk.conversations.get('h1')).toMatchObject({ identity: 'unverified', verified: false, messageCount: 1 });
    desk.send({ type: 'accept', conversationId: 'h1' });
    desk.send({ type: 'message', conversationId: 'h1', id: 'hr1', text: 'Hi Hana' });
    await vi.waitFor(() => expect(a.messages.map((m) => m.text)).toEqual(['Hi Hana']));
    expect(a.last('agent-joined')).toEqual({ type: 'agent-joined', name: 'Kei' });
    t.typing!(true);
    await vi.waitFor(() => expect(desk.frames).toContainEqual({ type: 'typing', conversationId: 'h1', on: true }));
  });

  it('refuses an oversize body with a frame the outbox will not retry', async () => {
    const r = await relay();
    const t = httpTransport(r);
    t.connect(session('h3'), recorder().sink);
    await expect(t.send({ id: 'big', conversationId: 'h3', text: 'x'.repeat(70_000), at: 1 })).rejects.toMatchObject({ code: 'too-large', retry: false });
  });
});

describe('webhook transport against the relay', () => {
  it('files one ticket with the packet and the whole transcript, once', async () => {
    const r = await relay();
    const desk = await agent(r, 'Sam');
    const a = recorder();
    let posts = 0;
    const counting: typeof fetch = (input, init) => (posts++, fetchFrom(r.origin)(input, init));
    const t = track(createWebhookTransport({ url: r.http + '/relay/http/tickets', fetch: counting }));
    t.connect(session('w1', 'Wren', { email: 'wren@example.com' }), a.sink);
    await t.send({ id: 'w-m1', conversationId: 'w1', text: 'Please e-mail me', at: 5 });
    const p = { ...packet('w-p', 'w1'), user: { id: 'u-w1', name: 'Wren', email: 'wren@example.com' }, transcript: [{ id: 'w-b0', author: 'bot' as const, text: 'How can I help?', at: 1 }] };
    await t.handoff(p);
    await t.handoff(p);
    expect(posts).toBe(1);
    expect(a.last('ticket')).toEqual({ type: 'ticket', id: 'w-p' });
    await vi.waitFor(() => expect(desk.frames.find((f) => f.type === 'ticket')?.ticket.user.email).toBe('wren@example.com'));
    const { tickets } = await r.relay.inspect();
    expect(tickets).toHaveLength(1);
    expect(tickets[0].packet.transcript.map((m: any) => m.text)).toEqual(['How can I help?', 'Please e-mail me']);
  });

  it('reports a refused ticket as an error, not worth retrying when the URL is wrong', async () => {
    const r = await relay();
    const t = track(createWebhookTransport({ url: r.http + '/relay/http/nowhere', fetch: fetchFrom(r.origin) }));
    t.connect(session('w2'), recorder().sink);
    await expect(t.handoff(packet('w-p2', 'w2'))).rejects.toMatchObject({ code: 'http-404', retry: false });
  });
});

describe('queue hygiene', () => {
  it('moves a visitor gone too long out of the line (shown as left), and gives the place back with a notice on return', async () => {
    const r = await relay({ leaveAfterSeconds: 1 });
    const desk = await agent(r, 'Sam');
    const a = recorder();
    const b = recorder();
    const ta = wsTransport(r);
    const tb = wsTransport(r);
    ta.connect(session('qa'), a.sink);
    await ta.handoff(packet('p-qa', 'qa'));
    tb.connect(session('qb'), b.sink);
    await tb.handoff(packet('p-qb', 'qb'));
    await vi.waitFor(() => expect(b.last('queue')).toMatchObject({ position: 2 }));

    ta.close(); // the first visitor closes the tab
    await vi.waitFor(() => expect(desk.conversations.get('qa')).toMatchObject({ phase: 'waiting', left: true }), { timeout: 6000 });
    await vi.waitFor(() => expect(b.last('queue')).toMatchObject({ position: 1 }));

    const again = recorder();
    wsTransport(r).connect({ ...session('qa'), token: a.tokens[0] }, again.sink);
    await vi.waitFor(() => expect(again.last('queue')).toMatchObject({ position: 1 }));
    expect(again.messages.map((m) => m.text)).toContain('Welcome back. You kept your place in line.');
    await vi.waitFor(() => expect(b.last('queue')).toMatchObject({ position: 2 }));
    await vi.waitFor(() => expect(desk.conversations.get('qa')).toMatchObject({ left: false }));
  }, 20_000);
});

describe('operations', () => {
  it('answers /healthz and /metrics', async () => {
    const r = await relay();
    const health = await fetch(r.http + '/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
    const t = wsTransport(r);
    t.connect(session('op'), recorder().sink);
    await t.send({ id: 'op1', conversationId: 'op', text: 'hi', at: 1 });
    await t.handoff(packet('p-op', 'op'));
    const text = await (await fetch(r.http + '/metrics')).text();
    expect(text).toMatch(/^madoguchi_relay_queue_length 1$/m);
    expect(text).toMatch(/^madoguchi_relay_messages_total 1$/m);
    expect(text).toMatch(/^madoguchi_relay_customer_connections 1$/m);
  });

  it('drains on close: a connected customer is told to reconnect elsewhere (1012)', async () => {
    const r = await startRelay();
    const ws = new WebSocket(r.ws + '/relay/ws', { origin: r.origin });
    await new Promise((resolve) => ws.on('open', resolve));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await r.stop();
    expect(await closed).toBe(1012);
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

export { waitUntil };
