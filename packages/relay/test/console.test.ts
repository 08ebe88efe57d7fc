import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createWebSocketTransport, type TransportAdapter, type TransportStatus } from '../../core/src/transport/index';
import { agent, cleanupSchemas, startRelay, wsFrom, type Running } from './support';

const running: Running[] = [];
const adapters: TransportAdapter[] = [];
afterEach(async () => {
  for (const a of adapters.splice(0)) a.close();
  for (const r of running.splice(0)) await r.stop();
});
afterAll(cleanupSchemas);

async function relay(options: Record<string, unknown> = {}) {
  const r = await startRelay(options);
  running.push(r);
  return r;
}

/** A customer who asked for a person, recording what reaches the widget. */
async function waitingCustomer(r: Running, id: string) {
  const seen = { messages: [] as Array<{ id: string; text: string; articles?: unknown }>, statuses: [] as TransportStatus[], errors: [] as Error[] };
  const t = createWebSocketTransport({ url: r.ws + '/relay/ws', WebSocket: wsFrom(r.origin) as never });
  adapters.push(t);
  t.connect(
    { appId: 'acme', visitorId: 'v-' + id, conversationId: id, locale: 'en', user: { id: 'u-' + id, name: 'Aiko' } },
    { message: (m) => seen.messages.push(m), status: (s) => seen.statuses.push(s), error: (e) => seen.errors.push(e) },
  );
  const page = { url: 'https://shop.example/products/router-x', title: 'Router X' };
  await t.handoff({ id: 'p-' + id, conversationId: id, createdAt: Date.now(), locale: 'en', reason: 'broken', user: { name: 'Aiko' }, context: { page, trail: [] }, transcript: [], searches: [], articles: [], flows: [], triage: { complexity: 'low', severity: 'low', effort: 'low' } });
  return { t, seen };
}

