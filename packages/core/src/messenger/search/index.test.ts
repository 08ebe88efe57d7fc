import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { MessengerConfig } from '../../config';
import { createConversationStore } from '../../conversation';
import type { Locale, Message } from '../../types';
import type { Kernel } from '../kernel';
import { createSearchPart, FAQ_IDLE_DELAY_MS } from '.';
import { importEngines } from '../import-engines';

const faq = (locale: Locale) => JSON.parse(readFileSync(new URL(`../../../../../examples/faq/${locale}.json`, import.meta.url), 'utf8'));

function setup(config: Partial<MessengerConfig> = {}, locale: Locale = 'en', busy?: () => boolean) {
  const conversation = createConversationStore();
  const events: Array<Record<string, unknown>> = [];
  const said: Message[] = [];
  const warnings: string[] = [];
  const errors: Array<{ message: string; path?: string }> = [];
  const opened = new Set<() => void>();
  let isOpen = false;
  const open = () => {
    isOpen = true;
    for (const fn of opened) fn();
  };
  const fetchJson = vi.fn(async (url: string) => {
    if (url === '/faq.json') return faq(locale);
    throw new Error(`${url} answered 404`);
  });
  const k = {
    config: () => ({ appId: 'a', ...config }),
    signal: () => new AbortController().signal,
    locale: () => locale,
    conversation,
    say(text: string) {
      const m: Message = { id: `b${said.length}`, conversationId: 'c', author: 'bot', text, at: 1 };
      said.push(m);
      return m;
    },
    track: (e: Record<string, unknown>) => events.push(e),
    warn: (w: { message: string }) => warnings.push(w.message),
    report: (e: { message: string; path?: string }) => errors.push(e),
    fetchJson,
    isOpen: () => isOpen,
    on: (name: string, fn: () => void) => (name === 'open' ? (opened.add(fn), () => opened.delete(fn)) : () => {}),
  } as unknown as Kernel;
  const load = vi.fn(importEngines.search);
  const part = createSearchPart(k, load, { busy });
  return { part, conversation, events, said, warnings, errors, fetchJson, open, load };
}

async function booted(...args: Parameters<typeof setup>) {
  const s = setup(...args);
  s.part.boot!();
  expect(await s.part.loaded()).toBe(true);
  return s;
}

