// The agent console: plain DOM, every untrusted string set through textContent.
const $ = (id) => document.getElementById(id);
/** Creates an element with text (never HTML) and children. */
const el = (tag, text, ...children) => {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const child of children) if (child) node.append(child);
  return node;
};
const time = (ms) => (ms ? new Date(ms).toLocaleTimeString() : '');
const randomId = () => 'a-' + Math.random().toString(36).slice(2) + Date.now().toString(36);

const conversations = new Map();
let selected;
let socket;
let myName = '';
let typingTimer;
let typingOn = false;

const send = (frame) => socket?.readyState === 1 && socket.send(JSON.stringify(frame));

function connect(name) {
  myName = name;
  socket?.close();
  socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/agent/ws`);
  socket.onopen = () => {
    $('line').textContent = `Online as ${name}`;
    send({ type: 'hello', name });
  };
  socket.onclose = () => {
    $('line').textContent = 'Offline: reconnecting…';
    setTimeout(() => connect(myName), 2000);
  };
  socket.onmessage = (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame.type === 'snapshot') {
      conversations.clear();
      for (const c of frame.conversations) conversations.set(c.id, c);
      render();
    } else if (frame.type === 'conversation') {
      conversations.set(frame.conversation.id, frame.conversation);
      render();
    } else if (frame.type === 'typing') {
      const c = conversations.get(frame.conversationId);
      if (c) c.customerTyping = frame.on;
      if (frame.conversationId === selected) renderTyping(c);
    } else if (frame.type === 'error') {
      $('line').textContent = `Error: ${frame.message}`;
    }
  };
}

const order = { waiting: 0, agent: 1, bot: 2, closed: 3 };
const label = (c) => c.user?.name || c.user?.email || c.packet?.user?.name || 'Visitor ' + String(c.visitorId).slice(0, 6);

function render() {
  const list = $('conversations');
  const items = [...conversations.values()].sort((a, b) => order[a.phase] - order[b.phase] || (a.queuedAt ?? a.updatedAt) - (b.queuedAt ?? b.updatedAt));
  list.replaceChildren(
    ...items.map((c) => {
      const state = c.phase === 'waiting' ? `waiting #${c.position}` : c.phase === 'agent' ? `with ${c.agentName}` : c.phase;
      const button = el('button', label(c), el('span', state, undefined), c.packet?.triage ? el('span', `${c.packet.triage.severity} severity`) : null);
      for (const span of button.querySelectorAll('span')) span.className = 'badge';
      button.type = 'button';
      button.setAttribute('aria-current', String(c.id === selected));
      button.onclick = () => {
        selected = c.id;
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
const facts = (pairs) => el('dl', undefined, ...pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').flatMap(([k, v]) => [el('dt', k), el('dd', typeof v === 'object' ? JSON.stringify(v) : v)]));
const section = (title, ...body) => [el('h3', title), ...body];
const list = (items, line, empty = 'none') => (items?.length ? el('ul', undefined, ...items.map((item) => el('li', line(item)))) : el('p', empty));

function renderDetail(c) {
  $('detail').hidden = !c;
  if (!c) return;
  const p = c.packet || {};
  const user = { ...(p.user || {}), ...c.user };
  $('detail-title').textContent = `${label(c)}: ${c.phase}${c.phase === 'waiting' ? ` (#${c.position} in line)` : ''}`;
  $('accept').disabled = c.phase === 'agent' || c.phase === 'closed';
  $('close').disabled = c.phase === 'closed';
  $('transcript').replaceChildren(
    ...[...(p.transcript || []).filter((m) => !c.messages.some((x) => x.id === m.id)), ...c.messages]
      .sort((a, b) => a.at - b.at)
      .map((m) => {
        const item = el('li', undefined, el('span', m.author === 'agent' ? m.authorName || 'Agent' : m.author === 'user' ? label(c) : m.author), el('span', m.text), el('time', ' ' + time(m.at)));
        item.firstChild.className = 'who';
        item.className = m.author;
        return item;
      }),
  );
  renderTyping(c);
  const ctx = p.context || {};
  const trail = ctx.trail || [];
  const triage = p.triage || {};
  const attributes = user.attributes && typeof user.attributes === 'object' ? Object.entries(user.attributes) : [];
  $('context').replaceChildren(
    ...section('Who', facts([['Name', user.name], ['E-mail', user.email], ['User id', user.id], ['Identity', c.identity], ['Language', p.locale || c.locale], ...attributes])),
    ...section('Where', facts([['Page', ctx.page?.url], ['Title', ctx.page?.title], ['Referrer', ctx.page?.referrer], ['Device', ctx.device ? [ctx.device.platform, ctx.device.language, ctx.device.timeZone].filter(Boolean).join(', ') : '']])),
    ...section('Pages visited', list(trail.filter((t) => t.type === 'page'), (t) => `${time(t.at)} ${t.title || ''} ${t.url || ''}`)),
    ...section('Events', list(trail.filter((t) => t.type === 'event'), (t) => `${time(t.at)} ${t.name}${t.properties ? ' ' + JSON.stringify(t.properties) : ''}`)),
    ...section('Searches', list(p.searches, (s) => `“${s.query}” ${s.found ? 'found articles' : 'found nothing'}`)),
    ...section('Articles', list(p.articles, (a) => `${a.title}${a.helpful === true ? ': helpful' : a.helpful === false ? ': not helpful' : ''}`)),
    ...section('Flow answers', list(p.flows, (f) => `${f.id}: ${Object.entries(f.answers || {}).map(([k, v]) => `${k} = ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('; ') || 'no answers'}`)),
    ...section('Triage', facts([['Complexity', triage.complexity], ['Severity', triage.severity], ['Effort', triage.effort], ['Route', triage.primary && `${triage.primary} then ${triage.secondary}`], ['Signals', (triage.reasons || []).join(', ')]])),
    ...section('Reason', el('p', p.reason || 'not given')),
  );
}

function setTyping(on) {
  if (typingOn === on || !selected) return;
  typingOn = on;
  send({ type: 'typing', conversationId: selected, on });
}

$('signin').addEventListener('submit', (event) => {
  event.preventDefault();
  connect($('agent-name').value.trim() || 'Agent');
});
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
