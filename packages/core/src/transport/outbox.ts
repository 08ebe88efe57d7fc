import { backoffDelay, type TransportError } from './backoff';
import { onOnline } from './link';
import type { OutgoingMessage } from './types';

export interface OutboxPersist {
  load(): Promise<OutgoingMessage[]>;
  save(items: OutgoingMessage[]): Promise<void>;
}

export interface OutboxOptions {
  /** Delivers one message; resolves once the server acknowledged it (e.g. `adapter.send`). */
  send(message: OutgoingMessage): Promise<void>;
  /** Where the queue survives a reload (IndexedDB in the messenger). Default: memory only. */
  persist?: OutboxPersist;
  /** The messages still waiting, after every change: they show "will send when back online". */
  onChange?(items: OutgoingMessage[]): void;
  /** A message was acknowledged. */
  onSent?(message: OutgoingMessage): void;
  /** A message was refused for good (`error.retry === false`, e.g. too large) and dropped. */
  onFailed?(message: OutgoingMessage, error: TransportError): void;
  /** Loading or saving the queue failed. */
  onError?(error: unknown): void;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface Outbox {
  /** Settles when the persisted queue has been loaded (sending starts then). */
  readonly ready: Promise<void>;
  /** Queues a message; a message whose id is already queued or sent is ignored. */
  push(message: OutgoingMessage): void;
  items(): OutgoingMessage[];
  /** Tries again now instead of waiting for the backoff (called on the `online` event). */
  flush(): void;
  close(): void;
}

/**
 * The outbox: messages leave one at a time in the order typed, each retried with backoff until its
 * ack arrives, so nothing is lost and, with a server that dedupes by id, nothing is doubled.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  let queue: OutgoingMessage[] = [];
  const sent = new Set<string>();
  let loaded = false;
  let busy = false;
  let closed = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let saving = Promise.resolve();

  const changed = () => {
    const items = queue.slice();
    if (options.persist) saving = saving.then(() => options.persist!.save(items)).catch((error) => options.onError?.(error));
    options.onChange?.(items);
  };
  const settle = (message: OutgoingMessage) => {
    sent.add(message.id);
    queue = queue.filter((m) => m.id !== message.id);
    changed();
  };
  const pump = () => {
    clearTimeout(timer);
    const head = queue[0];
    if (!loaded || busy || closed || !head) return;
    busy = true;
    options.send(head).then(
      () => {
        busy = false;
        attempt = 0;
        settle(head);
        options.onSent?.(head);
        pump();
      },
      (error: TransportError) => {
        busy = false;
        if (error?.retry === false) {
          settle(head);
          options.onFailed?.(head, error);
          pump();
        } else if (!closed) timer = setTimeout(pump, backoffDelay(attempt++, options.retryBaseMs, options.retryMaxMs));
      },
    );
  };
  const unlisten = onOnline(() => outbox.flush());
  const outbox: Outbox = {
    ready: (options.persist ? options.persist.load() : Promise.resolve([]))
      .catch((error) => (options.onError?.(error), []))
      .then((stored) => {
        const ids = new Set(stored.map((m) => m.id));
        queue = [...stored, ...queue.filter((m) => !ids.has(m.id))];
        loaded = true;
        if (stored.length) changed();
        pump();
      }),
    push(message) {
      if (closed || sent.has(message.id) || queue.some((m) => m.id === message.id)) return;
      queue.push(message);
      changed();
      pump();
    },
    items: () => queue.slice(),
    flush() {
      attempt = 0;
      pump();
    },
    close() {
      closed = true;
      clearTimeout(timer);
      unlisten();
    },
  };
  return outbox;
}
