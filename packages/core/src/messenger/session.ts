import type { MessengerConfig } from '../config';
import type { ContextTracker, SavedContext } from '../context';
import type { ConversationStatus } from '../conversation';
import type { MessengerStorage } from '../storage';
import type { Message } from '../types';

/** What a boot finds in storage: who the visitor is, the conversation they were in and where it stood. */
export interface RestoredSession {
  visitorId: string;
  conversationId: string;
  messages: Message[];
  status?: ConversationStatus;
  /** The panel was open when the visitor left. */
  open: boolean;
  /** The conversation's secret token from the relay, when one was issued. */
  token?: string;
}

/**
 * Reads the stored session, context and conversation of this app and puts the context back in
 * the tracker. A new visitor keeps the ids it was given (`conversationId`).
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
  const [messages, conversations] = await Promise.all([storage.listMessages(id), storage.listConversations()]);
  const stored = conversations.find((c) => c.id === id);
  return {
    visitorId,
    conversationId: id,
    messages,
    status: stored?.handoff ? { ...(stored.handoff as ConversationStatus), agentTyping: false } : undefined,
    open: !!session.open,
    ...(typeof session.token === 'string' ? { token: session.token } : {}),
  };
}
