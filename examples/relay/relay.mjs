// @ts-check
/**
 * The reference relay: the human side of Madoguchi. It speaks the WebSocket (`/relay/ws`) and the
 * HTTP transports (`POST /relay/http/frames`, server-sent events at `/relay/http/events`), keeps a
 * queue of conversations waiting for a person, knows its office hours, and serves an agent
 * console at `/agent` (its own WebSocket at `/agent/ws`). State lives in memory.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { WebSocketServer } from 'ws';

/**
 * @typedef {{ timeZone: string; days: number[]; open: string; close: string }} OfficeHours
 *   days: 0 = Sunday … 6 = Saturday; open/close: 'HH:MM' local to timeZone.
 * @typedef {{ id: string; author: 'user' | 'agent' | 'system'; text: string; at: number; authorName?: string }} RelayMessage
 * @typedef {{
 *   id: string; visitorId: string; appId: string; locale: string;
 *   user: Record<string, unknown>; identity: 'verified' | 'unverified' | 'failed' | 'none';
 *   createdAt: number; updatedAt: number; messages: RelayMessage[]; ids: Set<string>;
 *   packet?: Record<string, any>; phase: 'bot' | 'waiting' | 'agent' | 'closed';
 *   queuedAt?: number; agentName?: string; customerTyping?: boolean;
 * }} Conversation
 * @typedef {{ conversations: Map<string, Conversation>; tickets: Map<string, Record<string, any>> }} RelayState
 * @typedef {{ conversation?: string; token?: { jwt?: string; userHash?: string }; send(frame: object): void }} Client
 * @typedef {{
 *   officeHours?: OfficeHours | null;
 *   maxFrameBytes?: number;
 *   log?: (line: string) => void;
 *   identitySecret?: string;
 *   handleSeconds?: number;
 *   state?: RelayState;
 *   now?: () => number;
 *   awayMessage?: string | Record<string, string>;
 *   allowedOrigins?: string[];
 * }} RelayOptions
 *   allowedOrigins: the pages (`https://shop.example`) whose widgets may connect; without it, only
 *   the relay's own origin. Requests without an Origin header (not from a browser) are let through:
 *   for them the identity token is what counts.
 *   awayMessage: what the widget shows when nobody can answer, one text or one per language
 *   (`{ en, ja }`); without it the widget says so in its own words, with the next opening.
 */

const MAX_TEXT = 4000;
const MAX_ID = 100;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A fresh, empty state. Pass the same one to a new relay to keep conversations across a restart in one process. */
export function createRelayState() {
  return /** @type {RelayState} */ ({ conversations: new Map(), tickets: new Map() });
}

/** @param {number} ms @param {string} timeZone */
function zoned(ms, timeZone) {
  /** @type {Record<string, string>} */
  const p = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
  });
  for (const part of format.formatToParts(new Date(ms))) p[part.type] = part.value;
  return { y: +p.year, m: +p.month, d: +p.day, h: +p.hour, min: +p.minute, wd: WEEKDAYS.indexOf(p.weekday) };
}

const minutes = (/** @type {string} */ hhmm) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

/** Whether `ms` falls inside the office hours. @param {OfficeHours} hours @param {number} ms */
export function isOpenAt(hours, ms) {
  const t = zoned(ms, hours.timeZone);
  const now = t.h * 60 + t.min;
  return hours.days.includes(t.wd) && now >= minutes(hours.open) && now < minutes(hours.close);
}

/** The next opening after `ms`, in epoch ms (undefined when no day is open). @param {OfficeHours} hours @param {number} ms */
export function nextOpeningAfter(hours, ms) {
  const open = minutes(hours.open);
  for (let k = 0; k < 8; k++) {
    const day = zoned(ms + k * 86_400_000, hours.timeZone);
    if (!hours.days.includes(day.wd)) continue;
    const guess = Date.UTC(day.y, day.m - 1, day.d, 0, open);
    const seen = zoned(guess, hours.timeZone);
    const at = guess - (Date.UTC(seen.y, seen.m - 1, seen.d, seen.h, seen.min) - guess);
    if (at > ms) return at;
  }
  return undefined;
}

