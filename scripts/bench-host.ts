/**
 * What a support widget costs its host page, measured in real Chromium.
 *
 * `npm run build && npm run bench:host` compares, in one interleaved run, Madoguchi (bare, with the
 * demo config and the 1,786-article Japanese FAQ, with 0 / 1,000 / 10,000 stored messages) and its
 * peers (Typebot, Botpress webchat, react-chat-widget, rasa-webchat, installed into a temporary
 * folder) at 1× and 4× CPU slowdown, and prints medians, ratios and the targets with pass/fail:
 * see scripts/bench-host/compare.ts for the flags (`--runs=N`, `--quick`, `--latency=MS`…).
 *
 * `npm run bench:host -- --demo-page` is the detailed view of the example page alone: the page
 * without the snippet beside it with the loopback and WebSocket transports, with the script that
 * ran in each long task (`--runs=N`, default 5). Its helpers below are also what
 * tests/e2e/host-cost.test.ts holds the widget to.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newContext, startDemo } from '../tests/e2e/support';
import { compare } from './bench-host/compare';
import { listen, type Signals } from './bench-host/signals';
import { median } from './bench-host/stats';

/** A task that kept the main thread busy for more than 50 ms. */
export interface LongTask {
  start: number;
  duration: number;
  /** A long animation frame over the same time ran a script of the widget (loader.js, madoguchi*.js). */
  widget: boolean;
  /** What ran in the overlapping long animation frames, longest first ("<file> <invoker> <ms>"). */
  scripts: string[];
  /** The overlapping frames name scripts, none of them the widget's: the host's own task. */
  host: boolean;
}

export interface PhaseCost {
  longTasks: LongTask[];
  /** Sum of layout-shift values; during load only shifts without recent input, as CLS counts them. */
  shift: number;
  /** The part of `shift` whose moved nodes are the widget's. */
  widgetShift: number;
  /** Bytes over the wire by kind (headers included; the demo server does not compress). */
  bytes: Record<ByteKind, number>;
  /** Files fetched in this phase (path → bytes). */
  files: Record<string, number>;
}

export interface PageCost {
  load: PhaseCost;
  /** Only when the page was opened: the first click on the launcher and what followed. */
  open?: PhaseCost & { clickToVisibleMs: number };
  /** Main-thread time (ms) from the renderer's start to the end of load, from CDP Performance metrics. */
  main: { task: number; script: number; layout: number; style: number; heapMB: number };
  /** From the widget bundle's arrival to its `ready` event (wall clock). */
  bundleToReadyMs?: number;
}

/** 'host page' includes the HTML, so the inline snippet on the widget page; 'other json' is what else the widget fetches (proactive rules…). */
export const BYTE_KINDS = ['host page', 'loader.js', 'madoguchi*.js', 'faq json', 'flow json', 'other json', 'relay frames'] as const;
export type ByteKind = (typeof BYTE_KINDS)[number];

const kindOf = (url: string): ByteKind => {
  const path = new URL(url).pathname;
  if (path.endsWith('/madoguchi/loader.js')) return 'loader.js';
  if (path.startsWith('/madoguchi/')) return 'madoguchi*.js';
  if (path.startsWith('/faq/')) return 'faq json';
  if (path.startsWith('/flows/')) return 'flow json';
  if (path.startsWith('/relay/')) return 'relay frames';
  if (path.endsWith('.json')) return 'other json';
  return 'host page';
};

interface InPage {
  tasks: Array<{ start: number; duration: number }>;
  /** Long animation frames: the scripts that ran in them and the time spent rendering at their end. */
  frames: Array<{ start: number; end: number; render: number; scripts: Array<{ url: string; what: string; duration: number; layout: number }> }>;
  shifts: Array<{ start: number; value: number; input: boolean; widget: boolean }>;
  clickAt?: number;
  visibleAt?: number;
  expectLast?: string;
}

