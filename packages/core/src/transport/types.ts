import type { Locale, Message, UserInfo } from '../types';

/** Who is talking, handed to `connect`. The identity token travels untouched in `user`. */
export interface TransportSession {
  appId: string;
  /** Stable id of this visitor (the user's id, or an anonymous random id). */
  visitorId: string;
  conversationId: string;
  locale: Locale;
  user: UserInfo;
  /** The conversation's secret token from an earlier visit (the relay issues it at the first hello). */
  token?: string;
}

/** What an adapter reports back about the line and the human side. */
export type TransportStatus =
  | { type: 'online'; online: boolean }
  /** `position` is the place in line, 1 = next (so `position - 1` people are ahead). */
  | { type: 'queue'; position: number; expectedWaitSeconds?: number; agentsOnline?: number }
  | { type: 'agent-joined'; name: string }
  | { type: 'typing'; on: boolean }
  | { type: 'closed' }
  | { type: 'away'; nextOpenAt?: number; message?: string }
  /** A ticket was filed (webhook transport, e-mail follow-up): a person answers by e-mail. */
  | { type: 'ticket'; id: string }
  /** The other side read the user's messages with these ids. */
  | { type: 'read'; ids: string[] };

/** Where an adapter delivers what arrives. */
export interface TransportSink {
  /** `articles`: help-centre articles the agent offers with the message, shown as cards. */
  message(message: { id: string; text: string; authorName?: string; at?: number; articles?: Array<{ id: string; title: string }> }): void;
  status(status: TransportStatus): void;
  error(error: Error): void;
  /** The relay issued the conversation's secret token: keep it and pass it as `session.token` next time. */
  session?(info: { token: string }): void;
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
  /** Where the customer is now (redacted page, trail, searches, articles read), sent while a person is involved. Fire and forget. */
  context?(snapshot: LiveContext): void;
  /** The customer's survey answer (CSAT 1–5, CES 1–7, NPS 0–10), for the agents' shift figures (CSAT alone counts as CSAT). Fire and forget. */
  survey?(answer: { kind: 'csat' | 'ces' | 'nps'; score: number }): void;
  close(): void;
}

type Level = 'low' | 'medium' | 'high';

/**
 * Everything the agent needs to start informed, sent once by `handoff`. JSON Schema:
 * `@madoguchi/core/schema/handoff-packet.schema.json`. `id` makes the handoff idempotent.
 */
export interface HandoffPacket {
  id: string;
  conversationId: string;
  /** Epoch milliseconds. */
  createdAt: number;
  locale: string;
  /** Why a person is needed, in the user's words or the flow's. */
  reason: string;
  /** The user, identity token (userHash / jwt) included, for the server to verify. */
  user: UserInfo;
  context: {
    page: { url: string; path?: string; title?: string; referrer?: string };
    /** Pages visited and custom events, oldest first. */
    trail: Array<{ type: 'page' | 'event'; at: number; url?: string; title?: string; name?: string; properties?: Record<string, unknown> }>;
    device?: { viewport?: { width: number; height: number }; language?: string; timeZone?: string; platform?: string };
  };
  transcript: Array<Pick<Message, 'id' | 'author' | 'text' | 'at'> & { authorName?: string }>;
  searches: Array<{ query: string; at: number; found: boolean; results?: string[] }>;
  articles: Array<{ id: string; title: string; at: number; helpful?: boolean }>;
  flows: Array<{ id: string; answers: Record<string, unknown>; finished?: boolean }>;
  triage: { complexity: Level; severity: Level; effort: Level; reasons?: string[]; primary?: string; secondary?: string };
}

/** What `context` sends: the same fields as the handoff packet's context, searches and articles. */
export interface LiveContext {
  page: HandoffPacket['context']['page'];
  trail: HandoffPacket['context']['trail'];
  device?: HandoffPacket['context']['device'];
  searches: HandoffPacket['searches'];
  articles: HandoffPacket['articles'];
}

/** Client → server frames (JSON text, one per WebSocket message, POST body or SSE event). */
export type ClientFrame =
  | { type: 'hello'; session: TransportSession; last?: string }
  | { type: 'message'; id: string; text: string; at: number }
  | { type: 'handoff'; packet: HandoffPacket }
  | { type: 'typing'; on: boolean }
  | { type: 'context'; context: LiveContext }
  | { type: 'survey'; kind: 'csat' | 'ces' | 'nps'; score: number }
  | { type: 'ping' }
  | { type: 'pong' };

/** Server → client frames. */
export type ServerFrame =
  /** `token` comes with the first hello of a conversation: every later hello, request and stream carries it. */
  | { type: 'hello'; conversationId: string; token?: string }
  | { type: 'ack'; id: string }
  | { type: 'message'; id: string; text: string; authorName?: string; at?: number; articles?: Array<{ id: string; title: string }> }
  | { type: 'status'; status: TransportStatus }
  | { type: 'error'; code: string; message: string; id?: string }
  | { type: 'ping' }
  | { type: 'pong' };
