import { atom, type ReadableAtom } from 'nanostores';
import { resolveLocale, validateConfig, type MessengerConfig } from '../config';
import { createContextTracker, type ContextSnapshot, type ContextTracker } from '../context';
import { createConversationStore, type ConversationStatus } from '../conversation';
import { createEmitter } from '../emitter';
import { createId } from '../id';
import type { MadoguchiEvent } from '../insights/events';
import { createMessengerStorage, type MessengerStorage } from '../storage';
import type { Locale, Message, MessageNote, UserInfo } from '../types';
import { createDelivery, MAX_MESSAGE_LENGTH } from './delivery';
import type { EngineLoaders } from './engines';
import { createFlowPart, type FlowPart } from './flows';
import { createHandoffPart, type HandoffPart } from './handoff';
import { importEngines } from './import-engines';
import { createInsightsPart, type InsightsPart } from './insights';
import type { EventDraft, Kernel, MadoguchiError, MadoguchiWarning } from './kernel';
import { createSearchPart, type SearchPart } from './search';
import { HISTORY_PAGE, restoreSession } from './session';
import { followOtherTabs } from './tab-sync';

export type { EventDraft, Kernel, MadoguchiError, MadoguchiWarning, Part } from './kernel';
export type { EngineLoaders, FlowEngine, HandoffEngine, InsightsEngine, SearchEngine, TransportsEngine } from './engines';
export type { FlowPart } from './flows';
export type { HandoffPart } from './handoff';
export type { InsightsPart } from './insights';
export type { SearchPart } from './search';
export { importEngines } from './import-engines';
export { MAX_MESSAGE_LENGTH } from './delivery';
export { HISTORY_PAGE } from './session';

/** Every event `on` accepts, with its handler's arguments: a misspelt name does not compile. */
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
  /** A flow's `callback` node ran: the host may act on it. */
  'flow:callback': (call: { name: string; data?: unknown }) => void;
  /**
   * A flow's `request` node asks the host to look something up (an order, an account): return the
   * data (or a promise of it), or answer later with `respond(data)`; `fail()` takes the error exit.
   */
  'flow:request': (request: { name: string; params: unknown; respond(data: unknown): void; fail(): void }) => unknown;
}

export type MessengerEventName = keyof MessengerEvents;

/** Internal events the parts exchange through the kernel, beside the public ones. */
interface InternalEvents extends MessengerEvents {
  'proactive:flow': (flowId: string) => void;
}

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
  startFlow(id: string, options?: { vars?: Record<string, unknown> }): void;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends MessengerEventName>(name: K, handler: MessengerEvents[K]): () => void;
  off<K extends MessengerEventName>(name: K, handler: MessengerEvents[K]): void;
  /** Ends the session and deletes its stored data (logout on a shared computer). */
  shutdown(): Promise<void>;
  /** The user is typing: the person handling the conversation sees it until 3 s after the last call (what the composer calls on input). */
  typing(): void;
  /** Sends a user message (what the composer calls). */
  send(text: string): void;
  /** Connects the transport again now (after it kept failing); what waits in the outbox goes out. */
  retry(): void;
  /** The visitor's earlier conversations (not the current one), newest first, at most `limit`, with their messages. */
  conversations(limit?: number): Promise<Array<{ id: string; status: 'open' | 'closed'; updatedAt: number; messages: Message[] }>>;
  /** Sends a message that failed once more (same id: the transport never sees it twice). */
  resend(id: string): void;
  /** Asks for a person, from any state. */
  talkToPerson(reason?: string): void;
  /**
   * Reads the page of stored messages before the earliest one in `state.$messages` (what "Show earlier
   * messages" calls). Resolves true when it added messages; false when there were none left (see
   * `state.$hasEarlier`) or the messenger is not booted.
   */
  loadEarlier(): Promise<boolean>;
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
  /** The messages read so far: the latest page at start, earlier pages on `loadEarlier()`. */
  readonly $messages: ReadableAtom<Message[]>;
  /** Storage holds messages earlier than those in `$messages`. */
  readonly $hasEarlier: ReadableAtom<boolean>;
  readonly $status: ReadableAtom<ConversationStatus>;
  readonly $unread: ReadableAtom<number>;
  readonly config: () => MessengerConfig | undefined;
  /** Reports a failure of the UI through `on('error')` and the console, as the messenger's own. */
  readonly report: (error: MadoguchiError) => void;
}

