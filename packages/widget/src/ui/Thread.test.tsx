// @vitest-environment happy-dom
import type { Message, Messenger } from '@madoguchi/core';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { atom } from 'nanostores';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { en } from '../i18n-en';
import { ja } from '../i18n-ja';
import { preloadMarkdown } from './Markdown';
import { Thread } from './Thread';

beforeAll(() => preloadMarkdown());
afterEach(cleanup);

/** A messenger whose thread holds these messages, as storage or another tab might hand them over. */
function withMessages(messages: Array<Partial<Message>>) {
  const show = vi.fn();
  const full = messages.map((x, i) => ({ id: `m${i}`, conversationId: 'c', author: 'bot', text: '', at: Date.now() + i, ...x }) as Message);
  const m = {
    state: {
      $messages: atom(full),
      $status: atom({ phase: 'bot', online: false }),
      $hasEarlier: atom(false),
      $open: atom(true),
      $locale: atom('en'),
      config: () => ({ appId: 'a' }),
    },
    search: { show },
  } as unknown as Messenger;
  return { m, show };
}

describe('rich parts of bot messages in the thread', () => {
  it('shows only links to http(s) URLs and paths on this site, whatever the stored record says', () => {
    const bad = ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'data:text/html,<b>x</b>', '//evil.example/x', '/\\evil.example/x', 'vbscript:x', 'https://', ''];
    const { m } = withMessages([
      {
        text: 'Pick one',
        image: { src: 'javascript:alert(1)', alt: 'bad image' },
        links: [...bad.map((url, i) => ({ label: `bad ${i}`, url })), { label: 'Plain', url: 'http://example.com/a' }, { label: '', url: '/no-label' }],
        cards: [{ title: 'Bad card', url: 'javascript:alert(1)' }, { title: 'Article', article: 'a1' }, { title: 'Nothing to open' }],
      },
      // Only the bot's own messages carry controls: an agent's or the user's never do.
      { author: 'agent', text: 'From a person', links: [{ label: 'Agent link', url: 'https://example.com' }], image: { src: 'https://example.com/a.png', alt: 'agent image' } },
      { author: 'user', text: 'From me', links: [{ label: 'User link', url: 'https://example.com' }] },
    ]);
    const { container } = render(<Thread m={m} t={en} />);
    const links = [...container.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['http://example.com/a']);
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getAllByRole('button').map((b) => b.textContent)).toEqual(['Article']);
    expect(container.textContent).not.toContain('Agent link');
    expect(container.textContent).not.toContain('User link');
  });

  it('keeps the controls reachable by keyboard and named for screen readers, in the reader’s language', () => {
    const { m, show } = withMessages([
      {
        text: 'Here',
        image: { src: 'https://cdn.example.com/a.png', alt: 'Front of the router' },
        links: [{ label: 'Guide', url: 'https://help.example.com/guide' }],
        cards: [{ title: 'Returns', article: 'returns', text: 'Within 30 days.' }],
      },
    ]);
    render(<Thread m={m} t={ja} />);
    expect(screen.getByRole('img', { name: 'Front of the router' })).toBeTruthy();
    const guide = screen.getByRole('link', { name: 'Guide (新しいタブで開きます)' });
    guide.focus();
    expect(document.activeElement).toBe(guide);
    const card = screen.getByRole('button', { name: 'Returns Within 30 days.' });
    card.focus();
    expect(document.activeElement).toBe(card);
    fireEvent.click(card);
    expect(show).toHaveBeenCalledWith('returns');
  });
});
