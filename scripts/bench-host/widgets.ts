/**
 * The widgets compared, each on the same minimal host page: Madoguchi in five set-ups and four
 * peers. A peer is installed from the npm registry into a temporary folder (never the
 * repository's package.json) and, when it is not shipped as a browser file, bundled with esbuild.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** An element to find: `selector` in the document, or inside the open shadow root of `host`. */
export interface Target {
  host?: string;
  selector: string;
}

export interface WidgetSpec {
  key: string;
  label: string;
  madoguchi: boolean;
  /** HTML put at the end of the host page's body: the widget's snippet as its docs show it. */
  snippet(origin: string): string;
  launcher: Target;
  panel: Target;
  lang?: 'ja' | 'en';
  /** Messages stored in IndexedDB before each measured load. */
  stored?: number;
  /** With `stored`: the panel counts as shown once its last message holds this text. */
  expectLast?: string;
  /** Type the FAQ queries into the message box after opening and time the suggestions. */
  suggestions?: boolean;
  /** What the peer would reach on the internet and where the comparison points it instead. */
  cloud?: string;
  /** Set when the widget cannot run here: the row then reads "n/a (reason)". */
  unavailable?: string;
  /** Installed package versions, for the report. */
  versions?: string;
}

const MADOGUCHI_LAUNCHER: Target = { host: 'madoguchi-widget', selector: '.launcher' };
const MADOGUCHI_PANEL: Target = { host: 'madoguchi-widget', selector: '[role="dialog"]' };

/** The queue stub and the async loader, as the README's script-tag snippet has them. */
const madoguchiSnippet = (config: string) =>
  `<script>window.Madoguchi = window.Madoguchi || function () { (Madoguchi.q = Madoguchi.q || []).push(arguments) };\nMadoguchi('boot', ${config});</script>\n<script async src="/madoguchi/loader.js"></script>`;

/** The example page's boot config (examples/script-tag/index.html) with the large Japanese FAQ. */
const DEMO_CONFIG = `{
  appId: 'acme',
  locale: 'ja',
  user: { id: 'u1', name: 'Aiko', email: 'aiko@example.com', attributes: { plan: 'pro' } },
  faq: '/faq/localgov-ja.json',
  flows: '/flows/flows.index.json',
  transport: { type: 'websocket', url: 'ws://' + location.host + '/relay/ws' },
  proactive: '/proactive/rules.json',
  analytics: { url: '/relay/events' },
  storage: 'after-interaction',
  theme: 'auto'
}`;

/** The stored-history set-ups: a returning user whose conversation is kept in IndexedDB. */
export const STORED_APP_ID = 'bench-history';
const STORED_CONFIG = `{ appId: '${STORED_APP_ID}', storage: 'always', transport: { type: 'loopback' } }`;

const stored = (count: number): WidgetSpec => ({
  key: `madoguchi-stored-${count}`,
  label: `Madoguchi, ${count.toLocaleString('en')} stored msgs`,
  madoguchi: true,
  snippet: () => madoguchiSnippet(STORED_CONFIG),
  launcher: MADOGUCHI_LAUNCHER,
  panel: MADOGUCHI_PANEL,
  stored: count,
  ...(count ? { expectLast: `Seeded message ${count}:` } : {}),
});

export function madoguchiWidgets(): WidgetSpec[] {
  return [
    { key: 'madoguchi-bare', label: 'Madoguchi bare', madoguchi: true, snippet: () => madoguchiSnippet(`{ appId: 'bench' }`), launcher: MADOGUCHI_LAUNCHER, panel: MADOGUCHI_PANEL },
    {
      key: 'madoguchi-demo',
      label: 'Madoguchi demo + 1,786 FAQ',
      madoguchi: true,
      lang: 'ja',
      snippet: () => madoguchiSnippet(DEMO_CONFIG),
      launcher: MADOGUCHI_LAUNCHER,
      panel: MADOGUCHI_PANEL,
      suggestions: true,
    },
    stored(0),
    stored(1000),
    stored(10000),
  ];
}