describe('the search part', () => {
  it('fetches nothing of the help centre at boot; the first open loads it', async () => {
    const { part, fetchJson, load, open } = setup({ faq: '/faq.json' });
    part.boot!();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(load).not.toHaveBeenCalled();
    expect(fetchJson).not.toHaveBeenCalled();
    open();
    await vi.waitFor(() => expect(part.query('passw')[0]?.id).toBe('password-reset'));
    expect(fetchJson).toHaveBeenCalledTimes(1);
  });

  it('starts loading when the visitor types, and suggests once it is searchable', async () => {
    const { part, fetchJson } = setup({ faq: '/faq.json' });
    part.boot!();
    expect(part.query('passw')).toEqual([]);
    expect(part.$searchable.get()).toBe(false);
    // The UI searches the same text again when the FAQ becomes searchable.
    await vi.waitFor(() => expect(part.$searchable.get()).toBe(true));
    expect(part.query('passw')[0]?.id).toBe('password-reset');
    expect(fetchJson).toHaveBeenCalledTimes(1);
  });

  it("with faqLoad 'idle', loads a while after the page has loaded, not before", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const { part, fetchJson } = setup({ faq: '/faq.json', faqLoad: 'idle' });
      part.boot!();
      await vi.advanceTimersByTimeAsync(FAQ_IDLE_DELAY_MS - 100);
      expect(fetchJson).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(200);
      await vi.waitFor(() => expect(fetchJson).toHaveBeenCalledWith('/faq.json'));
    } finally {
      vi.useRealTimers();
    }
  });

  it("with faqLoad 'boot', loads at once", async () => {
    const { part, fetchJson } = setup({ faq: '/faq.json', faqLoad: 'boot' });
    part.boot!();
    await vi.waitFor(() => expect(fetchJson).toHaveBeenCalledWith('/faq.json'));
  });

  it('fetches the FAQ from a URL and suggests articles as the user types, without recording', async () => {
    const { part, fetchJson, events } = await booted({ faq: '/faq.json' });
    expect(fetchJson).toHaveBeenCalledWith('/faq.json');
    expect(part.query('passw')[0].id).toBe('password-reset');
    expect(part.query('  ')).toEqual([]);
    expect(events).toEqual([]);
  });

  it('suggests in Japanese from articles given inline', async () => {
    const { part } = await booted({ faq: faq('ja') }, 'ja');
    expect(part.query('返品')[0].id).toBe('return-policy');
  });

  it('filters by the current locale when one file holds both languages', async () => {
    const { part } = await booted({ faq: [...faq('en'), ...faq('ja').map((a: { id: string }) => ({ ...a, id: 'ja-' + a.id }))] }, 'ja');
    expect(part.query('Acme Hub').every((h) => h.id.startsWith('ja-'))).toBe(true);
  });

  it('loads a prebuilt index', async () => {
    const { buildSearchIndex, compactSearchIndex } = await import('../../search');
    const { part } = await booted({ faq: compactSearchIndex(buildSearchIndex(faq('en'))) as Record<string, unknown> });
    expect(part.query('refund')[0].id).toBe('refund-timing');
  });

  it('warns about bad rows with their paths and keeps the good ones', async () => {
    const rows = [...faq('en'), { id: 'x', body: 'no title' }, 'nonsense'];
    const { part, warnings } = await booted({ faq: rows });
    expect(warnings).toEqual(['faq $[12].title: the title must be a non-empty string', 'faq $[13]: expected an object with id, title and body']);
    expect(part.query('password')[0].id).toBe('password-reset');
  });

  it('reports a FAQ that cannot be fetched, and then answers nothing instead of throwing', async () => {
    const { part, errors } = setup({ faq: '/missing.json' });
    part.boot!();
    expect(await part.loaded()).toBe(false);
    expect(errors).toEqual([expect.objectContaining({ path: '$.faq', message: expect.stringContaining('/missing.json answered 404') })]);
    expect(part.query('password')).toEqual([]);
    expect(part.userText!('I forgot my password')).toBe(false);
  });

  it('answers a sent question with up to three articles offered by a bot message, and records it', async () => {
    const { part, said, events } = await booted({ faq: '/faq.json' });
    expect(part.userText!('I forgot my password')).toBe(true);
    expect(said.map((m) => m.text)).toEqual(['These articles may help:']);
    const offered = part.$answers.get()[said[0].id];
    expect(offered[0]).toEqual({ id: 'password-reset', title: 'I forgot my password' });
    expect(offered.length).toBeLessThanOrEqual(3);
    expect(events).toEqual([{ type: 'search.made', query: 'I forgot my password', resultCount: offered.length }]);
    expect(part.history().searches).toEqual([expect.objectContaining({ query: 'I forgot my password', found: true, results: offered.map((a) => a.id) })]);
  });

  it('stays quiet on small talk, records the miss and lets other parts see the text', async () => {
    const { part, said, events } = await booted({ faq: '/faq.json' });
    expect(part.userText!('Hello there')).toBe(false);
    expect(said).toEqual([]);
    expect(part.history().searches[0]).toMatchObject({ query: 'Hello there', found: false, results: [] });
    expect(events[0]).toMatchObject({ type: 'search.made', resultCount: 0 });
  });

  it('leaves sent text alone while a person is involved or a flow waits for input', async () => {
    let flowWaits = true;
    const { part, conversation, said } = await booted({ faq: '/faq.json' }, 'en', () => flowWaits);
    expect(part.userText!('I forgot my password')).toBe(false);
    flowWaits = false;
    conversation.setStatus({ phase: 'agent' });
    expect(part.userText!('I forgot my password')).toBe(false);
    expect(said).toEqual([]);
  });

  it('shows an article, records the view and the search that led to it, and goes back', async () => {
    const { part, events } = await booted({ faq: '/faq.json' });
    part.show('refund-timing', 'refund');
    expect(part.$article.get()?.title).toBe('When will I get my refund?');
    expect(events).toEqual([
      { type: 'search.made', query: 'refund', resultCount: 1 },
      { type: 'article.viewed', articleId: 'refund-timing' },
    ]);
    expect(part.history().articles).toEqual([expect.objectContaining({ id: 'refund-timing', title: 'When will I get my refund?' })]);
    part.back();
    expect(part.$article.get()).toBeNull();
  });

  it('shows an article asked for before the FAQ was loaded once it is', async () => {
    const { part } = setup({ faq: '/faq.json' });
    part.boot!();
    part.show('password-reset');
    expect(part.$article.get()).toBeNull();
    await part.loaded();
    expect(part.$article.get()?.id).toBe('password-reset');
  });

  it('warns about an unknown article id and stays on the conversation', async () => {
    const { part, warnings } = await booted({ faq: '/faq.json' });
    part.show('nope');
    await vi.waitFor(() => expect(warnings).toEqual(['no article "nope" in the FAQ']));
    expect(part.$article.get()).toBeNull();
  });

  it('records feedback; "no" offers the next step in the conversation', async () => {
    const { part, events, said } = await booted({ faq: '/faq.json' });
    part.show('password-reset');
    part.rate('password-reset', true);
    expect(said).toEqual([]);
    part.rate('password-reset', false);
    part.rate('password-reset', false);
    expect(events.filter((e) => e.type === 'article.feedback')).toEqual([
      { type: 'article.feedback', articleId: 'password-reset', helpful: true },
      { type: 'article.feedback', articleId: 'password-reset', helpful: false },
    ]);
    expect(said.map((m) => m.text)).toEqual(['Sorry that did not help. Tell me more in your own words, or choose “Talk to a person”.']);
    expect(part.history().articles[0].helpful).toBe(false);
  });

  it('forgets everything at shutdown', async () => {
    const { part } = await booted({ faq: '/faq.json' });
    part.userText!('I forgot my password');
    part.show('password-reset');
    part.shutdown!();
    expect(part.history()).toEqual({ searches: [], articles: [] });
    expect(part.$article.get()).toBeNull();
    expect(part.$answers.get()).toEqual({});
    expect(part.query('password')).toEqual([]);
  });

  it('has nothing to search without a FAQ', async () => {
    const { part, fetchJson } = setup();
    part.boot!();
    expect(await part.loaded()).toBe(false);
    expect(fetchJson).not.toHaveBeenCalled();
    expect(part.userText!('I forgot my password')).toBe(false);
  });
});

