import type { ConversationStatus } from '../conversation';
import type { StorageChange } from '../storage';
import type { Message } from '../types';

/** What the messenger does with another tab's changes. */
export interface TabSyncTarget {
  conversationId(): string;
  /** True while this tab's conversation has no message: it may still join the other tab's. */
  isEmpty(): boolean;
  receive(message: Message): void;
  setStatus(status: ConversationStatus): void;
  /** Switches to the other tab's conversation (two tabs that started at once). */
  adopt(conversationId: string): void;
  /** Another tab ended the session (a logout): forget it here too and start afresh. */
  restart(): void;
}

/** Turns another tab's stored changes into this tab's: its messages and status appear, its shutdown ends ours. */
export function followOtherTabs(target: TabSyncTarget): (change: StorageChange) => void {
  return (change) => {
    if (change.kind === 'message') {
      const m = change.value as Message;
      if (m.conversationId === target.conversationId()) target.receive(m);
    } else if (change.kind === 'conversation') {
      const c = change.value as { id: string; handoff?: ConversationStatus };
      if (c.id === target.conversationId() && c.handoff) target.setStatus(c.handoff);
    } else if (change.kind === 'session') {
      const id = (change.value as { conversationId?: string } | undefined)?.conversationId;
      if (id && id !== target.conversationId() && target.isEmpty()) target.adopt(id);
    } else if (change.kind === 'wipe') target.restart();
  };
}