/** @param {unknown} v @param {number} max */
const isText = (v, max) => typeof v === 'string' && v.length > 0 && v.length <= max;
/** @param {unknown} v @returns {v is Record<string, any>} */
const isObject = (v) => !!v && typeof v === 'object' && !Array.isArray(v);
/** @param {string} code @param {string} message @param {unknown} [id] */
const errorFrame = (code, message, id) => ({ type: 'error', code, message, ...(typeof id === 'string' ? { id } : {}) });

/** @param {RelayOptions} [options] */
export function createRelay(options = {}) {
  const maxFrameBytes = options.maxFrameBytes ?? 64 * 1024;
  const log = options.log ?? (() => {});
  const hours = options.officeHours ?? null;
  const handleSeconds = options.handleSeconds ?? 180;
  const now = options.now ?? Date.now;
  const state = options.state ?? createRelayState();
  /** @type {Map<string, Set<Client>>} customers connected, by conversation */
  const clients = new Map();
  /** @type {Set<{ name: string; send(frame: object): void }>} */
  const agents = new Set();
  /** @type {Set<import('node:http').ServerResponse>} */
  const streams = new Set();
  const customerWss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes * 4 });
  const agentWss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes * 4 });
  const files = new Map();

  const waiting = () => [...state.conversations.values()].filter((c) => c.phase === 'waiting').sort((a, b) => (a.queuedAt ?? 0) - (b.queuedAt ?? 0));

  /** The away status when nobody answers right now, or null when agents are there. @param {Conversation} c */
  const away = (c) => {
    const t = now();
    const closed = hours && !isOpenAt(hours, t);
    if (!closed && agents.size) return null;
    const text = options.awayMessage;
    const message = typeof text === 'string' ? text : text?.[c.locale.split('-')[0]] ?? text?.en;
    return { type: 'away', ...(closed ? { nextOpenAt: nextOpeningAfter(hours, t) } : {}), ...(message ? { message } : {}) };
  };

  /** The status frames that describe where a conversation stands. @param {Conversation} c */
  const statusFrames = (c) => {
    /** @type {object[]} */
    const out = [];
    if (c.phase === 'waiting') {
      const position = waiting().indexOf(c) + 1;
      const expectedWaitSeconds = Math.ceil((position * handleSeconds) / Math.max(1, agents.size));
      out.push({ type: 'queue', position, expectedWaitSeconds });
      const a = away(c);
      if (a) out.push(a);
    } else if (c.phase === 'agent') out.push({ type: 'agent-joined', name: c.agentName });
    else if (c.phase === 'closed') out.push({ type: 'closed' });
    return out.map((status) => ({ type: 'status', status }));
  };

  /** @param {string} id @param {object} frame */
  const toCustomers = (id, frame) => {
    for (const client of clients.get(id) || []) client.send(frame);
  };
  const pushStatus = (/** @type {Conversation} */ c) => {
    for (const frame of statusFrames(c)) toCustomers(c.id, frame);
  };
  /** @param {object} frame */
  const toAgents = (frame) => {
    for (const agent of agents) agent.send(frame);
  };

  /** What the console shows of a conversation. @param {Conversation} c */
  const view = (c) => ({
    id: c.id, visitorId: c.visitorId, appId: c.appId, locale: c.locale, user: c.user, identity: c.identity,
    createdAt: c.createdAt, updatedAt: c.updatedAt, phase: c.phase, queuedAt: c.queuedAt,
    position: c.phase === 'waiting' ? waiting().indexOf(c) + 1 : undefined,
    agentName: c.agentName, customerTyping: !!c.customerTyping, online: !!clients.get(c.id)?.size,
    packet: c.packet, messages: c.messages,
  });
  const changed = (/** @type {Conversation} */ c) => {
    c.updatedAt = now();
    toAgents({ type: 'conversation', conversation: view(c) });
  };
  /** Queue positions move for everyone when one conversation joins or leaves the line. */
  const queueMoved = () => {
    for (const c of waiting()) {
      pushStatus(c);
      toAgents({ type: 'conversation', conversation: view(c) });
    }
  };

  /** Agent messages after `last` (all of them when `last` is unknown). @param {Conversation} c @param {unknown} last */
  const replay = (c, last) => {
    const mine = c.messages.filter((m) => m.author === 'agent');
    const from = mine.findIndex((m) => m.id === last) + 1;
    return mine.slice(from).map((m) => ({ type: 'message', id: m.id, text: m.text, authorName: m.authorName, at: m.at }));
  };

  /** @param {Record<string, any>} user @param {{ jwt?: string; userHash?: string }} token */
  const checkIdentity = (user, token) => {
    if (!token.userHash && !token.jwt) return 'none';
    if (!options.identitySecret || !token.userHash || typeof user.id !== 'string') return 'unverified';
    const expected = createHmac('sha256', options.identitySecret).update(user.id).digest();
    const given = Buffer.from(String(token.userHash), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'verified' : 'failed';
  };

  /**
   * Handles one frame from a customer and returns the frames to answer with. Never throws.
   * @param {Client} client @param {Buffer | string} raw @returns {object[]}
   */
  const customerFrame = (client, raw) => {
    const text = String(raw);
    /** @type {any} */
    let f;
    try {
      f = JSON.parse(text);
    } catch {}
    if (Buffer.byteLength(text) > maxFrameBytes) return [errorFrame('too-large', `frames are limited to ${maxFrameBytes} bytes`, f?.id ?? f?.packet?.id)];
    if (!isObject(f) || typeof f.type !== 'string') return [errorFrame('bad-frame', 'expected a JSON object with a string "type"')];
    if (f.type === 'ping') return [{ type: 'pong' }];
    if (f.type === 'pong') return [];
    if (f.type === 'hello') {
      const s = f.session;
      if (!isObject(s) || !isText(s.conversationId, MAX_ID) || !isText(s.visitorId, 200)) {
        return [errorFrame('bad-frame', 'hello needs session.conversationId and session.visitorId (strings)')];
      }
      const user = isObject(s.user) ? s.user : {};
      const { jwt, userHash, ...rest } = user;
      const token = client.token?.jwt || client.token?.userHash ? client.token : { jwt, userHash };
      const identity = checkIdentity(rest, token);
      if (identity === 'failed') return [errorFrame('unauthorized', 'the identity token does not match the user')];
      let c = state.conversations.get(s.conversationId);
      if (c && c.visitorId !== s.visitorId) return [errorFrame('forbidden', 'this conversation belongs to another visitor')];
      if (!c) {
        c = { id: s.conversationId, visitorId: s.visitorId, appId: String(s.appId ?? ''), locale: String(s.locale ?? ''), user: rest, identity, createdAt: now(), updatedAt: now(), messages: [], ids: new Set(), phase: 'bot' };
        state.conversations.set(c.id, c);
        log(`conversation ${c.id} started`);
      } else Object.assign(c, { user: rest, identity });
      if (client.conversation && client.conversation !== c.id) clients.get(client.conversation)?.delete(client);
      client.conversation = c.id;
      changed(c);
      return [{ type: 'hello', conversationId: c.id }, ...replay(c, f.last), ...statusFrames(c)];
    }
    const c = client.conversation ? state.conversations.get(client.conversation) : undefined;
    const id = f.type === 'handoff' ? (isObject(f.packet) && typeof f.packet.id === 'string' ? f.packet.id : c?.id) : f.id;
    if (!c) return [errorFrame('hello-first', 'send a hello frame first', id)];
    if (f.type === 'message') {
      if (!isText(f.id, MAX_ID) || typeof f.text !== 'string' || f.text.length > MAX_TEXT) {
        return [errorFrame('bad-frame', `a message needs an "id" (1–${MAX_ID} characters) and a "text" (at most ${MAX_TEXT})`, f.id)];
      }
      if (!c.ids.has(f.id)) {
        c.ids.add(f.id);
        c.messages.push({ id: f.id, author: 'user', text: f.text, at: now() });
        if (c.phase === 'closed') c.phase = 'bot';
        c.customerTyping = false;
        changed(c);
      }
      return [{ type: 'ack', id: f.id }];
    }
    if (f.type === 'handoff') {
      if (!isObject(f.packet)) return [errorFrame('bad-frame', 'a handoff needs a "packet" object', id)];
      c.packet = f.packet;
      if (c.phase === 'bot' || c.phase === 'closed') {
        Object.assign(c, { phase: 'waiting', queuedAt: now(), agentName: undefined });
        log(`conversation ${c.id} waits for a person`);
        changed(c);
        queueMoved();
      } else changed(c);
      if (c.phase === 'agent') pushStatus(c);
      return [{ type: 'ack', id }];
    }
    if (f.type === 'typing') {
      c.customerTyping = !!f.on;
      toAgents({ type: 'typing', conversationId: c.id, on: c.customerTyping });
      return [];
    }
    return [errorFrame('unknown-type', `unknown frame type "${String(f.type).slice(0, 40)}"`, id)];
  };

  /**
   * Handles one frame from the console. @param {{ name: string; send(frame: object): void }} agent @param {Buffer | string} raw
   */
  const agentFrame = (agent, raw) => {
    /** @type {any} */
    let f;
    try {
      f = JSON.parse(String(raw));
    } catch {}
    if (!isObject(f) || typeof f.type !== 'string') return agent.send(errorFrame('bad-frame', 'expected a JSON object with a string "type"'));
    if (f.type === 'ping') return agent.send({ type: 'pong' });
    if (f.type === 'hello') {
      agent.name = isText(f.name, 60) ? f.name : 'Agent';
      const first = !agents.has(agent);
      agents.add(agent);
      agent.send({ type: 'snapshot', conversations: [...state.conversations.values()].map(view) });
      if (first && agents.size === 1) queueMoved(); // nobody was online: waiting customers learn someone is
      return;
    }
    if (!agents.has(agent)) return agent.send(errorFrame('hello-first', 'send a hello frame with your name first'));
    const c = state.conversations.get(f.conversationId);
    if (!c) return agent.send(errorFrame('unknown-conversation', 'no such conversation', f.id));
    if (f.type === 'accept') {
      Object.assign(c, { phase: 'agent', agentName: agent.name, queuedAt: undefined });
      log(`${agent.name} accepted ${c.id}`);
      pushStatus(c);
      changed(c);
      queueMoved();
    } else if (f.type === 'message') {
      if (!isText(f.id, MAX_ID) || !isText(f.text, MAX_TEXT)) return agent.send(errorFrame('bad-frame', 'a reply needs an "id" and a non-empty "text"', f.id));
      if (!c.ids.has(f.id)) {
        c.ids.add(f.id);
        const m = { id: f.id, author: /** @type {const} */ ('agent'), text: f.text, at: now(), authorName: agent.name };
        c.messages.push(m);
        toCustomers(c.id, { type: 'message', id: m.id, text: m.text, authorName: m.authorName, at: m.at });
        toCustomers(c.id, { type: 'status', status: { type: 'typing', on: false } });
        changed(c);
      }
      agent.send({ type: 'ack', id: f.id });
    } else if (f.type === 'typing') {
      toCustomers(c.id, { type: 'status', status: { type: 'typing', on: !!f.on } });
    } else if (f.type === 'close') {
      const wasWaiting = c.phase === 'waiting';
      Object.assign(c, { phase: 'closed', queuedAt: undefined });
      log(`${agent.name} closed ${c.id}`);
      pushStatus(c);
      changed(c);
      if (wasWaiting) queueMoved();
    } else agent.send(errorFrame('unknown-type', `unknown frame type "${String(f.type).slice(0, 40)}"`));
  };

  /** @param {Client} client */
  const attach = (client) => {
    const id = client.conversation;
    if (!id) return;
    if (!clients.has(id)) clients.set(id, new Set());
    clients.get(id)?.add(client);
  };
  /** @param {Client} client */
  const detach = (client) => {
    const id = client.conversation;
    const set = id && clients.get(id);
    if (!set) return;
    set.delete(client);
    const c = state.conversations.get(/** @type {string} */ (id));
    if (c) changed(c);
  };

  customerWss.on('connection', (ws) => {
    /** @type {Client} */
    const client = { send: (frame) => ws.readyState === 1 && ws.send(JSON.stringify(frame)) };
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      const replies = isBinary ? [errorFrame('bad-frame', 'frames are JSON text')] : customerFrame(client, /** @type {Buffer} */ (data));
      for (const frame of replies) client.send(frame);
      if (replies[0]?.type === 'hello') attach(client);
    });
    ws.on('close', () => detach(client));
  });

  agentWss.on('connection', (ws) => {
    const agent = { name: 'Agent', send: (/** @type {object} */ frame) => void (ws.readyState === 1 && ws.send(JSON.stringify(frame))) };
    ws.on('error', () => {});
    ws.on('message', (data) => agentFrame(agent, /** @type {Buffer} */ (data)));
    ws.on('close', () => {
      agents.delete(agent);
      if (!agents.size) queueMoved(); // waiting customers hear nobody is online
    });
  });

  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'content-type, authorization, x-madoguchi-conversation, x-madoguchi-user-hash',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
  };
  /** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body */
  const json = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...cors });
    res.end(JSON.stringify(body));
  };

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  const postFrames = (req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > maxFrameBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => {});
    req.on('end', () => {
      if (tooLarge) return json(res, 413, [errorFrame('too-large', `frames are limited to ${maxFrameBytes} bytes`)]);
      const header = (/** @type {string} */ name) => {
        const v = req.headers[name];
        return typeof v === 'string' ? v : undefined;
      };
      const auth = header('authorization');
      /** @type {Client} */
      const client = {
        conversation: header('x-madoguchi-conversation'),
        token: { jwt: auth?.startsWith('Bearer ') ? auth.slice(7) : undefined, userHash: header('x-madoguchi-user-hash') },
        send: () => {},
      };
      const replies = customerFrame(client, Buffer.concat(chunks));
      const error = /** @type {any} */ (replies.find((f) => /** @type {any} */ (f).type === 'error'));
      const status = !error ? 200 : error.code === 'hello-first' ? 409 : error.code === 'unauthorized' || error.code === 'forbidden' ? 403 : 400;
      json(res, status, replies);
    });
  };

  /**
   * Reads a JSON body of at most maxFrameBytes; answers 413 / 400 itself and resolves undefined then.
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   */
  const readBody = (req, res) =>
    new Promise((resolve) => {
      /** @type {Buffer[]} */
      const chunks = [];
      let size = 0;
      req.on('data', (chunk) => {
        size += chunk.length;
        if (size <= maxFrameBytes) chunks.push(chunk);
      });
      req.on('error', () => resolve(undefined));
      req.on('end', () => {
        if (size > maxFrameBytes) return resolve(json(res, 413, [errorFrame('too-large', `bodies are limited to ${maxFrameBytes} bytes`)]));
        resolve(Buffer.concat(chunks));
      });
    });

  /** A ticket from the webhook transport: stored once per id, shown to agents. */
  const postTicket = async (/** @type {any} */ req, /** @type {any} */ res) => {
    const body = await readBody(req, res);
    if (!body) return;
    /** @type {any} */
    let t;
    try {
      t = JSON.parse(String(body));
    } catch {}
    if (!isObject(t) || t.type !== 'ticket' || !isText(t.id, MAX_ID) || !isObject(t.packet)) {
      return json(res, 400, [errorFrame('bad-frame', 'expected { "type": "ticket", "id": string, "packet": object }')]);
    }
    if (state.tickets.has(t.id)) return json(res, 200, [{ type: 'ack', id: t.id }]);
    state.tickets.set(t.id, { ...t, receivedAt: now() });
    log(`ticket ${t.id} filed`);
    toAgents({ type: 'ticket', ticket: t });
    json(res, 201, [{ type: 'ack', id: t.id }]);
  };

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {URL} url */
  const openStream = (req, res, url) => {
    const c = state.conversations.get(url.searchParams.get('conversation') ?? '');
    if (!c) return json(res, 404, [errorFrame('hello-first', 'unknown conversation: send a hello frame first')]);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', ...cors });
    res.write('retry: 2000\n\n');
    /** @type {Client} */
    const client = {
      conversation: c.id,
      send: (/** @type {any} */ frame) => res.write(`${frame.type === 'message' ? `id: ${frame.id}\n` : ''}data: ${JSON.stringify(frame)}\n\n`),
    };
    const last = url.searchParams.get('last') ?? req.headers['last-event-id'];
    for (const frame of [...replay(c, last), ...statusFrames(c)]) client.send(frame);
    attach(client);
    changed(c);
    streams.add(res);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 20_000);
    res.on('close', () => {
      clearInterval(keepAlive);
      streams.delete(res);
      detach(client);
    });
  };

  /** @param {import('node:http').ServerResponse} res @param {string} file @param {string} type */
  const serveFile = async (res, file, type) => {
    try {
      if (!files.has(file)) files.set(file, await readFile(new URL(file, import.meta.url)));
      res.writeHead(200, {
        'content-type': type + '; charset=utf-8',
        'cache-control': 'no-cache',
        'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:",
        'x-content-type-options': 'nosniff',
      });
      res.end(files.get(file));
    } catch {
      json(res, 500, [errorFrame('missing-file', file + ' could not be read')]);
    }
  };

  /**
   * A browser says which page a request comes from: customers' widgets may come from the allowed
   * pages (default: the relay's own origin), the agent console only from the relay's own origin.
   * @param {import('node:http').IncomingMessage} req @param {boolean} [agent]
   */
  const originAllowed = (req, agent = false) => {
    const origin = req.headers.origin;
    if (!origin) return true;
    if (!agent && options.allowedOrigins?.includes(origin)) return true;
    if (!agent && options.allowedOrigins) return false;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  };

  return {
    state,
    /**
     * Serves `/relay/http/...` and `/agent...`; returns false for any other path.
     * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
     */
    handleRequest(req, res) {
      const url = new URL(req.url || '/', 'http://relay.invalid');
      const path = url.pathname;
      if (path === '/agent' || path === '/agent/') return void serveFile(res, './console.html', 'text/html'), true;
      if (path === '/agent/console.js') return void serveFile(res, './console.js', 'text/javascript'), true;
      if (path === '/agent/console.css') return void serveFile(res, './console.css', 'text/css'), true;
      if (!path.startsWith('/relay/http/')) return false;
      if (!originAllowed(req)) json(res, 403, [errorFrame('forbidden', 'this page may not use the relay')]);
      else if (req.method === 'OPTIONS') {
        res.writeHead(204, cors);
        res.end();
      } else if (path === '/relay/http/frames' && req.method === 'POST') postFrames(req, res);
      else if (path === '/relay/http/events' && req.method === 'GET') openStream(req, res, url);
      else if (path === '/relay/http/tickets' && req.method === 'POST') postTicket(req, res);
      else json(res, 404, [errorFrame('not-found', 'no such endpoint')]);
      return true;
    },
    /**
     * Takes WebSocket upgrades for `/relay/ws` (customers) and `/agent/ws` (the console).
     * @param {import('node:http').IncomingMessage} req @param {import('node:stream').Duplex} socket @param {Buffer} head
     */
    handleUpgrade(req, socket, head) {
      const path = new URL(req.url || '/', 'http://relay.invalid').pathname;
      // The root too, so `ws://localhost:8787` (the relay run alone) works as the address.
      const wss = path === '/relay/ws' || path === '/' ? customerWss : path === '/agent/ws' ? agentWss : undefined;
      if (!wss) return false;
      if (!originAllowed(req, wss === agentWss)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return true;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      return true;
    },
    /** Drops every connection (customers will reconnect to whoever listens next). */
    async close() {
      for (const res of streams) res.destroy();
      streams.clear();
      for (const wss of [customerWss, agentWss]) {
        for (const ws of wss.clients) ws.terminate();
        await new Promise((resolve) => wss.close(() => resolve(undefined)));
      }
      agents.clear();
      clients.clear();
    },
  };
}
