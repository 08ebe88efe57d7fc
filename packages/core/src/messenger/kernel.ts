import type { MessengerConfig } from '../config';
import type { ContextTracker } from '../context';
import type { ConversationStatus, ConversationStore } from '../conversation';
import type { MadoguchiEvent } from '../insights/events';
import type { MessengerStorage } from '../storage';
import type { TransportAdapter } from '../transport/types';
import type { Locale, Message, MessageNote } from '../types';

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

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An insights event before the kernel stamps it with time, conversation and visitor. */
export type EventDraft = DistributiveOmit<MadoguchiEvent, 'at' | 'conversationId' | 'visitorId'>;

/**
 * What the messenger's parts (search, flows, handoff, insights) share while booted. Each part is
 * created with the kernel and reaches the rest of the messenger only through it.
 */
export interface Kernel {
  config(): MessengerConfig;
  /** Aborted when this boot ends (shutdown, or a new boot): work started for it stops quietly. */
  signal(): AbortSignal;
  locale(): Locale;
  conversationId(): string;
  visitorId(): string;
  readonly conversation: ConversationStore;
  storage(): MessengerStorage;
  context(): ContextTracker;
  transport(): TransportAdapter | undefined;
  /** The transport, connecting first when this page has not needed the line yet; undefined when there is none. */
  line(): Promise<TransportAdapter | undefined>;
  /** Adds a bot message to the thread (stored, announced, not sent to the transport). */
  say(text: string, extra?: Pick<Message, 'articles' | 'note'>): Message;
  /** Adds a system note; `id` names what it tells, so it is added once across tabs and reloads. */
  note?(note: MessageNote, id: string): void;
  /** Changes the conversation's status, stores it with the conversation and announces it. */
  setStatus(patch: Partial<ConversationStatus>): void;
  /** Puts a message in the thread and storage (no duplicate by id). */
  receive(message: Message): void;
  /** Streams an insights event through `on('event')`. */
  track(event: EventDraft): void;
  /** Emits a public event (`on(name)`); returns what the handlers returned. */
  emit(name: string, ...args: unknown[]): unknown[];
  /** Subscribes to a public event from inside the messenger. */
  on(name: string, handler: (...args: any[]) => void): () => void;
  report(error: MadoguchiError): void;
  warn(warning: MadoguchiWarning): void;
  /** Fetches JSON (FAQ, flows); rejects with an error that names the URL. */
  fetchJson(url: string): Promise<unknown>;
  open(): void;
  isOpen(): boolean;
}

/** A part of the messenger with a life tied to boot and shutdown. */
export interface Part {
  /** After boot restored the conversation. */
  boot?(): void | Promise<void>;
  /** Text the user sent; return true when this part answered it (the others then stay quiet). */
  userText?(text: string): boolean;
  /** A page view or custom event was recorded. */
  activity?(kind: 'page' | 'event', name?: string): void;
  shutdown?(): void;
}