interface PeerRecipe {
  key: string;
  label: string;
  /** npm install arguments (the peer and the React its peerDependencies ask for). */
  packages: string[];
  /** Packages whose installed version the report names. */
  named: string[];
  /** An esbuild entry (JavaScript, run from the peer's folder) when the peer ships no browser file. */
  entry?: string;
  /** A file the install must have produced. */
  check: string;
  snippet(origin: string): string;
  launcher: Target;
  panel: Target;
  cloud: string;
}

/**
 * Each peer as its own documentation embeds it, with the smallest config it accepts. A peer that
 * wants its cloud gets `/dead/…` on the local server (it answers 503), so nothing leaves the machine.
 */
const PEERS: PeerRecipe[] = [
  {
    key: 'typebot',
    label: 'Typebot bubble',
    packages: ['@typebot.io/js'],
    named: ['@typebot.io/js'],
    check: 'node_modules/@typebot.io/js/dist/web.js',
    // The documented embed: a module script importing the browser build (here served locally).
    snippet: (origin) =>
      `<script type="module">import Typebot from '/peer/typebot/node_modules/@typebot.io/js/dist/web.js';\nTypebot.initBubble({ typebot: 'bench', apiHost: '${origin}/dead/typebot', wsHost: '127.0.0.1:9' });</script>`,
    launcher: { host: 'typebot-bubble', selector: 'button[part="button"]' },
    panel: { host: 'typebot-bubble', selector: '[part="bot"]' },
    cloud: 'typebot.io chat API → apiHost /dead/typebot (503); partykit host → 127.0.0.1:9',
  },
  {
    key: 'botpress',
    label: 'Botpress webchat',
    packages: ['@botpress/webchat', 'react@19', 'react-dom@19'],
    named: ['@botpress/webchat', 'react'],
    check: 'node_modules/@botpress/webchat/dist/index.js',
    // The React set-up of its docs: a Fab that toggles a container holding <Webchat>.
    entry: `import { createElement as h, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Webchat, Fab } from '@botpress/webchat';
import './node_modules/@botpress/webchat/dist/style.css';
function App() {
  const [open, setOpen] = useState(false);
  return h('div', null,
    h(Fab, { onClick: () => setOpen(!open), style: { position: 'fixed', bottom: '24px', right: '24px', width: '64px', height: '64px' } }),
    h('div', { id: 'bp-panel', style: { display: open ? 'block' : 'none', position: 'fixed', bottom: '100px', right: '24px', width: '400px', height: '600px' } },
      h(Webchat, { clientId: '00000000-0000-4000-8000-000000000000', apiUrl: location.origin + '/dead/botpress' })));
}
createRoot(document.getElementById('peer-root')).render(h(App));
`,
    snippet: () => `<div id="peer-root"></div>\n<link rel="stylesheet" href="/peer/botpress/out/entry.css">\n<script async src="/peer/botpress/out/entry.js"></script>`,
    launcher: { selector: '.bpFabContainer' },
    panel: { selector: '#bp-panel .bpContainer' },
    cloud: 'Botpress cloud (webchat.botpress.cloud) → apiUrl /dead/botpress (503)',
  },
  {
    key: 'react-chat-widget',
    label: 'react-chat-widget',
    packages: ['react-chat-widget', 'react@17', 'react-dom@17'],
    named: ['react-chat-widget', 'react'],
    check: 'node_modules/react-chat-widget/lib/index.js',
    entry: `import { createElement as h } from 'react';
import { render } from 'react-dom';
import { Widget } from 'react-chat-widget';
import 'react-chat-widget/lib/styles.css';
render(h(Widget, { title: 'Support', subtitle: 'Ask us anything', handleNewUserMessage: () => {} }), document.getElementById('peer-root'));
`,
    snippet: () => `<div id="peer-root"></div>\n<link rel="stylesheet" href="/peer/react-chat-widget/out/entry.css">\n<script async src="/peer/react-chat-widget/out/entry.js"></script>`,
    launcher: { selector: '.rcw-launcher' },
    panel: { selector: '.rcw-conversation-container' },
    cloud: 'none (the host answers messages itself)',
  },
  {
    key: 'rasa-webchat',
    label: 'rasa-webchat',
    packages: ['rasa-webchat', 'react@16', 'react-dom@16'],
    named: ['rasa-webchat'],
    check: 'node_modules/rasa-webchat/lib/index.js',
    // The documented script-tag embed: lib/index.js (React inside) loaded async, then WebChat.default.
    snippet: (origin) =>
      `<div id="webchat"></div>\n<script async src="/peer/rasa-webchat/node_modules/rasa-webchat/lib/index.js" onload="WebChat.default({ selector: '#webchat', socketUrl: '${origin}/dead/rasa', withRules: false, hideWhenNotConnected: false, title: 'Support' }, null)"></script>`,
    launcher: { selector: '.rw-launcher' },
    panel: { selector: '.rw-conversation-container' },
    cloud: 'a Rasa server over socket.io → socketUrl on this server (socket.io polls /socket.io/ there: 404, retried); withRules and hideWhenNotConnected off, or it shows nothing without its server',
  },
];

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (error) => keep(Buffer.from(String(error))));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const lastLine = (text: string) => text.trim().split('\n').filter((l) => l.trim()).pop()?.slice(0, 160) || 'no output';

