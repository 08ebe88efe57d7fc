// The demo's one HTTP server: the example host page, the built bundles, the example FAQ and
// flows, and (when present) the relay (packages/relay) with its agent console. The relay keeps its
// data in PGlite: in memory unless `relayOptions` names a data directory or a database URL.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEventsEndpoint } from '../packages/relay/src/events.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.md': 'text/markdown; charset=utf-8',
};

/** The agent the demo's console link signs in. */
export const DEMO_AGENT = 'Sam';

/** The help centre the console suggests articles from, and a few saved replies to start with. */
const DEMO_FAQ = { en: join(root, 'examples/faq/en.json'), ja: join(root, 'examples/faq/ja.json') };
const DEMO_REPLIES = [
  { title: 'Greeting', text: 'Hi {name}, thanks for waiting. I am {agent}, and I will help you with this.' },
  { title: 'Order number', text: 'Could you tell me your order number, {name}? It starts with **AC-**.' },
  { title: 'Wrap-up', text: 'Is there anything else I can help you with today?' },
];

/** URL prefix → folder it is served from. */
const MOUNTS = [
  ['/madoguchi/', 'packages/loader/dist/'],
  ['/madoguchi/', 'packages/widget/dist/'],
  ['/faq/', 'examples/faq/'],
  ['/flows/', 'examples/flows/'],
  ['/proactive/', 'examples/proactive/'],
  ['/', 'examples/script-tag/'],
];

async function findFile(pathname) {
  for (const [prefix, dir] of MOUNTS) {
    if (!pathname.startsWith(prefix)) continue;
    const rest = pathname.slice(prefix.length) || 'index.html';
    const file = normalize(join(root, dir, rest));
    if (!file.startsWith(join(root, dir)) || file.includes(`${sep}..`)) continue;
    try {
      if ((await stat(file)).isFile()) return file;
    } catch {}
  }
  return undefined;
}

/**
 * Starts the demo server. `csp: true` serves every page with a strict Content Security Policy
 * (nonce-based script-src with 'strict-dynamic', style-src 'self'); `widget: false` serves the
 * host page without the snippet, for measuring what the widget costs.
 */
export async function startDemoServer({ port = 5173, host = '127.0.0.1', csp = false, relay: withRelay = true, relayOptions = {} } = {}) {
  let relay;
  if (withRelay) {
    try {
      const { createRelay } = await import('../packages/relay/src/relay.mjs');
      // The demo agent signs in with the link the demo prints; its password is never shown.
      const agents = [{ name: DEMO_AGENT, password: randomBytes(18).toString('base64url') }];
      relay = await createRelay({ officeHours: null, dataDir: 'memory://', agents, faq: DEMO_FAQ, savedReplies: DEMO_REPLIES, ...relayOptions });
    } catch (error) {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    }
  }
  const events = createEventsEndpoint({ allowOrigin: (origin) => !!relay?.origins.customer.has(origin) });
  const handleEventsRequest = events.handle;
  const server = createServer(async (req, res) => {
    try {
      // The analytics sink's endpoint: events the widget batches arrive here (GET returns them).
      if (withRelay && handleEventsRequest(req, res)) return;
      if (relay?.handleRequest(req, res)) return;
      const url = new URL(req.url || '/', 'http://localhost');
      const path = decodeURIComponent(url.pathname);
      // The host page is a single-page app: unknown paths without an extension get its page.
      const file = (await findFile(path)) || (extname(path) ? undefined : await findFile('/'));
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
        return;
      }
      const type = TYPES[extname(file)] || 'application/octet-stream';
      const headers = { 'content-type': type, 'cache-control': 'no-store' };
      let body = await readFile(file);
      if (type.startsWith('text/html')) {
        const nonce = randomBytes(16).toString('base64');
        let html = body.toString('utf8').replaceAll('__NONCE__', nonce);
        if (url.searchParams.get('widget') === 'off') html = html.replace(/<!-- madoguchi -->[\s\S]*?<!-- \/madoguchi -->/, '');
        body = Buffer.from(html);
        if (csp || url.searchParams.has('csp'))
          headers['content-security-policy'] =
            `default-src 'self'; script-src 'nonce-${nonce}' 'strict-dynamic'; style-src 'self'; ` +
            `connect-src 'self' ws: wss:; img-src 'self' data:; object-src 'none'; base-uri 'none'`;
      }
      res.writeHead(200, headers).end(body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('Server error');
      console.error(error);
    }
  });
  server.on('upgrade', (req, socket, head) => {
    if (!relay?.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const origin = `http://${host === '127.0.0.1' ? 'localhost' : host}:${bound}`;
  const own = [origin, `http://127.0.0.1:${bound}`];
  // The host page is allowed by default; a relay given its own allowedOrigins serves those pages only.
  relay?.allowOrigins({ customer: relayOptions.allowedOrigins ? [] : own, console: own });
  /** The console's address with a fresh one-time sign-in for the demo agent. */
  const newAgentUrl = async () => (relay ? `${origin}/agent#signin=${await relay.signInLink(DEMO_AGENT)}` : `${origin}/agent`);
  return {
    url: `${origin}/`,
    agentUrl: await newAgentUrl(),
    newAgentUrl,
    relay: !!relay,
    relayInstance: relay,
    events: events.events,
    async close() {
      await relay?.close();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
