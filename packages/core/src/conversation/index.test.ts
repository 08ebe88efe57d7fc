import { describe, expect, it } from 'vitest';
import type { Message } from '../types';
import { createConversationStore } from './index';

const msg = (id: string, at: number, text = id): Message => ({ id, conversationId: 'c', author: 'user', text, at });

describe('the conversation store', () => {
  it('keeps messages in time order and never duplicates an id', () => {
    const store = createConversationStore();
    expect(store.upsert(msg('b', 2))).toBe(true);
    expect(store.upsert(msg('a', 1))).toBe(true);
    expect(store.upsert(msg('b', 2))).toBe(false);
    store.merge([msg('c', 3), msg('a', 1)]);
    expect(store.$messages.get().map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it('replaces a message whose status changed, and notifies', () => {
    const store = createConversationStore();
    store.upsert({ ...msg('a', 1), status: 'pending' });
    const seen: string[] = [];
    store.$messages.listen((list) => seen.push(list[0]!.status!));
    store.upsert({ ...msg('a', 1), status: 'sent' });
    expect(seen).toEqual(['sent']);
  });

  it('resets to an empty self-service conversation', () => {
    const store = createConversationStore();
    store.upsert(msg('a', 1));
    store.setStatus({ phase: 'agent', agentName: 'Ken' });
    store.reset();
    expect(store.$messages.get()).toEqual([]);
    expect(store.$status.get()).toEqual({ phase: 'bot', online: false });
  });
});
