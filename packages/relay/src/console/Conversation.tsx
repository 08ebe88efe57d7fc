import { useComputed, useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { STRINGS } from './i18n';
import { $agents, $conversations, $customerTyping, $detail, $me, $replies, $selected, $t, label, newId, send, type Line, type Summary } from './store';
import { Markdown } from './Markdown';
import { ContextPanel } from './Context';
import { suggestions } from './articles';
import { stateOf, time } from './format';

/**
 * The transcript in true order: what the widget handed over comes first, in its own order and
 * with its own clock; what the relay stored afterwards follows in the order it was stored.
 */
export function transcript(packet: any, messages: Line[]): Line[] {
  const handed: Line[] = Array.isArray(packet?.transcript) ? packet.transcript : [];
  const known = new Set(handed.map((m) => m.id));
  const stored = new Map(messages.map((m) => [m.id, m]));
  return [...handed.map((m) => ({ ...stored.get(m.id), ...m })), ...messages.filter((m) => !known.has(m.id))];
}

export function Conversation() {
  const t = $t.value;
  const c = $selected.value ? $conversations.value[$selected.value] : undefined;
  if (!c)
    return (
      <section class="work empty-work" aria-label={t.conversation}>
        <p>{t.pick}</p>
      </section>
    );
  const d = $detail.value?.id === c.id ? $detail.value : undefined;
  return (
    <div class="work">
      <section class="thread" aria-labelledby="detail-title">
        <Actions c={c} />
        <Transcript c={c} />
        <p class="typing" role="status">
          {$customerTyping.value[c.id] ? t.typing(label(c)) : ''}
        </p>
        <Composer key={c.id} c={c} />
        {d && <Articles key={c.id} c={c} />}
      </section>
      <ContextPanel c={c} d={d} />
    </div>
  );
}

function Actions({ c }: { c: Summary }) {
  const t = $t.value;
  const to = useSignal('');
  const others = $agents.value.filter((a) => a.name !== c.agentName);
  const target = others.some((a) => a.name === to.value) ? to.value : others.find((a) => a.name !== $me.value)?.name ?? others[0]?.name ?? '';
  return (
    <div class="conv-head">
      <h2 id="detail-title">
        {label(c)} <span class="badge state">{stateOf(c)}</span>
      </h2>
      <div class="actions">
        {(c.phase === 'waiting' || c.phase === 'bot') && (
          <button type="button" class="primary" onClick={() => send({ type: 'accept', conversationId: c.id })}>
            {t.accept}
          </button>
        )}
        {c.phase !== 'closed' && others.length > 0 && (
          <span class="transfer">
            <label>
              {t.transferTo}{' '}
              <select value={target} onChange={(e) => (to.value = e.currentTarget.value)}>
                {others.map((a) => (
                  <option key={a.name} value={a.name}>
                    {a.name} ({a.status === 'away' ? t.away : t.online})
                  </option>
                ))}
              </select>
            </label>
            <button type="button" onClick={() => target && send({ type: 'assign', conversationId: c.id, agent: target })}>
              {t.transfer}
            </button>
          </span>
        )}
        {c.phase === 'closed' ? (
          <button type="button" onClick={() => send({ type: 'reopen', conversationId: c.id })}>
            {t.reopen}
          </button>
        ) : (
          <button type="button" onClick={() => send({ type: 'close', conversationId: c.id })}>
            {t.close}
          </button>
        )}
      </div>
    </div>
  );
}

function Transcript({ c }: { c: Summary }) {
  const t = $t.value;
  const d = $detail.value?.id === c.id ? $detail.value : undefined;
  const list = useRef<HTMLOListElement>(null);
  const lines = d ? transcript(d.packet, d.messages) : [];
  const entries = [...lines.map((m, i) => ({ kind: 'line' as const, m, order: i })), ...(d?.notes ?? []).map((n) => ({ kind: 'note' as const, n }))];
  // Notes go where they were written: after the last line written before them.
  const merged: typeof entries = [];
  for (const e of entries.filter((x) => x.kind === 'line')) merged.push(e);
  for (const e of entries.filter((x) => x.kind === 'note')) {
    const at = e.kind === 'note' ? e.n.at : 0;
    let i = merged.length;
    while (i > 0) {
      const prev = merged[i - 1];
      const when = prev.kind === 'line' ? prev.m.at ?? 0 : prev.n.at;
      if (when <= at) break;
      i--;
    }
    merged.splice(i, 0, e);
  }
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [merged.length, c.id]);
  return (
    <ol class="transcript" aria-label={t.transcript} aria-live="polite" ref={list} tabIndex={0}>
      {merged.map((e) =>
        e.kind === 'note' ? (
          <li key={'n' + e.n.id} class="note">
            <span class="who">
              {t.note} · {e.n.authorName}
            </span>
            <time>{time(e.n.at)}</time>
            <Markdown text={e.n.text} />
          </li>
        ) : (
          <li key={e.m.id} class={`msg ${e.m.author}`}>
            <span class="who">{e.m.author === 'agent' ? e.m.authorName || t.agent : e.m.author === 'user' ? label(c) : e.m.author === 'system' ? t.notice : t.bot}</span>
            <time>{time(e.m.at)}</time>
            <Markdown text={e.m.text} />
            {e.m.articles?.length ? (
              <ul class="cards">
                {e.m.articles.map((a) => (
                  <li key={a.id}>{a.title}</li>
                ))}
              </ul>
            ) : null}
          </li>
        ),
      )}
    </ol>
  );
}

