import type { TransportConfig } from '../config';
import type { ConversationStatus } from '../conversation';
import type { MessengerStorage } from '../storage';
import { createLoopbackTransport } from '../transport/loopback';
import { createOutbox, type Outbox } from '../transport/outbox';
import type { OutgoingMessage, TransportSession, TransportAdapter, TransportSink, TransportStatus } from '../transport/types';
import type { Message } from '../types';
import type { EngineLoaders } from './engines';
import type { EventDraft, MadoguchiError } from './kernel';

/** Longest message a user may send, in characters; longer input is cut, never refused silently. */
export const MAX_MESSAGE_LENGTH = 4000;

/** The transport a config asks for: an adapter object as given, or a built-in one by type. */
export async function createTransport(t: TransportConfig | undefined, load: EngineLoaders['transports']): Promise<TransportAdapter> {
  if (t && typeof (t as TransportAdapter).connect === 'function') return t as TransportAdapter;
  const c = (t || { type: 'loopback' }) as Exclude<TransportConfig, TransportAdapter>;
  if (c.type === 'loopback') return createLoopbackTransport(c);
  const engine = await load();
  const url = new URL(c.url, typeof location !== 'undefined' ? location.href : undefined).href;
  if (c.type === 'websocket') return engine.createWebSocketTransport({ url });
  return (c.type === 'http' ? engine.createHttpTransport : engine.createWebhookTransport)({ url });
}

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
}

/**
 * The way out and back in: the transport, the persisted outbox, and the statuses the transport
 * reports. Messages sent before the line is up wait in order; nothing typed is lost.
 */
export interface Delivery {
  readonly transport: TransportAdapter | undefined;
  /** Creates the transport, restores the outbox and connects; resolves once connected (or failed). */
  start(transport: TransportConfig | undefined, session: TransportSession, signal: AbortSignal): Promise<void>;
  /** Hands a user message to the outbox (or holds it until the outbox exists). */
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

export function createDelivery(host: DeliveryHost, engines: Pick<EngineLoaders, 'transports'>): Delivery {
  let transport: TransportAdapter | undefined;
  let outbox: Outbox | undefined;
  /** Messages sent before the outbox is ready (the first milliseconds after boot). */
  let early: OutgoingMessage[] = [];
  let session: TransportSession | undefined;
  /** Set once a refused hello has been retried with the token another tab stored. */
  let tokenRetried = false;
  let up = false;

  const markStatus = (id: string, status: Message['status']) => {
    const message = host.messages().find((m) => m.id === id);
    if (message && message.status !== status) host.update({ ...message, status });
  };

  const onStatus = (status: TransportStatus) => {
    if (status.type === 'online') {
      up = status.online;
      host.setStatus(status.online ? { online: true, unreachable: false } : { online: false });
      if (!status.online) for (const item of outbox?.items() || []) markStatus(item.id, 'queued');
    } else if (status.type === 'queue')
      host.setStatus({ phase: 'waiting', queuePosition: status.position, expectedWaitSeconds: status.expectedWaitSeconds });
    else if (status.type === 'agent-joined') {
      host.setStatus({ phase: 'agent', agentName: status.name, queuePosition: undefined });
      host.track({ type: 'agent.joined', agentName: status.name });
    } else if (status.type === 'typing') host.setStatus({ agentTyping: status.on });
    else if (status.type === 'closed') {
      host.setStatus({ phase: 'closed', agentTyping: false });
      host.track({ type: 'conversation.closed', resolved: true });
    } else if (status.type === 'away') host.setStatus({ phase: 'away', nextOpenAt: status.nextOpenAt, awayMessage: status.message });
    // A ticket was filed (a webhook transport): nobody will answer here, the e-mail follow-up may.
    else if (status.type === 'ticket') host.setStatus({ phase: 'away', queuePosition: undefined });
    else if (status.type === 'read') for (const id of status.ids) markStatus(id, 'read');
  };

  const sink: TransportSink = {
    message: (m) =>
      host.receive({
        id: m.id,
        conversationId: host.conversationId(),
        author: 'agent',
        text: String(m.text).slice(0, MAX_MESSAGE_LENGTH),
        at: m.at || Date.now(),
        authorName: m.authorName,
        // Help-centre articles the person offers: shown as cards under the message, kept with it.
        ...(Array.isArray(m.articles) && m.articles.length ? { articles: m.articles.slice(0, 3).map((a) => ({ id: String(a.id), title: String(a.title) })) } : {}),
      }),
    status: onStatus,
    error: (e: Error) => {
      // Two tabs that begin a conversation at once: the relay gives its token to the first hello and
      // refuses the other, which takes the token that tab stored and says hello again (once).
      if ((e as { code?: string }).code === 'forbidden' && session && !tokenRetried) {
        tokenRetried = true;
        const asked = session;
        setTimeout(() => {
          void host.storage.getSession().then((stored) => {
            if (session !== asked) return;
            if (typeof stored.token === 'string' && stored.token !== asked.token) {
              session = { ...asked, token: stored.token };
              reconnect();
            } else host.report({ message: `transport: ${e.message}`, cause: e });
          });
        }, 300);
        return;
      }
      // A line that keeps failing says so in the thread; the outbox keeps what was typed.
      if (!up) host.setStatus({ unreachable: true });
      host.report({ message: `transport: ${e.message}`, cause: e });
    },
    // The conversation's secret the relay issued at hello: kept, and handed back at the next connect.
    session: ({ token }) => {
      if (session) session = { ...session, token };
      host.storage.setSession({ token });
    },
  };

  const reconnect = () => {
    if (!transport || !session) return;
    transport.close();
    Promise.resolve(transport.connect(session, sink)).catch((cause) => host.report({ message: 'the transport could not connect', cause }));
  };

  return {
    get transport() {
      return transport;
    },
    async start(config, given, signal) {
      session = given;
      tokenRetried = false;
      const storage = host.storage;
      const t = await createTransport(config, engines.transports);
      if (signal.aborted) return t.close();
      transport = t;
      outbox = createOutbox({
        send: (m) => t.send(m),
        persist: {
          load: () => storage.getOutbox() as Promise<OutgoingMessage[]>,
          save: async (items) => storage.setOutbox(items),
        },
        onChange: (items) => {
          // Messages waiting while the line is down say so: "will send when back online".
          if (!host.status().online) for (const item of items) markStatus(item.id, 'queued');
        },
        onSent: (m) => markStatus(m.id, 'sent'),
        onFailed: (m, e) => {
          markStatus(m.id, 'failed');
          host.report({ message: `a message could not be sent: ${e.message}` });
        },
        onError: (cause) => host.report({ message: 'the outbox could not be saved', cause }),
      });
      for (const m of early.splice(0)) outbox.push(m);
      try {
        await t.connect(session, sink);
      } catch (cause) {
        host.report({ message: 'the transport could not connect', cause });
      }
    },
    push(message) {
      markStatus(message.id, 'pending');
      if (outbox) outbox.push(message);
      else early.push(message);
    },
    lineChanged: (on) => onStatus({ type: 'online', online: on }),
    online: () => up,
    retry() {
      host.setStatus({ unreachable: false });
      reconnect();
    },
    follow(conversationId) {
      if (!session || session.conversationId === conversationId) return;
      // A new conversation gets its own token at hello.
      session = { ...session, conversationId, token: undefined };
      tokenRetried = false;
      reconnect();
    },
    close() {
      session = undefined;
      up = false;
      outbox?.close();
      transport?.close();
      outbox = transport = undefined;
      early = [];
    },
  };
}
