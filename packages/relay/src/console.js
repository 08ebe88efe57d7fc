// The agent console: plain DOM, every customer-supplied value set through textContent as a string.
const $ = (id) => document.getElementById(id);
/** Creates an element with text (never HTML) and children. */
const el = (tag, text, ...children) => {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = asText(text);
  for (const child of children) if (child) node.append(child);
  return node;
};
/** Whatever arrives becomes a plain string. */
const asText = (v) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v == null ? '' : JSON.stringify(v));
const time = (ms) => (typeof ms === 'number' ? new Date(ms).toLocaleTimeString() : '');
const randomId = () => 'a-' + crypto.randomUUID();

const TOKEN = 'madoguchi-console-token';
const conversations = new Map();
/** Messages and packet of the conversation open on screen (the relay sends them on `open`). */
let detail = { id: undefined, messages: [], packet: null };
let selected;
let socket;
let token = sessionStorage.getItem(TOKEN) || '';
let myName = '';
let typingTimer;
let typingOn = false;
let refreshTimer;

const send = (frame) => socket?.readyState === 1 && socket.send(JSON.stringify(frame));
const line = (text) => ($('line').textContent = text);

async function post(path, body, headers = {}) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok || typeof data.token !== 'string') throw new Error(typeof data.error === 'string' ? data.error : 'sign-in failed');
  return data;
}

function signedIn(data) {
  token = data.token;
  sessionStorage.setItem(TOKEN, token);
  clearTimeout(refreshTimer);
  // Tokens are short-lived: a fresh one well before this one ends.
  refreshTimer = setTimeout(() => post('/agent/refresh', {}, { authorization: 'Bearer ' + token }).then(signedIn, signOut), Math.max(30, data.expiresIn / 2) * 1000);
  connect();
}

function signOut(reason) {
  token = '';
  sessionStorage.removeItem(TOKEN);
  clearTimeout(refreshTimer);
  socket?.close();
  socket = undefined;
  $('signin').hidden = false;
  $('signout').hidden = true;
  line(reason instanceof Error ? `Signed out: ${reason.message}` : 'Signed out');
}

function connect() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/agent/ws`);
  socket?.close();
  socket = ws;
  ws.onopen = () => send({ type: 'hello', token });
  ws.onclose = (event) => {
    if (socket !== ws) return;
    if (event.code === 1008) return signOut(new Error('please sign in again'));
    line('Offline: reconnecting…');
    setTimeout(() => socket === ws && token && connect(), 2000);
  };
  ws.onmessage = (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    receive(frame);
  };
}

function receive(frame) {
  if (frame.type === 'welcome') {
    myName = asText(frame.name);
    line(`Online as ${myName}`);
    $('signin').hidden = true;
    $('signout').hidden = false;
    if (selected) send({ type: 'open', conversationId: selected });
  } else if (frame.type === 'snapshot') {
    conversations.clear();
    for (const c of frame.conversations) conversations.set(c.id, c);
    render();
  } else if (frame.type === 'conversation') {
    conversations.set(frame.conversation.id, { ...conversations.get(frame.conversation.id), ...frame.conversation });
    render();
  } else if (frame.type === 'message') {
    const c = conversations.get(frame.conversationId);
    if (c) c.messageCount = (c.messageCount || 0) + 1;
    if (frame.conversationId === detail.id && !detail.messages.some((m) => m.id === frame.message.id)) {
      detail.messages.push(frame.message);
      renderDetail(c);
    }
  } else if (frame.type === 'history') {
    if (frame.conversationId !== selected) return;
    detail = { id: frame.conversationId, messages: frame.messages, packet: frame.packet };
    renderDetail(conversations.get(selected));
  } else if (frame.type === 'typing') {
    const c = conversations.get(frame.conversationId);
    if (c) c.customerTyping = frame.on;
    if (frame.conversationId === selected) renderTyping(c);
  } else if (frame.type === 'error') {
    line(`Error: ${asText(frame.message)}`);
  }
}

const order = { waiting: 0, agent: 1, bot: 2, closed: 3 };
const label = (c) => asText(c.user?.name || c.user?.email || 'Visitor ' + asText(c.visitorId).slice(0, 6));

/** Places in line, worked out here from the order of arrival, so the relay never re-sends the queue. */
function places() {
  const waiting = [...conversations.values()].filter((c) => c.phase === 'waiting' && !c.left).sort((a, b) => a.queuedAt - b.queuedAt || (a.id < b.id ? -1 : 1));
  return new Map(waiting.map((c, i) => [c.id, i + 1]));
}

function stateOf(c, place) {
  if (c.phase === 'waiting') return c.left ? 'left' : `waiting #${place.get(c.id)}`;
  return c.phase === 'agent' ? `with ${asText(c.agentName)}` : asText(c.phase);
}

function render() {
  const place = places();
  const items = [...conversations.values()].sort((a, b) => (order[a.phase] ?? 4) - (order[b.phase] ?? 4) || (a.queuedAt ?? a.updatedAt) - (b.queuedAt ?? b.updatedAt));
  $('conversations').replaceChildren(
    ...items.map((c) => {
      const button = el('button', label(c), el('span', stateOf(c, place)), c.severity ? el('span', `${asText(c.severity)} severity`) : null);
      for (const span of button.querySelectorAll('span')) span.className = 'badge';
      button.type = 'button';
      button.setAttribute('aria-current', String(c.id === selected));
      button.onclick = () => {
        selected = c.id;
        detail = { id: undefined, messages: [], packet: null };
        send({ type: 'open', conversationId: c.id });
        render();
      };
      return el('li', undefined, button);
    }),
  );
  renderDetail(conversations.get(selected));
}

