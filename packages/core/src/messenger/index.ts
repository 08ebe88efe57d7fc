import { atom, type ReadableAtom } from 'nanostores';
import { resolveLocale, validateConfig, type MessengerConfig, type TransportConfig } from '../config';
import { createContextTracker, type ContextSnapshot, type ContextTracker, type SavedContext } from '../context';
import { createConversationStore, type ConversationStatus } from '../conversation';
import { createEmitter } from '../emitter';
import { createId } from '../id';
import type { MadoguchiEvent } from '../insights/events';
import { createMessengerStorage, type MessengerStorage } from '../storage';
import { createOutbox, type Outbox } from '../transport/outbox';
import { createLoopbackTransport } from '../transport/loopback';
import type { OutgoingMessage, TransportAdapter, TransportStatus } from '../transport/types';
import type { Locale, Message, UserInfo } from '../types';
import { loadTransportsEngine } from './engines';
import { createFlowPart, type FlowPart } from './flows';
import { createHandoffPart, type HandoffPart } from './handoff';
import { createInsightsPart, type InsightsPart } from './insights';
import type { EventDraft, Kernel, MadoguchiError, MadoguchiWarning } from './kernel';
import { createSearchPart, type SearchPart } from './search';

export type { EventDraft, Kernel, MadoguchiError, MadoguchiWarning, Part } from './kernel';
export type { FlowPart } from './flows';
export type { HandoffPart } from './handoff';
export type { InsightsPart } from './insights';
export type { SearchPart } from './search';

export interface MessengerEvents {
  ready: () => void;
  open: () => void;
  close: () => void;
  message: (message: Message) => void;
  unread: (count: number) => void;
  status: (status: ConversationStatus) => void;
  /** The typed insights stream: every `MadoguchiEvent`. */
  event: (event: MadoguchiEvent) => void;
  error: (error: MadoguchiError) => void;
  warning: (warning: MadoguchiWarning) => void;
  [name: string]: (...args: any[]) => void;
}

export type MessengerEventName = keyof MessengerEvents & string;

/** The programmatic API: the script tag's `Madoguchi('command', …)` reaches the same methods. */
export interface Messenger {
  boot(config: MessengerConfig): void;
  /** New user fields or attributes, `consent: true`, or a locale; also records a page view. */
  update(patch?: { user?: UserInfo; consent?: boolean; locale?: Locale }): void;
  /** Records a custom event in the context trail. */
  track(name: string, properties?: Record<string, unknown>): void;
  open(): void;
  close(): void;
  toggle(): void;
  showArticle(id: string): void;
  startFlow(id: string): void;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends MessengerEventName>(name: K, handler: MessengerEvents[K]): () => void;
  off<K extends MessengerEventName>(name: K, handler: MessengerEvents[K]): void;
  /** Ends the session and deletes its stored data (logout on a shared computer). */
  shutdown(): Promise<void>;
  /** The user is typing: the person handling the conversation sees it until 3 s after the last call (what the composer calls on input). */
  typing(): void;
  /** Sends a user message (what the composer calls). */
  send(text: string): void;
  /** Asks for a person, from any state. */
  talkToPerson(reason?: string): void;
  /** The captured context, redacted: what an agent would see (also handed to `callback`, for the script tag). */
  debugContext(callback?: (snapshot: ContextSnapshot | undefined) => void): ContextSnapshot | undefined;
  readonly search: SearchPart;
  readonly flows: FlowPart;
  readonly handoff: HandoffPart;
  readonly insights: InsightsPart;
  readonly state: MessengerState;
}

export interface MessengerState {
  readonly $booted: ReadableAtom<boolean>;
  readonly $open: ReadableAtom<boolean>;
  readonly $locale: ReadableAtom<Locale>;
  readonly $messages: ReadableAtom<Message[]>;
  readonly $status: ReadableAtom<ConversationStatus>;
  readonly $unread: ReadableAtom<number>;
  readonly config: () => MessengerConfig | undefined;
  /** Reports a failure of the UI through `on('error')` and the console, as the messenger's own. */
  readonly report: (error: MadoguchiError) => void;
}

