import type { TransportConfig } from '../config';
import type { ConversationStatus } from '../conversation';
import type { MessengerStorage } from '../storage';
import type { OutgoingMessage, TransportSession, TransportAdapter } from '../transport/types';
import type { Message } from '../types';
import type { EngineLoaders } from './engines';
import type { EventDraft, MadoguchiError } from './kernel';

/** Longest message a user may send, in characters; longer input is cut, never refused silently. */
export const MAX_MESSAGE_LENGTH = 4000;

/** What delivery needs of the messenger around it. */
export interface DeliveryHost {
  storage: MessengerStorage;
  conversationId(): string;
  messages(): Message[];
  status(): ConversationStatus;
  receive(message: Message): void;
  /** Replaces a message already in the thread (its delivery state changed). */
  update(message: Message): void;
  setStatus(patch: Partial<ConversationStatus>): void;
  track(event: EventDraft): void;
  report(error: MadoguchiError): void;
  /**
   * The relay refused this conversation's token and no tab holds another (the token was lost, or
   * the relay no longer knows it): a new conversation starts, carrying what was not sent.
   */
  lost(): void;
}

/** Sets a message's delivery state in the thread (and storage), when it changes. */
export function markMessage(host: DeliveryHost, id: string, status: Message['status']) {
  const message = host.messages().find((m) => m.id === id);
  if (message && message.status !== status) host.update({ ...message, status });
}

/** The line once it is up: the transport, the outbox and the statuses (`transports/line.ts`, loaded with the transports). */
export interface Line {
  readonly transport: TransportAdapter;
  /** Hands a user message to the outbox. */
  push(message: OutgoingMessage): void;
  /** The browser says the line is up or down: shown at once, whatever the transport knows yet. */
  lineChanged(on: boolean): void;
  /** The line is up now. */
  online(): boolean;
  /** Connects again at once (after repeated failures). */
  retry(): void;
  /** Reconnects for another conversation (a new one after a close). */
  follow(conversationId: string): void;
  close(): void;
}

/**
 * The way out and back in: the line's methods from the start (messages pushed before the line is
 * up wait in order; nothing typed is lost), while the line and its code come when first wanted.
 */
export interface Delivery extends Omit<Line, 'transport'> {
  readonly transport: TransportAdapter | undefined;
  /** Takes this boot's transport and session; nothing connects until the line is wanted (`connect`). */
  start(transport: TransportConfig | undefined, session: TransportSession, signal: AbortSignal): void;
  /**
   * Wants the line: loads the transports, creates the transport, restores the outbox and
   * connects, once per boot. Resolves with the transport once it exists (undefined when it could
   * not start or the boot ended); asked before `start`, it waits for it. `push` wants it too.
   */
  connect(): Promise<TransportAdapter | undefined>;
}

export function createDelivery(host: DeliveryHost, engines: Pick<EngineLoaders, 'transports'>): Delivery {
  let line: Line | undefined;
  /** Messages sent before the line is up. */
  let early: OutgoingMessage[] = [];
  let session: TransportSession | undefined;
  /** This boot's transport config and signal, once `start` has them. */
  let plan: { config: TransportConfig | undefined; signal: AbortSignal } | undefined;
  /** The line is wanted; settles with the transport once it exists. */
  let wanted: { promise: Promise<TransportAdapter | undefined>; settle: (t: TransportAdapter | undefined) => void } | undefined;
  let opening = false;

  /** Loads the transports and opens the line (what `connect` asks for, once per boot). */
  const open = async (settle: (t: TransportAdapter | undefined) => void) => {
    if (opening || !plan || !session) return;
    opening = true;
    const { config, signal } = plan;
    try {
      const engine = await engines.transports();
      if (signal.aborted) return settle(undefined);
      line = engine.openLine(host, config, session, early.splice(0));
      settle(line.transport);
    } catch (cause) {
      if (signal.aborted) return settle(undefined);
      opening = false;
      wanted = undefined; // a later need tries again (the line may be back)
      host.report({ message: 'the transport could not start', cause });
      settle(undefined);
    }
  };

  const connect = () => {
    if (!wanted) {
      let settle!: (t: TransportAdapter | undefined) => void;
      const promise = new Promise<TransportAdapter | undefined>((ok) => (settle = ok));
      wanted = { promise, settle };
      void open(settle);
    }
    return wanted.promise;
  };

  return {
    get transport() {
      return line?.transport;
    },
    start(config, given, signal) {
      session = given;
      plan = { config, signal };
      if (wanted) void open(wanted.settle);
    },
    connect,
    push(message) {
      markMessage(host, message.id, 'pending');
      if (line) return line.push(message);
      early.push(message);
      void connect();
    },
    lineChanged(on) {
      if (line) return line.lineChanged(on);
      host.setStatus(on ? { online: true, unreachable: false } : { online: false });
      if (!on) for (const m of early) markMessage(host, m.id, 'queued');
    },
    online: () => !!line?.online(),
    retry: () => (line ? line.retry() : void connect()),
    follow(conversationId) {
      if (session) session = { ...session, conversationId, token: undefined };
      line?.follow(conversationId);
    },
    close() {
      line?.close();
      line = session = plan = undefined;
      wanted?.settle(undefined);
      wanted = undefined;
      opening = false;
      early = [];
    },
  };
}