describe('console frames', () => {
  it('keeps notes among agents, hands a conversation to a colleague, and offers articles as cards', async () => {
    const r = await relay();
    const sam = await agent(r, 'Sam');
    const mia = await agent(r, 'Mia');
    const { seen } = await waitingCustomer(r, 'c1');
    await vi.waitFor(() => expect(sam.conversations.get('c1')).toMatchObject({ phase: 'waiting', page: 'https://shop.example/products/router-x' }));
    await vi.waitFor(() => expect(seen.statuses.find((s) => s.type === 'queue')).toMatchObject({ position: 1, agentsOnline: 2 }));

    sam.send({ type: 'note', conversationId: 'c1', id: 'n1', text: 'VIP customer' });
    await vi.waitFor(() => expect(mia.frames.find((f) => f.type === 'note')).toMatchObject({ conversationId: 'c1', note: { authorName: 'Sam', text: 'VIP customer' } }));
    sam.send({ type: 'message', conversationId: 'c1', id: 'a1', text: 'This may help:', articles: [{ id: 'return-policy', title: 'How do I return an item?' }, { id: 7 }] });
    await vi.waitFor(() => expect(seen.messages.find((m) => m.id === 'a1')).toMatchObject({ articles: [{ id: 'return-policy', title: 'How do I return an item?' }] }));
    expect(seen.messages.map((m) => m.text)).not.toContain('VIP customer');

    sam.send({ type: 'assign', conversationId: 'c1', agent: 'Nobody' });
    await vi.waitFor(() => expect(sam.frames.find((f) => f.type === 'error')).toMatchObject({ code: 'unknown-agent' }));
    sam.send({ type: 'assign', conversationId: 'c1', agent: 'Mia' });
    await vi.waitFor(() => expect(seen.statuses.filter((s) => s.type === 'agent-joined').at(-1)).toEqual({ type: 'agent-joined', name: 'Mia' }));
    await vi.waitFor(() => expect(sam.conversations.get('c1')).toMatchObject({ phase: 'agent', agentName: 'Mia' }));

    mia.send({ type: 'open', conversationId: 'c1' });
    await vi.waitFor(() => expect(mia.frames.find((f) => f.type === 'history')?.notes).toMatchObject([{ id: 'n1', text: 'VIP customer' }]));
  }, 30_000);

  it('shows where the customer is now, checked like the packet, and refuses a context that is not one', async () => {
    const r = await relay();
    const sam = await agent(r);
    const { t } = await waitingCustomer(r, 'c2');
    t.context?.({
      page: { url: 'https://shop.example/help/returns', title: 'Returns' },
      trail: [{ type: 'page', at: 5, url: 'https://shop.example/help/returns', title: 'Returns', evil: '<script>' } as never],
      searches: [],
      articles: [{ id: 'return-policy', title: 'How do I return an item?', at: 6 }],
    });
    await vi.waitFor(() => expect(sam.frames.find((f) => f.type === 'context')).toBeDefined());
    const { context } = sam.frames.find((f) => f.type === 'context');
    expect(context.page).toEqual({ url: 'https://shop.example/help/returns', title: 'Returns' });
    expect(context.trail[0]).not.toHaveProperty('evil');
    expect(context.articles).toMatchObject([{ title: 'How do I return an item?' }]);
    await vi.waitFor(() => expect(sam.conversations.get('c2').page).toBe('https://shop.example/help/returns'));

    const ws = new (wsFrom(r.origin))(r.ws + '/relay/ws');
    const replies: any[] = [];
    ws.onmessage = (e: { data: unknown }) => replies.push(JSON.parse(String(e.data)));
    await new Promise((resolve) => (ws.onopen = resolve));
    ws.send(JSON.stringify({ type: 'hello', session: { conversationId: 'c3', visitorId: 'v3' } }));
    ws.send(JSON.stringify({ type: 'context', context: 'here' }));
    ws.send(JSON.stringify({ type: 'survey', kind: 'csat', score: 9 }));
    ws.send(JSON.stringify({ type: 'survey', kind: 'nps', score: 11 }));
    ws.send(JSON.stringify({ type: 'survey', kind: 'nps', score: 0 }));
    await vi.waitFor(() => expect(replies.filter((f) => f.type === 'error').map((f) => f.message)).toEqual([
      'a context frame needs a "context" object',
      'survey needs "kind" ("csat", "ces" or "nps") and a whole "score" (1–5, 1–7 or 0–10)',
      'survey needs "kind" ("csat", "ces" or "nps") and a whole "score" (1–5, 1–7 or 0–10)',
    ]));
    ws.close();
  }, 30_000);

  it('keeps saved replies and presence for the team, and counts the shift: first response, resolution, CSAT (NPS and CES apart)', async () => {
    const r = await relay({ savedReplies: [{ title: 'Greeting', text: 'Hi {name}' }] });
    const sam = await agent(r, 'Sam');
    const mia = await agent(r, 'Mia');
    await vi.waitFor(() => expect(sam.frames.find((f) => f.type === 'replies')?.replies).toMatchObject([{ title: 'Greeting', text: 'Hi {name}' }]));
    sam.send({ type: 'save-reply', id: 'r1', title: 'Bye', text: 'Anything else?' });
    await vi.waitFor(() => expect(mia.frames.filter((f) => f.type === 'replies').at(-1)?.replies.map((x: any) => x.title)).toEqual(['Greeting', 'Bye']));

    mia.send({ type: 'presence', status: 'away' });
    await vi.waitFor(() => expect(sam.frames.filter((f) => f.type === 'agents').at(-1)?.agents).toEqual([{ name: 'Mia', status: 'away' }, { name: 'Sam', status: 'online' }]));

    const { t } = await waitingCustomer(r, 'c4');
    await vi.waitFor(() => expect(sam.conversations.get('c4')?.phase).toBe('waiting'));
    sam.send({ type: 'accept', conversationId: 'c4' });
    sam.send({ type: 'message', conversationId: 'c4', id: 'a1', text: 'Hello' });
    sam.send({ type: 'close', conversationId: 'c4' });
    await vi.waitFor(() => expect(sam.conversations.get('c4')?.phase).toBe('closed'));
    t.survey?.({ kind: 'csat', score: 5 });
    // A flow's NPS answer (0–10) and a CES answer come later: the shift's CSAT stays the CSAT answer.
    t.survey?.({ kind: 'nps', score: 0 });
    t.survey?.({ kind: 'ces', score: 2 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    sam.send({ type: 'metrics' });
    await vi.waitFor(() => expect(sam.frames.find((f) => f.type === 'metrics')).toBeDefined());
    const m = sam.frames.find((f) => f.type === 'metrics');
    expect(m.conversations).toHaveLength(1);
    expect(m.conversations[0]).toMatchObject({ id: 'c4', agentName: 'Sam', csat: 5 });
    expect(m.conversations[0].firstResponseMs).toBeGreaterThanOrEqual(0);
    expect(m.conversations[0].resolutionMs).toBeGreaterThanOrEqual(m.conversations[0].firstResponseMs);
    expect(m.day).toMatchObject({ handedOff: 1, resolved: 1, csat: { responses: 1, average: 5, satisfiedRate: 1 } });
  }, 30_000);
});