export interface MessengerOptions {
  /** Where the engines come from; by default each is a dynamic `import()` (a chunk of its own). */
  engines?: EngineLoaders;
  /**
   * For a UI that mounts after `ready` in a task of its own (as the widget does): resolves once it is
   * in the page. Engine code asked for at `ready` waits for it, then for the next painted frame.
   */
  mounted?: () => Promise<unknown>;
}

/** What one boot holds; replaced whole by the next boot. */
interface Booted {
  config: MessengerConfig;
  storage: MessengerStorage;
  context: ContextTracker;
  /** Aborted when this boot ends. */
  controller: AbortController;
  cleanup: Array<() => void>;
  openTouched: boolean;
  /** Settles once the launcher's first frame after `ready` (see `MessengerOptions.mounted`), or the panel's first after the latest open, is painted. */
  painted?: Promise<void>;
}

/**
 * Resolves after the next frame is painted. A hidden page paints no frame: there it resolves in the
 * next task, and a page hidden while it waits goes on after a second.
 */
const afterPaint = () =>
  new Promise<void>((resolve) => {
    const hidden = typeof document == 'undefined' || document.visibilityState == 'hidden' || typeof requestAnimationFrame != 'function';
    const timer = setTimeout(resolve, hidden ? 0 : 1000);
    if (!hidden) requestAnimationFrame(() => setTimeout(() => (clearTimeout(timer), resolve())));
  });

/**
 * Creates the messenger: a small kernel (config, stores, events, the boot's abort signal) with the
 * session restore, delivery, tab sync and the lazily loaded parts around it. In a page without
 * `window` (server rendering) it stays inert: commands are accepted, nothing starts.
 */
