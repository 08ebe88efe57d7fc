import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOn, audit, runCustomers, signIn, startRelayProcess, SHOP, type RelayProcess } from './cluster';
import { DATABASE_URL, dropSchemas, freshSchema, postgresReachable, waitUntil } from './support';
import WebSocket from 'ws';

const reachable = await postgresReachable();
if (!reachable && process.env.RELAY_REQUIRE_POSTGRES) throw new Error(`the scale-out tests need a Postgres server: none answers at ${DATABASE_URL}`);
if (!reachable) console.warn(`skipping the scale-out tests: no Postgres server answers at ${DATABASE_URL} (set DATABASE_URL)`);

describe.skipIf(!reachable)('several relay processes over one Postgres server', () => {
  const schema = freshSchema();
  const relays: RelayProcess[] = [];
  beforeAll(async () => {
    const env = { DATABASE_URL, RELAY_SCHEMA: schema };
    relays.push(await startRelayProcess(env));
    relays.push(...(await Promise.all([startRelayProcess(env), startRelayProcess(env)])));
  }, 30_000);
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.kill('SIGTERM')));
    await dropSchemas([schema]);
  });

  it('a customer on one process and an agent on another talk in real time, through the queue', async () => {
    const [a, b] = relays;
    const token = await signIn(a); // signed in on A, the token works on B
    const desk = await agentOn(b, token);
    const customer = new WebSocket(a.ws + '/relay/ws', { origin: SHOP });
    const frames: any[] = [];
    customer.on('message', (d) => frames.push(JSON.parse(String(d))));
    await new Promise((resolve) => customer.on('open', resolve));
    customer.send(JSON.stringify({ type: 'hello', session: { conversationId: 'x-1', visitorId: 'v-x1', user: { name: 'Aiko' } } }));
    customer.send(JSON.stringify({ type: 'message', id: 'x-1-a', text: 'Is anyone there?' }));
    customer.send(JSON.stringify({ type: 'handoff', packet: { id: 'x-1-p', reason: 'billing' } }));
    await waitUntil(() => desk.conversations.get('x-1')?.phase === 'waiting');
    expect(desk.received.get('x-1')).toEqual(['x-1-a']);
    await waitUntil(() => frames.some((f) => f.type === 'status' && f.status.type === 'queue' && f.status.position === 1));

    desk.send({ type: 'accept', conversationId: 'x-1' });
    desk.send({ type: 'message', conversationId: 'x-1', id: 'x-1-r', text: 'Yes, Sam here.' });
    await waitUntil(() => frames.some((f) => f.type === 'message' && f.text === 'Yes, Sam here.'));
    expect(frames.find((f) => f.type === 'status' && f.status.type === 'agent-joined')?.status.name).toBe('sam');
    customer.close();
    desk.ws.close();
  });

  it('loses, duplicates and reorders nothing when one process is killed (kill -9) mid-run', async () => {
    const [, b, c] = relays;
    const victim = relays[0];
    const desk = await agentOn(b, await signIn(b));
    const customers = 40;
    const messages = 25;
    let killed = false;
    const load = runCustomers({
      urls: [victim.ws, c.ws],
      customers,
      messages,
      prefix: 'k9',
      onProgress: (acked) => {
        if (!killed && acked >= (customers * messages) / 3) {
          killed = true;
          victim.child.kill('SIGKILL');
        }
      },
    });
    const result = await load;
    expect(killed).toBe(true);
    expect(result.acked).toBe(customers * messages);
    expect(result.reconnects).toBeGreaterThan(0);
    await waitUntil(() => [...desk.received.values()].reduce((n, l) => n + l.length, 0) >= customers * messages, 10_000);
    expect(audit(desk, 'k9', customers, messages)).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 });
    desk.ws.close();
  }, 60_000);
});
