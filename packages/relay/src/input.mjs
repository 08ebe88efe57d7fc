// @ts-check
/**
 * Untrusted input: JSON parsed with limits (size, nesting depth), then checked field by field
 * against a small schema before anything reaches the store. What comes out holds only the fields
 * the relay knows, each of the type it expects, so the console only ever shows strings.
 */

export const LIMITS = {
  frameBytes: 64 * 1024,
  depth: 12,
  text: 4000,
  id: 100,
  short: 200,
  long: 2000,
  items: 200,
  keys: 50,
};

/** A refusal that names where and why. */
export class InputError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.code = 'bad-frame';
  }
}

/**
 * The deepest nesting of objects and arrays in JSON text, counted without parsing (so a hostile
 * document never reaches a recursive function). @param {string} text
 */
export function jsonDepth(text) {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 || ch === 91) {
      if (++depth > max) max = depth;
    } else if (ch === 125 || ch === 93) depth--;
  }
  return max;
}

/**
 * Parses a frame or body. Throws InputError (too large, too deep, not JSON, not an object).
 * @param {Buffer | string} raw @param {{ bytes?: number; depth?: number }} [limits]
 * @returns {Record<string, unknown>}
 */
export function parseLimited(raw, limits = {}) {
  const bytes = limits.bytes ?? LIMITS.frameBytes;
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (size > bytes) throw Object.assign(new InputError(`frames are limited to ${bytes} bytes`), { code: 'too-large' });
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (jsonDepth(text) > (limits.depth ?? LIMITS.depth)) throw new InputError(`JSON nested deeper than ${limits.depth ?? LIMITS.depth} levels`);
  /** @type {unknown} */
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError('not JSON');
  }
  if (!isObject(value)) throw new InputError('expected a JSON object');
  return value;
}

/** @param {unknown} v @returns {v is Record<string, unknown>} */
export const isObject = (v) => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * A required string of 1..max characters. @param {unknown} v @param {string} where @param {number} max
 * @returns {string}
 */
export function text(v, where, max) {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new InputError(`${where} must be a string of 1–${max} characters`);
  return v;
}

/** An optional string, cut to max; anything else becomes undefined. @param {unknown} v @param {number} max */
export const optText = (v, max) => (typeof v === 'string' && v.length ? v.slice(0, max) : undefined);
/** An optional finite number. @param {unknown} v */
const optNumber = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** @param {unknown} v */
/** The lowest and highest score of each survey kind the widget sends. */
const SURVEY_RANGE = { csat: [1, 5], ces: [1, 7], nps: [0, 10] };

const optBool = (v) => (typeof v === 'boolean' ? v : undefined);
/** @template T @param {unknown} v @param {(item: unknown) => T | undefined} each @param {number} [max] @returns {T[]} */
const list = (v, each, max = LIMITS.items) => (Array.isArray(v) ? v.slice(0, max).map(each).filter((x) => x !== undefined) : []);
/** Drops undefined fields, so stored JSON stays small. @param {Record<string, unknown>} o */
const compact = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** A flat record of scalars (custom attributes, event properties, flow answers), every value made a string, number or boolean. @param {unknown} v */
export function scalars(v) {
  if (!isObject(v)) return undefined;
  /** @type {Record<string, string | number | boolean>} */
  const out = {};
  for (const [k, value] of Object.entries(v).slice(0, LIMITS.keys)) {
    const key = k.slice(0, 100);
    if (typeof value === 'string') out[key] = value.slice(0, LIMITS.long);
    else if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
    else if (typeof value === 'boolean') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.filter((x) => typeof x === 'string' || typeof x === 'number').slice(0, 20).join(', ').slice(0, LIMITS.long);
  }
  return out;
}

/** The user as the console shows it. @param {unknown} v */
export function user(v) {
  const u = isObject(v) ? v : {};
  return compact({ id: optText(u.id, LIMITS.short), name: optText(u.name, LIMITS.short), email: optText(u.email, LIMITS.short), attributes: scalars(u.attributes) });
}

