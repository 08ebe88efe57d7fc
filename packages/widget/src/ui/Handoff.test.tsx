// @vitest-environment happy-dom
import type { ConversationStatus, Messenger } from '@madoguchi/core';
import { cleanup, fireEvent, render } from '@testing-library/preact';
import { atom } from 'nanostores';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { en } from '../i18n-en';
import { ja } from '../i18n-ja';
import { HandoffExtras } from './Handoff';

const STRINGS = { en, ja };

afterEach(cleanup);

function fake(status: Partial<ConversationStatus>, result: 'sent' | 'invalid' | 'failed' = 'sent', email?: string) {
  const $status = atom<ConversationStatus & { handoff?: { email?: string } }>({ phase: 'bot', online: true, ...status });
  const followUpByEmail = vi.fn(async (email: string) => {
    if (result === 'sent') $status.set({ ...$status.get(), handoff: { email } });
    return result;
  });
  const $messages = atom<Array<{ author: string; text: string }>>([]);
  const m = { state: { $status, $messages, config: () => ({ appId: 'a', user: { email } }) }, handoff: { followUpByEmail } } as unknown as Messenger;
  return { m, $status, followUpByEmail };
}

describe('HandoffExtras', () => {
  it('offers e-mail follow-up only when nobody is online, and confirms it', async () => {
    const f = fake({ phase: 'waiting', queuePosition: 2 });
    const view = render(<HandoffExtras m={f.m} t={STRINGS.en} />);
    expect(view.queryByRole('textbox', { name: 'Email address' })).toBeNull();
    f.$status.set({ ...f.$status.get(), phase: 'away' });
    const input = (await view.findByRole('textbox', { name: 'Email address' })) as HTMLInputElement;
    expect(input.value).toBe('');
    fireEvent.input(input, { target: { value: 'aiko.k@example.com' } });
    fireEvent.click(view.getByRole('button', { name: 'Email me' }));
    await view.findByText('We will answer at aiko.k@example.com.');
    expect(f.followUpByEmail).toHaveBeenCalledWith('aiko.k@example.com');
    expect(view.queryByRole('textbox', { name: 'Email address' })).toBeNull();
  });

  it('does not ask again for an address it knows: from the profile, or typed in a flow', async () => {
    const f = fake({ phase: 'away' }, 'sent', 'aiko@example.com');
    const view = render(<HandoffExtras m={f.m} t={STRINGS.en} />);
    expect(view.queryByRole('textbox', { name: 'Email address' })).toBeNull();
    fireEvent.click(view.getByRole('button', { name: 'Email me at aiko@example.com' }));
    await view.findByText('We will answer at aiko@example.com.');
    expect(f.followUpByEmail).toHaveBeenCalledWith('aiko@example.com');
    cleanup();

    const typed = fake({ phase: 'away' });
    (typed.m.state.$messages as unknown as { set(v: unknown): void }).set([{ author: 'user', text: 'k.sato@example.jp' }]);
    const again = render(<HandoffExtras m={typed.m} t={STRINGS.ja} />);
    again.getByRole('button', { name: 'k.sato@example.jp にメールで受け取る' });
    // Another address stays possible.
    fireEvent.click(again.getByRole('button', { name: 'メールアドレス' }));
    again.getByRole('textbox', { name: 'メールアドレス' });
  });

  it('says what is wrong with a bad address and keeps the form', async () => {
    const f = fake({ phase: 'away' }, 'invalid');
    const view = render(<HandoffExtras m={f.m} t={STRINGS.en} />);
    fireEvent.click(view.getByRole('button', { name: 'Email me' }));
    expect((await view.findByRole('alert')).textContent).toBe(STRINGS.en.emailInvalid);
    expect(view.getByRole('textbox', { name: 'Email address' }).getAttribute('aria-invalid')).toBe('true');
  });

  it('speaks Japanese and names no control after the message box or the send button', async () => {
    const f = fake({ phase: 'away' });
    const view = render(<HandoffExtras m={f.m} t={STRINGS.ja} />);
    expect(view.getByRole('textbox', { name: 'メールアドレス' })).toBeTruthy();
    const names = view.getAllByRole('button').map((b) => b.textContent);
    expect(names).toEqual(['メールで受け取る']);
  });

  it('words the place in line from the relay position (1 = next)', () => {
    expect([1, 2, 4].map(STRINGS.en.queue)).toEqual(["You're next in line.", '1 person ahead of you.', '3 people ahead of you.']);
    expect(STRINGS.ja.queue(4)).toBe('あなたの前に3人お待ちです。');
  });
});
