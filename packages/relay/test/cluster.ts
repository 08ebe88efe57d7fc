// Real relay processes over one Postgres server, and closed-loop customers that fail over between
// them: shared by the scale-out test and `npm run bench:relay`.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const CLI = fileURLToPath(new URL('../src/cli.mjs', import.meta.url));
export const SHOP = 'https://shop.test';
/** Every limit off: the load comes from one address. */
export const NO_LIMITS = JSON.stringify({
  connectionsPerIp: 0, conversationsPerIpPerMinute: 0, conversationsPerVisitorPerHour: 0, framesPerConversationPerSecond: 0, requestsPerIpPerSecond: 0, messagesPerConversation: 0,
});

export interface RelayProcess {
  child: ChildProcess;
  port: number;
  origin: string;
  ws: string;
  pid: number;
  /** RSS in MB, read from /proc. */
  rss(): number;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const children = new Set<ChildProcess>();
// Relays started here never outlive the process that started them.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts `madoguchi-relay` on a free port and waits for its "listening" line. */
export function startRelayProcess(env: Record<string, string>): Promise<RelayProcess> {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--host', '127.0.0.1'], {
    env: { ...process.env, ALLOWED_ORIGINS: SHOP, RELAY_LIMITS: NO_LIMITS, RELAY_AGENTS: 'sam:pw', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let buffer = '';
    const exited = (code: number | null) => reject(new Error(`relay exited with ${code} before listening`));
    child.once('exit', exited);
    child.stdout!.on('data', (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        let entry: any;
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        if (entry.msg === 'listening') {
          child.off('exit', exited);
          const port = entry.port;
          resolve({
            child,
            port,
            pid: child.pid!,
            origin: `http://127.0.0.1:${port}`,
            ws: `ws://127.0.0.1:${port}`,
            rss: () => rssOf(child.pid!),
            kill: (signal = 'SIGTERM') =>
              new Promise((done) => {
                if (child.exitCode !== null || child.signalCode !== null) return done();
                child.once('exit', () => done());
                child.kill(signal);
              }),
          });
        }
      }
    });
  });
}

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return 0;
  }
}

/** Signs in on one relay (any relay's token works on every other). */
export async function signIn(relay: RelayProcess, name = 'sam', password = 'pw'): Promise<string> {
  const res = await fetch(relay.origin + '/agent/signin', { method: 'POST', headers: { origin: relay.origin }, body: JSON.stringify({ name, password }) });
  if (!res.ok) throw new Error('sign-in failed: ' + res.status);
  return (await res.json()).token;
}

export interface AgentLine {
  ws: WebSocket;
  /** conversation id → message ids in the order they arrived. */
  received: Map<string, string[]>;
  /** message id → when it arrived (ms, performance.now()). */
  arrivedAt: Map<string, number>;
  conversations: Map<string, any>;
  send(frame: object): void;
}