/** @param {unknown} v */
const message = (v) => {
  if (!isObject(v) || typeof v.text !== 'string') return undefined;
  const author = v.author === 'agent' || v.author === 'user' || v.author === 'bot' || v.author === 'system' ? v.author : 'user';
  return compact({ id: optText(v.id, LIMITS.id), author, text: v.text.slice(0, LIMITS.text), at: optNumber(v.at), authorName: optText(v.authorName, LIMITS.short) });
};
const level = (/** @type {unknown} */ v) => (v === 'low' || v === 'medium' || v === 'high' ? v : undefined);

/**
 * The handoff packet, rebuilt from the known fields only (see HandoffPacket in @madoguchi/core).
 * @param {unknown} v @returns {Record<string, any>}
 */
export function packet(v) {
  if (!isObject(v)) throw new InputError('a handoff needs a "packet" object');
  const ctx = isObject(v.context) ? v.context : {};
  const page = isObject(ctx.page) ? ctx.page : {};
  const device = isObject(ctx.device) ? ctx.device : undefined;
  const triage = isObject(v.triage) ? v.triage : {};
  return compact({
    id: optText(v.id, LIMITS.id),
    createdAt: optNumber(v.createdAt),
    locale: optText(v.locale, 35),
    reason: optText(v.reason, LIMITS.long),
    user: user(v.user),
    context: {
      page: compact({ url: optText(page.url, LIMITS.long), path: optText(page.path, LIMITS.long), title: optText(page.title, LIMITS.short), referrer: optText(page.referrer, LIMITS.long) }),
      trail: list(ctx.trail, (t) =>
        isObject(t) && (t.type === 'page' || t.type === 'event')
          ? compact({ type: t.type, at: optNumber(t.at), url: optText(t.url, LIMITS.long), title: optText(t.title, LIMITS.short), name: optText(t.name, LIMITS.short), properties: scalars(t.properties) })
          : undefined,
      ),
      ...(device
        ? { device: compact({ language: optText(device.language, 35), timeZone: optText(device.timeZone, 60), platform: optText(device.platform, 60) }) }
        : {}),
    },
    transcript: list(v.transcript, message, 500),
    searches: list(v.searches, (s) => (isObject(s) && typeof s.query === 'string' ? { query: s.query.slice(0, LIMITS.short), at: optNumber(s.at), found: !!s.found } : undefined)),
    articles: list(v.articles, (a) => (isObject(a) && typeof a.title === 'string' ? compact({ id: optText(a.id, LIMITS.id), title: a.title.slice(0, LIMITS.short), at: optNumber(a.at), helpful: optBool(a.helpful) }) : undefined)),
    flows: list(v.flows, (f) => (isObject(f) && typeof f.id === 'string' ? compact({ id: f.id.slice(0, LIMITS.id), answers: scalars(f.answers) ?? {}, finished: optBool(f.finished) }) : undefined)),
    triage: compact({
      complexity: level(triage.complexity), severity: level(triage.severity), effort: level(triage.effort),
      reasons: list(triage.reasons, (r) => optText(r, LIMITS.short), 20), primary: optText(triage.primary, 60), secondary: optText(triage.secondary, 60),
    }),
  });
}

/**
 * A customer's frame, checked. Returns a frame holding only known fields, or throws InputError.
 * @param {Record<string, unknown>} f
 */