/** Longest message a user may send, in characters; longer input is cut, never refused silently. */
export const MAX_MESSAGE_LENGTH = 4000;

/** The transport a config asks for: an adapter object as given, or a built-in one by type. */
async function createTransport(t: TransportConfig | undefined): Promise<TransportAdapter> {
  if (t && typeof (t as TransportAdapter).connect === 'function') return t as TransportAdapter;
  const c = (t || { type: 'loopback' }) as Exclude<TransportConfig, TransportAdapter>;
  if (c.type === 'loopback') return createLoopbackTransport(c);
  const engine = await loadTransportsEngine();
  const url = new URL(c.url, typeof location !== 'undefined' ? location.href : undefined).href;
  if (c.type === 'websocket') return engine.createWebSocketTransport({ url });
  return (c.type === 'http' ? engine.createHttpTransport : engine.createWebhookTransport)({ url });
}

export function createMessenger(initial?: MessengerConfig): Messenger {
  const report = (error: MadoguchiError) => {
    console.error(`[madoguchi] ${error.path ? error.path + ': ' : ''}${error.message}`, ...(error.cause ? [error.cause] : []));
    events.emit('error', error);
    if (booted) kernel.track({ type: 'error', message: error.message });
  };
  const warn = (warning: MadoguchiWarning) => {
    console.warn(`[madoguchi] ${warning.message}`);
    events.emit('warning', warning);
  };
  const events = createEmitter<MessengerEvents>((cause, name) => report({ message: `a handler of "${name}" threw`, cause }));
  const conversation = createConversationStore();
  const $booted = atom(false);
  const $open = atom(false);
  const $locale = atom<Locale>('en');
  const $unread = atom(0);
  let booted = false;
  let config: MessengerConfig | undefined;
  let storage: MessengerStorage;
  let context: ContextTracker;
  let transport: TransportAdapter | undefined;
  let outbox: Outbox | undefined;
  /** Messages sent before the outbox is ready (the first milliseconds after boot). */
  let early: OutgoingMessage[] = [];
  let conversationId = createId();
  let visitorId = '';
  let cleanup: Array<() => void> = [];
  /** Time stamps of messages made here strictly increase, so a reply never sorts before its question. */
  let lastAt = 0;
  const stamp = () => (lastAt = Math.max(Date.now(), lastAt + 1));
  /** Bumped by every boot and shutdown, so work started by an older boot stops quietly. */
  let generation = 0;

  const guard =
    <A extends unknown[]>(name: string, fn: (...args: A) => void) =>
    (...args: A): void => {
      try {
        if (name !== 'boot' && !booted) report({ message: `"${name}" was called before "boot"` });
        else fn(...args);
      } catch (cause) {
        report({ message: `"${name}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, cause });
      }
    };

  const touchConversation = () =>
    storage.putConversation({ id: conversationId, status: conversation.$status.get().phase === 'closed' ? 'closed' : 'open', createdAt: conversation.$messages.get()[0]?.at || Date.now(), updatedAt: Date.now(), handoff: conversation.$status.get() });

  /** Puts a message in the thread; new ones are stored, announced and counted as unread. */
  const receive = (message: Message, store = true) => {
    if (!conversation.upsert(message)) return;
    if (store) {
      storage.putMessage(message);
      touchConversation();
    }
    events.emit('message', message);
    if (message.author === 'user' || message.status) return;
    kernel.track({ type: 'message.received', messageId: message.id, from: message.author === 'agent' ? 'agent' : 'bot' });
    if (!$open.get()) {
      $unread.set($unread.get() + 1);
      events.emit('unread', $unread.get());
    }
  };

  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  const stopTyping = () => {
    if (!typingTimer) return;
    clearTimeout(typingTimer);
    typingTimer = undefined;
    transport?.typing?.(false);
  };

  const setStatus = (patch: Partial<ConversationStatus>) => {
    conversation.setStatus(patch);
    touchConversation();
    events.emit('status', conversation.$status.get());
  };

  const onStatus = (status: TransportStatus) => {
    if (status.type === 'online') {
      setStatus({ online: status.online });
      if (!status.online) for (const item of outbox?.items() || []) markStatus(item.id, 'queued');
    }
    else if (status.type === 'queue') setStatus({ phase: 'waiting', queuePosition: status.position, expectedWaitSeconds: status.expectedWaitSeconds });
    else if (status.type === 'agent-joined') {
      setStatus({ phase: 'agent', agentName: status.name, queuePosition: undefined });
      kernel.track({ type: 'agent.joined', agentName: status.name });
    } else if (status.type === 'typing') setStatus({ agentTyping: status.on });
    else if (status.type === 'closed') {
      setStatus({ phase: 'closed', agentTyping: false });
      kernel.track({ type: 'conversation.closed', resolved: true });
    } else if (status.type === 'away') setStatus({ phase: 'away', nextOpenAt: status.nextOpenAt, awayMessage: status.message });
    // A ticket was filed (a webhook transport): nobody will answer here, the e-mail follow-up may.
    else if (status.type === 'ticket') setStatus({ phase: 'away', queuePosition: undefined });
  };

  const kernel: Kernel = {
    config: () => config!,
    locale: () => $locale.get(),
    conversationId: () => conversationId,
    visitorId: () => visitorId,
    conversation,
    storage: () => storage,
    context: () => context,
    transport: () => transport,
    say(text) {
      const message: Message = { id: createId(), conversationId, author: 'bot', text, at: stamp() };
      receive(message);
      return message;
    },
    receive,
    setStatus,
    track(draft: EventDraft) {
      events.emit('event', { ...draft, at: Date.now(), conversationId, visitorId } as MadoguchiEvent);
    },
    emit: (name, ...args) => events.emit(name, ...(args as [])),
    on: (name, handler) => events.on(name, handler),
    report,
    warn,
    async fetchJson(url) {
      const response = await fetch(url, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      try {
        return await response.json();
      } catch {
        throw new Error(`${url} is not valid JSON`);
      }
    },
    open: () => api.open(),
    isOpen: () => $open.get(),
  };

  // Search stays quiet while a flow waits for the user's answer.
  const search = createSearchPart(kernel, { busy: () => flows.waitsForText() });
  const handoff = createHandoffPart(kernel, { search });
  const flows = createFlowPart(kernel, { search, handoff });
  const insights = createInsightsPart(kernel);
  const parts = [search, handoff, flows, insights];
  // A proactive rule may start a flow; the panel stays as it is (the flow's first message is the preview).
  kernel.on('proactive:flow', (id: string) => flows.start(id));

  /** Restores what storage holds for this app, then connects and boots the parts. */
  async function start(cfg: MessengerConfig, gen: number) {
    const [session, saved, user] = await Promise.all([storage.getSession(), storage.getContext(), storage.getUser()]);
    if (gen !== generation) return;
    if (saved) context.restore(saved as SavedContext);
    if (!cfg.user && user) context.setUser(user);
    visitorId = cfg.user?.id || session.visitorId || context.save().visitorId;
    conversationId = session.conversationId || conversationId;
    storage.setSession({ conversationId, visitorId });
    const restored = await storage.listMessages(conversationId);
    const stored = (await storage.listConversations()).find((c) => c.id === conversationId);
    if (gen !== generation) return;
    conversation.merge(restored);
    if (stored?.handoff) conversation.setStatus({ ...(stored.handoff as ConversationStatus), agentTyping: false });
    if (session.open && !openTouched) api.open();

    const t = (transport = await createTransport(cfg.transport));
    if (gen !== generation) return t.close();
    const sink = {
      message: (m: { id: string; text: string; authorName?: string; at?: number; articles?: Array<{ id: string; title: string }> }) => {
        receive({ id: m.id, conversationId, author: 'agent', text: String(m.text).slice(0, MAX_MESSAGE_LENGTH), at: m.at || Date.now(), authorName: m.authorName });
        if (m.articles?.length) void search.offer(m.id, m.articles);
      },
      status: onStatus,
      error: (e: Error) => report({ message: `transport: ${e.message}`, cause: e }),
      session: ({ token }: { token: string }) => storage.setSession({ token }),
    };
    outbox = createOutbox({
      send: (m) => t.send(m),
      persist: {
        load: () => storage.getOutbox() as Promise<OutgoingMessage[]>,
        save: async (items) => storage.setOutbox(items),
      },
      onChange: (items) => {
        // Messages waiting while the line is down say so: "will send when back online".
        if (!conversation.$status.get().online) for (const item of items) markStatus(item.id, 'queued');
      },
      onSent: (m) => markStatus(m.id, 'sent'),
      onFailed: (m, e) => {
        markStatus(m.id, 'failed');
        report({ message: `a message could not be sent: ${e.message}` });
      },
      onError: (cause) => report({ message: 'the outbox could not be saved', cause }),
    });
    for (const m of early.splice(0)) outbox.push(m);
    try {
      await t.connect({ appId: cfg.appId, visitorId, conversationId, locale: $locale.get(), user: cfg.user || {}, token: session.token }, sink);
    } catch (cause) {
      report({ message: 'the transport could not connect', cause });
    }
    for (const part of parts) if (gen === generation) await part.boot?.();
  }

  let openTouched = false;
  const markStatus = (id: string, status: Message['status']) => {
    const message = conversation.$messages.get().find((m) => m.id === id);
    if (message && message.status !== status) {
      const next = { ...message, status };
      conversation.upsert(next);
      storage.putMessage(next);
    }
  };

  /** What another tab changed: its messages and status appear here too; its shutdown ends ours. */
  const fromOtherTab = (change: { kind: string; value: unknown }) => {
    if (change.kind === 'message') {
      const m = change.value as Message;
      if (m.conversationId === conversationId) receive(m, false);
    } else if (change.kind === 'conversation') {
      const c = change.value as { id: string; handoff?: ConversationStatus };
      if (c.id === conversationId && c.handoff) conversation.setStatus(c.handoff);
    } else if (change.kind === 'session') {
      // Two tabs that started at once each began a conversation: the one with nothing in it joins the other.
      const id = (change.value as { conversationId?: string })?.conversationId;
      if (id && id !== conversationId && !conversation.$messages.get().length) {
        conversationId = id;
        void storage.listMessages(id).then((messages) => conversationId === id && conversation.merge(messages));
      }
    } else if (change.kind === 'wipe') {
      // Another tab ended the session (a logout): this one forgets it too and starts afresh.
      const cfg = config;
      void stop(false).then(() => cfg && api.boot(cfg));
    }
  };

  async function stop(wipe: boolean) {
    generation++;
    clearTimeout(typingTimer);
    typingTimer = undefined;
    if (!booted) return;
    booted = false;
    for (const part of parts) part.shutdown?.();
    for (const fn of cleanup) fn();
    cleanup = [];
    outbox?.close();
    transport?.close();
    context.destroy();
    const s = storage;
    outbox = transport = undefined;
    early = [];
    conversation.reset();
    $open.set(false);
    $unread.set(0);
    $booted.set(false);
    conversationId = createId();
    config = undefined;
    try {
      if (wipe) await s.wipe();
      await s.close();
    } catch (cause) {
      report({ message: 'stored data could not be deleted', cause });
    }
  }

  const api: Messenger = {
    boot: guard('boot', (input: MessengerConfig) => {
      const { config: valid, problems } = validateConfig(input);
      for (const p of problems) report({ message: `config ${p.path.slice(2)} ${p.message}`, path: p.path });
      if (!valid) return;
      if (booted) void stop(false);
      booted = true;
      config = valid;
      openTouched = false;
      const gen = ++generation;
      $locale.set(resolveLocale(valid.locale, typeof document !== 'undefined' ? document : undefined));
      storage = createMessengerStorage({ appId: valid.appId, mode: valid.storage, retentionDays: valid.retentionDays, onWarning: warn });
      context = createContextTracker({
        redaction: valid.redaction as never,
        onChange: () => {
          storage.setContext(context.save());
          for (const part of parts) part.activity?.('page');
        },
      });
      context.setUser(valid.user || {});
      cleanup.push(storage.subscribe(fromOtherTab));
      if (typeof window !== 'undefined') {
        const flush = () => void storage.flush();
        window.addEventListener('pagehide', flush);
        cleanup.push(() => window.removeEventListener('pagehide', flush));
      }
      $booted.set(true);
      start(valid, gen).then(
        () => gen === generation && events.emit('ready'),
        (cause) => report({ message: 'the messenger could not start', cause }),
      );
    }),
    update: guard('update', (patch = {}) => {
      const { config: valid, problems } = validateConfig({ appId: config!.appId, user: patch.user, locale: patch.locale });
      for (const p of problems) report({ message: `update ${p.path.slice(2)} ${p.message}`, path: p.path });
      if (valid?.user) {
        config = { ...config!, user: { ...config!.user, ...valid.user } };
        context.setUser(config.user!);
        storage.setUser(config.user!);
      }
      if (valid?.locale) $locale.set(resolveLocale(valid.locale));
      if (patch.consent === true) storage.enable();
      context.pageView();
    }),
    track: guard('track', (name: string, properties?: Record<string, unknown>) => {
      if (typeof name !== 'string' || !name) throw new Error('an event name (a non-empty string) is required');
      context.track(name, properties);
      for (const part of parts) part.activity?.('event', name);
    }),
    open: guard('open', () => {
      openTouched = true;
      storage.enable();
      if ($open.get()) return;
      $open.set(true);
      storage.setSession({ open: true });
      if ($unread.get()) {
        $unread.set(0);
        events.emit('unread', 0);
      }
      events.emit('open');
      kernel.track({ type: 'widget.opened' });
    }),
    close: guard('close', () => {
      openTouched = true;
      if (!$open.get()) return;
      $open.set(false);
      storage.setSession({ open: false });
      events.emit('close');
      kernel.track({ type: 'widget.closed' });
    }),
    toggle: () => ($open.get() ? api.close() : api.open()),
    showArticle: guard('showArticle', (id: string) => {
      api.open();
      search.show(id);
    }),
    startFlow: guard('startFlow', (id: string) => {
      api.open();
      flows.start(id);
    }),
    on: (name, handler) => {
      if (typeof handler !== 'function') {
        report({ message: `"on" needs a function for "${String(name)}"` });
        return () => {};
      }
      return events.on(name, handler);
    },
    off: (name, handler) => events.off(name, handler),
    shutdown: () => stop(true),
    typing() {
      if (conversation.$status.get().phase !== 'agent' || !transport?.typing) return;
      if (!typingTimer) transport.typing(true);
      clearTimeout(typingTimer);
      typingTimer = setTimeout(stopTyping, 3000);
    },
    send: guard('send', (text: string) => {
      stopTyping();
      const body = String(text).trim().slice(0, MAX_MESSAGE_LENGTH);
      if (!body) return;
      storage.enable();
      const message: Message = { id: createId(), conversationId, author: 'user', text: body, at: stamp(), status: 'pending' };
      receive(message);
      kernel.track({ type: 'message.sent', messageId: message.id });
      const out = { id: message.id, conversationId, text: body, at: message.at };
      if (outbox) outbox.push(out);
      else early.push(out);
      for (const part of parts) if (part.userText?.(body)) break;
    }),
    // A running flow hands its answers over to the person who picks up.
    talkToPerson: guard('talkToPerson', (reason?: string) => handoff.request({ reason, flow: flows.current() || undefined })),
    debugContext(callback) {
      const snapshot = booted ? context.snapshot() : undefined;
      if (typeof callback === 'function') callback(snapshot);
      return snapshot;
    },
    search,
    flows,
    handoff,
    insights,
    state: {
      $booted,
      $open,
      $locale,
      $messages: conversation.$messages,
      $status: conversation.$status,
      $unread,
      config: () => config,
      report,
    },
  };
  if (initial) api.boot(initial);
  return api;
}