/** An agent console connected to `relay`, recording every message delta. */
export async function agentOn(relay: RelayProcess, token: string): Promise<AgentLine> {
  const ws = new WebSocket(relay.ws + '/agent/ws', { origin: relay.origin });
  const line: AgentLine = { ws, received: new Map(), arrivedAt: new Map(), conversations: new Map(), send: (f) => ws.send(JSON.stringify(f)) };
  let ready!: () => void;
  const snapshot = new Promise<void>((resolve) => (ready = resolve));
  ws.on('message', (data) => {
    const f = JSON.parse(String(data));
    if (f.type === 'message' && f.message.author === 'user') {
      const list = line.received.get(f.conversationId) ?? [];
      list.push(f.message.id);
      line.received.set(f.conversationId, list);
      line.arrivedAt.set(f.message.id, performance.now());
    } else if (f.type === 'snapshot') {
      for (const c of f.conversations) line.conversations.set(c.id, c);
      ready();
    } else if (f.type === 'conversation') line.conversations.set(f.conversation.id, f.conversation);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  line.send({ type: 'hello', token });
  await snapshot;
  return line;
}

export interface LoadResult {
  acked: number;
  ackMs: number[];
  sentAt: Map<string, number>;
  reconnects: number;
  refusals: Record<string, number>;
  seconds: number;
}

/**
 * `customers` closed-loop customers, each sending `messages` messages one after another (the next
 * once the last is acknowledged), spread over `urls`. A customer whose relay goes away reconnects
 * to the next one with its conversation token and sends the unacknowledged message again.
 */
export function runCustomers(options: { urls: string[]; customers: number; messages: number; prefix: string; timeoutMs?: number; onProgress?: (acked: number) => void }): Promise<LoadResult> {
  const { urls, customers, messages, prefix } = options;
  const result: LoadResult = { acked: 0, ackMs: [], sentAt: new Map(), reconnects: 0, refusals: {}, seconds: 0 };
  const alive = new Set(urls);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let done = 0;
    const timeout = setTimeout(() => reject(new Error(`load did not finish: ${result.acked} of ${customers * messages} acked`)), options.timeoutMs ?? 120_000);
    for (let i = 0; i < customers; i++) {
      const conversationId = `${prefix}-${i}`;
      let token: string | undefined;
      let next = 0;
      let pending: { id: string; at: number } | undefined;
      let urlIndex = i % urls.length;
      let finished = false;
      const sendNext = (ws: WebSocket) => {
        if (next >= messages) {
          if (!finished) {
            finished = true;
            ws.close();
            if (++done === customers) {
              clearTimeout(timeout);
              result.seconds = (performance.now() - started) / 1000;
              resolve(result);
            }
          }
          return;
        }
        const id = `${conversationId}-m${next}`;
        if (!pending || pending.id !== id) pending = { id, at: performance.now() };
        if (!result.sentAt.has(id)) result.sentAt.set(id, pending.at);
        ws.send(JSON.stringify({ type: 'message', id, text: `message ${next} of ${conversationId}`, at: Date.now() }));
      };
      const connect = () => {
        const candidates = urls.filter((u) => alive.has(u));
        const pool = candidates.length ? candidates : urls;
        const url = pool[urlIndex % pool.length];
        const ws = new WebSocket(url + '/relay/ws', { origin: SHOP });
        ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', session: { conversationId, visitorId: 'v-' + conversationId, appId: 'bench', locale: 'en', user: {}, token } })));
        ws.on('message', (data) => {
          const f = JSON.parse(String(data));
          if (f.type === 'hello') {
            token ??= f.token;
            sendNext(ws);
          } else if (f.type === 'ack' && pending && f.id === pending.id) {
            result.ackMs.push(performance.now() - pending.at);
            result.acked++;
            options.onProgress?.(result.acked);
            next++;
            sendNext(ws);
          } else if (f.type === 'error') {
            result.refusals[f.code] = (result.refusals[f.code] ?? 0) + 1;
            setTimeout(() => ws.readyState === 1 && (f.code === 'hello-first' || f.code === 'forbidden' ? ws.close() : sendNext(ws)), 100);
          }
        });
        ws.on('error', () => {});
        ws.on('close', (code) => {
          if (finished) return;
          result.reconnects++;
          if (code === 1006 || code === 1012) urlIndex++;
          setTimeout(connect, 100 + Math.random() * 200);
        });
      };
      connect();
    }
    // A relay that stops answering leaves the rotation.
    const probe = setInterval(() => {
      for (const u of urls)
        fetch(u.replace('ws://', 'http://') + '/healthz').then(
          (r) => (r.ok ? alive.add(u) : alive.delete(u)),
          (e) => e?.cause?.code === 'ECONNREFUSED' && alive.delete(u),
        );
      if (done === customers) clearInterval(probe);
    }, 200);
  });
}

/** Checks what the agent saw against what was sent: lost, duplicated and out-of-order messages. */
export function audit(line: AgentLine, prefix: string, customers: number, messages: number) {
  let lost = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  for (let i = 0; i < customers; i++) {
    const got = line.received.get(`${prefix}-${i}`) ?? [];
    const expected = Array.from({ length: messages }, (_, n) => `${prefix}-${i}-m${n}`);
    const seen = new Set(got);
    lost += expected.filter((id) => !seen.has(id)).length;
    duplicated += got.length - seen.size;
    for (let k = 1; k < got.length; k++) if (Number(got[k].split('-m').pop()) < Number(got[k - 1].split('-m').pop())) outOfOrder++;
  }
  return { lost, duplicated, outOfOrder };
}

/** The p-th percentile of `values` (0–100). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
