import { computed, effect, signal } from '@preact/signals';
import { STRINGS, type Lang } from './i18n';

/** A conversation as the inbox shows it (the relay's summary, plus what this console counts). */
export interface Summary {
  id: string;
  visitorId: string;
  locale: string;
  user: { name?: string; email?: string; id?: string; attributes?: Record<string, unknown> };
  identity: string;
  verified: boolean;
  phase: 'bot' | 'waiting' | 'agent' | 'closed';
  queuedAt?: number;
  left: boolean;
  agentName?: string;
  createdAt: number;
  updatedAt: number;
  online: boolean;
  severity?: string;
  reason?: string;
  tags?: string[];
  page?: string;
  last?: { text: string; author: string; at?: number };
}
export interface Line {
  id: string;
  author: string;
  text: string;
  at?: number;
  authorName?: string;
  articles?: Array<{ id: string; title: string }>;
}
export interface Note {
  id: string;
  authorName: string;
  text: string;
  at: number;
}
export interface SavedReply {
  id: string;
  title: string;
  text: string;
}
export interface Detail {
  id: string;
  messages: Line[];
  packet: any;
  notes: Note[];
  context: any;
}
export interface Metrics {
  since: number;
  conversations: Array<{ id: string; agentName?: string; firstResponseMs?: number; resolutionMs?: number; csat?: number }>;
  day: { handedOff: number; resolved: number; firstResponseMs?: number; resolutionMs?: number; csat?: { responses: number; average: number; satisfiedRate: number } };
}

const TOKEN = 'madoguchi-console-token';
const UNREAD = 'madoguchi-console-unread';
const PREFS = 'madoguchi-console-prefs';

const stored = <T>(storage: Storage, key: string, fallback: T): T => {
  try {
    return { ...fallback, ...JSON.parse(storage.getItem(key) || '{}') };
  } catch {
    return fallback;
  }
};
const prefs = stored(localStorage, PREFS, {
  lang: (navigator.language.startsWith('ja') ? 'ja' : 'en') as Lang,
  sound: false,
  desktop: false,
});

export const $lang = signal<Lang>(prefs.lang === 'ja' ? 'ja' : 'en');
export const $t = computed(() => STRINGS[$lang.value]);
export const $sound = signal(!!prefs.sound);
export const $desktop = signal(!!prefs.desktop && typeof Notification !== 'undefined' && Notification.permission === 'granted');
effect(() => {
  localStorage.setItem(PREFS, JSON.stringify({ lang: $lang.value, sound: $sound.value, desktop: $desktop.value }));
  document.documentElement.lang = $lang.value;
});

export const $me = signal('');
export const $connection = signal<'signed-out' | 'connecting' | 'online' | 'offline'>('signed-out');
export const $line = signal('');
export const $conversations = signal<Record<string, Summary>>({});
export const $selected = signal<string | undefined>(undefined);
export const $detail = signal<Detail | undefined>(undefined);
export const $customerTyping = signal<Record<string, boolean>>({});
export const $unread = signal<Record<string, number>>(stored(sessionStorage, UNREAD, {}));
export const $agents = signal<Array<{ name: string; status: 'online' | 'away' }>>([]);
export const $myStatus = signal<'online' | 'away'>('online');
export const $replies = signal<SavedReply[]>([]);
export const $officeOpen = signal(true);
export const $metrics = signal<Metrics | undefined>(undefined);
/** When the list was last known to be current (shown while offline). */
export const $asOf = signal(0);
/** Ticks every 15 s, so waiting times move on. */
export const $clock = signal(Date.now());
setInterval(() => ($clock.value = Date.now()), 15_000);

/** Places in line, worked out here from the order of arrival, so the relay never re-sends the queue. */
export const $places = computed(() => {
  const waiting = Object.values($conversations.value)
    .filter((c) => c.phase === 'waiting' && !c.left)
    .sort((a, b) => (a.queuedAt ?? 0) - (b.queuedAt ?? 0) || (a.id < b.id ? -1 : 1));
  return new Map(waiting.map((c, i) => [c.id, i + 1]));
});
/** What the tab title counts: unread in conversations waiting for someone or assigned to me. */
export const $totalUnread = computed(() =>
  Object.entries($unread.value).reduce((sum, [id, n]) => {
    const c = $conversations.value[id];
    return c && (c.phase === 'waiting' || (c.phase === 'agent' && c.agentName === $me.value)) ? sum + n : sum;
  }, 0),
);
effect(() => {
  sessionStorage.setItem(UNREAD, JSON.stringify($unread.value));
  const n = $totalUnread.value;
  document.title = `${n ? `(${n}) ` : ''}${$t.value.title} · Madoguchi`;
});

