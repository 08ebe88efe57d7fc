import type { ConversationStatus, Message, MessageNote, Messenger } from '@madoguchi/core';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import { useStore } from './use-store';
import { clock } from './clock';
import { Home } from './Home';
import { localized } from './localized';
import { Markdown } from './Markdown';
import { readableBrand } from './readable';

/** What the footer line says while nothing in the thread does (someone typing, a place not yet given). */
function statusLine(s: ConversationStatus, t: Strings): string {
  if (s.phase === 'waiting' && s.queuePosition === undefined) return t.waiting;
  if (s.phase === 'waiting') return t.browse;
  if (s.phase === 'agent' && s.agentTyping) return t.typing(s.agentName || '');
  return '';
}

/** Bot messages (flows written by the site) may show https images; agents' and users' never do. */
const HTTPS_IMAGES = { allow: (url: unknown) => typeof url === 'string' && url.startsWith('https://') };

/** A link the widget follows: an http(s) URL or a path on this site; never javascript:, data: or //elsewhere. */
const linkable = (url: unknown): url is string => typeof url === 'string' && /^(https?:\/\/[^\s/?#\\]+|\/(?![/\\]))\S*$/i.test(url);
const offSite = (url: string) => {
  try {
    return new URL(url, location.href).origin !== location.origin;
  } catch {
    return true;
  }
};

/** A link of a bot message: another site opens in a new tab (and says so to screen readers), never with this page as its opener. */
function Link({ url, class: cls, t, children }: { url: string; class: string; t: Strings; children: ComponentChildren }) {
  const away = offSite(url);
  return (
    <a class={cls} href={url} rel="noopener noreferrer" target={away ? '_blank' : undefined}>
      {children}
      {away && <span class="vh"> ({t.newTab})</span>}
    </a>
  );
}

/** A flow message's image, link buttons and cards, under its text; a card with an article opens it in the panel. */
function Rich({ message, m, t }: { message: Message; m: Messenger; t: Strings }) {
  const { image } = message;
  const links = (message.links || []).filter((l) => l?.label && linkable(l.url));
  const cards = (message.cards || []).filter((c) => c?.title && (c.article ? typeof c.article === 'string' : linkable(c.url)));
  return (
    <>
      {image && HTTPS_IMAGES.allow(image.src) && <img class="pic" src={image.src} alt={image.alt || ''} loading="lazy" referrerpolicy="no-referrer" />}
      {links.length > 0 && (
        <ul class="links">
          {links.map((l, i) => (
            <li key={i}>
              <Link class="chip lb" url={l.url} t={t}>
                {l.label}
              </Link>
            </li>
          ))}
        </ul>
      )}
      {cards.length > 0 && (
        <ul class="cards" aria-label={t.suggestions}>
          {cards.map((c, i) => {
            const body = [c.title, c.text && <small>{c.text}</small>];
            return (
              <li key={i}>
                {c.article ? (
                  <button type="button" class="card" onClick={() => m.search.show(c.article!)}>
                    {body}
                  </button>
                ) : (
                  <Link class="card" url={c.url!} t={t}>
                    {body}
                  </Link>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

const when = (at: number, locale: string) => clock(at, locale, 'when');

/** A system note or an acknowledgment, told in the reader's language. */
export function noteText(n: MessageNote, t: Strings, locale: string, phase: ConversationStatus['phase']): string {
  switch (n.kind) {
    case 'asked':
      return t.noteAsked;
    case 'queue':
      return t.queue(n.position || 1);
    case 'joined':
      return t.joined(n.name || '');
    case 'closed':
      return t.closed;
    case 'lost':
      return t.noteLost;
    case 'away':
      return [t.away, n.until && t.awayUntil(when(n.until, locale))].filter(Boolean).join(' ');
    case 'email':
      return t.noteEmail(n.email || '');
    case 'survey': {
      // NPS is a number from 0 to 10; CSAT and CES have a word for each score.
      if (n.scale === 'nps') return t.noteSurvey(t.flowScore(n.score || 0, 10));
      const scale = n.scale === 'ces' ? t.cesScale : t.csatScale;
      return t.noteSurvey(scale[(n.score || 1) - 1] || String(n.score));
    }
    default: {
      const reply = n.email ? t.ackEmail(n.email) : n.until ? t.awayUntil(when(n.until, locale)) : n.replyTime ? t.ackReply(n.replyTime) : t.ackSoon;
      const offer = n.email ? '' : phase === 'bot' ? t.ackOffer : phase === 'away' ? t.ackOfferEmail : '';
      return [t.ackThanks, reply, offer].filter(Boolean).join(' ');
    }
  }
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => [...w][0])
    .join('')
    .toUpperCase();

const dayOf = (at: number) => new Date(at).toDateString();
const isoDay = (at: number) => {
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

function dayLabel(at: number, t: Strings, locale: string): string {
  const today = new Date();
  if (dayOf(at) === today.toDateString()) return t.today;
  if (dayOf(at) === new Date(today.getTime() - 864e5).toDateString()) return t.yesterday;
  return clock(at, locale, 'day');
}

/** Messages of one author within this long of each other share a header. */
const GROUP_MS = 5 * 60_000;

function Stamp({ at, locale, hidden }: { at: number; locale: string; hidden?: boolean }) {
  return (
    <time class={hidden ? 'vh' : 'at'} dateTime={new Date(at).toISOString()}>
      {clock(at, locale, 'time')}
    </time>
  );
}

interface BubbleProps {
  message: Message;
  first: boolean;
  m: Messenger;
  t: Strings;
  locale: string;
  phase: ConversationStatus['phase'];
  botName: string;
}

function Bubble({ message, first, m, t, locale, phase, botName }: BubbleProps) {
  const { author, note } = message;
  if (author === 'system') {
    return (
      <li class="msg system">
        {note ? noteText(note, t, locale, phase) : message.text} <Stamp at={message.at} locale={locale} hidden />
      </li>
    );
  }
  const name = author === 'user' ? t.you : (author === 'agent' && message.authorName) || botName;
  const state = message.status;
  return (
    <li class={`msg ${author}${first ? ' first' : ''}`}>
      {first && (
        <span class="who">
          {author !== 'user' && (
            <span class={`avatar ${author}`} aria-hidden="true">
              {initials(name)}
            </span>
          )}
          <span class={author === 'user' ? 'vh' : ''}>{name}</span> <Stamp at={message.at} locale={locale} />
        </span>
      )}
      {!first && (
        <span class="vh">
          {name} <Stamp at={message.at} locale={locale} hidden />
        </span>
      )}
      <div class="body">
        {author === 'user' ? <span>{message.text}</span> : note ? <p>{noteText(note, t, locale, phase)}</p> : <Markdown text={message.text} images={author === 'bot' ? HTTPS_IMAGES : undefined} />}
        {author === 'bot' && <Rich message={message} m={m} t={t} />}
      </div>
      {message.articles && message.articles.length > 0 && (
        <ul class="cards" aria-label={t.suggestions}>
          {message.articles.map((a) => (
            <li key={a.id}>
              <button type="button" class="card" onClick={() => m.search.show(a.id)}>
                {a.title}
              </button>
            </li>
          ))}
        </ul>
      )}
      {author === 'user' && state && (
        <span class={`state ${state}`}>
          {state === 'failed' ? t.failed : state === 'queued' ? t.queued : state === 'pending' ? t.sending : state === 'read' ? t.read : t.sent}
          {state === 'failed' && (
            <button type="button" class="link" onClick={() => m.resend(message.id)}>
              {t.resend}
            </button>
          )}
        </span>
      )}
    </li>
  );
}

/**
 * Messages rendered at first, and added by each "Show earlier messages": a panel shows about ten,
 * and each rendered message is DOM the open pays for.
 */
const PAGE = 30;

/** The conversation: a log announced politely to screen readers, and the line's status under it. */
export function Thread({ m, t }: { m: Messenger; t: Strings }) {
  const messages = useStore(m.state.$messages);
  const status = useStore(m.state.$status);
  const earlier = useStore(m.state.$hasEarlier);
  // Bubbles render from the first open: a closed launcher does not pay for a long history.
  const opened = useRef(false);
  const open = useStore(m.state.$open);
  opened.current ||= open;
  const locale = useStore(m.state.$locale);
  const config = m.state.config();
  const botName = localized(config?.title, locale) || t.title;
  const scroller = useRef<HTMLDivElement>(null);
  // A long conversation renders its latest messages; earlier ones come on request, a page at a time.
  const [shown, setShown] = useState(PAGE);
  const hidden = Math.max(0, messages.length - shown);
  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length, status]);
  // The brand colour's readable shades, set on the panel's root once its views are here.
  const theme = config?.theme;
  const accent = typeof theme === 'object' ? theme.accent : undefined;
  useEffect(() => {
    const root = scroller.current?.closest<HTMLElement>('.root');
    if (root && accent) for (const [name, value] of Object.entries(readableBrand(accent))) root.style.setProperty(name, value);
  }, [accent]);
  const line = statusLine(status, t);
  const items = [];
  let previous: Message | undefined;
  for (const message of messages.slice(hidden)) {
    if (!previous || dayOf(previous.at) !== dayOf(message.at)) {
      items.push(
        <li key={'d' + isoDay(message.at)} class="day">
          <time dateTime={isoDay(message.at)}>{dayLabel(message.at, t, locale)}</time>
        </li>,
      );
      previous = undefined;
    }
    const first =
      !previous ||
      previous.author !== message.author ||
      previous.authorName !== message.authorName ||
      message.at - previous.at > GROUP_MS ||
      previous.author === 'system';
    items.push(<Bubble key={message.id} message={message} first={first} m={m} t={t} locale={locale} phase={status.phase} botName={botName} />);
    previous = message;
  }
  return (
    <>
      <div class="scroll" ref={scroller} tabIndex={0}>
        <div role="log" aria-live="polite" aria-label={t.thread}>
          {!messages.length && <Home m={m} t={t} />}
          <ol class="log">
            {(hidden > 0 || earlier) && (
              <li>
                <button type="button" class="chip" onClick={() => (setShown(shown + PAGE), hidden < 2 * PAGE && void m.loadEarlier())}>
                  {t.earlier}
                </button>
              </li>
            )}
            {opened.current && items}
          </ol>
        </div>
        {status.unreachable && (
          <div class="notice" role="status">
            <p>{t.unreachable}</p>
            <button type="button" class="chip" onClick={() => m.retry()}>
              {t.retry}
            </button>
          </div>
        )}
      </div>
      {line && (
        <p class="status" role="status">
          {line}
        </p>
      )}
    </>
  );
}
