// `npm run size`: the bytes a host page downloads, gzipped (level 9), checked against budgets:
//  - the script tag: the loader, madoguchi.js with what it imports at once (all a page downloads
//    before the panel is first opened with a bare config), and each engine loaded on demand;
//  - npm: fixture apps built from the packed packages with Vite and with esbuild, whose entry
//    chunk must be no heavier than the script tag's widget, with the engines in chunks of their own.
// Exits 1 when a figure is over its budget or a bundle is missing (run `npm run build`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const KB = 1024;
const root = fileURLToPath(new URL('..', import.meta.url));
const widgetDist = join(root, 'packages/widget/dist');

/** Engines a page may load on demand, with the most each may add (gzip) to what is already there. */
const ENGINES = [
  // 9.5 KB: the compact-index loader (format 3: a quarter smaller to download; bodies fetched per
  // article), sliced build and load, answer confidence, and snippets cut to a line that wait for an
  // idle moment so typing never waits for them.
  ['search', 9.5, 'FAQ search engine, when `faq` is set'],
  // The first step of flows, loaded at boot when `flows` is set: fetch the files or the flow index
  // (`madoguchi flow build`), watch their triggers.
  ['triggers', 2.25, 'flow trigger check, at boot when `flows` is set'],
  // 11 KB: a pattern matcher that never backtracks, with a budget of matching steps per turn; request
  // and sub-flow nodes, the step limit checked across sub-flows before they run, and rich messages
  // kept as fields. Flows built with `madoguchi flow build` are stamped: it runs them unchecked.
  ['flow', 11, 'bot-flow engine, when a flow starts', 'triggers'],
  // The validator, for a flow file the build did not stamp (or changed since): messages that name
  // every limit, comparisons that can never hold refused, pattern sizes, reachability.
  ['flow-check', 8, 'flow validator, for flows not built (or changed since)', 'flow'],
  ['handoff', 5, 'triage and the handoff, at a handoff'],
  ['insights', 4, 'proactive rules and the analytics sink'],
  // The end-of-conversation survey, once a person is involved (it follows a conversation a person closed).
  ['survey', 1, 'the survey, once a person is involved', 'insights'],
  // 4.5 KB: the transports with the line over them (outbox, statuses), when there is something to carry.
  ['transports', 4.5, 'transports and the line, at the first open or message'],
  // 8.25 KB: the views read the stores through a hook (no signals runtime); rich flow messages, the
  // thread's cached time formats, suggestions searched and laid out during the typing pause with
  // snippets one an idle period after; and the panel's frame styles (0.25 KB that madoguchi.js no
  // longer carries before the first open).
  ['ui', 8.25, 'the panel views and their styles, at first open'],
  // The English strings beyond the launcher's, fetched beside the views.
  ['en', 2, 'the rest of the English strings, with the views'],
  ['markdown', 1.5, 'Markdown parser, with the first formatted message'],
  // The Japanese launcher strings are in madoguchi.js (0.25 KB): the launcher never waits for a file.
  ['ja', 2, 'the rest of the Japanese strings, with the views'],
  ['strings', 2.5, 'config.strings: checked and layered, when set'],
];
// 24 KB: the explicit engine seam, the locale fallback chain, record validation and wider
// redaction, paged history, the on-demand help centre, and live context and typing for the
// agent console live in madoguchi.js; the panel's strings and the Markdown renderer do not.
const WIDGET_BUDGET = 24 * KB;
/**
 * The demo's config (FAQ, flows, websocket, proactive rules) before the panel is first opened: the
 * loader, madoguchi.js, the flows' trigger check with the flow index it reads, and the proactive
 * rules with their file. The FAQ waits for the panel, the flow engine and the flow files for a
 * flow to start, the transport for something to carry.
 */
const DEMO_BEFORE_OPEN = ['triggers', 'insights'];
const DEMO_FILES = ['examples/flows/flows.index.json', 'examples/proactive/rules.json'];
const DEMO_BUDGET = 30 * KB;
// 70 KB: every engine, with the flows built by `madoguchi flow build` (the demo's way, and the
// README's). What a page needs before the first open comes in small chunks (strings by language,
// the survey apart from the proactive rules): each costs a few dozen bytes of its own.
const EVERYTHING_BUDGET = 70 * KB;
// With flows the build did not stamp, the validator comes too: the most a page can download.
const MOST_BUDGET = 77.5 * KB;

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const format = (n) => (n < KB ? `${n} B` : `${(n / KB).toFixed(2)} KB`);
let failed = false;
const row = (name, bytes, limit, note = '') => {
  const over = limit !== undefined && bytes > limit;
  failed ||= over;
  const verdict = limit === undefined ? note : `${format(limit).padEnd(10)} ${over ? `OVER by ${format(bytes - limit)}` : 'ok'}`;
  console.log(`${name.padEnd(60)} ${format(bytes).padEnd(10)} ${verdict}`);
};

