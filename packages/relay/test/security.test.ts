import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { agent, cleanupSchemas, fetchFrom, rawCustomer, startRelay, waitUntil, type Running } from './support';

const running: Running[] = [];
async function relay(options: Record<string, unknown> = {}) {
  const r = await startRelay(options);
  running.push(r);
  return r;
}
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});
afterAll(cleanupSchemas);
// Without a Postgres server each relay embeds PGlite, which takes seconds to start on a busy machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const hello = (conversationId: string, extra: object = {}, user: object = { name: 'Aiko' }) => ({
  type: 'hello',
  session: { conversationId, visitorId: 'v-' + conversationId, appId: 'acme', locale: 'en', user, ...extra },
});

/** Whether a WebSocket upgrade is accepted ('open') or the HTTP status it was refused with. */
const upgrade = (url: string, headers: Record<string, string>) =>
  new Promise<string>((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
    socket.on('error', () => resolve('error'));
  });

describe('origins', () => {
  it('refuses browser endpoints without an Origin, from a foreign one, and with a forged Host', async () => {
    const r = await relay({ allowedOrigins: ['https://shop.example'] });
    const ws = r.ws + '/relay/ws';
    expect(await upgrade(ws, { origin: 'https://shop.example' })).toBe('open');
    expect(await upgrade(ws, {})).toBe('403');
    expect(await upgrade(ws, { origin: 'https://evil.example' })).toBe('403');
    expect(await upgrade(ws, { origin: 'https://evil.example', host: 'evil.example' })).toBe('403');
    // The console is the relay's own page only, whatever the customers' pages are.
    expect(await upgrade(r.ws + '/agent/ws', { origin: r.origin })).toBe('open');
    expect(await upgrade(r.ws + '/agent/ws', {})).toBe('403');
    expect(await upgrade(r.ws + '/agent/ws', { origin: 'https://shop.example' })).toBe('403');
    for (const headers of [{}, { origin: 'https://evil.example' }, { origin: 'https://evil.example', host: 'evil.example' }]) {
      const res = await fetch(r.http + '/relay/http/frames', { method: 'POST', headers, body: JSON.stringify(hello('o1')) });
      expect(res.status).toBe(403);
    }
    const ok = await fetchFrom('https://shop.example')(r.http + '/relay/http/frames', { method: 'POST', body: JSON.stringify(hello('o1')) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });
});

describe('agents sign in', () => {
  it('refuses the console socket without a good token, and every conversation stays unseen', async () => {
    const r = await relay();
    const customer = await rawCustomer(r.ws + '/relay/ws', r.origin);
    await customer.ask(hello('secret-talk', {}, { name: 'Aiko', email: 'aiko@example.com' }));
    const ws = new WebSocket(r.ws + '/agent/ws', { origin: r.origin });
    const frames: any[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send(JSON.stringify({ type: 'accept', conversationId: 'secret-talk' }));
    ws.send(JSON.stringify({ type: 'hello', token: 'forged' }));
    expect(await closed).toBe(1008);
    expect(frames.map((f) => f.code)).toEqual(['hello-first', 'unauthorized']);
    expect(JSON.stringify(frames)).not.toContain('aiko@example.com');
  });

  it('signs in with an account password (scrypt), refuses a wrong one, and a one-time link works once', async () => {
    const r = await relay({ agents: [{ name: 'Mika', password: 'correct horse' }] });
    const post = (body: object, origin = r.origin) => fetchFrom(origin)(r.http + '/agent/signin', { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ name: 'Mika', password: 'wrong' })).status).toBe(401);
    expect((await post({ name: 'Nobody', password: 'x' })).status).toBe(401);
    expect((await post({ name: 'Mika', password: 'correct horse' }, 'https://evil.example')).status).toBe(403);
    const good = await post({ name: 'Mika', password: 'correct horse' });
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ name: 'Mika', expiresIn: 3600 });
    const stored = await r.relay.db.query(`select password_hash from agents where name = 'Mika'`);
    expect(stored[0].password_hash).toMatch(/^scrypt\$/);
    expect(stored[0].password_hash).not.toContain('correct horse');

    const link = await r.relay.signInLink('Mika');
    const first = await post({ link });
    expect(first.status).toBe(200);
    expect((await first.json()).name).toBe('Mika');
    expect((await post({ link })).status).toBe(401);
  });

  it('closes a console socket when its short-lived token ends', async () => {
    const r = await relay({ tokenTtlSeconds: 1 });
    const desk = await agent(r, 'Sam');
    const closed = await new Promise<number>((resolve) => desk.ws.on('close', (code) => resolve(code)));
    expect(closed).toBe(1008);
    const refresh = await fetchFrom(r.origin)(r.http + '/agent/refresh', { method: 'POST', headers: { authorization: 'Bearer ' + desk.token } });
    expect(refresh.status).toBe(401);
  });

  it('signs in with an ID token from the team identity provider (OIDC), and refuses one from elsewhere', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const idp = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/jwks`;
    try {
      const r = await relay({ oidc: { issuer: 'https://id.example', audience: 'madoguchi', jwksUrl } });
      const token = (iss: string, key = privateKey) =>
        new SignJWT({ name: 'Rin Sato' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(iss).setAudience('madoguchi').setSubject('rin').setExpirationTime('5m').sign(key);
      const post = async (idToken: string) => fetchFrom(r.origin)(r.http + '/agent/signin', { method: 'POST', body: JSON.stringify({ idToken }) });
      const ok = await post(await token('https://id.example'));
      expect(ok.status).toBe(200);
      expect((await ok.json()).name).toBe('Rin Sato');
      expect((await post(await token('https://other.example'))).status).toBe(401);
      const stranger = await generateKeyPair('RS256');
      expect((await post(await token('https://id.example', stranger.privateKey))).status).toBe(401);
    } finally {
      idp.close();
    }
  });
});

describe('conversation tokens', () => {
  it('an id alone opens nothing: no hello, no frame, no event stream without the token', async () => {
    const r = await relay();
    const owner = await rawCustomer(r.ws + '/relay/ws', r.origin);
    const first = await owner.ask(hello('c-tok'));
    expect(first).toMatchObject({ type: 'hello', conversationId: 'c-tok', token: expect.any(String) });
    const token = first.token;

    const thief = await rawCustomer(r.ws + '/relay/ws', r.origin);
    expect(await thief.ask(hello('c-tok'))).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await thief.ask(hello('c-tok', { visitorId: 'someone-else', token }))).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await thief.ask({ type: 'message', id: 'x', text: 'hi' })).toMatchObject({ code: 'hello-first' });

    const post = (body: object, headers: Record<string, string>) =>
      fetchFrom(r.origin)(r.http + '/relay/http/frames', { method: 'POST', headers: { 'x-madoguchi-conversation': 'c-tok', ...headers }, body: JSON.stringify(body) });
    expect((await post({ type: 'message', id: 'h1', text: 'overwrite' }, {})).status).toBe(403);
    expect((await post({ type: 'handoff', packet: { id: 'evil', reason: 'x' } }, { 'x-madoguchi-token': 'guess' })).status).toBe(403);
    const stream = await fetchFrom(r.origin)(r.http + '/relay/http/events?conversation=c-tok');
    expect(stream.status).toBe(403);

    expect((await post({ type: 'message', id: 'h2', text: 'mine' }, { 'x-madoguchi-token': token })).status).toBe(200);
    const again = await rawCustomer(r.ws + '/relay/ws', r.origin);
    expect(await again.ask(hello('c-tok', { token }))).toMatchObject({ type: 'hello', conversationId: 'c-tok' });
    const rows = await r.relay.db.query(`select id from messages where conversation_id = 'c-tok'`);
    expect(rows.map((m: any) => m.id)).toEqual(['h2']);
  });
});

describe('hostile input', () => {
  it('survives deep nesting, huge frames, wrong types, binary and floods, and shows agents only strings', async () => {
    const r = await relay({ limits: { framesPerConversationPerSecond: 5 } });
    const desk = await agent(r, 'Sam');
    const c = await rawCustomer(r.ws + '/relay/ws', r.origin);
    const nested = '{"type":"hello","session":' + '['.repeat(6000) + ']'.repeat(6000) + '}';
    expect(await c.ask(nested)).toMatchObject({ type: 'error', code: 'bad-frame' });
    expect(await c.ask('x'.repeat(100_000))).toMatchObject({ type: 'error', code: 'too-large' });
    expect(await c.ask('not json')).toMatchObject({ code: 'bad-frame' });
    expect(await c.ask({ type: { toString: 1 } })).toMatchObject({ code: 'unknown-type' });
    expect(await c.ask({ type: 'hello', session: { conversationId: 42, visitorId: [] } })).toMatchObject({ code: 'bad-frame' });

    const h = await c.ask(hello('hostile', {}, { name: { toString: 1 }, email: ['a'], id: 7, attributes: { plan: { deep: 1 }, ok: 'yes' } }));
    expect(h.type).toBe('hello');
    expect(await c.ask({ type: 'message', id: { x: 1 }, text: 'a' })).toMatchObject({ code: 'bad-frame' });
    expect(await c.ask({ type: 'message', id: 'big', text: 'x'.repeat(5000) })).toMatchObject({ code: 'bad-frame', id: 'big' });
    const weird = {
      id: 'p1', reason: { toString: 1 }, user: { name: { toString: 1 } },
      context: { page: { url: 5 }, trail: [{ type: 'page', title: { a: 1 } }, 'junk', null] },
      transcript: Array.from({ length: 5 }, (_, i) => ({ id: 'b' + i, author: 'bot', text: 'hi' })), flows: [{ id: 'f', answers: { a: { b: 1 } } }],
      triage: { severity: { toString: 1 }, reasons: [1, 'x'] },
    };
    c.send({ type: 'handoff', packet: weird });
    await waitUntil(() => c.frames.some((f) => f.type === 'ack' && f.id === 'p1'));
    desk.send({ type: 'open', conversationId: 'hostile' });
    await waitUntil(() => desk.frames.some((f) => f.type === 'history'));
    const seen = desk.conversations.get('hostile');
    const history = desk.frames.find((f) => f.type === 'history');
    /** Every leaf an agent receives about this conversation is a string, number, boolean or null. */
    const leaves = (v: unknown): unknown[] => (v && typeof v === 'object' ? Object.values(v).flatMap(leaves) : [v]);
    for (const v of [...leaves(seen), ...leaves(history)]) expect(['string', 'number', 'boolean', 'undefined'].includes(typeof v) || v === null).toBe(true);
    expect(seen.user).toEqual({ attributes: { ok: 'yes' } });
    expect(history.packet.reason).toBeUndefined();

    // A flood: frames past the per-conversation rate are refused, not stored.
    const before = c.frames.length;
    for (let i = 0; i < 60; i++) c.send({ type: 'message', id: 'f' + i, text: 'spam' });
    await waitUntil(() => c.frames.length >= before + 60);
    const answers = c.frames.slice(before);
    expect(answers.filter((f) => f.code === 'rate-limited').length).toBeGreaterThan(30);
    expect(answers.filter((f) => f.type === 'ack').length).toBeLessThanOrEqual(25);
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await waitUntil(() => c.frames.at(-1)?.code === 'bad-frame');
    // Still alive and answering.
    expect(await c.ask({ type: 'ping' })).toEqual({ type: 'pong' });
    expect((await fetch(r.http + '/healthz')).status).toBe(200);
  });

  it('caps new conversations per IP with a clear refusal', async () => {
    const r = await relay({ limits: { conversationsPerIpPerMinute: 3 } });
    const c = await rawCustomer(r.ws + '/relay/ws', r.origin);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await c.ask(hello('cap-' + i)));
    expect(answers.map((a) => a.type === 'hello' ? 'hello' : a.code)).toEqual(['hello', 'hello', 'hello', 'rate-limited', 'rate-limited']);
    expect(answers[3].retryAfterSeconds).toBeGreaterThan(0);
    const res = await fetchFrom(r.origin)(r.http + '/relay/http/frames', { method: 'POST', body: JSON.stringify(hello('cap-http')) });
    expect(res.status).toBe(429);
  });
});