export function createMessenger(initial?: MessengerConfig, options: MessengerOptions = {}): Messenger {
  const given = options.engines || importEngines;
  /**
   * Engine code asked for between `ready` and the launcher's first paint waits for that paint, so
   * its download and evaluation never delay the launcher (the parts still boot at `ready`); so does
   * code asked for by an open, until the panel's first frame is painted.
   */
  const engines = Object.fromEntries(
    Object.entries(given)
      .filter(([, load]) => load)
      .map(([name, load]) => [name, () => (live?.painted || Promise.resolve()).then(() => load())]),
  ) as unknown as EngineLoaders;
  const report = (error: MadoguchiError) => {
    console.error(`[madoguchi] ${error.path ? error.path + ': ' : ''}${error.message}`, ...(error.cause ? [error.cause] : []));
    events.emit('error', error);
    if (live) kernel.track({ type: 'error', message: error.message });
  };
  const warn = (warning: MadoguchiWarning) => {
    console.warn(`[madoguchi] ${warning.message}`);
    events.emit('warning', warning);
  };
  const events = createEmitter<InternalEvents>((cause, name) => report({ message: `a handler of "${name}" threw`, cause }));
  const conversation = createConversationStore();
  const $booted = atom(false);
  const $open = atom(false);
  const $locale = atom<Locale>('en');
  const $unread = atom(0);
  const $hasEarlier = atom(false);
  /** When the conversation began: kept from storage, since its first message may not have been read. */
  let createdAt: number | undefined;
  let readingEarlier: Promise<boolean> | undefined;
  /** The current boot, or undefined before boot and after shutdown. */
  let live: Booted | undefined;
  /**
   * A signal that is already aborted: what work started outside a boot sees. Made on first need:
   * aborting makes an AbortError, whose stack, with DevTools or any protocol client attached,
   * costs a re-parse of the whole bundle inside createMessenger (see ENDED in engine-slot.ts).
   */
  let idle: AbortSignal | undefined;
  let conversationId = createId();
  let visitorId = '';
  /** The help centre can answer at once (its index is built). */
  let faqReady = false;
  /** Time stamps of messages made here strictly increase, so a reply never sorts before its question. */
  let lastAt = 0;
  const stamp = () => (lastAt = Math.max(Date.now(), lastAt + 1));
  const isBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';

  const guard =
    <A extends unknown[]>(name: string, fn: (...args: A) => void) =>
    (...args: A): void => {
      try {
        if (name !== 'boot' && !live) {
          if (isBrowser) report({ message: `"${name}" was called before "boot"` });
        } else fn(...args);
      } catch (cause) {
        report({ message: `"${name}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, cause });
      }
    };

  const touchConversation = () => {
    const status = conversation.$status.get();
    live?.storage.putConversation({
      id: conversationId,
      status: status.phase === 'closed' ? 'closed' : 'open',
      createdAt: (createdAt ||= conversation.$messages.get()[0]?.at || Date.now()),
      updatedAt: Date.now(),
      handoff: status,
    });
  };

  /** Puts a message in the thread; new ones are stored, announced and counted as unread. */
  const receive = (message: Message, store = true) => {
    if (!conversation.upsert(message)) return;
    if (store) {
      live?.storage.putMessage(message);
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

  /** A system note in the thread; an id built from what it tells keeps it once-only across tabs and reloads. */
  const addNote = (note: MessageNote, id: string, at = stamp()) => {
    const noteId = `${conversationId}:${id}`;
    if (!conversation.$messages.get().some((m) => m.id === noteId)) receive({ id: noteId, conversationId, author: 'system', text: '', at, note });
  };

  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  const stopTyping = () => {
    if (!typingTimer) return;
    clearTimeout(typingTimer);
    typingTimer = undefined;
    delivery.transport?.typing?.(false);
  };

  const setStatus = (patch: Partial<ConversationStatus>) => {
    const before = conversation.$status.get();
    conversation.setStatus(patch);
    // What the person should remember of it becomes a note in the thread (told by the handoff part).
    handoff.statusChanged(before, conversation.$status.get());
    touchConversation();
    events.emit('status', conversation.$status.get());
  };

  const kernel: Kernel = {
    config: () => live?.config as MessengerConfig,
    signal: () => live?.controller.signal || (idle ||= AbortSignal.abort()),
    locale: () => $locale.get(),
    conversationId: () => conversationId,
    visitorId: () => visitorId,
    conversation,
    storage: () => live!.storage,
    context: () => live!.context,
    transport: () => delivery.transport,
    line: () => delivery.connect(),
    say(text, extra) {
      const message: Message = { id: createId(), conversationId, author: 'bot', text, at: stamp(), ...extra };
      receive(message);
      return message;
    },
    receive,
    note: addNote,
    setStatus,
    track(draft: EventDraft) {
      events.emit('event', { ...draft, at: Date.now(), conversationId, visitorId } as MadoguchiEvent);
      // A feedback answer is part of the story the thread tells.
      if (draft.type === 'survey.answered') addNote({ kind: 'survey', scale: draft.kind, score: draft.score }, `survey-${draft.kind}`);
    },
    emit: (name, ...args) => events.emit(name as keyof InternalEvents, ...(args as [])),
    on: (name, handler) => events.on(name as keyof InternalEvents, handler),
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

  const delivery = createDelivery(
    {
      get storage() {
        return live!.storage;
      },
      conversationId: () => conversationId,
      messages: () => conversation.$messages.get(),
      status: () => conversation.$status.get(),
      receive,
      update(message) {
        conversation.upsert(message);
        live?.storage.putMessage(message);
      },
      setStatus,
      track: kernel.track,
      report,
      lost: () => conversationLost(),
    },
    engines,
  );

  // Search stays quiet while a flow waits for the user's answer.
  const search = createSearchPart(kernel, engines.search, { busy: () => flows.waitsForText() });
  const handoff = createHandoffPart(kernel, engines, { search });
  const flows = createFlowPart(kernel, engines.flow, { search, handoff }, engines.triggers);
  const insights = createInsightsPart(kernel, engines.insights);
  const parts = [search, handoff, flows, insights];
  // A proactive rule may start a flow; the panel stays as it is (the flow's first message is the preview).
  events.on('proactive:flow', (id) => flows.start(id));

  /**
   * Restores what storage holds, then announces `ready` (the launcher mounts from memory) and
   * connects and boots the parts side by side: none of them delays the launcher or another.
   */
  async function start(boot: Booted) {
    const { signal } = boot.controller;
    const restored = await restoreSession(boot.storage, boot.context, boot.config, conversationId);
    if (signal.aborted) return;
    visitorId = restored.visitorId;
    conversationId = restored.conversationId;
    boot.storage.setSession({ conversationId, visitorId });
    conversation.merge(restored.messages);
    $hasEarlier.set(restored.earlier);
    createdAt = restored.createdAt;
    if (restored.status) conversation.setStatus(restored.status);
    // Only this tab's own panel reopens after a reload; a new tab starts closed.
    if (restored.open && tabOpen(boot.config.appId) && !boot.openTouched) api.open();
    boot.painted = options.mounted ? options.mounted().then(afterPaint, afterPaint) : afterPaint();
    events.emit('ready');
    const session = { appId: boot.config.appId, visitorId, conversationId, locale: $locale.get(), user: boot.config.user || {}, token: restored.token };
    delivery.start(boot.config.transport, session, signal);
    // The line (and the transport's code) waits until it has something to carry: a conversation a
    // person may answer, the panel opening, or a message sent. A visitor who never asks costs no socket.
    const involved = restored.status && restored.status.phase !== 'bot';
    if (involved || restored.messages.some((m) => m.author === 'user' || m.author === 'agent') || (await boot.storage.getOutbox()).length) void delivery.connect();
    await Promise.all([
      ...parts.map((part) => Promise.resolve(part.boot?.()).catch((cause) => !signal.aborted && report({ message: 'a part of the messenger could not start', cause }))),
    ]);
  }

  /** Reads the page before the earliest message shown; nothing changes when the boot or conversation did meanwhile. */
  async function readEarlier(boot: Booted): Promise<boolean> {
    const id = conversationId;
    const page = await boot.storage.listMessagePage(id, { limit: HISTORY_PAGE, before: conversation.$messages.get()[0] });
    if (live !== boot || conversationId !== id) return false;
    conversation.merge(page.messages);
    $hasEarlier.set(page.earlier);
    return page.messages.length > 0;
  }

  /** Starts a new, empty conversation; the previous one stays in storage. */
  function startConversation() {
    // The old conversation's survey goes with it.
    if (insights.$survey.get()) insights.skipSurvey();
    conversationId = createId();
    conversation.reset();
    $hasEarlier.set(false);
    createdAt = undefined;
    conversation.setStatus({ online: delivery.online() });
    // The new conversation gets its own token from the relay at hello.
    live?.storage.setSession({ conversationId, token: undefined });
    delivery.follow(conversationId);
  }

  /**
   * The relay will not continue this conversation (its token is lost): a new one starts, which says
   * so, and the messages not yet sent move to it and go out there. The old one stays readable.
   */
  function conversationLost() {
    const unsent = conversation.$messages.get().filter((m) => m.author === 'user' && (m.status === 'pending' || m.status === 'queued' || m.status === 'failed'));
    startConversation();
    // The note comes first, before the messages it carried over.
    addNote({ kind: 'lost' }, 'lost', Math.min(stamp(), ...unsent.map((m) => m.at - 1)));
    for (const m of unsent) receive({ ...m, conversationId, status: m.status === 'failed' ? 'failed' : 'queued' });
  }

  /**
   * Every message gets an answer: a part that takes it (a flow's question, a confident help-centre
   * match), or else an acknowledgment with the expected reply time and the way to a person.
   */
  function reply(text: string) {
    const searchWasReady = faqReady;
    if (parts.some((part) => part.userText?.(text))) return;
    const phase = conversation.$status.get().phase;
    if (phase === 'waiting' || phase === 'agent') return;
    if (!searchWasReady && live?.config.faq) {
      const id = conversationId;
      void search.loaded().then((ok) => {
        faqReady = ok;
        if (id === conversationId && !(ok && search.userText?.(text))) handoff.acknowledge();
      });
    } else handoff.acknowledge();
  }

  const tabSync = followOtherTabs({
    conversationId: () => conversationId,
    isEmpty: () => !conversation.$messages.get().length,
    receive: (m) => receive(m, false),
    setStatus: (s) => conversation.setStatus(s),
    adopt(id) {
      conversationId = id;
      createdAt = undefined;
      void live?.storage.listMessagePage(id, { limit: HISTORY_PAGE }).then((page) => {
        if (conversationId !== id) return;
        conversation.merge(page.messages);
        $hasEarlier.set(page.earlier);
      });
    },
    restart() {
      // A page that stores always would recreate the database the other tab just wiped: it stores
      // again only after this visitor's own interaction.
      const config = live?.config;
      void stop(false).then(() => config && api.boot(config.storage === 'always' ? { ...config, storage: 'after-interaction' } : config));
    },
  });

  async function stop(wipe: boolean) {
    clearTimeout(typingTimer);
    typingTimer = undefined;
    const boot = live;
    if (!boot) return;
    live = undefined;
    boot.controller.abort();
    for (const part of parts) part.shutdown?.();
    for (const fn of boot.cleanup) fn();
    delivery.close();
    boot.context.destroy();
    conversation.reset();
    $open.set(false);
    $unread.set(0);
    $hasEarlier.set(false);
    $booted.set(false);
    conversationId = createId();
    createdAt = undefined;
    faqReady = false;
    try {
      if (wipe) await boot.storage.wipe();
      await boot.storage.close();
    } catch (cause) {
      report({ message: 'stored data could not be deleted', cause });
    }
  }

  const api: Messenger = {
    boot: guard('boot', (input: MessengerConfig) => {
      const { config: valid, problems } = validateConfig(input);
      for (const p of problems) report({ message: `config ${p.path.slice(2)} ${p.message}`, path: p.path });
      if (!valid) return;
      if (live) void stop(false);
      // Server rendering: nothing to show and nothing to store; the client boots for real.
      if (!isBrowser) return;
      $locale.set(resolveLocale(valid.locale, document));
      const storage = createMessengerStorage({ appId: valid.appId, mode: valid.storage, retentionDays: valid.retentionDays, onWarning: warn });
      // Context changes are saved and told to the parts in a task of their own, once for a burst
      // (the first page view and the user at boot, a pushState then a replaceState), not inside
      // the boot task or the host's navigation.
      let noticed = false;
      const context = createContextTracker({
        redaction: valid.redaction,
        onChange: () => {
          if (noticed) return;
          noticed = true;
          setTimeout(() => {
            noticed = false;
            if (live !== boot) return;
            storage.setContext(context.save());
            for (const part of parts) part.activity?.('page');
          });
        },
      });
      const boot: Booted = { config: valid, storage, context, controller: new AbortController(), cleanup: [], openTouched: false };
      live = boot;
      context.setUser(valid.user || {});
      boot.cleanup.push(storage.subscribe(tabSync));
      const flush = () => void storage.flush();
      // The browser going offline shows at once ("will send when back online"), before any send fails.
      const line = () => delivery.lineChanged(navigator.onLine);
      const listen = (type: string, fn: () => void) => {
        window.addEventListener(type, fn);
        boot.cleanup.push(() => window.removeEventListener(type, fn));
      };
      listen('pagehide', flush);
      listen('online', line);
      listen('offline', line);
      $booted.set(true);
      start(boot).catch((cause) => report({ message: 'the messenger could not start', cause }));
    }),
    update: guard('update', (patch = {}) => {
      const boot = live!;
      const { config: valid, problems } = validateConfig({ appId: boot.config.appId, user: patch.user, locale: patch.locale });
      for (const p of problems) report({ message: `update ${p.path.slice(2)} ${p.message}`, path: p.path });
      if (valid?.user) {
        boot.config = { ...boot.config, user: { ...boot.config.user, ...valid.user } };
        boot.context.setUser(boot.config.user!);
        boot.storage.setUser(boot.config.user!);
      }
      if (valid?.locale) $locale.set(resolveLocale(valid.locale));
      if (patch.consent === true) boot.storage.enable();
      boot.context.pageView();
    }),
    track: guard('track', (name: string, properties?: Record<string, unknown>) => {
      if (typeof name !== 'string' || !name) throw new Error('an event name (a non-empty string) is required');
      live!.context.track(name, properties);
      for (const part of parts) part.activity?.('event', name);
    }),
    open: guard('open', () => {
      live!.openTouched = true;
      live!.storage.enable();
      if ($open.get()) return;
      // Engine code the open asks for (the line, the help centre) waits for the panel's first frame.
      live!.painted = afterPaint();
      $open.set(true);
      void delivery.connect();
      live!.storage.setSession({ open: true });
      tabOpen(live!.config.appId, true);
      if ($unread.get()) {
        $unread.set(0);
        events.emit('unread', 0);
      }
      events.emit('open');
      kernel.track({ type: 'widget.opened' });
    }),
    close: guard('close', () => {
      live!.openTouched = true;
      if (!$open.get()) return;
      $open.set(false);
      live!.storage.setSession({ open: false });
      tabOpen(live!.config.appId, false);
      events.emit('close');
      kernel.track({ type: 'widget.closed' });
    }),
    toggle: () => ($open.get() ? api.close() : api.open()),
    showArticle: guard('showArticle', (id: string) => {
      api.open();
      search.show(id);
    }),
    startFlow: guard('startFlow', (id: string, options?: { vars?: Record<string, unknown> }) => {
      api.open();
      flows.start(id, options);
    }),
    on: (name, handler) => {
      if (typeof handler !== 'function') {
        report({ message: `"on" needs a function for "${String(name)}"` });
        return () => {};
      }
      return events.on(name, handler as InternalEvents[typeof name]);
    },
    off: (name, handler) => events.off(name, handler as InternalEvents[typeof name]),
    shutdown: () => stop(true),
    typing() {
      const transport = delivery.transport;
      if (conversation.$status.get().phase !== 'agent' || !transport?.typing) return;
      if (!typingTimer) transport.typing(true);
      clearTimeout(typingTimer);
      typingTimer = setTimeout(stopTyping, 3000);
    },
    send: guard('send', (text: string) => {
      stopTyping();
      const body = String(text).trim().slice(0, MAX_MESSAGE_LENGTH);
      if (!body) return;
      live!.storage.enable();
      // A closed conversation stays as it was (readable in the list); a new question starts a new one.
      if (conversation.$status.get().phase === 'closed') startConversation();
      const message: Message = { id: createId(), conversationId, author: 'user', text: body, at: stamp(), status: 'pending' };
      receive(message);
      kernel.track({ type: 'message.sent', messageId: message.id });
      delivery.push({ id: message.id, conversationId, text: body, at: message.at });
      reply(body);
    }),
    retry: guard('retry', () => delivery.retry()),
    async conversations(limit = 5) {
      const storage = live?.storage;
      if (!storage) return [];
      const current = conversationId;
      const list = (await storage.listConversations()).filter((c) => c.id !== current).sort((a, b) => b.updatedAt - a.updatedAt);
      const withMessages = await Promise.all(
        list.slice(0, limit).map(async (c) => ({ id: c.id, status: c.status, updatedAt: c.updatedAt, messages: await storage.listMessages(c.id) })),
      );
      return withMessages.filter((c) => c.messages.length);
    },
    resend: guard('resend', (id: string) => {
      const failed = conversation.$messages.get().find((m) => m.id === id && m.status === 'failed');
      if (failed) delivery.push(failed);
    }),
    // A running flow hands its answers over to the person who picks up.
    talkToPerson: guard('talkToPerson', (reason?: string) => handoff.request({ reason, flow: flows.current() || undefined })),
    loadEarlier() {
      const boot = live;
      if (!boot || !$hasEarlier.get()) return Promise.resolve(false);
      return (readingEarlier ||= readEarlier(boot).finally(() => (readingEarlier = undefined)));
    },
    debugContext(callback) {
      const snapshot = live?.context.snapshot();
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
      $hasEarlier,
      $status: conversation.$status,
      $unread,
      config: () => live?.config,
      report,
    },
  };
  if (initial) api.boot(initial);
  return api;
}

/**
 * The per-tab memory of an open panel (a reload keeps it, a new tab starts closed): reads it, or
 * writes `open` when given. Blocked storage (a sandboxed frame) only means a reload starts closed.
 */
function tabOpen(appId: string, open?: boolean): boolean {
  const key = `madoguchi:${appId}:open`;
  try {
    if (open !== undefined) sessionStorage[open ? 'setItem' : 'removeItem'](key, '1');
    return sessionStorage.getItem(key) === '1';
  } catch {
    return false;
  }
}
