// @ts-check
import { jsonDepth } from './input.mjs';
/**
 * A local analytics sink for the demo: the widget's `analytics: { url: '/relay/events' }` POSTs
 * batches here (newline-delimited JSON, or a JSON array), and `GET /relay/events` gives the whole
 * log back as ndjson, ready for `madoguchi report`. Kept in memory only.
 */

/** Largest body accepted, in bytes. */
export const MAX_EVENTS_BODY = 256 * 1024;
/** Events kept; the oldest go first. */
export const MAX_EVENTS_KEPT = 20000;

/**
 * One in-memory event log with its HTTP endpoint at `path`. A browser request (one with an Origin
 * header) is answered only for an origin `allowOrigin` accepts; no other site can read the log.
 * @param {{ path?: string; maxBody?: number; maxKept?: number; allowOrigin?: (origin: string) => boolean }} [options]
 */
export function createEventsEndpoint({ path = '/relay/events', maxBody = MAX_EVENTS_BODY, maxKept = MAX_EVENTS_KEPT, allowOrigin = () => false } = {}) {
  /** @type {Record<string, unknown>[]} */
  const events = [];
  const headers = { 'cache-control': 'no-store' };

  /** Events from a body: an array, or one JSON value a line. Anything but an object with a string `type` is dropped. */
  const parse = (/** @type {string} */ body) => {
    /** @type {unknown[]} */
    let items = [];
    const text = body.trim();
    if (jsonDepth(text) > 8) return undefined;
    if (text.startsWith('[')) {
      try {
        items = JSON.parse(text);
      } catch {
        return undefined;
      }
    } else
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          items.push(JSON.parse(line));
        } catch {
          items.push(undefined);
        }
      }
    return items;
  };
  const isEvent = (/** @type {any} */ e) => !!e && typeof e === 'object' && !Array.isArray(e) && typeof e.type === 'string' && e.type.length <= 100;

  /**
   * Answers `POST`/`GET`/`OPTIONS` on the endpoint; returns false for any other path.
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   */
  function handle(req, res) {
    if (new URL(req.url || '/', 'http://sink.invalid').pathname !== path) return false;
    const origin = req.headers.origin;
    if (typeof origin === 'string' && !allowOrigin(origin)) return void res.writeHead(403, { ...headers, 'content-type': 'text/plain' }).end('this page may not use the events endpoint'), true;
    if (req.method === 'OPTIONS') res.writeHead(204, { ...headers, 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type' }).end();
    else if (req.method === 'GET') res.writeHead(200, { ...headers, 'content-type': 'application/x-ndjson' }).end(events.map((e) => JSON.stringify(e) + '\n').join(''));
    else if (req.method !== 'POST') res.writeHead(405, { ...headers, allow: 'GET, POST' }).end();
    else {
      /** @type {Buffer[]} */
      const chunks = [];
      let size = 0;
      req.on('data', (/** @type {Buffer} */ chunk) => {
        size += chunk.length;
        if (size > maxBody) {
          res.writeHead(413, { ...headers, 'content-type': 'text/plain', connection: 'close' }).end(`a batch may hold at most ${maxBody} bytes`);
          req.destroy();
        } else chunks.push(chunk);
      });
      req.on('end', () => {
        if (res.headersSent) return;
        const items = parse(Buffer.concat(chunks).toString('utf8'));
        if (!items || !Array.isArray(items)) return void res.writeHead(400, { ...headers, 'content-type': 'text/plain' }).end('expected ndjson or a JSON array of events');
        const good = items.filter(isEvent);
        events.push(.../** @type {Record<string, unknown>[]} */ (good));
        if (events.length > maxKept) events.splice(0, events.length - maxKept);
        res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify({ accepted: good.length, rejected: items.length - good.length }));
      });
    }
    return true;
  }
  return { handle, events };
}


