// `npm run bench:relay`: closed-loop load on real relay processes, then hostile input.
//   1. 1,000 customers × 20 messages over two relay processes sharing one Postgres server;
//   2. the same with one process killed (kill -9) a third of the way through;
//   3. the same load on one process with embedded PGlite (no server);
//   4. the hostile-input corpus against one process with its default limits.
// Needs a Postgres server at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { agentOn, audit, percentile, runCustomers, signIn, startRelayProcess, SHOP, type RelayProcess } from '../packages/relay/test/cluster';
import { DATABASE_URL, dropSchemas, freshSchema, postgresReachable } from '../packages/relay/test/support';

const CUSTOMERS = Number(process.env.CUSTOMERS || 1000);
const MESSAGES = Number(process.env.MESSAGES || 20);

interface Row {
  run: string;
  rate: number;
  ack: [number, number];
  toAgent: [number, number];
  rss: string;
  check: string;
}

async function loadRun(name: string, relays: RelayProcess[], kill?: RelayProcess): Promise<Row> {
  const survivor = relays.find((r) => r !== kill)!;
  const desk = await agentOn(survivor, await signIn(survivor));
  const before = relays.map((r) => r.rss());
  const peak = relays.map(() => 0);
  const sampler = setInterval(() => relays.forEach((r, i) => (peak[i] = Math.max(peak[i], r.rss()))), 250);
  let killed = false;
  const prefix = name.replace(/\W+/g, '').slice(0, 12) + Date.now().toString(36);
  const result = await runCustomers({
    urls: relays.map((r) => r.ws),
    customers: CUSTOMERS,
    messages: MESSAGES,
    prefix,
    timeoutMs: 600_000,
    onProgress: (acked) => {
      if (kill && !killed && acked >= (CUSTOMERS * MESSAGES) / 3) {
        killed = true;
        kill.child.kill('SIGKILL');
      }
    },
  });
  clearInterval(sampler);
  const total = CUSTOMERS * MESSAGES;
  const until = Date.now() + 15_000;
  while ([...desk.received.values()].reduce((n, l) => n + l.length, 0) < total && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  const { lost, duplicated, outOfOrder } = audit(desk, prefix, CUSTOMERS, MESSAGES);
  const toAgent = [...desk.arrivedAt].map(([id, at]) => at - (result.sentAt.get(id) ?? at));
  desk.ws.close();
  return {
    run: name,
    rate: Math.round(result.acked / result.seconds),
    ack: [percentile(result.ackMs, 50), percentile(result.ackMs, 99)],
    toAgent: [percentile(toAgent, 50), percentile(toAgent, 99)],
    rss: relays.map((r, i) => `${before[i]}→${r === kill ? `${peak[i]} (killed)` : Math.max(peak[i], r.rss())}`).join(', '),
    check: `${lost}/${duplicated}/${outOfOrder}`,
  };
}

/** Sends one raw frame and waits for the answer to it, an ack, hello or error (or a close); status frames are skipped. */
function ask(ws: WebSocket, frame: string | Buffer): Promise<any> {
  return new Promise((resolve) => {
    const done = (value: unknown) => {
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(value);
    };
    const onMessage = (d: unknown) => {
      const f = JSON.parse(String(d));
      if (f.type !== 'status') done(f);
    };
    const onClose = (code: number) => done({ closed: code });
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.send(frame);
  });
}

async function hostile(relay: RelayProcess) {
  const open = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(relay.ws + '/relay/ws', { origin: SHOP });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  const lines: Array<[string, string]> = [];
  const note = (what: string, answer: any) => lines.push([what, answer?.closed ? `closed ${answer.closed}` : answer?.code ?? answer?.type ?? String(answer)]);
  let ws = await open();
  const nested = (n: number) => '{"type":"hello","session":' + '['.repeat(n) + ']'.repeat(n) + '}';
  note('12 KB of nested arrays', await ask(ws, nested(6000)));
  note('1 MB of nested arrays', await ask(ws, nested(120_000)));
  ws = ws.readyState === 1 ? ws : await open();
  note('200 KB frame', await ask(ws, 'x'.repeat(200_000)));
  ws = ws.readyState === 1 ? ws : await open();
  note('10 MB frame', await ask(ws, 'x'.repeat(10_000_000)));
  ws = ws.readyState === 1 ? ws : await open();
  note('type {"toString":1}', await ask(ws, JSON.stringify({ type: { toString: 1 } })));
  note('hello with numbers for ids', await ask(ws, JSON.stringify({ type: 'hello', session: { conversationId: 1, visitorId: 2 } })));
  const hello = await ask(ws, JSON.stringify({ type: 'hello', session: { conversationId: 'hostile-' + Date.now(), visitorId: 'v', user: { name: { toString: 1 }, email: [1] } } }));
  note('user.name {"toString":1}', hello);
  note('message text of 60,000 characters', await ask(ws, JSON.stringify({ type: 'message', id: 'm', text: 'x'.repeat(60_000) })));
  note('packet with wrong types', await ask(ws, JSON.stringify({ type: 'handoff', packet: { id: 'p', reason: {}, context: { trail: 'x' }, flows: [{ id: {} }] } })));
  note('binary frame', await ask(ws, Buffer.from([0, 1, 2])));
  // A flood of frames on one conversation.
  let refused = 0;
  const replies = new Promise<void>((resolve) => {
    let n = 0;
    ws.on('message', (d) => {
      if (JSON.parse(String(d)).code === 'rate-limited') refused++;
      if (++n === 2000) resolve();
    });
  });
  for (let i = 0; i < 2000; i++) ws.send(JSON.stringify({ type: 'message', id: 'flood-' + i, text: 'spam' }));
  await replies;
  lines.push(['2,000 messages at once on one conversation', `${refused} rate-limited`]);
  ws.close();
  // A flood of connections and of new conversations from one address.
  const sockets = await Promise.allSettled(Array.from({ length: 300 }, () => open()));
  const accepted = sockets.filter((s) => s.status === 'fulfilled') as PromiseFulfilledResult<WebSocket>[];
  lines.push(['300 sockets from one IP', `${accepted.length} accepted, ${300 - accepted.length} refused (429)`]);
  let conversationsRefused = 0;
  await Promise.all(
    accepted.map(async (s, i) => {
      const a = await ask(s.value, JSON.stringify({ type: 'hello', session: { conversationId: `flood-c-${Date.now()}-${i}`, visitorId: 'v' + i } }));
      if (a.code === 'rate-limited') conversationsRefused++;
    }),
  );
  lines.push([`${accepted.length} new conversations from one IP`, `${conversationsRefused} rate-limited`]);
  for (const s of accepted) s.value.close();
  // The relay answers 413 and closes the connection while the body is still coming, which the
  // sender may see as a broken pipe instead.
  const big = await fetch(relay.origin + '/relay/http/frames', { method: 'POST', headers: { origin: SHOP }, body: 'x'.repeat(5_000_000) }).catch((e) => ({ status: String(e.cause?.code ?? e.message) }));
  lines.push(['5 MB HTTP body', big.status === 413 ? '413' : `connection closed (${big.status})`]);
  const noOrigin = await fetch(relay.origin + '/relay/http/frames', { method: 'POST', body: '{}' });
  lines.push(['HTTP frame without Origin', String(noOrigin.status)]);
  const health = await fetch(relay.origin + '/healthz').then((r) => r.status, () => 'down');
  return { lines, alive: health === 200 && relay.child.exitCode === null, rss: relay.rss() };
}

/** 1,200 customers wait in line over two processes; how long a handoff takes, and how long until everyone hears their new place once the first is accepted. */
async function queue(relays: RelayProcess[], waiting = 1200) {
  const desk = await agentOn(relays[1], await signIn(relays[1]));
  const places = new Map<number, number>();
  const handoffMs: number[] = [];
  const sockets: WebSocket[] = [];
  let moved = 0;
  let movedAll!: () => void;
  const allMoved = new Promise<void>((resolve) => (movedAll = resolve));
  for (let i = 0; i < waiting; i++) {
    const ws = new WebSocket(relays[i % relays.length].ws + '/relay/ws', { origin: SHOP });
    sockets.push(ws);
    await new Promise((resolve) => ws.once('open', resolve));
    const acked = new Promise<void>((resolve) =>
      ws.on('message', (d) => {
        const f = JSON.parse(String(d));
        if (f.type === 'ack' && f.id === 'q-p' + i) resolve();
        if (f.type === 'status' && f.status.type === 'queue') {
          const before = places.get(i);
          places.set(i, f.status.position);
          if (before !== undefined && f.status.position === before - 1 && ++moved === waiting - 1) movedAll();
        }
      }),
    );
    ws.send(JSON.stringify({ type: 'hello', session: { conversationId: 'q-' + i, visitorId: 'qv-' + i } }));
    const t = performance.now();
    ws.send(JSON.stringify({ type: 'handoff', packet: { id: 'q-p' + i, reason: 'waiting' } }));
    await acked;
    handoffMs.push(performance.now() - t);
  }
  const until = Date.now() + 30_000;
  while ([...places.values()].length < waiting && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  const t = performance.now();
  desk.send({ type: 'accept', conversationId: 'q-0' });
  await Promise.race([allMoved, new Promise((r) => setTimeout(r, 30_000))]);
  const spread = performance.now() - t;
  for (const ws of sockets) ws.close();
  desk.ws.close();
  const last = handoffMs.slice(-100);
  return { waiting, last: [percentile(last, 50), percentile(last, 99)], moved, spread };
}

async function main() {
  if (!(await postgresReachable())) {
    console.error(`No Postgres server answers at ${DATABASE_URL}: set DATABASE_URL to run the relay benchmark.`);
    process.exit(1);
  }
  const rows: Row[] = [];
  const schemas: string[] = [];
  const cluster = async (n: number) => {
    const schema = freshSchema();
    schemas.push(schema);
    const env = { DATABASE_URL, RELAY_SCHEMA: schema };
    const first = await startRelayProcess(env); // runs the migrations
    return [first, ...(await Promise.all(Array.from({ length: n - 1 }, () => startRelayProcess(env))))];
  };
  console.log(`relay benchmark: ${CUSTOMERS} customers × ${MESSAGES} messages, closed loop`);

  const two = await cluster(2);
  rows.push(await loadRun('2 processes, Postgres', two));
  await Promise.all(two.map((r) => r.kill()));

  const again = await cluster(2);
  rows.push(await loadRun('2 processes, one killed (kill -9) at 1/3', again, again[0]));
  await Promise.all(again.map((r) => r.kill()));

  const dir = mkdtempSync(join(tmpdir(), 'madoguchi-bench-'));
  const embedded = await startRelayProcess({ RELAY_DATA_DIR: dir, DATABASE_URL: '' });
  rows.push(await loadRun('1 process, embedded PGlite', [embedded]));
  await embedded.kill();
  rmSync(dir, { recursive: true, force: true });

  console.log('\n| run | messages/s | ack p50 / p99 | customer→agent p50 / p99 | RSS MB (start→peak) | lost/dup/out-of-order |');
  console.log('| --- | ---: | ---: | ---: | --- | :---: |');
  for (const r of rows) {
    console.log(`| ${r.run} | ${r.rate} | ${r.ack.map((v) => v.toFixed(0)).join(' / ')} ms | ${r.toAgent.map((v) => v.toFixed(0)).join(' / ')} ms | ${r.rss} | ${r.check} |`);
  }

  const schema = freshSchema();
  schemas.push(schema);
  const guarded = await startRelayProcess({ DATABASE_URL, RELAY_SCHEMA: schema, RELAY_LIMITS: '{}' });
  const h = await hostile(guarded);
  console.log('\n| hostile input (default limits) | answer |');
  console.log('| --- | --- |');
  for (const [what, answer] of h.lines) console.log(`| ${what} | ${answer} |`);
  console.log(`\nprocess alive at the end: ${h.alive ? 'yes' : 'NO'} (RSS ${h.rss} MB)`);
  await guarded.kill();

  const line = await cluster(2);
  const q = await queue(line);
  console.log(
    `\nqueue: with ${q.waiting - 100}–${q.waiting} waiting, a handoff is acknowledged in ${q.last[0].toFixed(0)} ms (p50) / ${q.last[1].toFixed(0)} ms (p99); ` +
      `once the first is accepted, ${q.moved} of ${q.waiting - 1} customers hear their new place within ${q.spread.toFixed(0)} ms`,
  );
  await Promise.all(line.map((r) => r.kill()));
  await dropSchemas(schemas);
  process.exit(h.alive && rows.every((r) => r.check === '0/0/0') ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