/** Installs (unless already there) and builds one peer in `<dir>/<key>`; returns why not, or undefined. */
async function preparePeer(recipe: PeerRecipe, dir: string): Promise<string | undefined> {
  const folder = join(dir, recipe.key);
  mkdirSync(folder, { recursive: true });
  if (!existsSync(join(folder, recipe.check))) {
    if (!existsSync(join(folder, 'package.json'))) writeFileSync(join(folder, 'package.json'), '{ "private": true }\n');
    const installed = await run('npm', ['install', '--prefix', folder, '--no-audit', '--no-fund', '--loglevel=error', ...recipe.packages], folder, 8 * 60_000);
    if (installed.code !== 0) return `npm install failed: ${lastLine(installed.output)}`;
    if (!existsSync(join(folder, recipe.check))) return `npm install left no ${recipe.check}`;
  }
  if (!recipe.entry) return undefined;
  writeFileSync(join(folder, 'entry.js'), recipe.entry);
  try {
    const { build } = await import('esbuild');
    await build({
      entryPoints: [join(folder, 'entry.js')],
      absWorkingDir: folder,
      nodePaths: [join(folder, 'node_modules')],
      bundle: true,
      minify: true,
      format: 'iife',
      target: 'es2020',
      outdir: join(folder, 'out'),
      define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
      logLevel: 'silent',
    });
  } catch (error) {
    return `esbuild could not bundle it: ${lastLine(String((error as Error).message || error))}`;
  }
  return undefined;
}

const versionOf = (folder: string, name: string) => {
  try {
    return `${name} ${JSON.parse(readFileSync(join(folder, 'node_modules', name, 'package.json'), 'utf8')).version}`;
  } catch {
    return `${name} ?`;
  }
};

/** Installs and builds every peer (one after another: the machine has two cores); each says why when it cannot run. */
export async function peerWidgets(dir: string, log: (line: string) => void): Promise<WidgetSpec[]> {
  const out: WidgetSpec[] = [];
  for (const recipe of PEERS) {
    const started = Date.now();
    const reason = await preparePeer(recipe, dir);
    const versions = recipe.named.map((n) => versionOf(join(dir, recipe.key), n)).join(', ');
    log(`  ${recipe.label}: ${reason ? `n/a (${reason})` : `${versions} ready`} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    const { key, label, snippet, launcher, panel, cloud } = recipe;
    out.push({ key, label, madoguchi: false, snippet, launcher, panel, cloud, versions, ...(reason ? { unavailable: reason } : {}) });
  }
  return out;
}

/** The host page every widget is measured on: a little text, and the widget's snippet at the end of the body. */
export function hostPage(spec: WidgetSpec, origin: string): string {
  return `<!doctype html>
<html lang="${spec.lang || 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Store</title>
<link rel="icon" href="data:,">
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:2rem;color:#222}main{max-width:40rem}</style>
</head>
<body>
<main>
<h1>Acme Store</h1>
<p>Routers, mesh Wi-Fi and the Acme Cloud plan. Need help? The support button is in the corner.</p>
<p>Orders ship within two working days. Returns are free for thirty days.</p>
</main>
${spec.snippet(origin)}
</body>
</html>
`;
}
