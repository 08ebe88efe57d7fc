import { transportError, type TransportError } from './backoff';
import type { ClientFrame, OutgoingMessage, TransportAdapter, TransportSession, TransportSink } from './types';

interface Pending {
  frame: ClientFrame;
  promise: Promise<void>;
  done(error?: Error): void;
}

/** What the WebSocket and HTTP adapters share: the session, frames awaiting their ack, and handling of server frames. */
export function createLink(ackTimeoutMs: number) {
  const seen = new Set<string>();
  const pending = new Map<string, Pending>();
  const link = {
    session: undefined as TransportSession | undefined,
    sink: undefined as TransportSink | undefined,
    /** Id of the last agent message received, so the server replays only what came after. */
    last: undefined as string | undefined,
    pending,
    /** A promise settled by the ack (or error frame) for `id`, or by the timeout. One per id at a time. */
    track(id: string, frame: ClientFrame): Promise<void> {
      const known = pending.get(id);
      if (known) return known.promise;
      let done!: (error?: Error) => void;
      const promise = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => done(transportError('no ack', 'timeout')), ackTimeoutMs);
        done = (error) => {
          clearTimeout(timer);
          pending.delete(id);
          error ? reject(error) : resolve();
        };
      });
      pending.set(id, { frame, promise, done });
      return promise;
    },
    receive(frame: { type: string } & Record<string, any>) {
      const { type, id } = frame;
      if (type === 'hello' && typeof frame.token === 'string' && link.session) {
        link.session = { ...link.session, token: frame.token };
        link.sink?.session?.({ token: frame.token });
      } else if (type === 'ack') pending.get(id)?.done();
      else if (type === 'status') link.sink?.status(frame.status);
      else if (type === 'message' && typeof id === 'string' && !seen.has(id)) {
        seen.add(id);
        link.last = id;
        const articles = Array.isArray(frame.articles) ? frame.articles.filter((a: any) => typeof a?.id === 'string' && typeof a?.title === 'string').slice(0, 3) : [];
        link.sink?.message({ id, text: String(frame.text), authorName: frame.authorName, at: frame.at, ...(articles.length ? { articles } : {}) });
      } else if (type === 'error') {
        const error: TransportError = transportError(String(frame.message || frame.code), frame.code, false);
        const waiting = id !== undefined && pending.get(id);
        waiting ? waiting.done(error) : link.sink?.error(error);
      }
    },
    fail(error: Error) {
      for (const p of [...pending.values()]) p.done(error);
    },
  };
  return link;
}

/**
 * The adapter both the WebSocket and HTTP transports are: `deliver` puts a frame on the line (or
 * rejects), `start` (re)opens the line, `stop` closes it; sends wait for their ack.
 */
export function linkAdapter(
  link: ReturnType<typeof createLink>,
  deliver: (frame: ClientFrame) => Promise<void>,
  start: () => void,
  stop: () => void,
): TransportAdapter {
  let unlisten = () => {};
  const track = (id: string, frame: ClientFrame) => {
    const promise = link.track(id, frame);
    deliver(frame).catch((error) => link.pending.get(id)?.done(error));
    return promise;
  };
  return {
    connect(session: TransportSession, sink: TransportSink) {
      link.session = session;
      link.sink = sink;
      start();
      const g = globalThis as { addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener };
      g.addEventListener?.('online', start);
      unlisten = () => g.removeEventListener?.('online', start);
    },
    send: (m: OutgoingMessage) => track(m.id, { type: 'message', id: m.id, text: m.text, at: m.at }),
    handoff: (packet: unknown) => track(packetId(packet, link.session?.conversationId || ''), { type: 'handoff', packet: packet as never }),
    typing(on: boolean) {
      deliver({ type: 'typing', on }).catch(() => {});
    },
    context(snapshot) {
      deliver({ type: 'context', context: snapshot }).catch(() => {});
    },
    survey(answer) {
      deliver({ type: 'survey', ...answer }).catch(() => {});
    },
    close() {
      unlisten();
      stop();
      link.fail(transportError('transport closed', 'closed'));
    },
  };
}

/** Listens to the page's `online` event where there is one; returns the unsubscribe. */
export function onOnline(fn: () => void): () => void {
  const g = globalThis as { addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener };
  g.addEventListener?.('online', fn);
  return () => g.removeEventListener?.('online', fn);
}

export const packetId = (packet: unknown, fallback: string): string => {
  const id = (packet as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id ? id : fallback;
};