/**
 * Runs in the page before any of its scripts (plain JavaScript, so no compiler helper leaks into
 * it): observers for long tasks, long animation frames (they name the scripts that ran) and
 * layout shifts; the time from the first click on the launcher to a visible panel (and, when
 * `expectLast` is set, its last message rendered); with `ready`, a queued
 * `Madoguchi('on', 'ready')` that marks when the widget is up; with `seed`, the boot config's
 * transport is swapped for an adapter object that delivers that many agent messages.
 */
const INSTRUMENT = String.raw`(function (ready, seed) {
  var cost = (window.__hostCost = { tasks: [], frames: [], shifts: [] });
  function watch(type, fn) {
    try { new PerformanceObserver(function (list) { list.getEntries().forEach(fn); }).observe({ type: type, buffered: true }); } catch (e) {}
  }
  function inWidget(node) {
    var root = node && node.getRootNode();
    var el = root && root.host ? root.host : node;
    return !!el && el.localName === 'madoguchi-widget';
  }
  watch('longtask', function (e) { cost.tasks.push({ start: e.startTime, duration: e.duration }); });
  watch('long-animation-frame', function (e) {
    var scripts = (e.scripts || []).map(function (s) {
      var file = String(s.sourceURL || '').replace(/^[a-z]+:\/\/[^/]+/, '');
      return { url: file, what: (file || s.name) + ' ' + s.invokerType + (s.invoker ? ' ' + String(s.invoker).slice(0, 60) : ''), duration: s.duration, layout: s.forcedStyleAndLayoutDuration || 0 };
    });
    var render = e.renderStart ? e.startTime + e.duration - e.renderStart : 0;
    cost.frames.push({ start: e.startTime, end: e.startTime + e.duration, scripts: scripts, render: render });
  });
  watch('layout-shift', function (e) {
    cost.shifts.push({ start: e.startTime, value: e.value, input: e.hadRecentInput, widget: (e.sources || []).some(function (s) { return inWidget(s.node); }) });
  });
  addEventListener('click', function (e) {
    var path = e.composedPath();
    var onLauncher = path.some(function (n) { return n.classList && n.classList.contains('launcher'); });
    if (cost.clickAt !== undefined || !onLauncher || !path.some(function (n) { return n.localName === 'madoguchi-widget'; })) return;
    cost.clickAt = e.timeStamp;
    function check() {
      var root = document.querySelector('madoguchi-widget');
      root = root && root.shadowRoot;
      var dialog = root && root.querySelector('[role="dialog"]');
      var last = root && root.querySelector('.log > li:last-child');
      var shown = !!dialog && !dialog.hidden && dialog.checkVisibility() && dialog.getBoundingClientRect().height > 0;
      var done = !cost.expectLast || (!!last && (last.textContent || '').indexOf(cost.expectLast) >= 0 && last.getBoundingClientRect().height > 0);
      // The frame that shows it is painted right after this callback: a task queued now runs after the paint.
      if (shown && done) setTimeout(function () { cost.visibleAt = performance.now(); console.debug('__bench:visible'); });
      else requestAnimationFrame(check);
    }
    requestAnimationFrame(check);
  }, true);
  if (!ready) return;
  var agent = {
    connect: function (session, sink) {
      var start = Date.now() - seed * 60000;
      for (var i = 1; i <= seed; i++)
        sink.message({
          id: 'seed-' + i, authorName: 'Mika', at: start + i * 60000,
          text: i === seed ? 'Seeded message ' + i + ': the last one.'
            : 'Seeded message ' + i + ': see **step ' + (i % 7) + '** in [the guide](https://example.com/guide/' + i + ') and reply when done.'
        });
    },
    send: function () { return Promise.resolve(); },
    handoff: function () { return Promise.resolve(); },
    close: function () {}
  };
  window.Madoguchi = function () {
    var args = Array.prototype.slice.call(arguments);
    if (seed && args[0] === 'boot') args[1] = Object.assign({}, args[1], { transport: agent });
    (window.Madoguchi.q = window.Madoguchi.q || []).push(args);
  };
  window.Madoguchi('on', 'ready', function () { performance.mark('madoguchi-ready'); console.debug('__bench:ready'); });
})`;

