import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import pg from 'pg';
// @ts-expect-error plain JavaScript module without types
import { createRelay } from '../src/relay.mjs';

/** The Postgres server tests use: DATABASE_URL, or the local one when it answers. */
export const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<boolean> | undefined;
/** Whether a Postgres server answers at DATABASE_URL. */
export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 1500 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

/** A schema name no other test run uses. */
export const freshSchema = () => 'relay_test_' + randomBytes(6).toString('hex');

/** Drops the schemas a test made. */
export async function dropSchemas(schemas: string[]) {
  if (!schemas.length || !(await postgresReachable())) return;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  for (const s of schemas) await client.query(`drop schema if exists ${s} cascade`);
  await client.end();
}

/**
 * Where a test relay keeps its data: a fresh schema on the Postgres server when one answers (fast
 * to start), else PGlite in memory.
 */
export async function store(): Promise<{ databaseUrl?: string; schema?: string; dataDir?: string }> {
  if (await postgresReachable()) {
    const schema = freshSchema();
    schemas.push(schema);
    return { databaseUrl: DATABASE_URL, schema };
  }
  return { dataDir: 'memory://' };
}
const schemas: string[] = [];
export const cleanupSchemas = () => dropSchemas(schemas.splice(0));

export type Relay = any;
export interface Running {
  relay: Relay;
  server: Server;
  port: number;
  http: string;
  ws: string;
  origin: string;
  stop(): Promise<void>;
}

/** The relay on a real HTTP server on a free port; its own origin is allowed for customers and the console. */
export async function startRelay(options: Record<string, unknown> = {}, port = 0): Promise<Running> {
  const relay = await createRelay({ officeHours: null, ...(options.databaseUrl || options.dataDir ? {} : await store()), ...options });
  const server = createServer((req, res) => {
    if (!relay.handleRequest(req, res)) res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket, head) => {
    if (!relay.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const p = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${p}`;
  relay.allowOrigins({ console: [origin] });
  let stopped = false;
  return {
    relay,
    server,
    port: p,
    origin,
    http: origin,
    ws: `ws://127.0.0.1:${p}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await relay.close(500);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A `ws` WebSocket constructor that says which page it comes from, as a browser does. */
export function wsFrom(origin: string) {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { origin });
    }
  };
}

/** fetch with the Origin header a browser would send. */
export const fetchFrom =
  (origin: string): typeof fetch =>
  (input, init = {}) =>
    fetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), origin } });

/** Signs in to the console API and opens the agent WebSocket; collects what it receives. */
export async function agent(r: Pick<Running, 'relay' | 'ws' | 'origin' | 'http'>, name = 'Sam') {
  await r.relay.saveAgent(name, 'pw-' + name);
  const res = await fetchFrom(r.origin)(r.http + '/agent/signin', { method: 'POST', body: JSON.stringify({ name, password: 'pw-' + name }) });
  const { token } = await res.json();
  const ws = new WebSocket(r.ws + '/agent/ws', { origin: r.origin });
  const frames: any[] = [];
  const conversations = new Map<string, any>();
  const messages = new Map<string, any[]>();
  ws.on('message', (data) => {
    const f = JSON.parse(String(data));
    frames.push(f);
    if (f.type === 'snapshot') for (const c of f.conversations) conversations.set(c.id, c);
    if (f.type === 'conversation') conversations.set(f.conversation.id, f.conversation);
    if (f.type === 'message') messages.set(f.conversationId, [...(messages.get(f.conversationId) ?? []), f.message]);
  });
  await new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', reject);
  });
  ws.send(JSON.stringify({ type: 'hello', token }));
  await waitUntil(() => frames.some((f) => f.type === 'snapshot'));
  return { ws, frames, conversations, messages, token, send: (f: object) => ws.send(JSON.stringify(f)), close: () => ws.close() };
}

/** Polls until `check` holds (or throws after `timeout` ms). */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeout = 5000) {
  const until = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting for ' + check.toString().slice(0, 120));
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw customer socket: send frames, read frames. */
export async function rawCustomer(url: string, origin: string) {
  const ws = new WebSocket(url, { origin });
  const frames: any[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  await new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', reject);
  });
  return {
    ws,
    frames,
    send: (f: unknown) => ws.send(typeof f === 'string' ? f : JSON.stringify(f)),
    /** Sends and waits for the next frame answering it. */
    async ask(f: unknown) {
      const before = frames.length;
      ws.send(typeof f === 'string' ? f : JSON.stringify(f));
      await waitUntil(() => frames.length > before);
      return frames[before];
    },
  };
}