let token = sessionStorage.getItem(TOKEN) || '';
let socket: WebSocket | undefined;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

export const send = (frame: object) => socket?.readyState === 1 && socket.send(JSON.stringify(frame));
export const newId = (prefix: string) => `${prefix}-${crypto.randomUUID()}`;

/** A customer's name for lists and notifications. */
export const label = (c: Summary) => String(c.user?.name || c.user?.email || STRINGS[$lang.value].visitor(String(c.visitorId).slice(0, 6)));

async function post(path: string, body: object, headers: Record<string, string> = {}) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok || typeof data.token !== 'string') throw new Error(typeof data.error === 'string' ? data.error : 'sign-in failed');
  return data as { token: string; name: string; expiresIn: number };
}

function signedIn(data: { token: string; expiresIn: number }) {
  token = data.token;
  sessionStorage.setItem(TOKEN, token);
  clearTimeout(refreshTimer);
  // Tokens are short-lived: a fresh one well before this one ends.
  refreshTimer = setTimeout(() => post('/agent/refresh', {}, { authorization: 'Bearer ' + token }).then(signedIn, signOut), Math.max(30, data.expiresIn / 2) * 1000);
  connect();
}

export function signIn(name: string, password: string) {
  $line.value = $t.value.signingIn;
  post('/agent/signin', { name, password }).then(signedIn, (error: Error) => ($line.value = $t.value.notSignedIn(error.message)));
}

export function signOut(reason?: unknown) {
  token = '';
  sessionStorage.removeItem(TOKEN);
  clearTimeout(refreshTimer);
  const s = socket;
  socket = undefined;
  s?.close();
  $connection.value = 'signed-out';
  $line.value = reason instanceof Error ? `${$t.value.signedOut}: ${reason.message}` : $t.value.signedOut;
}