/** Records in the widget's IndexedDB database whose key starts with `prefix` (every store). */
export function storedRecords(page: Page, prefix: string, database = 'madoguchi-acme'): Promise<Array<[string, unknown]>> {
  return page.evaluate(
    ([name, prefix]) =>
      new Promise<Array<[string, unknown]>>((resolve, reject) => {
        const request = indexedDB.open(name!);
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const stores = Array.from(db.objectStoreNames);
          if (!stores.length) return db.close(), resolve([]);
          const t = db.transaction(stores, 'readonly');
          const out: Array<[string, unknown]> = [];
          const range = IDBKeyRange.bound(prefix, prefix + '\uffff');
          for (const store of stores) {
            const s = t.objectStore(store);
            const keys = s.getAllKeys(range);
            const values = s.getAll(range);
            values.onsuccess = () => keys.result.forEach((k, i) => out.push([String(k), values.result[i]]));
          }
          t.oncomplete = () => (db.close(), resolve(out));
          t.onerror = () => (db.close(), reject(t.error));
        };
      }),
    [database, prefix],
  );
}

/** Records bytes per URL from the DevTools protocol, and says when the network has gone quiet. */
async function watchNetwork(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  const urls = new Map<string, string>();
  const bytes: Array<{ url: string; size: number }> = [];
  const inFlight = new Set<string>();
  let lastActivity = Date.now();
  const touch = () => (lastActivity = Date.now());
  cdp.on('Network.requestWillBeSent', (e) => {
    urls.set(e.requestId, e.request.url);
    inFlight.add(e.requestId);
    touch();
  });
  cdp.on('Network.loadingFinished', (e) => {
    const url = urls.get(e.requestId);
    if (url) bytes.push({ url, size: e.encodedDataLength });
    inFlight.delete(e.requestId);
    touch();
  });
  cdp.on('Network.loadingFailed', (e) => {
    inFlight.delete(e.requestId);
    touch();
  });
  cdp.on('Network.webSocketCreated', (e) => urls.set(e.requestId, e.url.replace(/^ws/, 'http')));
  const frame = (e: { requestId: string; response: { payloadData: string } }) => {
    bytes.push({ url: urls.get(e.requestId) || 'http://localhost/relay/ws', size: Buffer.byteLength(e.response.payloadData) });
    touch();
  };
  cdp.on('Network.webSocketFrameSent', frame);
  cdp.on('Network.webSocketFrameReceived', frame);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Performance.enable');
  return {
    /** Bytes recorded since the last call. */
    take() {
      return bytes.splice(0);
    },
    /** Resolves once no request is in flight and nothing happened for `quietMs` (at most `capMs`). */
    async quiet(quietMs = 400, capMs = 5000) {
      const end = Date.now() + capMs;
      while (Date.now() < end && (inFlight.size || Date.now() - lastActivity < quietMs)) await new Promise((r) => setTimeout(r, 50));
    },
    async metrics() {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const get = (name: string) => metrics.find((m) => m.name === name)?.value || 0;
      return { task: get('TaskDuration') * 1000, script: get('ScriptDuration') * 1000, layout: get('LayoutDuration') * 1000, style: get('RecalcStyleDuration') * 1000, heapMB: get('JSHeapUsedSize') / 2 ** 20 };
    },
  };
}

const emptyBytes = () => Object.fromEntries(BYTE_KINDS.map((k) => [k, 0])) as Record<ByteKind, number>;