/** A chunk graph: file → { imports, dynamicImports, size }; `closure` adds up what a file pulls in at once. */
function graphOf(chunks, sizeOf) {
  const byFile = new Map(chunks.map((c) => [c.file, c]));
  const closure = (file, seen = new Set()) => {
    if (seen.has(file)) return seen;
    seen.add(file);
    for (const dep of byFile.get(file)?.imports || []) closure(dep, seen);
    return seen;
  };
  const total = (files) => [...files].reduce((sum, f) => sum + sizeOf(f), 0);
  /** What loading `file` adds once `loaded` files are there. */
  const extra = (file, loaded) => total([...closure(file)].filter((f) => !loaded.has(f)));
  return { byFile, closure, total, extra };
}

function scriptTag() {
  console.log('script tag                                                   gzip       budget');
  try {
    row('loader.js (the snippet loads it)', gz(join(root, 'packages/loader/dist/loader.js')), 1 * KB);
  } catch {
    console.error('packages/loader/dist/loader.js is missing; run `npm run build` first');
    return (failed = true);
  }
  const chunks = JSON.parse(readFileSync(join(widgetDist, 'chunks.json'), 'utf8'));
  const g = graphOf(chunks, (f) => gz(join(widgetDist, f)));
  const widget = g.closure('madoguchi.js');
  const widgetBytes = g.total(widget);
  row('madoguchi.js + what it imports at once (before first open)', widgetBytes, WIDGET_BUDGET);
  // Compiled as it streams in, not on first call inside the boot and mount tasks (rollup.config.ts).
  if (!readFileSync(join(widgetDist, 'madoguchi.js'), 'utf8').startsWith('//# allFunctionsCalledOnLoad\n')) {
    console.error('madoguchi.js lost its compile hint (//# allFunctionsCalledOnLoad on its first line)');
    failed = true;
  }
  const engineFile = (name) => `madoguchi-${name}.js`;
  for (const [name, limit, what, after] of ENGINES) {
    if (!g.byFile.has(engineFile(name))) {
      console.error(`${engineFile(name)} is missing from the build`);
      failed = true;
      continue;
    }
    // An engine that always comes after another (the flow engine after the trigger check) adds what that one did not bring.
    const before = after ? new Set([...widget, ...g.closure(engineFile(after))]) : widget;
    row(`  + ${what}`, g.extra(engineFile(name), before), limit * KB);
  }
  const demo = new Set(widget);
  for (const name of DEMO_BEFORE_OPEN) for (const f of g.closure(engineFile(name))) demo.add(f);
  const files = DEMO_FILES.reduce((sum, f) => sum + gz(join(root, f)), 0);
  row(`demo config before first open (loader, ${DEMO_BEFORE_OPEN.join(', ')}, JSON)`, gz(join(root, 'packages/loader/dist/loader.js')) + g.total(demo) + files, DEMO_BUDGET);
  const all = [...g.byFile.keys()];
  row('everything loaded, flows built with `madoguchi flow build`', g.total(all.filter((f) => f != engineFile('flow-check'))), EVERYTHING_BUDGET);
  row('everything with the flow validator (the most a page can download)', g.total(all), MOST_BUDGET);
  return widgetBytes;
}

/** Packs @madoguchi/core and madoguchi, unpacks them into a fixture app's node_modules. */
function fixtureApp() {
  const dir = mkdtempSync(join(tmpdir(), 'madoguchi-size-'));
  const modules = join(dir, 'node_modules');
  for (const [pkg, name] of [
    ['packages/core', '@madoguchi/core'],
    ['packages/widget', 'madoguchi'],
  ]) {
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: join(root, pkg), encoding: 'utf8' }).trim().split('\n').pop();
    const target = join(modules, name);
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(dir, out), '-C', target, '--strip-components=1']);
  }
  // The dependencies an app already has, from this repository's install.
  for (const dep of ['preact', '@preact/signals', '@preact/signals-core', 'nanostores', 'idb-keyval']) {
    mkdirSync(dirname(join(modules, dep)), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), join(modules, dep), 'dir');
  }
  writeFileSync(join(dir, 'main.js'), "import { createMessenger } from 'madoguchi';\ncreateMessenger({ appId: 'fixture' });\n");
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n');
  return dir;
}

