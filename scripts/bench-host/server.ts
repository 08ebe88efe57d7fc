/**
 * The comparison's one local HTTP server, on a free port: the minimal host pages, the built
 * Madoguchi bundles, the example flows and rules, the large FAQ (converted at start), the peers'
 * files from their temporary install folder, the demo relay (WebSocket and analytics endpoint),
 * and `/dead/…`, a local address that answers 503 to every peer that wants its cloud.
 * Text is sent gzip-compressed (level 9, compressed once and kept), as a CDN would, so bytes over
 * the wire are gzip bytes. `latencyMs` holds every HTTP response that long before it is sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain JavaScript module without types
import { createRelay } from '../../packages/relay/src/relay.mjs';
// @ts-expect-error plain JavaScript module without types
import { createEventsEndpoint } from '../../packages/relay/src/events.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};

/** URL prefix → folder, inside the repository. */
const MOUNTS: Array<[string, string]> = [
  ['/madoguchi/', 'packages/loader/dist/'],
  ['/madoguchi/', 'packages/widget/dist/'],
  ['/faq/', 'examples/faq/'],
  ['/flows/', 'examples/flows/'],
  ['/proactive/', 'examples/proactive/'],
];

export interface BenchServer {
  origin: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Page HTML by the `w` query parameter (the variant's key). */
  page(key: string, origin: string): string | undefined;
  /** Extra JSON files served at `/faq/<name>` (the converted large FAQ). */
  faq: Record<string, Buffer>;
  /** Folder whose files are served under `/peer/` (the peers' temporary install). */
  peerDir?: string;
  latencyMs?: number;
}

/** A file under `dir` named by the rest of the URL path; never one outside it. */
function inside(dir: string, rest: string): string | undefined {
  const file = normalize(join(dir, rest));
  if (!file.startsWith(normalize(dir + sep)) || file.includes(`${sep}..`)) return undefined;
  return existsSync(file) && statSync(file).isFile() ? file : undefined;
}

function findFile(path: string, peerDir: string | undefined): string | undefined {
  if (peerDir && path.startsWith('/peer/')) return inside(peerDir, path.slice('/peer/'.length));
  for (const [prefix, dir] of MOUNTS) if (path.startsWith(prefix)) {
    const file = inside(join(root, dir), path.slice(prefix.length));
    if (file) return file;
  }
  return undefined;
}

const compressible = (type: string) => /^(text\/|application\/(json|javascript)|image\/svg)/.test(type);

export async function startBenchServer(options: ServerOptions): Promise<BenchServer> {
  // The relay keeps its data in memory (PGlite); one local visitor runs every widget, so no caps.
  const off = { conversationsPerIpPerMinute: 0, conversationsPerVisitorPerHour: 0, requestsPerIpPerSecond: 0, connectionsPerIp: 0 };
  const relay = await createRelay({ officeHours: null, dataDir: 'memory://', limits: off });
  const handleEventsRequest = createEventsEndpoint({ allowOrigin: (o: string) => relay.origins.customer.has(o) }).handle;
  const gzipped = new Map<string, Buffer>();
  const latency = options.latencyMs || 0;
  let origin = '';

  const send = (req: IncomingMessage, res: ServerResponse, status: number, type: string, body: Buffer, cacheKey?: string) => {
    const headers: Record<string, string> = { 'content-type': type, 'cache-control': 'no-store' };
    if (compressible(type) && /\bgzip\b/.test(String(req.headers['accept-encoding'] || ''))) {
      let gz = cacheKey ? gzipped.get(cacheKey) : undefined;
      if (!gz) {
        gz = gzipSync(body, { level: 9 });
        if (cacheKey) gzipped.set(cacheKey, gz);
      }
      headers['content-encoding'] = 'gzip';
      body = gz;
    }
    res.writeHead(status, headers).end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (handleEventsRequest(req, res)) return;
    if (relay.handleRequest(req, res)) return;
    const url = new URL(req.url || '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname);
    if (path.startsWith('/dead/')) {
      res.writeHead(503, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' }).end('No cloud here: the comparison runs offline.');
      return;
    }
    if (path === '/') {
      const key = url.searchParams.get('w') || '';
      const html = options.page(key, origin);
      if (html === undefined) return void res.writeHead(404, { 'content-type': 'text/plain' }).end(`No host page for "${key}".`);
      return send(req, res, 200, TYPES['.html']!, Buffer.from(html), `page:${key}`);
    }
    if (path.startsWith('/faq/') && options.faq[path.slice(5)]) return send(req, res, 200, TYPES['.json']!, options.faq[path.slice(5)]!, path);
    const file = findFile(path, options.peerDir);
    if (!file) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    send(req, res, 200, TYPES[extname(file)] || 'application/octet-stream', readFileSync(file), file);
  };

  const server = createServer((req, res) => {
    const go = () => {
      try {
        handle(req, res);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Server error');
        console.error(error);
      }
    };
    if (latency) setTimeout(go, latency);
    else go();
  });
  server.on('upgrade', (req, socket, head) => {
    if (!relay.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  origin = `http://localhost:${port}`;
  // The host pages are served from here: the relay accepts them (and refuses every other origin).
  const own = [origin, `http://127.0.0.1:${port}`];
  relay.allowOrigins({ customer: own, console: own });
  return {
    origin,
    async close() {
      await relay.close();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