function phase(state: InPage, from: number, to: number, received: Array<{ url: string; size: number }>, countInputShifts: boolean): PhaseCost {
  const within = (t: number) => t >= from && t < to;
  const longTasks = state.tasks
    .filter((t) => within(t.start))
    .map((t) => {
      const frames = state.frames.filter((f) => f.start <= t.start + t.duration && t.start <= f.end);
      const scripts = frames.flatMap((f) => f.scripts).sort((a, b) => b.duration - a.duration);
      const render = frames.reduce((a, f) => a + f.render, 0);
      return {
        ...t,
        widget: scripts.some((x) => x.url.startsWith('/madoguchi/')),
        host: scripts.length > 0 && !scripts.some((x) => x.url.startsWith('/madoguchi/')),
        scripts: [
          ...scripts.map((x) => `${x.what} ${x.duration.toFixed(0)} ms${x.layout >= 1 ? ` (forced style/layout ${x.layout.toFixed(0)} ms)` : ''}`),
          ...(render >= 1 ? [`rendering ${render.toFixed(0)} ms`] : []),
        ],
      };
    });
  const shifts = state.shifts.filter((s) => within(s.start) && (countInputShifts || !s.input));
  const bytes = emptyBytes();
  const files: Record<string, number> = {};
  for (const { url, size } of received) {
    const kind = kindOf(url);
    bytes[kind] += size;
    const path = new URL(url).pathname;
    files[path] = (files[path] || 0) + size;
  }
  const sum = (list: typeof shifts) => list.reduce((a, s) => a + s.value, 0);
  return { longTasks, shift: sum(shifts), widgetShift: sum(shifts.filter((s) => s.widget)), bytes, files };
}

export interface MeasureOptions {
  /** The page has the widget (waits for its `ready` event). */
  widget: boolean;
  /** Click the launcher after load and measure the first open. */
  open?: boolean;
  /** Deliver this many agent messages through a custom transport (see INSTRUMENT). */
  seed?: number;
  /** With `open`: the panel counts as shown once its last message contains this text. */
  expectLast?: string;
}

const inPage = (page: Page) => page.evaluate(() => (window as any).__hostCost as InPage);

/** Waits for the load event, the widget's `ready` (when there is a widget) and a quiet network. */
export async function settle(page: Page, net: Awaited<ReturnType<typeof watchNetwork>>, widget: boolean, signals: Signals) {
  await page.waitForLoadState('load');
  if (widget) await signals.next('ready', "the widget's ready event", 15_000);
  await net.quiet();
}

/**
 * Loads `url` in a fresh context (empty cache and storage) and measures what the page costs, in
 * the load phase and, with `open`, on the first open of the widget.
 */
export async function measureHostPage(browser: Browser, url: string, options: MeasureOptions): Promise<PageCost> {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    return await measureInPage(page, url, options);
  } finally {
    await context.close();
  }
}

/** As `measureHostPage`, in a page the caller owns (storage kept between calls in one context). */
export async function measureInPage(page: Page, url: string, options: MeasureOptions): Promise<PageCost> {
  await page.addInitScript({ content: `${INSTRUMENT}(${options.widget}, ${options.seed || 0});` });
  const net = await watchNetwork(page);
  const signals = listen(page);
  await page.goto(url);
  await settle(page, net, options.widget, signals);
  const loaded = await page.evaluate(() => performance.now());
  const main = await net.metrics();
  let state = await inPage(page);
  const result: PageCost = { load: phase(state, 0, loaded, net.take(), false), main };
  if (options.widget) {
    result.bundleToReadyMs = await page.evaluate(() => {
      const bundle = performance.getEntriesByType('resource').find((r) => /\/madoguchi\/madoguchi\.js$/.test(r.name)) as PerformanceResourceTiming | undefined;
      const ready = performance.getEntriesByName('madoguchi-ready')[0];
      return bundle && ready ? ready.startTime - bundle.responseEnd : NaN;
    });
  }
  if (options.open) {
    if (options.expectLast) await page.evaluate((text) => ((window as any).__hostCost.expectLast = text), options.expectLast);
    const from = await page.evaluate(() => performance.now());
    await page.getByRole('button', { name: 'Open support', exact: true }).click();
    await signals.next('visible', 'the panel', 10_000);
    await net.quiet();
    await page.waitForTimeout(100);
    state = await inPage(page);
    const to = await page.evaluate(() => performance.now());
    result.open = { ...phase(state, from, to, net.take(), true), clickToVisibleMs: state.visibleAt! - state.clickAt! };
  }
  return result;
}

