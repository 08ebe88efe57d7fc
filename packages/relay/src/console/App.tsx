import { useComputed, useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import {
  $agents, $asOf, $clock, $connection, $conversations, $customerTyping, $desktop, $detail, $lang, $line, $me, $metrics, $myStatus,
  $officeOpen, $places, $selected, $sound, $t, $unread, enableDesktop, label, select, send, setStatus, signIn, signOut, type Summary,
} from './store';
import { Conversation } from './Conversation';
import { stateOf, time } from './format';
import { ShiftPanel } from './Shift';
import { plain } from './Markdown';


export function App() {
  const t = $t.value;
  const state = $connection.value;
  return (
    <>
      <header class="bar">
        <h1>{t.title}</h1>
        <p id="line" role="status" class={state === 'offline' ? 'warn' : undefined}>
          {$line.value}
        </p>
        <div class="tools">
          <label>
            {t.language}{' '}
            <select value={$lang.value} onChange={(e) => ($lang.value = e.currentTarget.value === 'ja' ? 'ja' : 'en')}>
              <option value="en">English</option>
              <option value="ja">日本語</option>
            </select>
          </label>
          {state !== 'signed-out' && <Presence />}
          {state !== 'signed-out' && (
            <button type="button" onClick={() => signOut()}>
              {t.signOut}
            </button>
          )}
        </div>
      </header>
      {state === 'signed-out' ? <SignIn /> : <Desk />}
    </>
  );
}

function SignIn() {
  const t = $t.value;
  const name = useSignal('');
  const password = useSignal('');
  return (
    <main class="signin">
      <form
        aria-labelledby="signin-title"
        onSubmit={(e) => {
          e.preventDefault();
          signIn(name.value.trim(), password.value);
          password.value = '';
        }}
      >
        <h2 id="signin-title">{t.signInTitle}</h2>
        <label>
          {t.name}
          <input value={name.value} onInput={(e) => (name.value = e.currentTarget.value)} autocomplete="username" required />
        </label>
        <label>
          {t.password}
          <input type="password" value={password.value} onInput={(e) => (password.value = e.currentTarget.value)} autocomplete="current-password" required />
        </label>
        <button type="submit" class="primary">
          {t.signIn}
        </button>
      </form>
    </main>
  );
}

function Presence() {
  const t = $t.value;
  return (
    <>
      <label>
        {t.myStatus}{' '}
        <select value={$myStatus.value} onChange={(e) => setStatus(e.currentTarget.value === 'away' ? 'away' : 'online')}>
          <option value="online">{t.online}</option>
          <option value="away">{t.away}</option>
        </select>
      </label>
      <label class="check">
        <input type="checkbox" checked={$sound.value} onChange={(e) => ($sound.value = e.currentTarget.checked)} /> {t.sound}
      </label>
      <label class="check">
        <input type="checkbox" checked={$desktop.value} onChange={(e) => void enableDesktop(e.currentTarget.checked)} /> {t.desktop}
      </label>
    </>
  );
}

function Desk() {
  const t = $t.value;
  const shift = useSignal(false);
  return (
    <main class="desk">
      <section class="inbox" aria-labelledby="inbox-title">
        <div class="inbox-head">
          <h2 id="inbox-title">{t.conversations}</h2>
          <button
            type="button"
            aria-expanded={shift.value}
            onClick={() => {
              shift.value = !shift.value;
              if (shift.value) send({ type: 'metrics' });
            }}
          >
            {t.shift}
          </button>
        </div>
        <Team />
        {$connection.value === 'offline' && (
          <p class="offline" role="alert">
            {t.offlineList(time($asOf.value) || '–')}
          </p>
        )}
        <Inbox />
      </section>
      {shift.value && $metrics.value ? <ShiftPanel metrics={$metrics.value} onClose={() => (shift.value = false)} /> : <Conversation />}
    </main>
  );
}

function Team() {
  const t = $t.value;
  return (
    <div class="team">
      <span class={$officeOpen.value ? 'pill ok' : 'pill'}>{$officeOpen.value ? t.officeOpen : t.officeClosed}</span>
      <ul aria-label={t.team}>
        {$agents.value.map((a) => (
          <li key={a.name}>
            <span class={`dot ${a.status}`} aria-hidden="true" />
            {a.name}
            {a.name === $me.value ? ` (${t.you})` : ''}: {a.status === 'away' ? t.away : t.online}
          </li>
        ))}
      </ul>
    </div>
  );
}

type Group = { key: string; title: string; items: Summary[] };

function Inbox() {
  const t = $t.value;
  const query = useSignal('');
  const severity = useSignal('');
  const unreadOnly = useSignal(false);
  const groups = useComputed<Group[]>(() => {
    const t = $t.value;
    const me = $me.value;
    const q = query.value.trim().toLowerCase();
    const unread = $unread.value;
    const all = Object.values($conversations.value).filter((c) => {
      if (severity.value && c.severity !== severity.value) return false;
      if (unreadOnly.value && !unread[c.id]) return false;
      if (!q) return true;
      const hay = [label(c), c.user?.email, c.last?.text, c.page, c.reason, ...(c.tags ?? [])].filter(Boolean).join('\n').toLowerCase();
      return hay.includes(q);
    });
    const recent = (a: Summary, b: Summary) => (b.last?.at ?? b.updatedAt) - (a.last?.at ?? a.updatedAt);
    return [
      { key: 'waiting', title: t.waiting, items: all.filter((c) => c.phase === 'waiting').sort((a, b) => Number(a.left) - Number(b.left) || (a.queuedAt ?? 0) - (b.queuedAt ?? 0) || (a.id < b.id ? -1 : 1)) },
      { key: 'mine', title: t.mine, items: all.filter((c) => c.phase === 'agent' && c.agentName === me).sort(recent) },
      { key: 'others', title: t.others, items: all.filter((c) => (c.phase === 'agent' && c.agentName !== me) || c.phase === 'bot').sort(recent) },
      { key: 'closed', title: t.closed, items: all.filter((c) => c.phase === 'closed').sort(recent) },
    ];
  });
  // Alt+↑ / Alt+↓ move through the inbox from anywhere.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
      const ids = groups.value.flatMap((g) => g.items.map((c) => c.id));
      if (!ids.length) return;
      e.preventDefault();
      const at = ids.indexOf($selected.value ?? '');
      const next = ids[(at + (e.key === 'ArrowDown' ? 1 : ids.length - 1)) % ids.length] ?? ids[0];
      select(next);
      document.getElementById('row-' + next)?.focus();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  return (
    <>
      <div class="filters" role="search">
        <label>
          {t.search}
          <input type="search" value={query.value} onInput={(e) => (query.value = e.currentTarget.value)} />
        </label>
        <label>
          {t.severityFilter}
          <select value={severity.value} onChange={(e) => (severity.value = e.currentTarget.value)}>
            <option value="">{t.any}</option>
            {['high', 'medium', 'low'].map((level) => (
              <option key={level} value={level}>
                {t.levels[level]}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={unreadOnly.value} onChange={(e) => (unreadOnly.value = e.currentTarget.checked)} /> {t.unreadOnly}
        </label>
      </div>
      <ul class="groups" aria-label={t.conversations}>
        {groups.value.map((g) => (
          <li key={g.key} class="group">
            <h3 id={`group-${g.key}`}>
              {g.title} <span class="count">{g.items.length}</span>
            </h3>
            {g.items.length ? (
              <ul aria-labelledby={`group-${g.key}`}>
                {g.items.map((c) => (
                  <Row key={c.id} c={c} place={$places.value.get(c.id)} />
                ))}
              </ul>
            ) : (
              <p class="empty">{t.none}</p>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}


function Row({ c, place }: { c: Summary; place?: number }) {
  const t = $t.value;
  const unread = $unread.value[c.id] || 0;
  const waitedMin = c.phase === 'waiting' && c.queuedAt ? Math.floor(($clock.value - c.queuedAt) / 60_000) : undefined;
  const current = $selected.value === c.id;
  const onClick = () => select(c.id);
  return (
    <li>
      <button type="button" id={`row-${c.id}`} class={`row${unread ? ' unread' : ''}`} aria-current={current ? 'true' : undefined} onClick={onClick}>
        <span class="row-top">
          <b class="who">{label(c)}</b>
          <span class="badge state">{stateOf(c, place)}</span>
          {c.severity && <span class={`badge sev-${c.severity}`}>{t.severity(c.severity)}</span>}
          {unread > 0 && <span class="badge unread-count">{t.unread(unread)}</span>}
          <time class="at">{time(c.last?.at ?? c.updatedAt)}</time>
        </span>
        {c.last && <span class="preview">{c.last.author === 'agent' ? `${t.you}: ` : ''}{plain(c.last.text).slice(0, 90)}</span>}
        <span class="row-meta">
          {waitedMin !== undefined && <span>{t.waited(t.minutes(waitedMin))}</span>}
          {c.page && <span class="page">{pathOf(c.page)}</span>}
          {(c.tags ?? []).map((tag) => (
            <span key={tag} class="tag">
              #{tag}
            </span>
          ))}
          {$customerTyping.value[c.id] && <span>{t.typing(label(c))}</span>}
        </span>
      </button>
    </li>
  );
}

const pathOf = (url: string) => {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
};

export const detailOf = () => $detail.value;