function connect() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/agent/ws`);
  socket?.close();
  socket = ws;
  $connection.value = $connection.value === 'online' ? 'offline' : 'connecting';
  ws.onopen = () => send({ type: 'hello', token });
  ws.onclose = (event) => {
    if (socket !== ws) return;
    if (event.code === 1008) return signOut(new Error($t.value.signInAgain));
    $connection.value = 'offline';
    $line.value = $t.value.offline;
    setTimeout(() => socket === ws && token && connect(), 2000);
  };
  ws.onmessage = (event) => {
    let frame: any;
    try {
      frame = JSON.parse(String(event.data));
    } catch {
      return;
    }
    if (frame && typeof frame.type === 'string') receive(frame);
  };
}

const patch = (c: Summary) => ($conversations.value = { ...$conversations.value, [c.id]: { ...$conversations.value[c.id], ...c } });
const bump = (id: string) => ($unread.value = { ...$unread.value, [id]: ($unread.value[id] || 0) + 1 });
/** Whether this console is looking at `id` right now (then nothing new in it is unread). */
const watching = (id: string) => $selected.value === id && document.visibilityState === 'visible';

function receive(frame: any) {
  const t = $t.value;
  if (frame.type === 'welcome') {
    $me.value = String(frame.name);
    $connection.value = 'online';
    $line.value = t.onlineAs($me.value);
    $officeOpen.value = frame.open !== false;
    if ($myStatus.value === 'away') send({ type: 'presence', status: 'away' });
    if ($selected.value) send({ type: 'open', conversationId: $selected.value });
  } else if (frame.type === 'snapshot') {
    const known = $conversations.value;
    const next: Record<string, Summary> = {};
    for (const c of frame.conversations as Summary[]) next[c.id] = c;
    // Customers who started waiting while this console was away count as news.
    if (Object.keys(known).length) for (const c of Object.values(next)) if (c.phase === 'waiting' && known[c.id]?.phase !== 'waiting') bump(c.id);
    $conversations.value = next;
    $asOf.value = Date.now();
  } else if (frame.type === 'conversation') {
    const c = frame.conversation as Summary;
    const before = $conversations.value[c.id];
    patch(c);
    $asOf.value = Date.now();
    if (c.phase === 'waiting' && !c.left && before?.phase !== 'waiting') {
      if (!watching(c.id)) bump(c.id);
      alert(t.newWaiting(label(c)), c.last?.text ?? c.reason ?? '', c.id);
    }
    if (before && before.phase !== 'closed' && c.phase === 'closed' && $metrics.value) send({ type: 'metrics' });
  } else if (frame.type === 'message') {
    const m = frame.message as Line;
    const c = $conversations.value[frame.conversationId];
    if (c) patch({ ...c, last: { text: m.text, author: m.author, at: m.at }, updatedAt: m.at ?? Date.now() });
    const d = $detail.value;
    if (d && d.id === frame.conversationId && !d.messages.some((x) => x.id === m.id)) $detail.value = { ...d, messages: [...d.messages, m] };
    // What a customer writes needs someone while waiting or with an agent; the bot answers the rest.
    if (m.author !== 'user' || !c || (c.phase !== 'waiting' && c.phase !== 'agent')) return;
    if (!watching(c.id)) bump(c.id);
    if (c.agentName === $me.value && c.phase === 'agent') alert(t.newMessage(label(c)), m.text, c.id);
  } else if (frame.type === 'history') {
    if (frame.conversationId !== $selected.value) return;
    $detail.value = { id: frame.conversationId, messages: frame.messages ?? [], packet: frame.packet, notes: frame.notes ?? [], context: frame.context };
  } else if (frame.type === 'note') {
    const d = $detail.value;
    if (d && d.id === frame.conversationId && !d.notes.some((n) => n.id === frame.note.id)) $detail.value = { ...d, notes: [...d.notes, frame.note] };
  } else if (frame.type === 'context') {
    const d = $detail.value;
    if (d && d.id === frame.conversationId) $detail.value = { ...d, context: frame.context };
  } else if (frame.type === 'typing') {
    $customerTyping.value = { ...$customerTyping.value, [frame.conversationId]: frame.on === true };
  } else if (frame.type === 'agents') {
    $agents.value = frame.agents;
  } else if (frame.type === 'replies') {
    $replies.value = frame.replies;
  } else if (frame.type === 'metrics') {
    $metrics.value = frame;
  } else if (frame.type === 'error') {
    $line.value = t.error(String(frame.message));
  }
}

/** Opens a conversation: its history comes from the relay, and nothing in it is unread any more. */
export function select(id: string) {
  $selected.value = id;
  if ($detail.value?.id !== id) $detail.value = undefined;
  markRead(id);
  send({ type: 'open', conversationId: id });
}
export function markRead(id: string) {
  if (!$unread.value[id]) return;
  const { [id]: _, ...rest } = $unread.value;
  $unread.value = rest;
}
document.addEventListener('visibilitychange', () => $selected.value && document.visibilityState === 'visible' && markRead($selected.value));

let audio: AudioContext | undefined;
/** A short two-tone chime, made on the spot (no sound file to fetch). */
function chime() {
  try {
    audio ||= new AudioContext();
    const at = audio.currentTime;
    for (const [i, hz] of [660, 880].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, at + i * 0.15);
      gain.gain.exponentialRampToValueAtTime(0.2, at + i * 0.15 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + i * 0.15 + 0.14);
      osc.connect(gain).connect(audio.destination);
      osc.start(at + i * 0.15);
      osc.stop(at + i * 0.15 + 0.15);
    }
  } catch {
    // No audio here: the title and the marks still tell.
  }
}

/** Sound and desktop notification, each only when the agent turned it on. */
function alert(title: string, body: string, id: string) {
  if ($sound.value) chime();
  if (!$desktop.value || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  if (watching(id) && document.hasFocus()) return;
  const n = new Notification(title, { body: body.slice(0, 140), tag: id });
  n.onclick = () => {
    window.focus();
    select(id);
    n.close();
  };
}

/** Turns desktop notifications on from a click (browsers ask for permission only then). */
export async function enableDesktop(on: boolean) {
  if (!on || typeof Notification === 'undefined') return void ($desktop.value = false);
  const answer = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
  $desktop.value = answer === 'granted';
  if (answer !== 'granted') $line.value = $t.value.desktopBlocked;
}

export function setStatus(status: 'online' | 'away') {
  $myStatus.value = status;
  send({ type: 'presence', status });
}

/** Starts: a one-time link (`/agent#signin=…`) signs in once, then leaves the address bar; a kept token reconnects. */
export function start() {
  addEventListener('hashchange', signInFromLink);
  if (signInFromLink() || !token) return;
  // Signed in before this page load: a fresh token first, which also plans the next renewal
  // (the relay closes a console's socket when its token ends).
  $connection.value = 'connecting';
  post('/agent/refresh', {}, { authorization: 'Bearer ' + token }).then(signedIn, () => signOut(new Error($t.value.signInAgain)));
}
function signInFromLink() {
  const link = new URLSearchParams(location.hash.slice(1)).get('signin');
  if (link) {
    history.replaceState(null, '', location.pathname);
    $line.value = $t.value.signingIn;
    post('/agent/signin', { link }).then(signedIn, (error: Error) => ($line.value = $t.value.notSignedIn(error.message)));
  }
  return !!link;
}