const until = async (test: () => Promise<boolean>, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * Loads `url` (it should say `storage=always`) with a transport adapter object that delivers
 * `count` agent messages through the widget's own path, and waits until IndexedDB holds them all.
 */
export async function seedConversation(page: Page, url: string, count: number) {
  await measureInPage(page, url, { widget: true, seed: count });
  // The line comes up when there is something to carry: opening the panel brings the agent's messages.
  await page.evaluate(() => (window as any).Madoguchi('open'));
  await until(async () => (await storedRecords(page, 'm:')).length >= count, `${count} messages in IndexedDB`);
  await closeAndKeep(page);
}

/** Closes the panel and waits until the stored session says so, so the next load starts closed. */
export async function closeAndKeep(page: Page) {
  await page.evaluate(() => (window as any).Madoguchi('close'));
  await until(async () => (await storedRecords(page, 's')).some(([k, v]) => k === 's' && !(v as { open?: boolean }).open), 'the closed panel in IndexedDB');
}

/**
 * Long tasks and layout shift the widget page has that the page without it does not explain: tasks
 * whose long animation frame ran a widget script, plus unnamed ones beyond the baseline's count;
 * tasks that ran only host scripts are the host's.
 */
export function widgetShare(baseline: PageCost, withWidget: PageCost) {
  const unexplained = (p: PhaseCost, base: PhaseCost | undefined) => {
    const own = p.longTasks.filter((t) => t.widget).length;
    // Tasks that name no script (style, layout, garbage collection) count beyond what the page without the widget had.
    const other = p.longTasks.filter((t) => !t.widget && !t.host).length;
    return own + Math.max(0, other - (base ? base.longTasks.length : 0));
  };
  const longTasks = unexplained(withWidget.load, baseline.load) + (withWidget.open ? unexplained(withWidget.open, undefined) : 0);
  const shift =
    withWidget.load.widgetShift +
    Math.max(0, withWidget.load.shift - withWidget.load.widgetShift - baseline.load.shift) +
    (withWidget.open ? withWidget.open.shift : 0);
  return { longTasks, shift };
}

async function main() {
  const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7)) || 5;
  const root = fileURLToPath(new URL('..', import.meta.url));
  if (!existsSync(`${root}packages/loader/dist/loader.js`) || !existsSync(`${root}packages/widget/dist/madoguchi.js`)) {
    console.error('The bundles are missing: run `npm run build` first.');
    process.exit(1);
  }
  const started = Date.now();
  const [browser, demo] = await Promise.all([launchChromium(), startDemo({ relay: true })]);
  const variants = [
    { name: 'no widget', url: `${demo.url}?widget=off`, options: { widget: false } },
    { name: 'widget, loopback', url: `${demo.url}?transport=loopback`, options: { widget: true, open: true } },
    { name: 'widget, websocket', url: demo.url, options: { widget: true, open: true } },
  ];
  const results: PageCost[][] = variants.map(() => []);
  try {
    // Interleaved, so a noisy moment on the machine touches every variant alike.
    for (let i = 0; i < runs; i++)
      for (const [v, variant] of variants.entries()) results[v]!.push(await measureHostPage(browser, variant.url, variant.options));
    // A returning user with a long history: 1,000 messages restored from IndexedDB, then opened.
    const context = await newContext(browser);
    const seeding = await context.newPage();
    await seedConversation(seeding, `${demo.url}?transport=loopback&storage=always`, 1000);
    await seeding.close();
    const long: PageCost[] = [];
    for (let i = 0; i < Math.min(runs, 3); i++) {
      const page = await context.newPage();
      long.push(await measureInPage(page, `${demo.url}?transport=loopback&storage=always`, { widget: true, open: true, expectLast: 'Seeded message 1000' }));
      await closeAndKeep(page);
      await page.close();
    }
    await context.close();
    report(variants.map((v) => v.name), results, long, runs);
  } finally {
    await browser.close();
    await demo.close();
  }
  console.log(`\n${runs} runs per column, medians; fresh browser context (empty cache and storage) per run; ${((Date.now() - started) / 1000).toFixed(0)} s in all.`);
}

