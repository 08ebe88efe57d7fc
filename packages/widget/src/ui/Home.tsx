import type { Message, Messenger, SearchHit } from '@madoguchi/core';
import { useEffect, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import { useStore } from './use-store';
import { clock } from './clock';
import { localized } from './localized';

type Earlier = Awaited<ReturnType<Messenger['conversations']>>;

/** Articles that fit the page the person is on: its title first, then the pages they came through. */
function pageQueries(m: Messenger): string[] {
  const snap = m.debugContext();
  if (!snap) return [];
  const titles = [snap.page.title, ...snap.trail.slice(-5).reverse().map((e) => e.title || e.name)];
  const path = (snap.page.path || '').split(/[/_-]+/).filter((w) => w.length > 2).join(' ');
  return [...titles, path].filter((q): q is string => !!q && q.trim().length > 1);
}

function suggestFor(m: Messenger): SearchHit[] {
  const seen = new Set<string>();
  const hits: SearchHit[] = [];
  for (const q of pageQueries(m)) {
    for (const hit of m.search.query(q, 3)) {
      if (!seen.has(hit.id) && hits.length < 3) hits.push(hit), seen.add(hit.id);
    }
  }
  return hits;
}

const lastWords = (messages: Message[]) => messages.filter((x) => x.text).pop()?.text.replace(/[*_`#>]+/g, '').slice(0, 80) || '';

/**
 * What an empty conversation shows: the greeting, articles suggested for the current page (so the
 * greeting's "pick an article below" holds), and the earlier conversations, each still readable.
 */
export function Home({ m, t }: { m: Messenger; t: Strings }) {
  const locale = useStore(m.state.$locale);
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [earlier, setEarlier] = useState<Earlier>([]);
  useEffect(() => {
    let live = true;
    if (m.state.config()?.faq) void m.search.loaded().then((ok) => live && ok && setHits(suggestFor(m)));
    m.conversations().then((list) => live && setEarlier(list), () => {});
    return () => void (live = false);
  }, [locale]);
  const greeting = localized(m.state.config()?.greeting, locale) || (hits.length ? t.greeting : t.greetingPlain);
  return (
    <div class="home">
      <p class="msg bot">{greeting}</p>
      {hits.length > 0 && (
        <section aria-labelledby="mg-forpage">
          <h3 id="mg-forpage">{t.forPage}</h3>
          <ul class="cards">
            {hits.map((hit) => (
              <li key={hit.id}>
                <button type="button" class="card" onClick={() => m.search.show(hit.id)}>
                  {hit.title}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {earlier.length > 0 && (
        <section aria-labelledby="mg-earlier">
          <h3 id="mg-earlier">{t.earlierChats}</h3>
          <ul class="earlier">
            {earlier.map((c) => (
              <li key={c.id}>
                <details>
                  <summary>
                    <time dateTime={new Date(c.updatedAt).toISOString()}>
                      {clock(c.updatedAt, locale, 'day')}
                    </time>{' '}
                    {c.status === 'closed' ? t.ended : t.ongoing} · {lastWords(c.messages)}
                  </summary>
                  <ol class="log">
                    {c.messages
                      .filter((x) => x.text)
                      .map((x) => (
                        <li key={x.id} class={`msg ${x.author}`}>
                          <span class="vh">{x.author === 'user' ? t.you : x.authorName || t.title}: </span>
                          {x.text}
                        </li>
                      ))}
                  </ol>
                </details>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
