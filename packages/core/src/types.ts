/** Locales the widget ships strings for. Other BCP 47 tags fall back to English. */
export type Locale = 'en' | 'ja';

/** A string, or one string per locale (`{ "en": "...", "ja": "..." }`). */
export type LocalizedText = string | Record<string, string>;

/** One problem found in user-written input (config, flow, FAQ, frame): where and why. */
export interface Problem {
  /** JSON path of the offending value, e.g. `$.nodes.ask.options[2].label`. */
  path: string;
  /** A plain sentence a product person can act on. */
  message: string;
}

/** What the host tells us about the signed-in user. */
export interface UserInfo {
  id?: string;
  name?: string;
  email?: string;
  /** Identity verification token, passed to the transport untouched. */
  userHash?: string;
  /** Identity verification token, passed to the transport untouched. */
  jwt?: string;
  /** Custom attributes (plan, tier, signup date…) used by segments and triage. */
  attributes?: Record<string, unknown>;
}

export type MessageAuthor = 'user' | 'bot' | 'agent' | 'system';

/**
 * pending: stored, not yet handed to the transport; queued: waiting in the outbox for the line
 * to return; sent: accepted by the transport; failed: refused for good.
 */
export type MessageStatus = 'pending' | 'queued' | 'sent' | 'failed' | 'read';

/**
 * What a system note or an acknowledgment says, as data: the widget tells it in the reader's
 * language. asked: a person was asked for; queue: the place in line; joined: who joined; closed:
 * the conversation ended; away: nobody online; email: a person answers by e-mail; ack: a message
 * nobody answered yet was received; survey: a feedback answer.
 */
export interface MessageNote {
  kind: 'asked' | 'queue' | 'joined' | 'closed' | 'away' | 'email' | 'ack' | 'survey' | 'lost';
  name?: string;
  position?: number;
  email?: string;
  /** Epoch ms: when someone will answer (office hours). */
  until?: number;
  /** The expected reply time as configured (`replyTime`), in the conversation's language. */
  replyTime?: string;
  score?: number;
  /** The survey scale answered: 'csat', 'ces' or 'nps'. */
  scale?: string;
}

export interface Message {
  /** Client message id: unique, makes every send idempotent. */
  id: string;
  conversationId: string;
  author: MessageAuthor;
  /** Plain text or the safe Markdown subset. Never HTML. */
  text: string;
  /** Epoch milliseconds. */
  at: number;
  status?: MessageStatus;
  /** Display name for agent (and bot) messages. */
  authorName?: string;
  /** Help-centre articles a bot message offers (an answer), kept with it. */
  articles?: Array<{ id: string; title: string }>;
  /** A system note or acknowledgment (then `text` may be empty): see `MessageNote`. */
  note?: MessageNote;
  /** A bot message's image (an https URL), shown under its text. */
  image?: { src: string; alt: string };
  /** A bot message's link buttons: each an https URL or a path on the site. */
  links?: Array<{ label: string; url: string }>;
  /** A bot message's cards: a help-centre `article` (opened in the panel) or a page (`url`), with a short text. */
  cards?: MessageCard[];
}

export interface MessageCard {
  title: string;
  text?: string;
  /** The id of a help-centre article. */
  article?: string;
  url?: string;
}
