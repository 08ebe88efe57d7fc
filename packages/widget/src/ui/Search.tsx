import type { Messenger, SearchHit } from '@madoguchi/core';
import type { Ref } from 'preact';
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

/** The suggestions' faces have been laid out once in this page (see `Suggestions`). */
let typeSet = false;

/** Runs `fn` in an idle period (by `timeout` ms at the latest); returns what cancels it. */
function whenIdle(fn: () => void, timeout?: number): () => void {
  const idle = requestIdleCallback(fn, timeout ? { timeout } : undefined);
  const cancel = cancelIdleCallback; // the one that scheduled it, even if the global changes before cleanup
  return () => cancel(idle);
}

/**
 * As-you-type suggestions: a listbox the message box drives with the arrow keys (focus stays in the box).
 * The titles are painted first; the snippets follow one an idle period after that paint (and the count
 * read to screen readers with the last), so a keystroke's suggestions are on screen sooner and no snippet
 * work makes a long task. Until then an article still listed keeps its previous snippet, a new one an
 * empty line of the same height.
 */
export function Suggestions({
  hits,
  active,
  t,
  open,
  ready,
  ahead,
}: {
  hits: SearchHit[];
  active: number;
  t: Strings;
  open: (hit: SearchHit) => void;
  ready?: boolean;
  /** Given the text of the titles about to be listed, so their characters' fonts are looked up before the list's frame. */
  ahead?: Ref<HTMLElement>;
}) {
  const list = useRef<HTMLUListElement>(null);
  // The hits whose snippet is shown, by article: worked out one an idle period (each a few
  // milliseconds, all three together a long task at 4x CPU) and shown as they come. An article
  // still listed from the last query keeps its snippet until its new one is here.
  const [shown, setShown] = useState(new Map<string, SearchHit>());
  // A browser looks a face's font up the first time it lays text out in it: for Japanese without a local
  // font, 40-60 ms of layout at 4x CPU that the first keystroke's list paid. Once the help centre is
  // searchable, the snippets' faces (small text, marks) are laid out once, hidden, at idle; the titles'
  // bold face is laid out with the titles themselves, hidden, during the typing pause (`ahead`).
  const [warm, setWarm] = useState(false);
  useEffect(() => {
    if (!ready || typeSet || typeof requestIdleCallback != 'function') return;
    return whenIdle(() => ((typeSet = true), setWarm(true)));
  }, [ready]);
  // Effects run after the frame that laid it out.
  useEffect(() => void (warm && setWarm(false)), [warm]);
  // Effects run after the paint; the snippets then wait for the page to be idle, so they never hold up
  // the titles' frame or the next keystroke.
  useEffect(() => {
    const show = (count: number) =>
      setShown((last) => {
        const next = new Map(hits.filter((hit) => last.has(hit.id)).map((hit) => [hit.id, last.get(hit.id)!]));
        for (const hit of hits.slice(0, count)) next.set(hit.id, hit);
        return next;
      });
    if (typeof requestIdleCallback != 'function') return void show(hits.length);
    let stop = () => {};
    const next = (count: number) =>
      count < hits.length &&
      (stop = whenIdle(() => {
        void hits[count].snippet; // worked out here, then kept by the hit
        show(count + 1);
        next(count + 1);
      }, 200));
    next(0);
    return () => stop();
  }, [hits]);
  // The highlighted option stays in view as the arrow keys move past the list's edge (a layout read only then).
  useEffect(() => void (active >= 0 && list.current?.children[active]?.scrollIntoView({ block: 'nearest' })), [active]);
  return (
    <>
      <span class="vh" role="status">
        {hits.length && hits.every((hit) => shown.get(hit.id) === hit) ? t.found(hits.length) : ''}
      </span>
      <div class="sugg vh" aria-hidden="true">
        <b ref={ahead} />
        {warm && (
          <small>
            {t.suggestions}
            <mark>{t.suggestions}</mark>
          </small>
        )}
      </div>
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