function report(names: string[], results: PageCost[][], long: PageCost[], runs: number) {
  const [base, ...widgets] = results as [PageCost[], ...PageCost[][]];
  const rows: Array<[string, ...string[]]> = [];
  const kb = (n: number) => (Number.isFinite(n) ? (n / 1024).toFixed(1) + ' KB' : '—');
  const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(0) + ' ms' : '—');
  const num = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
  const row = (label: string, fn: (r: PageCost) => number, fmt: (n: number) => string) =>
    rows.push([label, ...results.map((list) => fmt(median(list.map(fn))))]);
  const total = (b: Record<ByteKind, number>) => BYTE_KINDS.reduce((a, k) => a + b[k], 0);
  const open = (fn: (p: NonNullable<PageCost['open']>) => number) => (r: PageCost) => (r.open ? fn(r.open) : NaN);

  rows.push(['page load', ...names.map(() => '')]);
  row('  long tasks > 50 ms', (r) => r.load.longTasks.length, num);
  row('    of which ran widget scripts', (r) => r.load.longTasks.filter((t) => t.widget).length, num);
  row('  longest task', (r) => Math.max(0, ...r.load.longTasks.map((t) => t.duration)), ms);
  row('  layout shift (CLS)', (r) => r.load.shift, (n) => num(n, 4));
  row('  bytes before interaction', (r) => total(r.load.bytes), kb);
  for (const kind of BYTE_KINDS) row(`    ${kind}`, (r) => r.load.bytes[kind], kb);
  rows.push(['boot (main thread)', ...names.map(() => '')]);
  row('  TaskDuration to settled', (r) => r.main.task, ms);
  row('  ScriptDuration', (r) => r.main.script, ms);
  row('  Layout + RecalcStyle', (r) => r.main.layout + r.main.style, ms);
  row('  JS heap used', (r) => r.main.heapMB, (n) => num(n, 1) + ' MB');
  row('  bundle arrived → ready (wall)', (r) => r.bundleToReadyMs ?? NaN, ms);
  rows.push(['first open', ...names.map(() => '')]);
  row('  click → panel visible', open((o) => o.clickToVisibleMs), ms);
  row('  long tasks > 50 ms', open((o) => o.longTasks.length), num);
  row('  layout shift (incl. input)', open((o) => o.shift), (n) => num(n, 4));
  row('  bytes after opening', open((o) => total(o.bytes)), kb);
  for (const kind of BYTE_KINDS) row(`    ${kind}`, open((o) => o.bytes[kind]), kb);

  const width = [Math.max(...rows.map((r) => r[0].length)) + 2, ...names.map((n) => Math.max(n.length, 10) + 3)];
  const line = (cells: string[]) => cells.map((c, i) => (i ? c.padStart(width[i]!) : c.padEnd(width[0]!))).join('');
  console.log(line(['', ...names]));
  for (const r of rows) console.log(line(r));

  // Boot cost beside the page without the widget.
  console.log('\nwidget boot, main thread beyond the page without it (medians):');
  for (const [i, list] of widgets.entries()) {
    const d = (fn: (r: PageCost) => number) => median(list.map(fn)) - median(base.map(fn));
    console.log(`  ${names[i + 1]}: TaskDuration +${ms(d((r) => r.main.task))}, ScriptDuration +${ms(d((r) => r.main.script))}, layout+style +${ms(d((r) => r.main.layout + r.main.style))}`);
  }

  // The widget's own files, with what they weigh gzipped (the demo server sends them uncompressed).
  const files = new Map<string, { load: number; open: number }>();
  for (const r of widgets[0]!) {
    for (const [path, n] of Object.entries(r.load.files)) files.set(path, { load: n, open: files.get(path)?.open || 0 });
    for (const [path, n] of Object.entries(r.open?.files || {})) files.set(path, { load: files.get(path)?.load || 0, open: n });
  }
  console.log(`\nthe widget's files (${names[1]}; bytes as served, headers included; gzip -9 of the file):`);
  const root = fileURLToPath(new URL('..', import.meta.url));
  const disk = (path: string) => {
    const mounts: Array<[string, string]> = [['/madoguchi/', 'packages/loader/dist/'], ['/madoguchi/', 'packages/widget/dist/'], ['/faq/', 'examples/faq/'], ['/flows/', 'examples/flows/'], ['/', 'examples/script-tag/']];
    for (const [prefix, dir] of mounts) {
      const file = root + dir + path.slice(prefix.length);
      if (path.startsWith(prefix) && existsSync(file)) return gzipSync(readFileSync(file), { level: 9 }).length;
    }
    return NaN;
  };
  for (const [path, { load, open }] of [...files].sort()) {
    if (!/^\/madoguchi\/|\.json$/.test(path)) continue;
    console.log(`  ${path.padEnd(34)} ${(load ? 'before interaction' : 'after opening').padEnd(20)} ${kb(load || open).padStart(9)}   gzip ${kb(disk(path)).padStart(8)}`);
  }

  const tasks = (label: string, list: PageCost[]) => {
    for (const [i, r] of list.entries())
      for (const [when, p] of [['load', r.load], ['open', r.open]] as const)
        for (const t of p?.longTasks || [])
          console.log(`  ${label}, run ${i + 1}, ${when}: ${t.duration.toFixed(0)} ms task at ${t.start.toFixed(0)} ms${t.widget ? '' : ' (no widget script in it)'}\n      ${t.scripts.slice(0, 4).join('\n      ') || '(no script over 5 ms: style, layout, paint)'}`);
  };
  if (widgets.some((list) => list.some((r) => r.load.longTasks.length || r.open?.longTasks.length)) || long.length) {
    console.log('\nlong tasks on the widget pages, and what ran in them (long animation frames):');
    for (const [i, list] of widgets.entries()) tasks(names[i + 1]!, list);
    tasks('1,000 messages', long);
  }

  if (long.length) {
    console.log(`\n1,000-message conversation restored from IndexedDB (loopback, ${long.length} runs, medians):`);
    console.log(`  page load: long tasks ${num(median(long.map((r) => r.load.longTasks.length)))} (longest ${ms(median(long.map((r) => Math.max(0, ...r.load.longTasks.map((t) => t.duration)))))}), layout shift ${num(median(long.map((r) => r.load.shift)), 4)}, TaskDuration ${ms(median(long.map((r) => r.main.task)))}, JS heap ${num(median(long.map((r) => r.main.heapMB)), 1)} MB`);
    console.log(`  click → panel visible with its last message: ${ms(median(long.map((r) => r.open!.clickToVisibleMs)))} (target < 100 ms); long tasks on open ${num(median(long.map((r) => r.open!.longTasks.length)))}`);
  }

  const shares = widgets.map((list) => list.map((r, i) => widgetShare(base[i]!, r)));
  for (const [i, list] of shares.entries())
    console.log(`\n${names[i + 1]}: long tasks caused by the widget: ${num(median(list.map((s) => s.longTasks)))}; layout shift caused by the widget: ${num(median(list.map((s) => s.shift)), 4)}`);
  const worst = shares.flat();
  console.log(
    `\nlong tasks caused by the widget: ${num(Math.max(...shares.map((l) => median(l.map((s) => s.longTasks)))))}; layout shift caused by the widget: ${num(Math.max(...shares.map((l) => median(l.map((s) => s.shift)))), 4)}` +
      ` (worst single run: ${Math.max(...worst.map((s) => s.longTasks))} long tasks, ${num(Math.max(...worst.map((s) => s.shift)), 4)} shift, of ${runs * widgets.length})`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    if (process.argv.includes('--demo-page')) await main();
    else await compare(process.argv.slice(2));
  } catch (error) {
    console.error(`bench:host: ${(error as Error).message}`);
    process.exit(1);
  }
}
