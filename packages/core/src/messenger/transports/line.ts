import type { TransportConfig } from '../../config';
import { createLoopbackTransport } from '../../transport/loopback';
import { createOutbox } from '../../transport/outbox';
import type { OutgoingMessage, TransportAdapter, TransportSession, TransportSink, TransportStatus } from '../../transport/types';
import type { Message } from '../../types';
import { markMessage, MAX_MESSAGE_LENGTH, type DeliveryHost, type Line } from '../delivery';
import { createHttpTransport } from '../../transport/http';
import { createWebhookTransport } from '../../transport/webhook';
import { createWebSocketTransport } from '../../transport/websocket';

/** The transport a config asks for: an adapter object as given, or a built-in one by type. */
export function createTransport(t: TransportConfig | undefined): TransportAdapter {
  if (t && typeof (t as TransportAdapter).connect === 'function') return t as TransportAdapter;
  const c = (t || { type: 'loopback' }) as Exclude<TransportConfig, TransportAdapter>;
  if (c.type === 'loopback') return createLoopbackTransport(c);
  const url = new URL(c.url, typeof location !== 'undefined' ? location.href : undefined).href;
  if (c.type === 'websocket') return createWebSocketTransport({ url });
  return (c.type === 'http' ? createHttpTransport : createWebhookTransport)({ url });
}

/**
 * The line, loaded with the transports when there is first something to carry: the transport,
 * the persisted outbox (messages sent before it was up go first, in order), and the statuses the
 * transport reports. Connecting starts at once and goes on in the background.
 */
export function openLine(host: DeliveryHost, config: TransportConfig | undefined, given: TransportSession, early: OutgoingMessage[]): Line {
  const transport = createTransport(config);
  let session: TransportSession | undefined = given;
  /** Set once a refused hello has been retried with the token another tab stored. */
  let tokenRetried = false;
  let up = false;

  const markStatus = (id: string, status: Message['status']) => markMessage(host, id, status);

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
            } else {
              host.report({ message: `transport: ${e.message}; a new conversation starts`, cause: e });
              host.lost();
            }
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

  const storage = host.storage;
  const outbox = createOutbox({
    send: (m) => transport.send(m),
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
  for (const m of early) outbox.push(m);

  const connect = () => {
    if (session) Promise.resolve(transport.connect(session, sink)).catch((cause) => host.report({ message: 'the transport could not connect', cause }));
  };
  const reconnect = () => {
    transport.close();
    connect();
  };
  connect();

  return {
    transport,
    push: (message) => outbox.push(message),
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
      outbox.close();
      transport.close();
    },
  };
}
