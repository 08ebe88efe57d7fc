import { atom, type ReadableAtom } from 'nanostores';
import type { Message } from '../types';

/** Where the conversation stands with the human side. */
export interface ConversationStatus {
  /** bot: self-service; waiting: in the queue for a person; agent: a person has joined; away: nobody online. */
  phase: 'bot' | 'waiting' | 'agent' | 'away' | 'closed';
  online: boolean;
  queuePosition?: number;
  expectedWaitSeconds?: number;
  agentName?: string;
  agentTyping?: boolean;
  /** Epoch ms when someone will answer, outside office hours. */
  nextOpenAt?: number;
  awayMessage?: string;
  /** The transport failed again and again: messages wait in the outbox until it is back. */
  unreachable?: boolean;
}

export interface ConversationStore {
  readonly $messages: ReadableAtom<Message[]>;
  readonly $status: ReadableAtom<ConversationStatus>;
  /** Adds or replaces a message by id (never a duplicate); keeps the thread in time order. */
  upsert(message: Message): boolean;
  /** Merges many messages at once, e.g. restored from storage or another tab. */
  merge(messages: Message[]): void;
  setStatus(patch: Partial<ConversationStatus>): void;
  reset(): void;
}

const initialStatus = (): ConversationStatus => ({ phase: 'bot', online: false });

/** Time order; messages of the same millisecond keep the order they arrived in (the sort is stable). */
const byTime = (a: Message, b: Message) => a.at - b.at;

function same(a: Message, b: Message): boolean {
  return a.text === b.text && a.status === b.status && a.at === b.at && a.authorName === b.authorName && a.articles === b.articles && a.note === b.note;
}

/** The messages of the open conversation and its status, as stores the UI subscribes to. */
export function createConversationStore(): ConversationStore {
  const $messages = atom<Message[]>([]);
  const $status = atom<ConversationStatus>(initialStatus());
  const merge = (incoming: Message[]): boolean => {
    const list = $messages.get();
    const index = new Map(list.map((m, i) => [m.id, i]));
    let next: Message[] | undefined;
    for (const message of incoming) {
      const at = index.get(message.id);
      if (at === undefined) {
        next ||= list.slice();
        index.set(message.id, next.push(message) - 1);
      } else if (!same((next || list)[at]!, message)) {
        next ||= list.slice();
        next[at] = message;
      }
    }
    if (!next) return false;
    $messages.set(next.sort(byTime));
    return true;
  };
  return {
    $messages,
    $status,
    upsert: (message) => merge([message]),
    merge: (messages) => void merge(messages),
    setStatus: (patch) => $status.set({ ...$status.get(), ...patch }),
    reset() {
      $messages.set([]);
      $status.set(initialStatus());
    },
  };
}
