// @vitest-environment happy-dom
import { createMessenger, type Messenger } from '@madoguchi/core';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { atom } from 'nanostores';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi, beforeAll } from 'vitest';
import { en } from '../i18n-en';
import { ja } from '../i18n-ja';
import { useStore } from './use-store';
import { Composer } from './Composer';
import { ArticleView } from './Search';
import { preloadMarkdown } from './Markdown';

// The parser arrives on demand in the widget; these tests read formatted output at once.
beforeAll(() => preloadMarkdown());

const STRINGS = { en, ja };

const faq = (locale: 'en' | 'ja') => JSON.parse(readFileSync(`${process.cwd()}/examples/faq/${locale}.json`, 'utf8'));

let m: Messenger | undefined;
afterEach(async () => {
  cleanup();
  await m?.shutdown();
  m = undefined;
});

/** The panel's part that matters here: the article or the conversation, and the composer under it. */
function Panel({ m, locale, onKeyDown }: { m: Messenger; locale: 'en' | 'ja'; onKeyDown?: (e: KeyboardEvent) => void }) {
  const article = useStore(m.search.$article);
  return (
    <div onKeyDown={onKeyDown}>
      {article && <ArticleView m={m} t={STRINGS[locale]} />}
      <Composer m={m} t={STRINGS[locale]} />
    </div>
  );
}

async function booted(locale: 'en' | 'ja' = 'en', articles = faq(locale)) {
  const messenger = createMessenger();
  m = messenger;
  const events: Array<Record<string, unknown>> = [];
  messenger.on('event', (e) => events.push(e as never));
  const ready = new Promise<void>((ok) => messenger.on('ready', ok));
  messenger.boot({ appId: 'search-ui', locale, faq: articles, storage: 'none', transport: { type: 'loopback', delay: 5 } });
  await ready;
  await messenger.search.loaded();
  const onKeyDown = vi.fn();
  render(<Panel m={messenger} locale={locale} onKeyDown={onKeyDown} />);
  const box = screen.getByRole('textbox', { name: STRINGS[locale].message }) as HTMLTextAreaElement;
  return { m: messenger, events, box, onKeyDown };
}

const type = (box: HTMLTextAreaElement, text: string) => fireEvent.input(box, { target: { value: text } });
const key = (box: HTMLTextAreaElement, k: string) => fireEvent.keyDown(box, { key: k });

describe('suggestions in the composer', () => {
  it('suggest articles as the user types; arrows highlight, Enter opens the highlighted one', async () => {
    const { m, box, events } = await booted();
    type(box, 'forgot passw');
    const list = await screen.findByRole('listbox', { name: 'Suggested articles' });
    expect(screen.getAllByRole('option')[0].textContent).toContain('I forgot my password');
    expect(box.getAttribute('aria-controls')).toBe(list.id);
    expect(box.hasAttribute('aria-activedescendant')).toBe(false);
    key(box, 'ArrowDown');
    const first = screen.getAllByRole('option')[0];
    expect(first.getAttribute('aria-selected')).toBe('true');
    expect(box.getAttribute('aria-activedescendant')).toBe(first.id);
    key(box, 'ArrowUp');
    key(box, 'ArrowDown');
    key(box, 'Enter');
    const heading = await screen.findByRole('heading', { name: 'I forgot my password' });
    await waitFor(() => expect(heading.ownerDocument.activeElement).toBe(heading));
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(m.state.$messages.get()).toEqual([]);
    expect(events.filter((e) => e.type !== 'widget.opened').map((e) => e.type)).toEqual(['search.made', 'article.viewed']);
  });

  it('paints the titles first, then one snippet an idle period, and tells screen readers the count once, with the last', async () => {
    // The browser's idle periods, run one at a time by the test.
    const idle: Array<() => void> = [];
    const browser = globalThis as { requestIdleCallback?: unknown; cancelIdleCallback?: unknown };
    browser.requestIdleCallback = (run: () => void) => idle.push(run);
    browser.cancelIdleCallback = () => {};
    try {
      const { box } = await booted();
      // Once the help centre is searchable, the list's faces are laid out once, hidden from screen readers.
      await waitFor(() => expect(idle.length).toBe(1));
      idle.shift()!();
      await waitFor(() => expect(document.querySelector('.sugg.vh[aria-hidden="true"]')?.textContent).toContain('Suggested articles'));
      await waitFor(() => expect(document.querySelector('.sugg.vh')?.textContent).toBe(''));

      type(box, 'refund');
      const options = await screen.findAllByRole('option');
      expect(options.length).toBeGreaterThan(1);
      // Their titles were laid out out of sight before the list was shown, so its frame looks no font up.
      const ahead = document.querySelector('.sugg.vh[aria-hidden="true"] b')!.textContent;
      for (const option of options) expect(ahead).toContain(option.querySelector('b')!.textContent);
      const snippets = () => options.map((o) => o.querySelector('small')!.textContent);
      const status = () => document.querySelector('[role="status"]')!.textContent;
      expect(snippets().every((s) => s === '')).toBe(true);
      for (let shown = 1; shown <= options.length; shown++) {
        await waitFor(() => expect(idle.length).toBe(1));
        idle.shift()!();
        await waitFor(() => expect(snippets().filter(Boolean).length).toBe(shown));
        expect(status()).toBe(shown < options.length ? '' : en.found(options.length));
      }
    } finally {
      cleanup();
      await m?.shutdown();
      delete browser.requestIdleCallback;
      delete browser.cancelIdleCallback;
    }
  });

  it('suggest in Japanese', async () => {
    const { box } = await booted('ja');
    type(box, '返品');
    await screen.findByRole('listbox', { name: 'おすすめの記事' });
    expect(screen.getAllByRole('option')[0].textContent).toContain('商品を返品したい');
  });

  it('open an article when an option is clicked', async () => {
    const { box } = await booted();
    type(box, 'refund');
    fireEvent.click((await screen.findAllByRole('option'))[0]);
    await screen.findByRole('heading', { name: 'When will I get my refund?' });
  });

  it('the first Escape clears the suggestions without reaching the panel; the next one reaches it', async () => {
    const { box, onKeyDown } = await booted();
    type(box, 'refund');
    await screen.findByRole('listbox');
    key(box, 'Escape');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(onKeyDown).not.toHaveBeenCalled();
    key(box, 'Escape');
    expect(onKeyDown).toHaveBeenCalledTimes(1);
  });

  it('Enter with nothing highlighted sends; a question the FAQ answers gets article cards in its message', async () => {
    const { m, box } = await booted();
    type(box, 'I forgot my password');
    await screen.findByRole('listbox');
    key(box, 'Enter');
    expect(m.state.$messages.get()[0]).toMatchObject({ author: 'user', text: 'I forgot my password' });
    expect(m.state.$messages.get()[1]).toMatchObject({ author: 'bot', text: 'These articles may help:' });
    expect(m.state.$messages.get()[1]!.articles![0]).toMatchObject({ id: 'password-reset', title: 'I forgot my password' });
    expect(box.value).toBe('');
    // The cards are kept with the message (stored with it), so the thread shows them: see Thread.test.tsx.
    m.search.show(m.state.$messages.get()[1]!.articles![0]!.id);
    await screen.findByRole('heading', { name: 'I forgot my password' });
  });

  it('offer no suggestion for a single character', async () => {
    const { box } = await booted();
    type(box, 'r');
    await new Promise((r) => setTimeout(r, 200));
    expect(screen.queryByRole('listbox')).toBeNull();
  });
});

