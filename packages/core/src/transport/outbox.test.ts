import { afterEach, describe, expect, it, vi } from 'vitest';
import { transportError } from './backoff';
import { createOutbox, type OutboxPersist } from './outbox';
import type { OutgoingMessage } from './types';

const msg = (id: string): OutgoingMessage => ({ id, conversationId: 'c1', text: 'text ' + id, at: Date.now() });

/** A "server" that dedupes by id, and a line that can be cut. */
function fakeServer() {
  const received: string[] = [];
  const state = { online: true, calls: 0 };
  const send = async (m: OutgoingMessage) => {
    state.calls++;
    if (!state.online) throw transportError('offline', 'offline');
    if (!received.includes(m.id)) received.push(m.id);
  };
  return { received, state, send };
}

function memoryPersist(initial: OutgoingMessage[] = []): OutboxPersist & { data: OutgoingMessage[] } {
  const p = {
    data: initial,
    load: async () => p.data.slice(),
    save: async (items: OutgoingMessage[]) => void (p.data = items.slice()),
  };
  return p;
}

afterEach(() => vi.useRealTimers());

describe('createOutbox', () => {
  it('delivers in the order pushed, one at a time', async () => {
    const server = fakeServer();
    let inFlight = 0;
    let maxInFlight = 0;
    const outbox = createOutbox({
      send: async (m) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, Math.random() * 5));
        inFlight--;
        return server.send(m);
      },
    });
    await outbox.ready;
    for (const id of ['a', 'b', 'c', 'd']) outbox.push(msg(id));
    await vi.waitFor(() => expect(server.received).toEqual(['a', 'b', 'c', 'd']));
    expect(maxInFlight).toBe(1);
    expect(outbox.items()).toEqual([]);
  });

  it('retries with backoff while offline, then delivers everything once, in order', async () => {
    vi.useFakeTimers();
    const server = fakeServer();
    server.state.online = false;
    const changes: number[] = [];
    const outbox = createOutbox({ send: server.send, onChange: (items) => changes.push(items.length), retryBaseMs: 100, retryMaxMs: 1000 });
    await outbox.ready;
    outbox.push(msg('a'));
    outbox.push(msg('b'));
    await vi.advanceTimersByTimeAsync(5000);
    const callsOffline = server.state.calls;
    expect(callsOffline).toBeGreaterThan(3);
    expect(callsOffline).toBeLessThan(20); // backoff, not a busy loop
    expect(outbox.items().map((m) => m.id)).toEqual(['a', 'b']);
    server.state.online = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.received).toEqual(['a', 'b']);
    expect(changes.at(-1)).toBe(0);
  });

  it('ignores a second push of the same id, queued or already sent', async () => {
    const server = fakeServer();
    const sent: string[] = [];
    const outbox = createOutbox({ send: server.send, onSent: (m) => sent.push(m.id) });
    await outbox.ready;
    outbox.push(msg('a'));
    outbox.push(msg('a'));
    await vi.waitFor(() => expect(sent).toEqual(['a']));
    outbox.push(msg('a'));
    await new Promise((r) => setTimeout(r, 10));
    expect(server.state.calls).toBe(1);
  });

  it('survives a reload: a new outbox over the same storage sends what the old one could not', async () => {
    const persist = memoryPersist();
    const down = fakeServer();
    down.state.online = false;
    const first = createOutbox({ send: down.send, persist, retryBaseMs: 10_000 });
    await first.ready;
    first.push(msg('a'));
    first.push(msg('b'));
    await vi.waitFor(() => expect(persist.data.map((m) => m.id)).toEqual(['a', 'b']));
    first.close();

    const up = fakeServer();
    const second = createOutbox({ send: up.send, persist });
    second.push(msg('c')); // typed before the stored queue finished loading: goes after it
    await second.ready;
    await vi.waitFor(() => expect(up.received).toEqual(['a', 'b', 'c']));
    await vi.waitFor(() => expect(persist.data).toEqual([]));
  });

  it('drops a message the server refuses for good and goes on with the next', async () => {
    const failed: string[] = [];
    const received: string[] = [];
    const outbox = createOutbox({
      send: async (m) => {
        if (m.id === 'big') throw transportError('too large', 'too-large', false);
        received.push(m.id);
      },
      onFailed: (m, e) => failed.push(m.id + ':' + e.code),
    });
    await outbox.ready;
    outbox.push(msg('big'));
    outbox.push(msg('ok'));
    await vi.waitFor(() => expect(received).toEqual(['ok']));
    expect(failed).toEqual(['big:too-large']);
  });

  it('retries at once on flush (the online event) instead of waiting', async () => {
    const server = fakeServer();
    server.state.online = false;
    const outbox = createOutbox({ send: server.send, retryBaseMs: 60_000 });
    await outbox.ready;
    outbox.push(msg('a'));
    await vi.waitFor(() => expect(server.state.calls).toBe(1));
    server.state.online = true;
    outbox.flush();
    await vi.waitFor(() => expect(server.received).toEqual(['a']));
    outbox.close();
  });
});
