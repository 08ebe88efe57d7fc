// @ts-check
/**
 * The Madoguchi relay: the human side. It speaks the WebSocket (`/relay/ws`) and HTTP transports
 * (`POST /relay/http/frames`, server-sent events at `/relay/http/events`, tickets at
 * `/relay/http/tickets`), keeps the queue of conversations waiting for a person, and serves the
 * agent console at `/agent` (its WebSocket at `/agent/ws`).
 *
 * Everything it knows lives in Postgres (or embedded PGlite); a process holds only its own open
 * connections. Every change is written first, then announced on one NOTIFY channel, and each
 * relay process forwards what it hears to the customers and agents connected to it, so any number
 * of processes can stand behind one address.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { WebSocketServer } from 'ws';
import { checkIdentity, checkPassword, consoleTokens, digest, hashPassword, oidcVerifier, sameText, secret } from './auth.mjs';
import { openDatabase } from './store.mjs';
import { InputError, LIMITS, agentFrame, customerFrame, isObject, parseLimited, ticket as ticketInput } from './input.mjs';
import { DEFAULT_LIMITS, bucket } from './limits.mjs';

/**
 * @typedef {{ timeZone: string; days: number[]; open: string; close: string }} OfficeHours
 *   days: 0 = Sunday … 6 = Saturday; open/close: 'HH:MM' local to timeZone.
 * @typedef {{
 *   databaseUrl?: string; dataDir?: string; schema?: string;
 *   officeHours?: OfficeHours | null;
 *   allowedOrigins?: string[]; consoleOrigins?: string[];
 *   identitySecret?: string; identityPublicKey?: string;
 *   agents?: { name: string; password: string }[];
 *   oidc?: { issuer: string; audience: string; jwksUrl?: string };
 *   secret?: string; tokenTtlSeconds?: number;
 *   leaveAfterSeconds?: number; handleSeconds?: number;
 *   awayMessage?: string | Record<string, string>;
 *   limits?: Partial<typeof DEFAULT_LIMITS>;
 *   faq?: Record<string, string>;
 *   savedReplies?: { title: string; text: string }[];
 *   trustProxy?: boolean;
 *   log?: (fields: Record<string, unknown>) => void;
 *   now?: () => number;
 * }} RelayOptions
 *   allowedOrigins: the pages (`https://shop.example`) whose widgets may connect; without it, the
 *   console origins. consoleOrigins: where the agent console is served from (the relay's public
 *   address). A request without an Origin header, or with one not listed, is refused.
 *   leaveAfterSeconds: how long a waiting visitor may be gone before leaving the line (default 300).
 * @typedef {{ conversation?: string; ip: string; status?: string; send(frame: object): void; close(): void }} Customer
 * @typedef {{ name: string; ip: string; expiry?: ReturnType<typeof setTimeout>; send(frame: object): void; close(): void }} Agent
 */

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const PRESENCE_MS = 10_000;
const NOTIFY_MAX = 7000;

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

/** @param {string} code @param {string} message @param {unknown} [id] @param {object} [extra] */
const errorFrame = (code, message, id, extra) => ({ type: 'error', code, message, ...(typeof id === 'string' ? { id } : {}), ...extra });

/** A refusal that travels as an error frame (and an HTTP status). */
class Refusal extends Error {
  /** @param {string} code @param {string} message @param {number} status @param {object} [extra] */
  constructor(code, message, status, extra) {
    super(message);
    this.code = code;
    this.status = status;
    this.extra = extra;
  }
}

/** A conversation row as agents see it. @param {any} r @param {number} now */
function summary(r, now) {
  const packetUser = isObject(r.packet_user) ? r.packet_user : {};
  return {
    id: r.id, visitorId: r.visitor_id, appId: r.app_id, locale: r.locale,
    user: { ...packetUser, ...r.user_info }, identity: r.identity, verified: r.identity === 'verified',
    phase: r.phase, queuedAt: num(r.queued_at), left: r.left_at != null, agentName: r.agent_name ?? undefined,
    createdAt: num(r.created_at), updatedAt: num(r.updated_at), online: num(r.seen_at) > now - 2.5 * PRESENCE_MS,
    messageCount: r.message_count, severity: r.severity ?? undefined, reason: r.reason ?? undefined,
    ...consoleFields(r),
  };
}
/** What the console's inbox shows besides: tags, the page the customer is on, the last message. @param {any} r */
function consoleFields(r) {
  const last = isObject(r.last_message) ? r.last_message : undefined;
  return {
    tags: Array.isArray(r.tags) ? r.tags : [],
    page: r.page_url ?? undefined,
    last: last && { text: String(last.text).slice(0, 200), author: last.author, at: num(last.at) },
  };
}
const SUMMARY = `select id, visitor_id, app_id, locale, user_info, identity, phase, queued_at, left_at, agent_name, created_at, updated_at,
  seen_at, message_count, packet->'triage'->>'severity' as severity, packet->>'reason' as reason, packet->'user' as packet_user,
  tags, coalesce(live_context->'page'->>'url', packet->'context'->'page'->>'url') as page_url,
  (select json_build_object('text', m.text, 'author', m.author, 'at', m.at) from messages m where m.conversation_id = conversations.id order by m.seq desc limit 1) as last_message
  from conversations`;
/** bigint columns arrive as strings from node-postgres. @param {unknown} v */
const num = (v) => (v == null ? undefined : Number(v));
/** @param {any} m */
const messageOut = (m) => ({ id: m.id, author: m.author, text: m.text, at: num(m.at), ...(m.author_name ? { authorName: m.author_name } : {}), ...offers(m.articles) });
/** Help-centre articles an agent offered with a message, as the customer's frame carries them. @param {unknown} articles */
const offers = (articles) => (Array.isArray(articles) && articles.length ? { articles } : {});