/** Which engine a fixture chunk holds: the packed package's chunks are named after their engine. */
function engineOf(sources) {
  for (const source of sources) {
    const match = /madoguchi[\\/]dist[\\/]chunks[\\/]([a-z]+(?:-[a-z]+)*)-[\w-]{8}\.js$/.exec(source);
    if (match && ENGINES.some(([name]) => name === match[1])) return match[1];
  }
}

async function esbuildApp(dir, widgetBytes) {
  const { build } = await import('esbuild');
  const outdir = join(dir, 'out-esbuild');
  const result = await build({
    entryPoints: [join(dir, 'main.js')],
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    outdir,
    metafile: true,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const chunks = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .map(([file, o]) => ({
      file: relative(dir, join(process.cwd(), file)),
      entry: !!o.entryPoint && o.entryPoint.endsWith('main.js'),
      imports: o.imports.filter((i) => i.kind === 'import-statement').map((i) => relative(dir, join(process.cwd(), i.path))),
      sources: Object.keys(o.inputs),
    }));
  report('esbuild', dir, chunks, widgetBytes);
}

async function viteApp(dir, widgetBytes) {
  const { build } = await import('vite');
  const outDir = join(dir, 'out-vite');
  await build({ root: dir, logLevel: 'silent', configFile: false, build: { outDir, manifest: true, modulePreload: false } });
  const manifest = JSON.parse(readFileSync(join(outDir, '.vite/manifest.json'), 'utf8'));
  const entries = Object.entries(manifest);
  const fileOf = (key) => join('out-vite', manifest[key].file);
  const chunks = entries.map(([key, c]) => ({
    file: join('out-vite', c.file),
    entry: !!c.isEntry,
    imports: (c.imports || []).map(fileOf),
    sources: [key, c.src || ''],
  }));
  report('Vite', dir, chunks, widgetBytes);
}

function report(tool, dir, chunks, widgetBytes) {
  const g = graphOf(chunks, (f) => gz(join(dir, f)));
  const entry = chunks.find((c) => c.entry);
  const loaded = g.closure(entry.file);
  // The app's own minifier goes over Preact and ours separately (the script tag's is one terser
  // pass over everything) and its bundler adds its loading runtime: 5% is their room.
  row(`${tool}: the app's entry chunk (createMessenger, UI, Preact)`, g.total(loaded), Math.round(widgetBytes * 1.05));
  const seen = new Set();
  const fileOf = new Map();
  for (const c of chunks) {
    const name = c.entry ? undefined : engineOf(c.sources);
    if (name && !fileOf.has(name) && !loaded.has(c.file)) fileOf.set(name, c.file);
  }
  for (const [name, file] of fileOf) {
    seen.add(name);
    const [, limit, what, after] = ENGINES.find(([n]) => n === name);
    const before = after && fileOf.has(after) ? new Set([...loaded, ...g.closure(fileOf.get(after))]) : loaded;
    row(`  + ${what}`, g.extra(file, before), limit * KB);
  }
  for (const [name] of ENGINES)
    if (!seen.has(name)) {
      console.error(`${tool}: no chunk of its own holds the ${name} engine (it is in the entry chunk)`);
      failed = true;
    }
}

const widgetBytes = scriptTag();
// Not on a host page: what an agent's browser loads from the relay.
try {
  row('\nagent console (the relay serves it at /agent)', gz(join(root, 'packages/relay/dist/console.js')), 26 * KB);
} catch {
  console.error('packages/relay/dist/console.js is missing; run `npm run build` first');
  failed = true;
}
console.log('\nnpm (a fixture app built from the packed packages)             gzip       budget');
const dir = fixtureApp();
try {
  await viteApp(dir, widgetBytes);
  await esbuildApp(dir, widgetBytes);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (readdirSync(widgetDist).length === 0) failed = true;
process.exitCode = failed ? 1 : 0;
