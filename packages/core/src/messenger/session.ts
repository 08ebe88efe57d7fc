import type { MessengerConfig } from '../config';
import type { ContextTracker, SavedContext } from '../context';
import type { ConversationStatus } from '../conversation';
import type { MessengerStorage } from '../storage';
import type { Message } from '../types';

/** What a boot finds in storage: who the visitor is, the conversation they were in and where it stood. */
export interface RestoredSession {
  visitorId: string;
  conversationId: string;
  /** The latest page of the conversation (see `HISTORY_PAGE`), oldest first. */
  messages: Message[];
  /** Earlier messages remain in storage, read on request (`loadEarlier`). */
  earlier: boolean;
  /** When the conversation began, as stored (its first message may not be among those read). */
  createdAt?: number;
  status?: ConversationStatus;
  /** The panel was open when the visitor left. */
  open: boolean;
  /** The conversation's secret token from the relay, when one was issued. */
  token?: string;
}

/** Messages read at a time: the latest page at start, an earlier one on each request. */
export const HISTORY_PAGE = 60;

/**
 * Reads the stored session, context and conversation of this app and puts the context back in
 * the tracker. A new visitor keeps the ids it was given (`conversationId`). Only the latest page of the
 * conversation is read, whatever its length, so a long history does not delay the launcher.
 */
export async function restoreSession(
  storage: MessengerStorage,
  context: ContextTracker,
  config: MessengerConfig,
  conversationId: string,
): Promise<RestoredSession> {
  const [session, saved, user] = await Promise.all([storage.getSession(), storage.getContext(), storage.getUser()]);
  if (saved) context.restore(saved as SavedContext);
  if (!config.user && user) context.setUser(user);
  const visitorId = config.user?.id || session.visitorId || context.save().visitorId;
  const id = session.conversationId || conversationId;
  const [page, conversations] = await Promise.all([storage.listMessagePage(id, { limit: HISTORY_PAGE }), storage.listConversations()]);
  const stored = conversations.find((c) => c.id === id);
  return {
    visitorId,
    conversationId: id,
    messages: page.messages,
    earlier: page.earlier,
    createdAt: stored?.createdAt,
    status: stored?.handoff ? { ...(stored.handoff as ConversationStatus), agentTyping: false } : undefined,
    open: !!session.open,
    ...(typeof session.token === 'string' ? { token: session.token } : {}),
  };
}
