import type { ConversationStatus, Message, Messenger } from '@madoguchi/core';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import { fromStore } from './bind';
import { Markdown } from './Markdown';

function statusLine(s: ConversationStatus, t: Strings, locale: string): string {
  if (s.phase === 'waiting') {
    if (s.queuePosition === undefined) return t.waiting;
    const wait = s.expectedWaitSeconds ? ' ' + t.wait(Math.max(1, Math.round(s.expectedWaitSeconds / 60))) : '';
    return `${t.queue(s.queuePosition)}${wait} ${t.browse}`;
  }
  if (s.phase === 'agent') return s.agentTyping ? t.typing(s.agentName || '') : t.joined(s.agentName || '');
  if (s.phase === 'away') {
    const when = s.nextOpenAt
      ? new Date(s.nextOpenAt).toLocaleString(locale, { weekday: 'short', hour: 'numeric', minute: '2-digit' })
      : '';
    return [s.awayMessage || t.away, when && t.awayUntil(when)].filter(Boolean).join(' ');
  }
  if (s.phase === 'closed') return t.closed;
  return '';
}

/** Bot messages (flows written by the site) may show https images; agents' and users' never do. */
const HTTPS_IMAGES = { allow: (url: string) => url.startsWith('https://') };

function Bubble({ message, t }: { message: Message; t: Strings }) {
  const note = message.status === 'queued' ? t.queued : message.status === 'failed' ? t.failed : '';
  return (
    <li class={`msg ${message.author}`}>
      <span class="who vh">{message.author === 'user' ? t.you : message.authorName || t.title}:</span>
      {message.author === 'agent' && message.authorName && <span class="who" aria-hidden="true">{message.authorName}</span>}
      {message.author === 'user' ? <span>{message.text}</span> : <Markdown text={message.text} images={message.author === 'bot' ? HTTPS_IMAGES : undefined} />}
      {note && <span class="note">{note}</span>}
    </li>
  );
}

/** Messages rendered at first, and added by each "Show earlier messages". */
const PAGE = 60;

/** The conversation: a log announced politely to screen readers, and the line's status under it. */
export function Thread({ m, t }: { m: Messenger; t: Strings }) {
  const messages = fromStore(m.state.$messages).value;
  const status = fromStore(m.state.$status).value;
  const earlier = fromStore(m.state.$hasEarlier).value;
  // Bubbles render from the first open: a closed launcher does not pay for a long history.
  const opened = useRef(false);
  opened.current ||= fromStore(m.state.$open).value;
  const scroller = useRef<HTMLDivElement>(null);
  // A long conversation renders its latest messages; earlier ones come on request, a page at a time.
  const [shown, setShown] = useState(PAGE);
  const hidden = Math.max(0, messages.length - shown);
  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages[messages.length - 1]?.id, status]);
  const line = statusLine(status, t, fromStore(m.state.$locale).value);
  return (
    <>
      <div class="scroll" ref={scroller} tabIndex={0}>
        <div role="log" aria-live="polite" aria-label={t.thread}>
        <ol class="log">
          {hidden || earlier ? (
            <li>
              <button type="button" class="chip" onClick={() => (setShown(shown + PAGE), hidden < PAGE && void m.loadEarlier())}>
                {t.earlier}
              </button>
            </li>
          ) : (
            <li class="msg bot">{t.greeting}</li>
          )}
          {opened.current && messages.slice(hidden).map((message) => (
            <Bubble key={message.id} message={message} t={t} />
          ))}
        </ol>
        </div>
      </div>
      {line && (
        <p class="status" role="status">
          {line}
        </p>
      )}
    </>
  );
}