function renderTyping(c) {
  $('customer-typing').textContent = c?.customerTyping ? `${label(c)} is typing…` : '';
}

/** A definition list from [term, value] pairs, skipping empty values. */
const facts = (pairs) => el('dl', undefined, ...pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').flatMap(([k, v]) => [el('dt', k), el('dd', v)]));
const section = (title, ...body) => [el('h3', title), ...body];
const list = (items, line, empty = 'none') => (Array.isArray(items) && items.length ? el('ul', undefined, ...items.map((item) => el('li', line(item)))) : el('p', empty));
const identityText = (c) => (c.verified ? 'verified' : c.identity === 'unverified' ? 'not verified (no key configured)' : 'not verified');

function renderDetail(c) {
  $('detail').hidden = !c;
  if (!c) return;
  const p = (detail.id === c.id && detail.packet) || {};
  const user = { ...(p.user || {}), ...c.user };
  const place = places();
  $('detail-title').textContent = `${label(c)}: ${stateOf(c, place)}${c.phase === 'waiting' && !c.left ? ' in line' : ''}`;
  $('accept').disabled = c.phase === 'agent' || c.phase === 'closed';
  $('close').disabled = c.phase === 'closed';
  const messages = detail.id === c.id ? detail.messages : [];
  $('transcript').replaceChildren(
    ...[...(p.transcript || []).filter((m) => !messages.some((x) => x.id === m.id)), ...messages]
      .sort((a, b) => (a.at || 0) - (b.at || 0))
      .map((m) => {
        const who = m.author === 'agent' ? m.authorName || 'Agent' : m.author === 'user' ? label(c) : m.author === 'system' ? 'Notice' : m.author;
        const item = el('li', undefined, el('span', who), el('span', m.text), el('time', ' ' + time(m.at)));
        item.firstChild.className = 'who';
        item.className = asText(m.author);
        return item;
      }),
  );
  renderTyping(c);
  const ctx = p.context || {};
  const trail = Array.isArray(ctx.trail) ? ctx.trail : [];
  const triage = p.triage || {};
  const attributes = user.attributes && typeof user.attributes === 'object' ? Object.entries(user.attributes) : [];
  $('context').replaceChildren(
    ...section('Who', facts([['Name', user.name], ['E-mail', user.email], ['User id', user.id], ['Identity', identityText(c)], ['Status', c.left ? 'left the page' : c.online ? 'online' : 'offline'], ['Language', p.locale || c.locale], ...attributes])),
    ...section('Where', facts([['Page', ctx.page?.url], ['Title', ctx.page?.title], ['Referrer', ctx.page?.referrer], ['Device', ctx.device ? [ctx.device.platform, ctx.device.language, ctx.device.timeZone].filter(Boolean).join(', ') : '']])),
    ...section('Pages visited', list(trail.filter((t) => t.type === 'page'), (t) => `${time(t.at)} ${asText(t.title)} ${asText(t.url)}`)),
    ...section('Events', list(trail.filter((t) => t.type === 'event'), (t) => `${time(t.at)} ${asText(t.name)}${t.properties ? ' ' + asText(t.properties) : ''}`)),
    ...section('Searches', list(p.searches, (s) => `“${asText(s.query)}” ${s.found ? 'found articles' : 'found nothing'}`)),
    ...section('Articles', list(p.articles, (a) => `${asText(a.title)}${a.helpful === true ? ': helpful' : a.helpful === false ? ': not helpful' : ''}`)),
    ...section('Flow answers', list(p.flows, (f) => `${asText(f.id)}: ${Object.entries(f.answers || {}).map(([k, v]) => `${k} = ${asText(v)}`).join('; ') || 'no answers'}`)),
    ...section('Triage', facts([['Complexity', triage.complexity], ['Severity', triage.severity], ['Effort', triage.effort], ['Route', triage.primary && `${asText(triage.primary)} then ${asText(triage.secondary)}`], ['Signals', Array.isArray(triage.reasons) ? triage.reasons.map(asText).join(', ') : '']])),
    ...section('Reason', el('p', p.reason || c.reason || 'not given')),
  );
}

function setTyping(on) {
  if (typingOn === on || !selected) return;
  typingOn = on;
  send({ type: 'typing', conversationId: selected, on });
}

$('signin').addEventListener('submit', (event) => {
  event.preventDefault();
  line('Signing in…');
  post('/agent/signin', { name: $('agent-name').value.trim(), password: $('agent-password').value }).then(signedIn, (error) => line(`Not signed in: ${error.message}`));
  $('agent-password').value = '';
});
$('signout').onclick = () => signOut();
$('accept').onclick = () => send({ type: 'accept', conversationId: selected });
$('close').onclick = () => send({ type: 'close', conversationId: selected });
$('reply-text').addEventListener('input', () => {
  setTyping(true);
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => setTyping(false), 2500);
});
$('reply').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('reply-text').value.trim();
  if (!text || !selected) return;
  send({ type: 'message', conversationId: selected, id: randomId(), text });
  $('reply-text').value = '';
  clearTimeout(typingTimer);
  typingOn = false;
});

// A one-time link (`/agent#signin=…`) signs in once, then leaves the address bar.
const link = new URLSearchParams(location.hash.slice(1)).get('signin');
if (link) {
  history.replaceState(null, '', location.pathname);
  line('Signing in…');
  post('/agent/signin', { link }).then(signedIn, (error) => line(`Not signed in: ${error.message}`));
} else if (token) {
  // Signed in before this page load: a fresh token, which also plans the next renewal.
  $('signin').hidden = true;
  post('/agent/refresh', {}, { authorization: 'Bearer ' + token }).then(signedIn, () => signOut(new Error('please sign in again')));
}