describe('the article view', () => {
  it('goes back to the conversation with the focus in the message box', async () => {
    const { m, box } = await booted();
    m.search.show('return-policy');
    fireEvent.click(await screen.findByRole('button', { name: 'Back' }));
    expect(m.search.$article.get()).toBeNull();
    expect(box.ownerDocument.activeElement).toBe(box);
    await waitFor(() => expect(screen.queryByRole('heading')).toBeNull());
  });

  it('renders the body as Markdown and links to the help centre page', async () => {
    await booted();
    m!.search.show('return-policy');
    const link = await screen.findByRole('link', { name: 'Open in the help centre' });
    expect(link.getAttribute('href')).toBe('https://help.acme.example/en/returns');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(document.querySelector('article .md')!.textContent!.length).toBeGreaterThan(40);
  });

  it('links nowhere when the article url is not http(s)', async () => {
    await booted('en', [{ id: 'x', title: 'Hostile', body: 'Body', url: 'javascript:alert(1)' }]);
    m!.search.show('x');
    await screen.findByRole('heading', { name: 'Hostile' });
    expect(screen.queryByRole('link')).toBeNull();
  });

  it('records yes and no; "no" shows the next step without a second "Talk to a person" button', async () => {
    const { m, events } = await booted();
    m.search.show('password-reset');
    const group = await screen.findByRole('group', { name: 'Did this answer your question?' });
    fireEvent.click(screen.getByRole('button', { name: 'Yes' }));
    await screen.findByText('Thanks for letting us know.');
    expect(screen.getByRole('button', { name: 'Yes' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'No' }));
    await screen.findByText(/Ask again in your own words/);
    expect(screen.getAllByRole('button', { name: 'Talk to a person' })).toHaveLength(1);
    expect(group).toBeTruthy();
    expect(events.filter((e) => e.type === 'article.feedback').map((e) => e.helpful)).toEqual([true, false]);
    expect(m.state.$messages.get().at(-1)?.author).toBe('bot');
  });

  it('in Japanese', async () => {
    const { m } = await booted('ja');
    m.search.show('password-reset');
    await screen.findByRole('heading', { name: 'パスワードを忘れてしまった' });
    fireEvent.click(screen.getByRole('button', { name: 'いいえ' }));
    await screen.findByText(/担当者と話す」をお選びください/);
    screen.getByRole('button', { name: '戻る' });
  });
});

describe('the composer while a flow waits for typed input', () => {
  it('shows the input placeholder, no suggestions, and points at the retry error', async () => {
    const { m: real } = await booted();
    cleanup();
    const $wait = atom<unknown>({ node: 'mail', allowHuman: true, kind: 'input', input: 'email', placeholder: 'name@example.com', error: 'That is not an e-mail address.' });
    const fake = { ...real, flows: { ...real.flows, $wait } } as unknown as Messenger;
    render(<Composer m={fake} t={STRINGS.en} />);
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    expect(box.placeholder).toBe('name@example.com');
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect(box.getAttribute('aria-describedby')).toBe('mg-flow-error');
    expect(box.getAttribute('inputmode')).toBe('email');
    type(box, 'refund');
    await new Promise((r) => setTimeout(r, 200));
    expect(screen.queryByRole('listbox')).toBeNull();
    $wait.set(null);
    await waitFor(() => expect(box.placeholder).toBe('Ask a question…'));
    expect(box.hasAttribute('aria-invalid')).toBe(false);
    await screen.findByRole('listbox');
  });
});