describe('the search part with a prebuilt compact index', () => {
  it('answers from the index and fetches an article body, relative to the index, only when it is opened', async () => {
    const { buildSearchIndex, compactSearchIndex } = await import('../../search');
    const articles = faq('en');
    // As `madoguchi faq build` writes it: no bodies in the index, one file per article beside it.
    const { articles: full, ...rest } = compactSearchIndex(buildSearchIndex(articles));
    const compact = { ...rest, articlePath: 'faq-index.articles/{n}.json', articles: full.map(({ body: _, ...meta }) => meta) };
    const fetched: string[] = [];
    const s = setup({ faq: '/help/faq-index.json' });
    s.fetchJson.mockImplementation(async (url: string) => {
      fetched.push(url);
      if (url === '/help/faq-index.json') return compact;
      const n = Number(/(\d+)\.json$/.exec(url)?.[1]);
      return full[n];
    });
    s.part.boot!();
    expect(await s.part.loaded()).toBe(true);
    expect(s.part.answer('how do I reset my password?')[0]?.id).toBe('password-reset');
    expect(fetched).toEqual(['/help/faq-index.json']);
    s.part.show('password-reset');
    await vi.waitFor(() => expect(s.part.$article.get()?.id).toBe('password-reset'));
    expect(fetched[1]).toMatch(/^\/help\/faq-index\.articles\/\d+\.json$/);
    expect(s.part.$article.get()?.body).toContain('password');
  });
});
