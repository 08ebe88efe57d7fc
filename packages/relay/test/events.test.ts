import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { createEventsEndpoint } from '../src/events.mjs';

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

async function start(options = {}) {
  const sink = createEventsEndpoint(options);
  server = createServer((req, res) => {
    if (!sink.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, sink };
}

const ev = (type: string, at = 1) => ({ type, at, conversationId: 'c1' });

describe('the events endpoint', () => {
  it('keeps ndjson and JSON-array batches, and gives them back as ndjson in order', async () => {
    const { url } = await start();
    const ndjson = [ev('widget.opened'), ev('proactive.shown')].map((e) => JSON.stringify(e)).join('\n') + '\n';
    const first = await fetch(url + '/relay/events', { method: 'POST', body: ndjson });
    expect(await first.json()).toEqual({ accepted: 2, rejected: 0 });
    await fetch(url + '/relay/events', { method: 'POST', body: JSON.stringify([ev('survey.answered', 2)]) });
    const log = await fetch(url + '/relay/events');
    expect(log.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await log.text()).trim().split('\n').map((l) => JSON.parse(l).type);
    expect(lines).toEqual(['widget.opened', 'proactive.shown', 'survey.answered']);
  });

  it('drops lines that are not events, refuses bodies that are not JSON and bodies over the cap', async () => {
    const { url, sink } = await start({ maxBody: 1000 });
    const mixed = await fetch(url + '/relay/events', { method: 'POST', body: `${JSON.stringify(ev('a'))}\nnot json\n{"no":"type"}\n` });
    expect(await mixed.json()).toEqual({ accepted: 1, rejected: 2 });
    expect((await fetch(url + '/relay/events', { method: 'POST', body: '[oops' })).status).toBe(400);
    const big = JSON.stringify(Array.from({ length: 100 }, () => ev('widget.opened')));
    expect((await fetch(url + '/relay/events', { method: 'POST', body: big })).status).toBe(413);
    expect(sink.events).toHaveLength(1);
    expect((await fetch(url + '/elsewhere')).status).toBe(404);
  });

  it('keeps only the newest events past its limit', async () => {
    const { url, sink } = await start({ maxKept: 2 });
    await fetch(url + '/relay/events', { method: 'POST', body: JSON.stringify([ev('a'), ev('b'), ev('c')]) });
    expect(sink.events.map((e: { type: string }) => e.type)).toEqual(['b', 'c']);
  });
});
