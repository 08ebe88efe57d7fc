import { atom, type ReadableAtom } from 'nanostores';
import { resolveLocale, validateConfig, type MessengerConfig } from './config';
import { createConversationStore, type ConversationStatus, type ConversationStore } from './conversation';
import { createEmitter } from './emitter';
import { createId } from './id';
import { createLoopbackTransport } from './transport/loopback';
import type { TransportAdapter, TransportStatus } from './transport/types';
import type { Locale, Message, UserInfo } from './types';

/** An error reported through `on('error')` and the console; `path` names the field when input was at fault. */
export interface MadoguchiError {
  message: string;
  path?: string;
  cause?: unknown;
}

export interface MadoguchiWarning {
  code: string;
  message: string;
}

export interface MessengerEvents {
  ready: () => void;
  open: () => void;
  close: () => void;
  message: (message: Message) => void;
  unread: (count: number) => void;
  status: (status: ConversationStatus) => void;
  error: (error: MadoguchiError) => void;
  warning: (warning: MadoguchiWarning) => void;
  [name: string]: (...args: any[]) => void;
}

export type MessengerEventName = keyof MessengerEvents & string;

/** The programmatic API: the same commands as the script tag's `Madoguchi('command', …)`. */
export interface Messenger {
  boot(config: MessengerConfig): void;
  /** New user fields or attributes (and `consent: true`); also records a page view. */
  update(patch?: { user?: UserInfo; consent?: boolean; locale?: Locale }): void;
  track(name: string, properties?: Record<string, unknown>): void;
  open(): void;
  close(): void;
  toggle(): void;
  showArticle(id: string): void;
  startFlow(id: string): void;
  on<K extends MessengerEventName>(name: K, handler: MessengerEvents[K]): () => void;
  off<K extends MessengerEventName>(name: K, handler: MessengerEvents[K]): void;
  /** Ends the session and deletes its stored data (logout on a shared computer). */
  shutdown(): Promise<void>;
  /** Sends a user message (what the composer calls). */
  send(text: string): void;
  /** Asks for a person, from any state. */
  talkToPerson(): void;
  /** State for the UI. */
  readonly state: MessengerState;
}

export interface MessengerState {
  readonly $booted: ReadableAtom<boolean>;
  readonly $open: ReadableAtom<boolean>;
  readonly $locale: ReadableAtom<Locale>;
  readonly $messages: ConversationStore['$messages'];
  readonly $status: ConversationStore['$status'];
  readonly $unread: ReadableAtom<number>;
  readonly config: () => MessengerConfig | undefined;
}

/** Longest message a user may send, in characters; longer input is cut, never refused silently. */
export const MAX_MESSAGE_LENGTH = 4000;