/** Fills a saved reply's placeholders for this customer. */
export const fill = (text: string, c: Summary, me: string) =>
  text.replace(/\{(name|email|agent)\}/g, (_, key: string) => (key === 'agent' ? me : key === 'name' ? String(c.user?.name || '') : String(c.user?.email || '')).trim() || (key === 'name' ? '' : _)).replace(/ ,/g, ',');

function Composer({ c }: { c: Summary }) {
  const t = $t.value;
  const text = useSignal('');
  const mode = useSignal<'reply' | 'note'>('reply');
  const showReplies = useSignal(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const typingOn = useRef(false);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const setTyping = (on: boolean) => {
    if (typingOn.current === on) return;
    typingOn.current = on;
    send({ type: 'typing', conversationId: c.id, on });
  };
  useEffect(() => () => setTyping(false), []);
  const submit = () => {
    const value = text.value.trim();
    if (!value) return;
    send({ type: mode.value === 'note' ? 'note' : 'message', conversationId: c.id, id: newId(mode.value === 'note' ? 'n' : 'a'), text: value });
    text.value = '';
    clearTimeout(typingTimer.current);
    typingOn.current = false;
  };
  const note = mode.value === 'note';
  return (
    <form
      class={`composer${note ? ' noting' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div class="modes" role="radiogroup" aria-label={t.reply + ' / ' + t.note}>
        {(['reply', 'note'] as const).map((m) => (
          <label key={m} class="check">
            <input type="radio" name="mode" checked={mode.value === m} onChange={() => (mode.value = m)} /> {m === 'reply' ? t.reply : t.note}
          </label>
        ))}
      </div>
      <label for="reply-text" class="sr-only">
        {note ? t.note : t.reply}
      </label>
      <textarea
        id="reply-text"
        ref={area}
        rows={3}
        value={text.value}
        aria-describedby="reply-hint"
        onInput={(e) => {
          text.value = e.currentTarget.value;
          if (note) return;
          setTyping(true);
          clearTimeout(typingTimer.current);
          typingTimer.current = setTimeout(() => setTyping(false), 2500);
        }}
        onKeyDown={(e) => {
          // Enter sends; Shift+Enter breaks the line; Enter that confirms an IME conversion does neither.
          if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
          e.preventDefault();
          submit();
        }}
      />
      <p id="reply-hint" class="hint">
        {note ? t.noteHint : t.replyHint}
      </p>
      <div class="composer-row">
        <button type="button" aria-expanded={showReplies.value} aria-controls="saved-replies" onClick={() => (showReplies.value = !showReplies.value)}>
          {t.savedReplies}
        </button>
        <button type="submit" class="primary">
          {note ? t.addNote : t.sendReply}
        </button>
      </div>
      {showReplies.value && (
        <SavedReplies
          c={c}
          draft={text.value}
          onPick={(value) => {
            text.value = value;
            showReplies.value = false;
            area.current?.focus();
          }}
        />
      )}
    </form>
  );
}

function SavedReplies({ c, draft, onPick }: { c: Summary; draft: string; onPick(text: string): void }) {
  const t = $t.value;
  const title = useSignal('');
  return (
    <div id="saved-replies" class="saved" role="region" aria-label={t.savedReplies}>
      <p class="hint">{t.placeholders}</p>
      <ul>
        {$replies.value.map((r) => (
          <li key={r.id}>
            <button type="button" onClick={() => onPick(fill(r.text, c, $me.value))}>
              {t.insert}: {r.title}
            </button>
            <button type="button" class="quiet" aria-label={`${t.remove}: ${r.title}`} onClick={() => send({ type: 'delete-reply', id: r.id })}>
              ×
            </button>
            <span class="preview">{r.text}</span>
          </li>
        ))}
      </ul>
      <div class="save-reply">
        <label>
          {t.replyTitle}
          <input value={title.value} onInput={(e) => (title.value = e.currentTarget.value)} />
        </label>
        <button
          type="button"
          disabled={!title.value.trim() || !draft.trim()}
          onClick={() => {
            send({ type: 'save-reply', id: newId('r'), title: title.value.trim(), text: draft.trim() });
            title.value = '';
          }}
        >
          {t.saveAsReply}
        </button>
      </div>
    </div>
  );
}

function Articles({ c }: { c: Summary }) {
  const t = $t.value;
  const found = useSignal<Array<{ id: string; title: string }>>([]);
  const question = useComputed(() => {
    const d = $detail.value;
    if (!d || d.id !== c.id) return '';
    const lines = transcript(d.packet, d.messages).filter((m) => m.author === 'user');
    return lines[lines.length - 1]?.text ?? d.packet?.reason ?? '';
  });
  useEffect(() => {
    let live = true;
    suggestions(question.value, c.locale).then((list) => live && (found.value = list));
    return () => void (live = false);
  }, [question.value, c.locale]);
  return (
    <section class="articles" aria-labelledby="articles-title">
      <h3 id="articles-title">{t.articles}</h3>
      {found.value.length ? (
        <ul>
          {found.value.map((a) => (
            <li key={a.id}>
              <span>{a.title}</span>
              <button type="button" aria-label={`${t.sendArticle}: ${a.title}`} onClick={() => send({ type: 'message', conversationId: c.id, id: newId('a'), text: STRINGS[c.locale?.startsWith('ja') ? 'ja' : 'en'].articleIntro, articles: [a] })}>
                {t.sendArticle}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">{t.noArticles}</p>
      )}
    </section>
  );
}
