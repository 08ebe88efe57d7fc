import type { Messenger, SearchHit } from '@madoguchi/core';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import { useStore } from './use-store';
import { Markdown } from './Markdown';

/** Gives focus to the message box: where the conversation goes on. */
const focusMessage = (from: Element) => (from.getRootNode() as ParentNode).querySelector('textarea')?.focus();

/** The article shown inside the panel, with a way back and "Did this answer your question?". */
export function ArticleView({ m, t }: { m: Messenger; t: Strings }) {
  const article = useStore(m.search.$article);
  const phase = useStore(m.state.$status).phase;
  // The answer belongs to the article it was given for.
  const [answer, setAnswer] = useState<[string, boolean]>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [article?.id]);
  if (!article) return null;
  const rated = answer?.[0] === article.id ? answer[1] : undefined;
  const rate = (helpful: boolean) => {
    m.search.rate(article.id, helpful);
    setAnswer([article.id, helpful]);
  };
  return (
    <div class="scroll">
      <article aria-labelledby="mg-art">
        <button
          type="button"
          class="chip"
          onClick={(e) => {
            focusMessage(e.currentTarget);
            m.search.back();
          }}
        >
          {t.back}
        </button>
        <h3 id="mg-art" ref={heading} tabIndex={-1}>
          {article.title}
        </h3>
        <Markdown text={article.body} />
        {article.url && /^https?:\/\//i.test(article.url) && (
          <a href={article.url} target="_blank" rel="noopener noreferrer">
            {t.helpCentre}
          </a>
        )}
        <div role="group" aria-labelledby="mg-fb">
          <p id="mg-fb">{t.helpful}</p>
          <div class="chips">
            <button type="button" class="chip" aria-pressed={rated === true} onClick={() => rate(true)}>
              {t.yes}
            </button>
            <button type="button" class="chip" aria-pressed={rated === false} onClick={() => rate(false)}>
              {t.no}
            </button>
          </div>
        </div>
        {/* Only "no" needs a next step; the composer's "Talk to a person" stays right below in the bot phase. */}
        <p role="status">{rated === undefined ? '' : rated ? t.thanks : phase === 'bot' || phase === 'closed' ? t.notHelpful : t.notHelpfulLater}</p>
      </article>
    </div>
  );
}

const NONE: SearchHit[] = [];

/**
 * As-you-type suggestions: a listbox the message box drives with the arrow keys (focus stays in the box).
 * The titles are painted first; the snippets (and the count read to screen readers) follow once the page
 * is idle after that paint, so a keystroke's suggestions are on screen sooner. Until then an article still
 * listed keeps its previous snippet, a new one an empty line of the same height.
 */
export function Suggestions({ hits, active, t, open }: { hits: SearchHit[]; active: number; t: Strings; open: (hit: SearchHit) => void }) {
  const list = useRef<HTMLUListElement>(null);
  const [detailed, setDetailed] = useState(NONE);
  // Effects run after the paint; the snippets then wait for the page to be idle, so they never hold up
  // the titles' frame or the next keystroke.
  useEffect(() => {
    if (typeof requestIdleCallback != 'function') return void setDetailed(hits);
    const idle = requestIdleCallback(() => setDetailed(hits), { timeout: 200 });
    return () => cancelIdleCallback(idle);
  }, [hits]);
  // The highlighted option stays in view as the arrow keys move past the list's edge (a layout read only then).
  useEffect(() => void (active >= 0 && list.current?.children[active]?.scrollIntoView({ block: 'nearest' })), [active]);
  const shown = new Map(detailed.map((hit) => [hit.id, hit]));
  return (
    <>
      <span class="vh" role="status">
        {detailed.length ? t.found(detailed.length) : ''}
      </span>
      {hits.length > 0 && (
        <ul id="mg-sugg" ref={list} class="sugg" role="listbox" aria-label={t.suggestions}>
          {hits.map((hit, i) => (
            <li
              key={hit.id}
              id={`mg-s${i}`}
              role="option"
              aria-selected={i === active}
              // The message box keeps focus while the pointer picks an option.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => open(hit)}
            >
              <b>{hit.title}</b>
              <small>{shown.get(hit.id)?.snippet.map((part) => (part.mark ? <mark>{part.text}</mark> : part.text))}</small>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Buttons for the articles the bot offered for the last question, until the user sends another message. */
export function SearchAnswers({ m, t }: { m: Messenger; t: Strings }) {
  const answers = useStore(m.search.$answers);
  const messages = useStore(m.state.$messages);
  let i = messages.length;
  while (i-- && messages[i].author !== 'user' && !answers[messages[i].id]);
  const list = i >= 0 ? answers[messages[i].id] : undefined;
  if (!list) return null;
  return (
    <div class="chips" role="group" aria-label={t.suggestions}>
      {list.map((a) => (
        <button key={a.id} type="button" class="chip" onClick={() => m.search.show(a.id)}>
          {a.title}
        </button>
      ))}
    </div>
  );
}
