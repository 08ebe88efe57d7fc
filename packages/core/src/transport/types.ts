import type { Locale, Message, UserInfo } from '../types';

/** Who is talking, handed to `connect`. The identity token travels untouched in `user`. */
export interface TransportSession {
  appId: string;
  /** Stable id of this visitor (the user's id, or an anonymous random id). */
  visitorId: string;
  conversationId: string;
  locale: Locale;
  user: UserInfo;
}

/** What an adapter reports back about the line and the human side. */
export type TransportStatus =
  | { type: 'online'; online: boolean }
  | { type: 'queue'; position: number; expectedWaitSeconds?: number }
  | { type: 'agent-joined'; name: string }
  | { type: 'typing'; on: boolean }
  | { type: 'closed' }
  | { type: 'away'; nextOpenAt?: number; message?: string };

/** Where an adapter delivers what arrives. */
export interface TransportSink {
  message(message: { id: string; text: string; authorName?: string; at?: number }): void;
  status(status: TransportStatus): void;
  error(error: Error): void;
}

/** A message on its way out: the stored message, id included (the idempotency key). */
export type OutgoingMessage = Pick<Message, 'id' | 'conversationId' | 'text' | 'at'>;

/**
 * The pluggable link to the human side. `send` must be idempotent by `message.id`:
 * the outbox may call it again for the same message after a failure.
 */
export interface TransportAdapter {
  connect(session: TransportSession, sink: TransportSink): void | Promise<void>;
  send(message: OutgoingMessage): Promise<void>;
  handoff(packet: unknown): Promise<void>;
  typing?(on: boolean): void;
  close(): void;
}