/** @param {RelayOptions} [options] */
export async function createRelay(options = {}) {
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const hours = options.officeHours ?? null;
  const handleSeconds = options.handleSeconds ?? 180;
  const leaveAfterMs = (options.leaveAfterSeconds ?? 300) * 1000;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const instance = randomUUID();
  const db = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, schema: options.schema, log });
  const origins = { customer: new Set(options.allowedOrigins ?? []), console: new Set(options.consoleOrigins ?? []) };

  const tokens = consoleTokens(options.secret ?? (await storedSecret()), options.tokenTtlSeconds ?? 3600);
  const oidc = options.oidc ? oidcVerifier(options.oidc) : undefined;
  for (const account of options.agents ?? []) await saveAgent(account.name, account.password);
  for (const [i, r] of (options.savedReplies ?? []).entries())
    await db.query(`insert into saved_replies (id, title, text, created_at) values ($1, $2, $3, $4) on conflict (id) do nothing`, [`configured-${i}`, r.title, r.text, now()]);

  /** @type {Map<string, Set<Customer>>} */
  const customers = new Map();
  /** @type {Set<Agent>} */
  const agents = new Set();
  /** @type {Map<string, number>} */
  const socketsPerIp = new Map();
  const customerWss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.frameBytes * 4 });
  const agentWss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.frameBytes * 4 });
  const files = new Map();
  const rates = {
    ipConversations: bucket(limits.conversationsPerIpPerMinute / 60, limits.conversationsPerIpPerMinute),
    visitorConversations: bucket(limits.conversationsPerVisitorPerHour / 3600, limits.conversationsPerVisitorPerHour),
    frames: bucket(limits.framesPerConversationPerSecond, 20),
    requests: bucket(limits.requestsPerIpPerSecond, 50),
    signIns: bucket(limits.signInsPerIpPerMinute / 60, limits.signInsPerIpPerMinute),
  };
  const metrics = { messages: 0, frames: 0, handoffs: 0, tickets: 0, /** @type {Record<string, number>} */ refusals: {} };
  let agentsOnline = 0;
  let lastTeam = '';
  let draining = false;
  let busy = 0;

  async function storedSecret() {
    const fresh = secret();
    await db.query(`insert into relay_settings (key, value) values ('console-secret', $1) on conflict (key) do nothing`, [fresh]);
    return (await db.query(`select value from relay_settings where key = 'console-secret'`))[0].value;
  }
  /** @param {string} name @param {string} password */
  async function saveAgent(name, password) {
    const hash = password.startsWith('scrypt$') ? password : await hashPassword(password);
    await db.query(`insert into agents (name, password_hash, created_at) values ($1, $2, $3) on conflict (name) do update set password_hash = $2`, [name, hash, now()]);
  }

  // ---- fan-out ------------------------------------------------------------------------------

  /** Tells every relay process (this one included) about a change already committed. @param {object} event */
  const publish = (event) => db.notify(JSON.stringify(event));
  /**
   * Runs `fn` in a transaction; the events it names are published once the change is committed.
   * @template T @param {(q: (sql: string, params?: unknown[]) => Promise<any[]>, events: object[]) => Promise<T>} fn
   */
  const change = async (fn) => {
    /** @type {object[]} */
    const events = [];
    const result = await db.tx((q) => fn(q, events));
    for (const e of events) await publish(e);
    return result;
  };
  /** Message ids this process recently forwarded, so a message announced twice (a retry after a crash) reaches agents once. */
  const forwarded = new Set();
  /** @param {string} key */
  const firstTime = (key) => {
    if (forwarded.has(key)) return false;
    forwarded.add(key);
    if (forwarded.size > 50_000) for (const old of forwarded) {
      forwarded.delete(old);
      if (forwarded.size <= 40_000) break;
    }
    return true;
  };

  /** @type {any[]} */
  const inbox = [];
  let pumping = false;
  /** Events are handled one after another, in the order the database delivered them. @param {string} payload */
  const onEvent = (payload) => {
    try {
      inbox.push(JSON.parse(payload));
    } catch {
      return;
    }
    if (!pumping) void pump();
  };
  const pump = async () => {
    pumping = true;
    while (inbox.length) {
      // Changed conversations in a row are read back with one query.
      const ids = [];
      while (inbox[0]?.k === 'conv' && ids.length < 500) ids.push(inbox.shift().c);
      const e = ids.length ? { k: 'conv', ids } : inbox.shift();
      try {
        if (e.k === 'msg') await deliverMessage(e);
        else if (e.k === 'conv') await conversationsChanged([...new Set(e.ids)]);
        else if (e.k === 'queue') queueMoved();
        else if (e.k === 'typing') typing(e);
        else if (e.k === 'agents') await refreshAgentsOnline();
        else if (e.k === 'ticket') toAgents({ type: 'ticket', ticket: e.t });
        else if (e.k === 'note') toAgents({ type: 'note', conversationId: e.c, note: e.n });
        else if (e.k === 'ctx') await contextChanged(e.c);
        else if (e.k === 'replies') await sendReplies();
        else if (e.k === 'resync') {
          for (const a of agents) await sendSnapshot(a);
          queueMoved(true);
        }
      } catch (error) {
        log({ level: 'error', msg: 'fan-out failed', kind: e.k, error: String(error) });
      }
    }
    pumping = false;
  };

  /** @param {{ c: string; m?: any; ref?: string }} e */
  const deliverMessage = async (e) => {
    const m = e.m ?? messageOut((await db.query(`select * from messages where conversation_id = $1 and id = $2`, [e.c, e.ref]))[0] ?? {});
    if (!m.id || !firstTime(`${e.c}\n${m.id}`)) return;
    toAgents({ type: 'message', conversationId: e.c, message: m });
    if (m.author === 'user') return;
    toCustomers(e.c, { type: 'message', id: m.id, text: m.text, authorName: m.authorName, at: m.at, ...offers(m.articles) });
    if (m.author === 'agent') toCustomers(e.c, { type: 'status', status: { type: 'typing', on: false } });
  };
  /** Tells agents what changed, and this process's customers where they now stand. @param {string[]} ids */
  const conversationsChanged = async (ids) => {
    const wanted = agents.size ? ids : ids.filter((id) => customers.has(id));
    if (!wanted.length) return;
    const rows = await db.query(`${SUMMARY} where id = any($1)`, [wanted]);
    const t = now();
    for (const row of rows) {
      toAgents({ type: 'conversation', conversation: summary(row, t) });
      if (!customers.has(row.id)) continue;
      const frames = await statusFrames(row);
      for (const client of customers.get(row.id) ?? []) tell(client, frames);
    }
  };
  /** @param {{ c: string; who: string; on: boolean }} e */
  const typing = (e) => {
    if (e.who === 'customer') toAgents({ type: 'typing', conversationId: e.c, on: e.on });
    else toCustomers(e.c, { type: 'status', status: { type: 'typing', on: e.on } });
  };

  /** Sends status frames unless they are the very ones this client heard last. @param {Customer} client @param {object[]} frames */
  const tell = (client, frames, again = false) => {
    const text = JSON.stringify(frames);
    if (!frames.length || (text === client.status && !again)) return;
    client.status = text;
    for (const frame of frames) client.send(frame);
  };
  /** @param {string} id @param {object} frame */
  const toCustomers = (id, frame) => {
    for (const client of customers.get(id) ?? []) client.send(frame);
  };
  /** @param {object} frame */
  const toAgents = (frame) => {
    for (const agent of agents) agent.send(frame);
  };

  // ---- queue and status -----------------------------------------------------------------------

  /** The away status when nobody answers right now, or null. @param {string} locale */
  const away = (locale) => {
    const t = now();
    const closed = hours && !isOpenAt(hours, t);
    if (!closed && agentsOnline) return null;
    const text = options.awayMessage;
    const message = typeof text === 'string' ? text : text?.[locale.split('-')[0]] ?? text?.en;
    return { type: 'away', ...(closed && hours ? { nextOpenAt: nextOpeningAfter(hours, t) } : {}), ...(message ? { message } : {}) };
  };
  /** @param {number} position @param {string} locale */
  const queueFrames = (position, locale) => {
    const expectedWaitSeconds = Math.ceil((position * handleSeconds) / Math.max(1, agentsOnline));
    const a = away(locale);
    return [{ type: 'queue', position, expectedWaitSeconds, agentsOnline }, ...(a ? [a] : [])].map((status) => ({ type: 'status', status }));
  };
  /** @param {string} id */
  const positionOf = async (id) =>
    Number((await db.query(`select count(*) as n from conversations c, conversations me where me.id = $1 and c.phase = 'waiting' and c.left_at is null and (c.queued_at, c.id) <= (me.queued_at, me.id)`, [id]))[0].n);
  /** The status frames that describe where a conversation stands. @param {any} row */
  const statusFrames = async (row) => {
    if (row.phase === 'waiting') return queueFrames(await positionOf(row.id), row.locale);
    if (row.phase === 'agent') return [{ type: 'status', status: { type: 'agent-joined', name: row.agent_name } }];
    if (row.phase === 'closed') return [{ type: 'status', status: { type: 'closed' } }];
    return [];
  };

  let queueTimer = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);
  let queueForced = false;
  /** Places in line moved: tells this process's waiting customers their new place, at most every 50 ms. @param {boolean} [force] */
  const queueMoved = (force = false) => {
    queueForced ||= force;
    if (queueTimer || draining) return;
    queueTimer = setTimeout(() => {
      queueTimer = undefined;
      const forced = queueForced;
      queueForced = false;
      refreshPlaces(forced).catch((error) => log({ level: 'error', msg: 'queue refresh failed', error: String(error) }));
    }, 50);
  };
  /** @param {boolean} forced */
  const refreshPlaces = async (forced) => {
    const ids = [...customers.keys()];
    if (!ids.length) return;
    const rows = await db.query(
      `select id, locale, position from (select id, locale, row_number() over (order by queued_at, id) as position from conversations where phase = 'waiting' and left_at is null) q where id = any($1)`,
      [ids],
    );
    for (const r of rows) {
      const frames = queueFrames(Number(r.position), r.locale);
      for (const client of customers.get(r.id) ?? []) tell(client, frames, forced);
    }
  };
  const refreshAgentsOnline = async () => {
    const before = agentsOnline;
    const rows = await db.query(`select agent, bool_or(status = 'online') as online from agent_presence where seen_at > $1 group by agent order by agent`, [now() - 2.5 * PRESENCE_MS]);
    agentsOnline = rows.filter((r) => r.online).length;
    if (before !== agentsOnline) queueMoved();
    const team = JSON.stringify(rows.map((r) => ({ name: r.agent, status: r.online ? 'online' : 'away' })));
    if (team !== lastTeam) toAgents({ type: 'agents', agents: JSON.parse((lastTeam = team)) });
  };

  /** Keeps presence fresh, and moves visitors gone too long out of the line. */
  const tick = async () => {
    const t = now();
    const ids = [...customers.keys()];
    if (ids.length) await db.query(`update conversations set seen_at = $1 where id = any($2)`, [t, ids]);
    for (const name of new Set([...agents].map((a) => a.name))) {
      await db.query(`insert into agent_presence (instance, agent, seen_at) values ($1, $2, $3) on conflict (instance, agent) do update set seen_at = $3`, [instance, name, t]);
    }
    await db.query(`delete from agent_presence where seen_at < $1`, [t - 6 * PRESENCE_MS]);
    await db.query(`delete from agent_links where expires_at < $1`, [t]);
    await refreshAgentsOnline();
    const left = await change(async (q, events) => {
      const rows = await q(`update conversations set left_at = $1 where phase = 'waiting' and left_at is null and seen_at < $2 returning id`, [t, t - leaveAfterMs]);
      events.push(...rows.map((r) => ({ k: 'conv', c: r.id })), ...(rows.length ? [{ k: 'queue' }] : []));
      return rows;
    });
    for (const r of left) log({ level: 'info', msg: 'visitor left the line', conversation: r.id });
  };
  const ticker = setInterval(() => void tick().catch((error) => log({ level: 'error', msg: 'presence update failed', error: String(error) })), Math.min(PRESENCE_MS, Math.max(500, leaveAfterMs / 2)));

  // ---- customers ------------------------------------------------------------------------------

  /**
   * A hello: starts the conversation (issuing its secret token) or resumes it (checking the token).
   * @param {any} f @param {Customer} client @param {string | undefined} headerToken
   */
  const hello = async (f, client, headerToken) => {
    const identity = await checkIdentity(f.user, { userHash: f.userHash, jwt: f.jwt }, { secret: options.identitySecret, publicKey: options.identityPublicKey });
    if (identity === 'failed') throw new Refusal('unauthorized', 'the identity token does not match the user', 403);
    const t = now();
    const given = f.token ?? headerToken;
    const { row, token, returned } = await change(async (q, events) => {
      const found = (await q(`select * from conversations where id = $1 for update`, [f.conversationId]))[0];
      if (found) {
        if (found.visitor_id !== f.visitorId || !given || !sameText(digest(given), found.token_hash)) throw new Refusal('forbidden', 'this conversation needs its token', 403);
        const back = found.phase === 'waiting' && found.left_at != null;
        const rows = await q(`update conversations set user_info = $2, identity = $3, seen_at = $4, left_at = null where id = $1 returning *`, [found.id, f.user, identity, t]);
        events.push({ k: 'conv', c: found.id });
        if (back) {
          const m = { id: `back-${t}`, author: 'system', text: 'Welcome back. You kept your place in line.', at: t };
          await q(`insert into messages (conversation_id, id, author, text, at) values ($1, $2, $3, $4, $5)`, [found.id, m.id, m.author, m.text, m.at]);
          events.push({ k: 'queue' });
          await q(`insert into relay_events (at, kind, conversation_id) values ($1, 'returned', $2)`, [t, found.id]);
        }
        return { row: rows[0], token: undefined, returned: back };
      }
      const waitIp = rates.ipConversations.take(client.ip);
      const waitVisitor = rates.visitorConversations.take(f.visitorId);
      if (waitIp || waitVisitor) throw new Refusal('rate-limited', 'too many new conversations; try again later', 429, { retryAfterSeconds: Math.max(waitIp, waitVisitor) });
      const fresh = secret();
      const rows = await q(
        `insert into conversations (id, visitor_id, token_hash, app_id, locale, user_info, identity, created_at, updated_at, seen_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) returning *`,
        [f.conversationId, f.visitorId, digest(fresh), f.appId, f.locale, f.user, identity, t],
      );
      await q(`insert into relay_events (at, kind, conversation_id) values ($1, 'started', $2)`, [t, f.conversationId]);
      events.push({ k: 'conv', c: f.conversationId });
      return { row: rows[0], token: fresh, returned: false };
    });
    if (returned) log({ level: 'info', msg: 'visitor came back to the line', conversation: row.id });
    const replay = await db.query(
      `select * from messages where conversation_id = $1 and author <> 'user' and seq > coalesce((select seq from messages where conversation_id = $1 and id = $2), 0) order by seq limit 500`,
      [row.id, f.last ?? ''],
    );
    return [
      { type: 'hello', conversationId: row.id, ...(token ? { token } : {}) },
      ...replay.map((m) => ({ type: 'message', id: m.id, text: m.text, authorName: m.author_name ?? (m.author === 'system' ? 'Support' : undefined), at: num(m.at), ...offers(m.articles) })),
      ...(await statusFrames(row)),
    ];
  };

  /** A customer's message: stored once (by id), then acknowledged. @param {string} conversation @param {{ id: string; text: string }} f */
  const customerMessage = async (conversation, f) => {
    const t = now();
    const m = { id: f.id, author: 'user', text: f.text, at: t };
    const event = messageEvent(conversation, m);
    const rows = await db.query(
      `with ins as (
         insert into messages (conversation_id, id, author, text, at)
         select $1, $2, 'user', $3, $4 where (select message_count from conversations where id = $1) < $5
         on conflict (conversation_id, id) do nothing returning seq),
       upd as (
         update conversations set message_count = message_count + 1, updated_at = $4, phase = case when phase = 'closed' then 'bot' else phase end
         where id = $1 and exists (select 1 from ins) returning id)
       select (select count(*) from ins) as inserted, (select count(*) from messages where conversation_id = $1 and id = $2) as present`,
      [conversation, f.id, f.text, t, limits.messagesPerConversation || 1e9],
    );
    if (Number(rows[0].inserted)) {
      metrics.messages++;
      await publish(event);
    } else if (Number(rows[0].present) || (await db.query(`select 1 from messages where conversation_id = $1 and id = $2`, [conversation, f.id])).length) {
      // Sent again: stored once already. Announced again too, in case the relay that stored it
      // stopped before announcing; every relay forwards a message to agents once.
      await publish(messageEvent(conversation, (await db.query(`select * from messages where conversation_id = $1 and id = $2`, [conversation, f.id])).map(messageOut)[0]));
    } else throw new Refusal('too-many-messages', `a conversation holds at most ${limits.messagesPerConversation} messages`, 429);
    return [{ type: 'ack', id: f.id }];
  };
  /** A message event carries the message when it fits in a notification, else its id. @param {string} c @param {object & { id: string }} m */
  const messageEvent = (c, m) => {
    const full = { k: 'msg', c, m };
    return Buffer.byteLength(JSON.stringify(full)) <= NOTIFY_MAX ? full : { k: 'msg', c, ref: m.id };
  };

  /** @param {string} conversation @param {Record<string, any>} packet */
  const handoff = async (conversation, packet) => {
    const t = now();
    await change(async (q, events) => {
      const before = (await q(`select phase from conversations where id = $1 for update`, [conversation]))[0];
      const queue = before.phase === 'bot' || before.phase === 'closed';
      await q(
        `update conversations set packet = $2, updated_at = $3 ${queue ? `, phase = 'waiting', queued_at = $3, left_at = null, agent_name = null` : ''} where id = $1`,
        [conversation, packet, t],
      );
      if (queue) await q(`insert into relay_events (at, kind, conversation_id) values ($1, 'queued', $2)`, [t, conversation]);
      events.push({ k: 'conv', c: conversation }, ...(queue ? [{ k: 'queue' }] : []));
      if (queue) log({ level: 'info', msg: 'conversation waits for a person', conversation });
    });
    metrics.handoffs++;
    return [{ type: 'ack', id: packet.id ?? conversation }];
  };

  /**
   * One frame from a customer, after hello or carrying its conversation and token (HTTP).
   * Returns the frames to answer with; refusals become error frames. Never throws.
   * @param {Customer} client @param {Buffer | string} raw @param {{ token?: string }} [http]
   */
  const customerFrameIn = async (client, raw, http) => {
    /** @type {Record<string, any> | undefined} */
    let parsed;
    /** @type {any} */
    let f;
    metrics.frames++;
    try {
      parsed = parseLimited(raw);
      f = customerFrame(parsed);
      if (f.type === 'ping') return [{ type: 'pong' }];
      if (f.type === 'pong') return [];
      if (f.type === 'hello') {
        const replies = await hello(f, client, http?.token);
        client.conversation = f.conversationId;
        return replies;
      }
      const conversation = client.conversation;
      if (!conversation) throw new Refusal('hello-first', 'send a hello frame first', 409);
      if (http) await checkToken(conversation, http.token);
      const wait = rates.frames.take(conversation);
      if (wait) throw new Refusal('rate-limited', 'too many frames; slow down', 429, { retryAfterSeconds: wait });
      if (f.type === 'message') return await customerMessage(conversation, f);
      if (f.type === 'handoff') return await handoff(conversation, f.packet);
      if (f.type === 'typing') {
        await publish({ k: 'typing', c: conversation, who: 'customer', on: f.on });
        return [];
      }
      if (f.type === 'survey') {
        await db.query(`insert into relay_events (at, kind, conversation_id, detail) values ($1, 'survey.answered', $2, $3)`, [now(), conversation, { kind: f.kind, score: f.score }]);
        return [];
      }
      if (f.type === 'context') {
        await db.query(`update conversations set live_context = $2 where id = $1`, [conversation, f.context]);
        await publish({ k: 'ctx', c: conversation });
        await publish({ k: 'conv', c: conversation });
        return [];
      }
      return [];
    } catch (error) {
      const e = /** @type {any} */ (error);
      const known = e instanceof Refusal || e instanceof InputError;
      if (!known) log({ level: 'error', msg: 'frame failed', error: String(e?.stack ?? e) });
      const code = known ? e.code : 'unavailable';
      metrics.refusals[code] = (metrics.refusals[code] ?? 0) + 1;
      const id = f?.type === 'handoff' ? f.packet?.id : f?.id ?? (typeof parsed?.id === 'string' ? parsed.id : undefined);
      return [errorFrame(code, known ? e.message : 'the relay could not store this; try again', id, e.extra)];
    }
  };
  /** @param {string} conversation @param {string | undefined} token */
  const checkToken = async (conversation, token) => {
    const row = (await db.query(`select token_hash from conversations where id = $1`, [conversation]))[0];
    if (!row) throw new Refusal('hello-first', 'unknown conversation: send a hello frame first', 409);
    if (!token || !sameText(digest(token), row.token_hash)) throw new Refusal('forbidden', 'this conversation needs its token', 403);
  };

  /** @param {Customer} client */
  const attach = (client) => {
    const id = /** @type {string} */ (client.conversation);
    if (!customers.has(id)) customers.set(id, new Set());
    /** @type {Set<Customer>} */ (customers.get(id)).add(client);
  };
  /** @param {Customer} client */
  const detach = (client) => {
    const id = client.conversation;
    const set = id ? customers.get(id) : undefined;
    if (!id || !set?.delete(client) || set.size) return;
    customers.delete(id);
    if (!draining) void db.query(`update conversations set seen_at = $2 where id = $1`, [id, now()]).catch(() => {});
  };

  // ---- agents ---------------------------------------------------------------------------------

  /** @param {Agent} agent */
  const sendSnapshot = async (agent) => {
    const rows = await db.query(`${SUMMARY} where phase <> 'closed' or updated_at > $1 order by (phase = 'waiting') desc, updated_at desc limit 2000`, [now() - 86_400_000]);
    const t = now();
    agent.send({ type: 'snapshot', conversations: rows.map((r) => summary(r, t)) });
  };

  /** @param {Agent & { signedIn?: boolean }} agent @param {Buffer} raw */
  const agentFrameIn = async (agent, raw) => {
    /** @type {any} */
    let f;
    try {
      f = agentFrame(parseLimited(raw));
      if (f.type === 'ping') return agent.send({ type: 'pong' });
      if (f.type === 'hello') {
        const good = await tokens.check(f.token);
        if (!good) {
          agent.send(errorFrame('unauthorized', 'sign in again'));
          return agent.close();
        }
        const name = good.name;
        // The socket lives no longer than its token; the console reconnects with a fresh one.
        clearTimeout(agent.expiry);
        agent.expiry = setTimeout(() => agent.close(), Math.max(0, good.expiresAt - Date.now()));
        agent.name = name;
        agent.signedIn = true;
        agents.add(agent);
        await db.query(`insert into agent_presence (instance, agent, seen_at) values ($1, $2, $3) on conflict (instance, agent) do update set seen_at = $3`, [instance, name, now()]);
        await publish({ k: 'agents' });
        agent.send({ type: 'welcome', name, officeHours: hours, open: !hours || isOpenAt(hours, now()) });
        await sendSnapshot(agent);
        return consoleWelcome(agent);
      }
      if (!agent.signedIn) throw new Refusal('hello-first', 'send a hello frame with your token first', 401);
      if (await consoleFrame(agent, f)) return;
      const c = (await db.query(`select id, phase from conversations where id = $1`, [f.conversationId]))[0];
      if (!c) throw new Refusal('unknown-conversation', 'no such conversation', 404);
      if (f.type === 'open') {
        const [messages, row] = await Promise.all([
          db.query(`select * from (select * from messages where conversation_id = $1 order by seq desc limit 500) m order by seq`, [c.id]),
          db.query(`select packet from conversations where id = $1`, [c.id]),
        ]);
        return agent.send({ type: 'history', conversationId: c.id, messages: messages.map(messageOut), packet: row[0]?.packet ?? null, ...(await consoleHistory(c.id)) });
      }
      if (f.type === 'accept' || f.type === 'close') {
        const t = now();
        await change(async (q, events) => {
          if (f.type === 'accept') await q(`update conversations set phase = 'agent', agent_name = $2, queued_at = null, left_at = null, updated_at = $3 where id = $1`, [c.id, agent.name, t]);
          else await q(`update conversations set phase = 'closed', queued_at = null, left_at = null, updated_at = $2 where id = $1`, [c.id, t]);
          await q(`insert into relay_events (at, kind, conversation_id, detail) values ($1, $2, $3, $4)`, [t, f.type === 'accept' ? 'accepted' : 'closed', c.id, { agent: agent.name }]);
          events.push({ k: 'conv', c: c.id }, ...(c.phase === 'waiting' ? [{ k: 'queue' }] : []));
        });
        log({ level: 'info', msg: f.type === 'accept' ? 'agent accepted' : 'agent closed', agent: agent.name, conversation: c.id });
        return;
      }
      if (f.type === 'message') {
        const t = now();
        const m = { id: f.id, author: 'agent', text: f.text, at: t, authorName: agent.name, ...offers(f.articles) };
        await db.query(
          `with ins as (insert into messages (conversation_id, id, author, author_name, text, at, articles) values ($1, $2, 'agent', $3, $4, $5, $6) on conflict (conversation_id, id) do nothing returning seq),
           upd as (update conversations set message_count = message_count + 1, updated_at = $5 where id = $1 and exists (select 1 from ins) returning id)
           select count(*) as inserted from ins`,
          [c.id, f.id, agent.name, f.text, t, f.articles ? JSON.stringify(f.articles) : null],
        );
        await publish(messageEvent(c.id, m));
        metrics.messages++;
        return agent.send({ type: 'ack', id: f.id });
      }
      if (f.type === 'typing') return void (await publish({ k: 'typing', c: c.id, who: 'agent', on: f.on }));
      await conversationFrame(agent, f, c);
    } catch (error) {
      const e = /** @type {any} */ (error);
      const known = e instanceof Refusal || e instanceof InputError;
      if (!known) log({ level: 'error', msg: 'console frame failed', error: String(e?.stack ?? e) });
      metrics.refusals[known ? e.code : 'unavailable'] = (metrics.refusals[known ? e.code : 'unavailable'] ?? 0) + 1;
      agent.send(errorFrame(known ? e.code : 'unavailable', known ? e.message : 'the relay could not do this; try again', f?.id));
    }
  };

  // ---- console: notes, transfers, saved replies, presence, live context, shift metrics ----------

  /** What a console learns after its snapshot: the team and the saved replies. @param {Agent} agent */
  const consoleWelcome = async (agent) => {
    await refreshAgentsOnline();
    agent.send({ type: 'agents', agents: JSON.parse(lastTeam || '[]') });
    agent.send({ type: 'replies', replies: await savedReplies() });
  };
  const savedReplies = async () =>
    (await db.query(`select id, title, text from saved_replies order by created_at, id`)).map((r) => ({ id: r.id, title: r.title, text: r.text }));
  const sendReplies = async () => {
    if (!agents.size) return;
    toAgents({ type: 'replies', replies: await savedReplies() });
  };
  /** Notes and where the customer is now, for the conversation a console opens. @param {string} id */
  const consoleHistory = async (id) => {
    const [notes, row] = await Promise.all([
      db.query(`select id, author_name, text, at from notes where conversation_id = $1 order by at, id limit 500`, [id]),
      db.query(`select live_context from conversations where id = $1`, [id]),
    ]);
    return { notes: notes.map(noteOut), context: row[0]?.live_context ?? null };
  };
  /** @param {any} n */
  const noteOut = (n) => ({ id: n.id, authorName: n.author_name, text: n.text, at: num(n.at) });
  /** @param {string} id */
  const contextChanged = async (id) => {
    if (!agents.size) return;
    const row = (await db.query(`select live_context from conversations where id = $1`, [id]))[0];
    if (row?.live_context) toAgents({ type: 'context', conversationId: id, context: row.live_context });
  };

  /** Console frames that name no conversation; true when `f` was one. @param {Agent} agent @param {any} f */
  const consoleFrame = async (agent, f) => {
    if (f.type === 'presence') {
      await db.query(`update agent_presence set status = $3, seen_at = $4 where instance = $1 and agent = $2`, [instance, agent.name, f.status, now()]);
      await publish({ k: 'agents' });
    } else if (f.type === 'save-reply') {
      await db.query(`insert into saved_replies (id, title, text, created_by, created_at) values ($1, $2, $3, $4, $5) on conflict (id) do update set title = $2, text = $3`, [f.id, f.title, f.text, agent.name, now()]);
      await publish({ k: 'replies' });
    } else if (f.type === 'delete-reply') {
      await db.query(`delete from saved_replies where id = $1`, [f.id]);
      await publish({ k: 'replies' });
    } else if (f.type === 'metrics') agent.send({ type: 'metrics', ...(await shiftMetrics()) });
    else return false;
    return true;
  };

  /** Notes, transfers, reopening and tags. @param {Agent} agent @param {any} f @param {{ id: string; phase: string }} c */
  const conversationFrame = async (agent, f, c) => {
    const t = now();
    if (f.type === 'note') {
      const rows = await db.query(`insert into notes (conversation_id, id, author_name, text, at) values ($1, $2, $3, $4, $5) on conflict do nothing returning *`, [c.id, f.id, agent.name, f.text, t]);
      if (rows[0]) await publish({ k: 'note', c: c.id, n: noteOut(rows[0]) });
      return agent.send({ type: 'ack', id: f.id });
    }
    if (f.type === 'assign') {
      if (!(await db.query(`select 1 from agents where name = $1`, [f.agent])).length) throw new Refusal('unknown-agent', `no agent named "${f.agent}"`, 404);
      await change(async (q, events) => {
        await q(`update conversations set phase = 'agent', agent_name = $2, queued_at = null, left_at = null, updated_at = $3 where id = $1`, [c.id, f.agent, t]);
        await q(`insert into relay_events (at, kind, conversation_id, detail) values ($1, 'assigned', $2, $3)`, [t, c.id, { agent: f.agent, by: agent.name }]);
        events.push({ k: 'conv', c: c.id }, ...(c.phase === 'waiting' ? [{ k: 'queue' }] : []));
      });
      return log({ level: 'info', msg: 'conversation assigned', agent: f.agent, by: agent.name, conversation: c.id });
    }
    if (f.type === 'reopen') {
      await change(async (q, events) => {
        await q(`update conversations set phase = 'agent', agent_name = $2, updated_at = $3 where id = $1`, [c.id, agent.name, t]);
        await q(`insert into relay_events (at, kind, conversation_id, detail) values ($1, 'reopened', $2, $3)`, [t, c.id, { agent: agent.name }]);
        events.push({ k: 'conv', c: c.id });
      });
      return;
    }
    if (f.type === 'tags') {
      await change(async (q, events) => {
        await q(`update conversations set tags = $2 where id = $1`, [c.id, JSON.stringify(f.tags)]);
        events.push({ k: 'conv', c: c.id });
      });
    }
  };

  /**
   * The shift's figures since local midnight (of the relay's clock), per conversation and for the
   * day, with the insights report's definitions: first response = first agent reply − handoff,
   * resolution = closed − start, CSAT = the customer's 1–5 answer (4 or 5 counts as satisfied).
   */
  const shiftMetrics = async () => {
    const since = new Date(now()).setHours(0, 0, 0, 0);
    const rows = await db.query(
      `select c.id, c.agent_name, c.created_at,
         (select min(at) from relay_events e where e.conversation_id = c.id and e.kind = 'queued' and e.at >= $1) as handoff_at,
         (select min(at) from messages m where m.conversation_id = c.id and m.author = 'agent' and m.at >= $1) as first_reply_at,
         (select max(at) from relay_events e where e.conversation_id = c.id and e.kind = 'closed' and e.at >= $1) as closed_at,
         (select (detail->>'score')::int from relay_events e where e.conversation_id = c.id and e.kind = 'survey.answered' and detail->>'kind' = 'csat' order by seq desc limit 1) as csat
       from conversations c where c.updated_at >= $1 and exists (select 1 from relay_events e where e.conversation_id = c.id and e.kind = 'queued' and e.at >= $1)
       order by c.created_at limit 1000`,
      [since],
    );
    const conversations = rows.map((r) => {
      const handoffAt = num(r.handoff_at);
      const reply = num(r.first_reply_at);
      const closed = num(r.closed_at);
      return {
        id: r.id, agentName: r.agent_name ?? undefined,
        firstResponseMs: reply != null && handoffAt != null && reply >= handoffAt ? reply - handoffAt : undefined,
        resolutionMs: closed != null ? closed - Number(r.created_at) : undefined,
        csat: r.csat == null ? undefined : Number(r.csat),
      };
    });
    const median = (/** @type {(number | undefined)[]} */ values) => {
      const v = /** @type {number[]} */ (values.filter((x) => x != null)).sort((a, b) => a - b);
      return v.length ? (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : undefined;
    };
    const scores = /** @type {number[]} */ (conversations.map((c) => c.csat).filter((x) => x != null));
    return {
      since,
      conversations,
      day: {
        handedOff: conversations.length,
        resolved: conversations.filter((c) => c.resolutionMs != null).length,
        firstResponseMs: median(conversations.map((c) => c.firstResponseMs)),
        resolutionMs: median(conversations.map((c) => c.resolutionMs)),
        csat: scores.length ? { responses: scores.length, average: scores.reduce((a, b) => a + b, 0) / scores.length, satisfiedRate: scores.filter((s) => s >= 4).length / scores.length } : undefined,
      },
    };
  };

  // ---- sockets --------------------------------------------------------------------------------

  /** Runs `fn` with one more operation in flight, so a shutdown waits for it. @template T @param {() => Promise<T>} fn */
  const inFlight = async (fn) => {
    busy++;
    try {
      return await fn();
    } finally {
      busy--;
    }
  };

  customerWss.on('connection', (ws, /** @type {import('node:http').IncomingMessage} */ req) => {
    const ip = clientIp(req);
    /** @type {Customer} */
    const client = {
      ip,
      send: (frame) => void (ws.readyState === 1 && ws.send(JSON.stringify(frame))),
      close: () => ws.close(1012, 'relay restarting'),
    };
    let chain = Promise.resolve();
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      // One frame at a time per socket, so messages are stored in the order they were sent.
      chain = chain.then(() =>
        inFlight(async () => {
          const before = client.conversation;
          const replies = isBinary ? [errorFrame('bad-frame', 'frames are JSON text')] : await customerFrameIn(client, /** @type {Buffer} */ (data));
          if (replies[0]?.type === 'hello') {
            if (before && before !== client.conversation) detach({ ...client, conversation: before });
            client.status = JSON.stringify(replies.filter((f) => /** @type {any} */ (f).type === 'status'));
            attach(client);
          }
          for (const frame of replies) client.send(frame);
        }),
      );
    });
    ws.on('close', () => {
      release(ip);
      detach(client);
    });
  });

  agentWss.on('connection', (ws, /** @type {import('node:http').IncomingMessage} */ req) => {
    /** @type {Agent} */
    const agent = {
      name: '',
      ip: clientIp(req),
      send: (frame) => void (ws.readyState === 1 && ws.send(JSON.stringify(frame))),
      close: () => ws.close(1008, 'sign in again'),
    };
    const unsigned = setTimeout(() => !agents.has(agent) && ws.close(1008, 'sign in first'), 10_000);
    let chain = Promise.resolve();
    ws.on('error', () => {});
    ws.on('message', (data) => {
      chain = chain.then(() => inFlight(() => agentFrameIn(agent, /** @type {Buffer} */ (data))));
    });
    ws.on('close', () => {
      clearTimeout(unsigned);
      clearTimeout(agent.expiry);
      release(agent.ip);
      if (!agents.delete(agent) || draining) return;
      if ([...agents].some((a) => a.name === agent.name)) return;
      void db
        .query(`delete from agent_presence where instance = $1 and agent = $2`, [instance, agent.name])
        .then(() => publish({ k: 'agents' }))
        .catch(() => {});
    });
  });

  /** @param {import('node:http').IncomingMessage} req */
  const clientIp = (req) => {
    const forwarded = options.trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0].trim() : '';
    return forwarded || req.socket.remoteAddress || 'unknown';
  };
  /** Counts a socket against its IP; false when the IP has too many. @param {string} ip */
  const claim = (ip) => {
    const n = socketsPerIp.get(ip) ?? 0;
    if (limits.connectionsPerIp && n >= limits.connectionsPerIp) return false;
    socketsPerIp.set(ip, n + 1);
    return true;
  };
  /** @param {string} ip */
  const release = (ip) => {
    const n = (socketsPerIp.get(ip) ?? 1) - 1;
    if (n > 0) socketsPerIp.set(ip, n);
    else socketsPerIp.delete(ip);
  };

  // ---- HTTP -----------------------------------------------------------------------------------

  /** @param {import('node:http').IncomingMessage} req */
  const corsFor = (req) => ({
    'access-control-allow-origin': String(req.headers.origin),
    vary: 'Origin',
    'access-control-allow-headers': 'content-type, authorization, x-madoguchi-conversation, x-madoguchi-token, x-madoguchi-user-hash, idempotency-key',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
  });
  /** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body @param {object} [headers] */
  const json = (res, status, body, headers = {}) => {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  };
  /** The status that goes with an error frame. @param {any} frame */
  const httpStatus = (frame) =>
    ({ 'hello-first': 409, unauthorized: 403, forbidden: 403, 'rate-limited': 429, 'too-many-messages': 429, 'too-large': 413, unavailable: 503 })[/** @type {string} */ (frame.code)] ?? 400;

  /**
   * A body of at most `max` bytes; answers 413 itself and resolves undefined then.
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {object} headers
   * @returns {Promise<Buffer | undefined>}
   */
  const readBody = (req, res, headers, max = LIMITS.frameBytes) =>
    new Promise((resolve) => {
      /** @type {Buffer[]} */
      const chunks = [];
      let size = 0;
      req.on('data', (/** @type {Buffer} */ chunk) => {
        size += chunk.length;
        if (size <= max) chunks.push(chunk);
        else if (!res.headersSent) {
          json(res, 413, [errorFrame('too-large', `bodies are limited to ${max} bytes`)], { ...headers, connection: 'close' });
          resolve(undefined);
        }
      });
      req.on('error', () => resolve(undefined));
      req.on('end', () => resolve(size <= max ? Buffer.concat(chunks) : undefined));
    });

  /** @param {import('node:http').IncomingMessage} req @param {string} name */
  const header = (req, name) => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : undefined;
  };

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {object} cors */
  const postFrames = async (req, res, cors) => {
    const body = await readBody(req, res, cors);
    if (!body) return;
    /** @type {Customer} */
    const client = { ip: clientIp(req), conversation: header(req, 'x-madoguchi-conversation'), send: () => {}, close: () => {} };
    const replies = await inFlight(() => customerFrameIn(client, body, { token: header(req, 'x-madoguchi-token') }));
    const error = /** @type {any} */ (replies.find((f) => /** @type {any} */ (f).type === 'error'));
    json(res, error ? httpStatus(error) : 200, replies, cors);
  };

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {object} cors */
  const postTicket = async (req, res, cors) => {
    const body = await readBody(req, res, cors, LIMITS.frameBytes * 4);
    if (!body) return;
    try {
      const t = ticketInput(parseLimited(body, { bytes: LIMITS.frameBytes * 4 }));
      const at = now();
      const created = await change(async (q, events) => {
        const rows = await q(`insert into tickets (id, packet, received_at) values ($1, $2, $3) on conflict (id) do nothing returning id`, [t.id, t.packet, at]);
        if (rows.length) events.push({ k: 'ticket', t: { id: t.id, receivedAt: at, user: t.packet.user, reason: t.packet.reason } });
        return rows.length > 0;
      });
      if (created) {
        metrics.tickets++;
        log({ level: 'info', msg: 'ticket filed', ticket: t.id });
      }
      json(res, created ? 201 : 200, [{ type: 'ack', id: t.id }], cors);
    } catch (error) {
      const e = /** @type {any} */ (error);
      const known = e instanceof InputError;
      metrics.refusals[known ? e.code : 'unavailable'] = (metrics.refusals[known ? e.code : 'unavailable'] ?? 0) + 1;
      json(res, known ? (e.code === 'too-large' ? 413 : 400) : 503, [errorFrame(known ? e.code : 'unavailable', known ? e.message : 'try again')], cors);
    }
  };

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {URL} url @param {object} cors */
  const openStream = async (req, res, url, cors) => {
    const conversation = url.searchParams.get('conversation') ?? '';
    const ip = clientIp(req);
    try {
      await checkToken(conversation, url.searchParams.get('token') ?? undefined);
    } catch (error) {
      const e = /** @type {Refusal} */ (error);
      return json(res, e.status ?? 503, [errorFrame(e.code ?? 'unavailable', e.message)], cors);
    }
    if (!claim(ip)) return json(res, 429, [errorFrame('rate-limited', 'too many connections from this address')], cors);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', ...cors });
    res.write('retry: 2000\n\n');
    /** @type {Customer} */
    const client = {
      ip,
      conversation,
      send: (/** @type {any} */ frame) => void res.write(`${frame.type === 'message' ? `id: ${frame.id}\n` : ''}data: ${JSON.stringify(frame)}\n\n`),
      close: () => res.end(),
    };
    const last = url.searchParams.get('last') ?? header(req, 'last-event-id');
    attach(client);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 20_000);
    res.on('close', () => {
      clearInterval(keepAlive);
      release(ip);
      detach(client);
    });
    const row = (await db.query(`select * from conversations where id = $1`, [conversation]))[0];
    const replay = await db.query(
      `select * from messages where conversation_id = $1 and author <> 'user' and seq > coalesce((select seq from messages where conversation_id = $1 and id = $2), 0) order by seq limit 500`,
      [conversation, last ?? ''],
    );
    for (const m of replay) client.send({ type: 'message', id: m.id, text: m.text, authorName: m.author_name ?? undefined, at: num(m.at), ...offers(m.articles) });
    const status = await statusFrames(row);
    client.status = JSON.stringify(status);
    for (const frame of status) client.send(frame);
    await db.query(`update conversations set seen_at = $2 where id = $1`, [conversation, now()]);
    await publish({ k: 'conv', c: conversation });
  };

  /** Console sign-in: an account's password, a one-time link, or an ID token from the team's identity provider. @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  const signIn = async (req, res) => {
    const wait = rates.signIns.take(clientIp(req));
    if (wait) return json(res, 429, { error: 'too many attempts; try again later', retryAfterSeconds: wait });
    const body = await readBody(req, res, {}, 16 * 1024);
    if (!body) return;
    /** @type {any} */
    let f;
    try {
      f = parseLimited(body, { bytes: 16 * 1024, depth: 2 });
    } catch {
      return json(res, 400, { error: 'expected { "name", "password" }, { "link" } or { "idToken" }' });
    }
    let name;
    if (typeof f.link === 'string' && f.link.length <= 200) {
      const rows = await db.query(`delete from agent_links where token_hash = $1 returning agent, expires_at`, [digest(f.link)]);
      name = rows[0] && Number(rows[0].expires_at) > now() ? rows[0].agent : undefined;
    } else if (typeof f.idToken === 'string' && oidc) name = await oidc(f.idToken.slice(0, 8000));
    else if (typeof f.name === 'string' && typeof f.password === 'string' && f.name.length <= 100 && f.password.length <= 200) {
      const row = (await db.query(`select password_hash from agents where name = $1`, [f.name]))[0];
      name = (await checkPassword(f.password, row?.password_hash)) ? f.name : undefined;
    }
    if (!name) {
      metrics.refusals['sign-in'] = (metrics.refusals['sign-in'] ?? 0) + 1;
      log({ level: 'warn', msg: 'sign-in refused', ip: clientIp(req) });
      return json(res, 401, { error: 'wrong name, password or link' });
    }
    log({ level: 'info', msg: 'agent signed in', agent: name });
    json(res, 200, { token: await tokens.issue(name), name, expiresIn: options.tokenTtlSeconds ?? 3600 });
  };
  /** A fresh token for a console whose token is still good. @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  const refresh = async (req, res) => {
    const auth = header(req, 'authorization') ?? '';
    const name = auth.startsWith('Bearer ') ? await tokens.verify(auth.slice(7)) : undefined;
    if (!name) return json(res, 401, { error: 'sign in again' });
    json(res, 200, { token: await tokens.issue(name), name, expiresIn: options.tokenTtlSeconds ?? 3600 });
  };

  /** @param {import('node:http').ServerResponse} res @param {string} file @param {string} type */
  const serveFile = async (res, file, type) => {
    try {
      if (!files.has(file)) files.set(file, await readFile(new URL(file, import.meta.url)));
      res.writeHead(200, {
        'content-type': type + '; charset=utf-8',
        'cache-control': 'no-cache',
        'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      res.end(files.get(file));
    } catch {
      json(res, 500, [errorFrame('missing-file', file + ' could not be read')]);
    }
  };

  /** The help centre the console suggests articles from: `faq` maps a language to a JSON file of articles. @param {import('node:http').ServerResponse} res @param {string} lang */
  const serveFaq = async (res, lang) => {
    const file = Object.hasOwn(options.faq ?? {}, lang) ? options.faq?.[lang] : undefined;
    if (!file) return json(res, 404, { error: `no help centre for "${lang.slice(0, 20)}"` });
    try {
      if (!files.has(file)) files.set(file, await readFile(file));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      res.end(files.get(file));
    } catch {
      json(res, 500, { error: 'the help centre could not be read' });
    }
  };

  /**
   * Whether a browser request comes from a page allowed to make it. The Origin header is required
   * and compared with the configured list only (never with Host, which a client can forge).
   * @param {import('node:http').IncomingMessage} req @param {'customer' | 'console'} who
   */
  const originAllowed = (req, who) => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string') return false;
    const list = who === 'customer' && origins.customer.size ? origins.customer : origins.console;
    return list.has(origin);
  };

  const metricsText = async () => {
    const [q] = await db.query(`select count(*) filter (where phase = 'waiting' and left_at is null) as waiting, count(*) filter (where phase = 'waiting' and left_at is not null) as away from conversations`);
    let customerConnections = 0;
    for (const set of customers.values()) customerConnections += set.size;
    const lines = [
      ['madoguchi_relay_customer_connections', 'gauge', 'Customer connections to this process', customerConnections],
      ['madoguchi_relay_agent_connections', 'gauge', 'Agent consoles connected to this process', agents.size],
      ['madoguchi_relay_agents_online', 'gauge', 'Agents online across all processes', agentsOnline],
      ['madoguchi_relay_queue_length', 'gauge', 'Conversations waiting for a person', Number(q.waiting)],
      ['madoguchi_relay_queue_away', 'gauge', 'Waiting conversations whose visitor left', Number(q.away)],
      ['madoguchi_relay_messages_total', 'counter', 'Messages stored by this process', metrics.messages],
      ['madoguchi_relay_frames_total', 'counter', 'Customer frames received by this process', metrics.frames],
      ['madoguchi_relay_handoffs_total', 'counter', 'Handoffs received by this process', metrics.handoffs],
      ['madoguchi_relay_tickets_total', 'counter', 'Tickets filed through this process', metrics.tickets],
    ].flatMap(([name, type, help, value]) => [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`]);
    lines.push('# HELP madoguchi_relay_refusals_total Frames and requests refused, by reason', '# TYPE madoguchi_relay_refusals_total counter');
    for (const [code, n] of Object.entries(metrics.refusals)) lines.push(`madoguchi_relay_refusals_total{reason="${code}"} ${n}`);
    return lines.join('\n') + '\n';
  };

  const closeTimers = () => {
    clearInterval(ticker);
    clearTimeout(queueTimer);
    for (const b of Object.values(rates)) b.stop();
  };

  await db.listen(onEvent);
  await refreshAgentsOnline();

  return {
    db,
    origins,
    instance,
    /** Adds pages allowed to connect (customers) and the console's own address, e.g. once the port is known. @param {{ customer?: string[]; console?: string[] }} more */
    allowOrigins(more) {
      for (const o of more.customer ?? []) origins.customer.add(o);
      for (const o of more.console ?? []) origins.console.add(o);
    },
    /** Creates or changes an agent account. @param {string} name @param {string} password */
    saveAgent,
    /** A one-time sign-in for `agent`, valid for `ttlSeconds`: put it after `/agent#signin=`. @param {string} agent */
    async signInLink(agent, ttlSeconds = 24 * 3600) {
      const link = secret();
      await db.query(`insert into agent_links (token_hash, agent, expires_at) values ($1, $2, $3)`, [digest(link), agent, now() + ttlSeconds * 1000]);
      return link;
    },
    /** What the store holds, for tests and tools. */
    async inspect() {
      const conversations = (await db.query(`${SUMMARY} order by created_at`)).map((r) => summary(r, now()));
      const tickets = (await db.query(`select * from tickets order by received_at`)).map((r) => ({ id: r.id, packet: r.packet, receivedAt: num(r.received_at) }));
      return { conversations, tickets };
    },
    /** Plain-text metrics in the Prometheus exposition format. */
    metricsText,
    /**
     * Serves `/relay/http/...`, `/agent...`, `/healthz` and `/metrics`; returns false for any other path.
     * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
     */
    handleRequest(req, res) {
      const url = new URL(req.url || '/', 'http://relay.invalid');
      const path = url.pathname;
      const fail = (/** @type {unknown} */ error) => {
        log({ level: 'error', msg: 'request failed', path, error: String(error) });
        json(res, 503, [errorFrame('unavailable', 'try again')]);
      };
      if (path === '/healthz') {
        db.query('select 1').then(() => json(res, draining ? 503 : 200, { ok: !draining, instance }), () => json(res, 503, { ok: false, error: 'database unreachable' }));
        return true;
      }
      if (path === '/metrics') {
        metricsText().then((text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text), fail);
        return true;
      }
      if (path === '/agent' || path === '/agent/') return void serveFile(res, './console.html', 'text/html'), true;
      if (path === '/agent/console.js') return void serveFile(res, '../dist/console.js', 'text/javascript'), true;
      if (path.startsWith('/agent/faq/')) return void serveFaq(res, path.slice('/agent/faq/'.length).replace(/\.json$/, '')), true;
      if (path === '/agent/console.css') return void serveFile(res, './console.css', 'text/css'), true;
      if (path === '/agent/signin' || path === '/agent/refresh') {
        if (req.method !== 'POST') json(res, 405, { error: 'POST only' });
        else if (!originAllowed(req, 'console')) json(res, 403, { error: 'sign in from the console page' });
        else (path === '/agent/signin' ? signIn(req, res) : refresh(req, res)).catch(fail);
        return true;
      }
      if (!path.startsWith('/relay/http/')) return false;
      if (!originAllowed(req, 'customer')) return json(res, 403, [errorFrame('forbidden', 'this page may not use the relay')]), true;
      const cors = corsFor(req);
      const wait = rates.requests.take(clientIp(req));
      if (draining) json(res, 503, [errorFrame('unavailable', 'the relay is restarting; try again')], cors);
      else if (wait) json(res, 429, [errorFrame('rate-limited', 'too many requests; slow down', undefined, { retryAfterSeconds: wait })], { ...cors, 'retry-after': String(wait) });
      else if (req.method === 'OPTIONS') res.writeHead(204, cors).end();
      else if (path === '/relay/http/frames' && req.method === 'POST') postFrames(req, res, cors).catch(fail);
      else if (path === '/relay/http/events' && req.method === 'GET') openStream(req, res, url, cors).catch(fail);
      else if (path === '/relay/http/tickets' && req.method === 'POST') postTicket(req, res, cors).catch(fail);
      else json(res, 404, [errorFrame('not-found', 'no such endpoint')], cors);
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
      const refuse = (/** @type {string} */ status) => socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      if (draining) refuse('503 Service Unavailable');
      else if (!originAllowed(req, wss === agentWss ? 'console' : 'customer')) refuse('403 Forbidden');
      else if (!claim(clientIp(req))) refuse('429 Too Many Requests');
      else wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      return true;
    },
    /** Stops taking work, lets frames in flight finish (up to `graceMs`), closes every connection (clients reconnect elsewhere), then the database. */
    async close(graceMs = 5000) {
      draining = true;
      closeTimers();
      const until = Date.now() + graceMs;
      while (busy > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      for (const set of customers.values()) for (const client of set) client.close();
      for (const wss of [customerWss, agentWss]) {
        for (const ws of wss.clients) ws.close(1012, 'relay restarting');
        await new Promise((resolve) => setTimeout(resolve, 50));
        for (const ws of wss.clients) ws.terminate();
        await new Promise((resolve) => wss.close(() => resolve(undefined)));
      }
      agents.clear();
      customers.clear();
      await db.query(`delete from agent_presence where instance = $1`, [instance]).catch(() => {});
      await publish({ k: 'agents' }).catch(() => {});
      await db.close();
    },
  };
}