export function createMessenger(initial?: MessengerConfig): Messenger {
  const report = (error: MadoguchiError) => {
    console.error(`[madoguchi] ${error.path ? error.path + ': ' : ''}${error.message}`, ...(error.cause ? [error.cause] : []));
    events.emit('error', error);
  };
  const events = createEmitter<MessengerEvents>((cause, name) =>
    report({ message: `a handler of "${name}" threw`, cause }),
  );
  const conversation = createConversationStore();
  const $booted = atom(false);
  const $open = atom(false);
  const $locale = atom<Locale>('en');
  const $unread = atom(0);
  let config: MessengerConfig | undefined;
  let transport: TransportAdapter | undefined;
  let conversationId = createId();

  /** Runs a command; anything it throws becomes an `error` event, never an exception in the host. */
  const guard =
    <A extends unknown[]>(name: string, fn: (...args: A) => void) =>
    (...args: A): void => {
      try {
        fn(...args);
      } catch (cause) {
        report({ message: `"${name}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, cause });
      }
    };

  const needsBoot = (name: string) => {
    if ($booted.get()) return false;
    report({ message: `"${name}" was called before "boot"` });
    return true;
  };

  const receive = (message: Message) => {
    if (!conversation.upsert(message)) return;
    events.emit('message', message);
    if (!$open.get() && message.author !== 'user') {
      $unread.set($unread.get() + 1);
      events.emit('unread', $unread.get());
    }
  };

  const onStatus = (status: TransportStatus) => {
    switch (status.type) {
      case 'online':
        conversation.setStatus({ online: status.online });
        break;
      case 'queue':
        conversation.setStatus({ phase: 'waiting', queuePosition: status.position, expectedWaitSeconds: status.expectedWaitSeconds });
        break;
      case 'agent-joined':
        conversation.setStatus({ phase: 'agent', agentName: status.name, queuePosition: undefined });
        break;
      case 'typing':
        conversation.setStatus({ agentTyping: status.on });
        break;
      case 'closed':
        conversation.setStatus({ phase: 'closed', agentTyping: false });
        break;
      case 'away':
        conversation.setStatus({ phase: 'away', nextOpenAt: status.nextOpenAt, awayMessage: status.message });
        break;
    }
    events.emit('status', conversation.$status.get());
  };

  const connect = (cfg: MessengerConfig) => {
    const t = cfg.transport;
    transport = t && typeof (t as TransportAdapter).connect === 'function' ? (t as TransportAdapter) : createLoopbackTransport(t as object);
    const user = cfg.user || {};
    Promise.resolve(
      transport.connect(
        { appId: cfg.appId, visitorId: user.id || conversationId, conversationId, locale: $locale.get(), user },
        {
          message: (m) =>
            receive({ id: m.id, conversationId, author: 'agent', text: String(m.text).slice(0, MAX_MESSAGE_LENGTH), at: m.at || Date.now(), authorName: m.authorName }),
          status: onStatus,
          error: (e) => report({ message: `transport: ${e.message}`, cause: e }),
        },
      ),
    ).catch((cause) => report({ message: 'transport failed to connect', cause }));
  };

  const api: Messenger = {
    boot: guard('boot', (input: MessengerConfig) => {
      const { config: valid, problems } = validateConfig(input);
      for (const p of problems) report({ message: `config ${p.path.slice(2)} ${p.message}`, path: p.path });
      if (!valid) return;
      if ($booted.get()) transport?.close();
      config = valid;
      $locale.set(resolveLocale(valid.locale, typeof document !== 'undefined' ? document : undefined));
      connect(valid);
      $booted.set(true);
      events.emit('ready');
    }),
    update: guard('update', (patch = {}) => {
      if (needsBoot('update') || !config) return;
      const { config: valid, problems } = validateConfig({ appId: config.appId, user: patch.user, locale: patch.locale });
      for (const p of problems) report({ message: `update ${p.path.slice(2)} ${p.message}`, path: p.path });
      if (valid?.user) config = { ...config, user: { ...config.user, ...valid.user } };
      if (valid?.locale) $locale.set(resolveLocale(valid.locale));
    }),
    track: guard('track', (name: string) => {
      if (needsBoot('track')) return;
      if (typeof name !== 'string' || !name) throw new Error('an event name (a non-empty string) is required');
    }),
    open: guard('open', () => {
      if (needsBoot('open') || $open.get()) return;
      $open.set(true);
      if ($unread.get()) {
        $unread.set(0);
        events.emit('unread', 0);
      }
      events.emit('open');
    }),
    close: guard('close', () => {
      if (needsBoot('close') || !$open.get()) return;
      $open.set(false);
      events.emit('close');
    }),
    toggle: () => ($open.get() ? api.close() : api.open()),
    showArticle: guard('showArticle', () => {
      if (needsBoot('showArticle')) return;
      api.open();
    }),
    startFlow: guard('startFlow', () => {
      if (needsBoot('startFlow')) return;
      api.open();
    }),
    on: (name, handler) => {
      if (typeof handler !== 'function') {
        report({ message: `"on" needs a function for "${String(name)}"` });
        return () => {};
      }
      return events.on(name, handler);
    },
    off: (name, handler) => events.off(name, handler),
    shutdown: async () => {
      transport?.close();
      transport = undefined;
      conversation.reset();
      $open.set(false);
      $unread.set(0);
      $booted.set(false);
      conversationId = createId();
      config = undefined;
    },
    send: guard('send', (text: string) => {
      if (needsBoot('send') || !transport) return;
      const body = String(text).trim().slice(0, MAX_MESSAGE_LENGTH);
      if (!body) return;
      const message: Message = { id: createId(), conversationId, author: 'user', text: body, at: Date.now(), status: 'pending' };
      receive(message);
      const t = transport;
      t.send(message).then(
        () => conversation.upsert({ ...message, status: 'sent' }),
        (cause) => {
          conversation.upsert({ ...message, status: 'failed' });
          report({ message: 'the message could not be sent', cause });
        },
      );
    }),
    talkToPerson: guard('talkToPerson', () => {
      if (needsBoot('talkToPerson') || !transport) return;
      conversation.setStatus({ phase: 'waiting' });
      transport.handoff({ reason: 'user asked for a person', transcript: conversation.$messages.get() }).catch((cause) =>
        report({ message: 'the handoff failed', cause }),
      );
    }),
    state: {
      $booted,
      $open,
      $locale,
      $messages: conversation.$messages,
      $status: conversation.$status,
      $unread,
      config: () => config,
    },
  };
  if (initial) api.boot(initial);
  return api;
}