export function customerFrame(f) {
  const type = f.type;
  if (type === 'ping' || type === 'pong') return { type };
  if (type === 'hello') {
    const s = isObject(f.session) ? f.session : undefined;
    if (!s) throw new InputError('hello needs a "session" object');
    const u = isObject(s.user) ? s.user : {};
    return {
      type,
      conversationId: text(s.conversationId, 'session.conversationId', LIMITS.id),
      visitorId: text(s.visitorId, 'session.visitorId', LIMITS.short),
      appId: optText(s.appId, LIMITS.id) ?? '',
      locale: optText(s.locale, 35) ?? '',
      token: optText(s.token, LIMITS.short) ?? optText(f.token, LIMITS.short),
      user: user(u),
      userHash: optText(u.userHash, 200),
      jwt: optText(u.jwt, 4000),
      last: optText(f.last, LIMITS.id),
    };
  }
  if (type === 'message') {
    if (typeof f.text !== 'string' || f.text.length > LIMITS.text) throw new InputError(`message.text must be a string of at most ${LIMITS.text} characters`);
    return { type, id: text(f.id, 'message.id', LIMITS.id), text: f.text };
  }
  if (type === 'handoff') return { type, packet: packet(f.packet) };
  if (type === 'typing') return { type, on: f.on === true };
  if (type === 'context') return { type, context: liveContext(f.context) };
  if (type === 'survey') {
    // CSAT 1–5, CES 1–7, NPS 0–10; each is stored under its own kind, so only CSAT counts as CSAT.
    const kind = f.kind === 'csat' || f.kind === 'ces' || f.kind === 'nps' ? f.kind : undefined;
    const [low, top] = kind ? SURVEY_RANGE[kind] : [];
    const score = kind && Number.isInteger(f.score) && f.score >= low && f.score <= top ? f.score : undefined;
    if (!kind || score === undefined) throw new InputError('survey needs "kind" ("csat", "ces" or "nps") and a whole "score" (1–5, 1–7 or 0–10)');
    return { type, kind, score };
  }
  throw Object.assign(new InputError(`unknown frame type "${typeof type === 'string' ? type.slice(0, 40) : typeof type}"`), { code: 'unknown-type' });
}

/**
 * Where the customer is now, sent by the widget while a person is involved: the page, the trail
 * and the help-centre articles read, the same fields as the handoff packet's.
 * @param {unknown} v
 */
export function liveContext(v) {
  if (!isObject(v)) throw new InputError('a context frame needs a "context" object');
  const p = packet({ context: v, articles: v.articles, searches: v.searches });
  return { ...p.context, articles: p.articles, searches: p.searches, at: Date.now() };
}

/** Articles an agent offers: up to three { id, title }. @param {unknown} v */
const offered = (v) => list(v, (a) => (isObject(a) && typeof a.id === 'string' && typeof a.title === 'string' ? { id: a.id.slice(0, LIMITS.id), title: a.title.slice(0, LIMITS.short) } : undefined), 3);

/** An agent's frame, checked. @param {Record<string, unknown>} f */
export function agentFrame(f) {
  const type = f.type;
  if (type === 'ping') return { type };
  if (type === 'hello') return { type, token: text(f.token, 'hello.token', 4000) };
  if (type === 'presence') return { type, status: f.status === 'away' ? 'away' : 'online' };
  if (type === 'save-reply') return { type, id: text(f.id, 'reply.id', LIMITS.id), title: text(f.title, 'reply.title', 80), text: text(f.text, 'reply.text', LIMITS.text) };
  if (type === 'delete-reply') return { type, id: text(f.id, 'reply.id', LIMITS.id) };
  if (type === 'metrics') return { type };
  const conversationId = text(f.conversationId, 'conversationId', LIMITS.id);
  if (type === 'accept' || type === 'close' || type === 'open') return { type, conversationId };
  if (type === 'typing') return { type, conversationId, on: f.on === true };
  if (type === 'message') {
    const articles = offered(f.articles);
    return { type, conversationId, id: text(f.id, 'message.id', LIMITS.id), text: text(f.text, 'message.text', LIMITS.text), ...(articles.length ? { articles } : {}) };
  }
  if (type === 'note') return { type, conversationId, id: text(f.id, 'note.id', LIMITS.id), text: text(f.text, 'note.text', LIMITS.text) };
  if (type === 'assign') return { type, conversationId, agent: text(f.agent, 'assign.agent', 100) };
  if (type === 'reopen') return { type, conversationId };
  if (type === 'tags') return { type, conversationId, tags: list(f.tags, (t) => optText(t, 40), 10) };
  throw Object.assign(new InputError(`unknown frame type "${typeof type === 'string' ? type.slice(0, 40) : typeof type}"`), { code: 'unknown-type' });
}

/** A ticket from the webhook transport. @param {Record<string, unknown>} t */
export function ticket(t) {
  if (t.type !== 'ticket') throw new InputError('expected { "type": "ticket", "id": string, "packet": object }');
  return { id: text(t.id, 'ticket.id', LIMITS.id), packet: packet(t.packet) };
}
