/**
 * One measured page load of one widget in real Chromium: bytes by phase, long tasks, layout shift,
 * the moment the launcher is painted, click → panel painted, retained JS heap, and (for the FAQ
 * set-up) keystroke → painted suggestions. Widget-neutral: a widget is named by its launcher and
 * panel elements (see widgets.ts).
 */
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, newContext } from '../../tests/e2e/support';
import { listen, type Signals } from './signals';
import { totalBlockingTime } from './stats';
import { STORED_APP_ID, type Target, type WidgetSpec } from './widgets';

/** Chromium as the browser tests start it, with every host but the loopback one unresolvable: nothing leaves the machine. */
export function launchOffline(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'],
  });
}

export interface Sample {
  /** Gzip body bytes of JavaScript whose response ended before the launcher was painted (Resource Timing). */
  jsByLauncher: number;
  /** Gzip body bytes (headers left out) of JavaScript fetched before the first click, and after it. */
  jsBefore: number;
  jsAfter: number;
  /** Everything but the host page's HTML fetched before the first click (scripts, styles, data, fonts). */
  widgetBefore: number;
  longTasks: number;
  longTasksOpen: number;
  /** Long tasks while the FAQ queries were typed (widgets with `suggestions`; NaN otherwise), and each of them. */
  longTasksTyping: number;
  typingTasks: TaskNote[];
  /** Total blocking time from navigation to the settled page, and from the click to the settled panel. */
  tbt: number;
  tbtOpen: number;
  /** Layout shift without recent input, from navigation to the settled page. */
  cls: number;
  /** Navigation start → the launcher painted. */
  launcherMs: number;
  /** Click → the panel painted. */
  openMs: number;
  /** JS heap used after the panel opened and a garbage collection. */
  heapMB: number;
  /** Keystroke → painted suggestions, less the debounce, per typed query; NaN where none came. */
  suggestions: number[];
  /** Each long task of the load phase: when, how long, and (with `loaf`) what the long animation frames over it ran ("<file> <invoker> <ms>", longest first). */
  tasks: TaskNote[];
  /** Requests that failed or got an error status, and requests to hosts other than this machine. */
  failed: string[];
  offsite: string[];
}

export interface RunOptions {
  cpu: number;
  /** Queries typed into the message box (widgets with `suggestions`). */
  queries: string[];
  debounceMs: number;
  /**
   * Also observe long animation frames, to name the scripts that ran in each long task. Off by
   * default: to name a script's position Chromium collects its source positions, which re-parses
   * it, so observing them lengthens the very tasks being measured (by 10–30 ms for madoguchi.js at 4×).
   */
  loaf?: boolean;
}

export interface TaskNote {
  start: number;
  duration: number;
  scripts: string[];
}

interface InPage {
  tasks: Array<{ start: number; duration: number }>;
  frames: Array<{ start: number; end: number; scripts: Array<{ what: string; duration: number }> }>;
  shifts: Array<{ start: number; value: number; input: boolean }>;
  launcherAt?: number;
  clickAt?: number;
  openAt?: number;
  armed?: boolean;
}

/**
 * Runs before any script of the page (plain JavaScript): observers for long tasks and layout
 * shifts; a check each frame for the launcher (once its element is in the document), then (after
 * the bench's click) for the panel. Each moment is taken in a task queued from the frame that first
 * shows the element, so after its paint, and told to the bench as a console message (see `Signals`).
 */
const INSTRUMENT = String.raw`(function (launcher, panel, expectLast, loaf) {
  var s = (window.__bench = { tasks: [], frames: [], shifts: [] });
  function signal(name, t) { s[name] = t; console.debug('__bench:' + name); }
  function watch(type, fn) {
    try { new PerformanceObserver(function (list) { list.getEntries().forEach(fn); }).observe({ type: type, buffered: true }); } catch (e) {}
  }
  watch('longtask', function (e) { s.tasks.push({ start: e.startTime, duration: e.duration }); });
  if (loaf) watch('long-animation-frame', function (e) {
    var scripts = (e.scripts || []).map(function (x) {
      var file = String(x.sourceURL || '').replace(/^[a-z]+:\/\/[^/]+/, '').replace(/\?.*$/, '');
      return { what: (file || x.name) + ' ' + x.invokerType + ' ' + Math.round(x.duration), duration: x.duration };
    });
    s.frames.push({ start: e.startTime, end: e.startTime + e.duration, scripts: scripts });
  });
  watch('layout-shift', function (e) { s.shifts.push({ start: e.startTime, value: e.value, input: e.hadRecentInput }); });
  function find(t) {
    if (!t.host) return document.querySelector(t.selector);
    var hosts = document.querySelectorAll(t.host);
    for (var i = 0; i < hosts.length; i++) {
      var el = hosts[i].shadowRoot && hosts[i].shadowRoot.querySelector(t.selector);
      if (el) return el;
    }
    return null;
  }
  function shown(el) {
    if (!el) return false;
    var r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && (!el.checkVisibility || el.checkVisibility({ opacityProperty: true, visibilityProperty: true }));
  }
  function when(test, done) {
    function check() { if (test()) setTimeout(function () { done(performance.now()); }); else requestAnimationFrame(check); }
    requestAnimationFrame(check);
  }
  if (!launcher) return;
  // Frames are polled only once the launcher's element (or its shadow host) is in the document: a
  // requestAnimationFrame loop from the start would make the browser render frames all through the
  // host page's own load, and so add to the very tasks being counted.
  function inDocument(t, then) {
    var sel = t.host || t.selector;
    if (document.querySelector(sel)) return then();
    var seen = new MutationObserver(function () {
      if (!document.querySelector(sel)) return;
      seen.disconnect();
      then();
    });
    seen.observe(document, { childList: true, subtree: true });
  }
  inDocument(launcher, function () {
    when(function () { return shown(find(launcher)); }, function (t) { signal('launcherAt', t); });
  });
  addEventListener('click', function (e) {
    if (!s.armed || s.clickAt !== undefined) return;
    s.clickAt = e.timeStamp;
    when(function () {
      if (!shown(find(panel))) return false;
      if (!expectLast) return true;
      var last = find({ host: panel.host, selector: '.log > li:last-child' });
      return !!last && (last.textContent || '').indexOf(expectLast) >= 0 && shown(last);
    }, function (t) { signal('openAt', t); });
  }, true);
})`;

/** The scripts that long animation frames overlapping a task ran, longest first. */
function scriptsIn(state: InPage, task: { start: number; duration: number }): string[] {
  const over = state.frames.filter((f) => f.start < task.start + task.duration && f.end > task.start);
  return over.flatMap((f) => f.scripts).sort((a, b) => b.duration - a.duration).map((x) => x.what).slice(0, 4);
}

/** Gzip body bytes (headers left out, as `npm run size` counts), failures and off-machine requests from the DevTools protocol, split at the first click. */
async function watchNetwork(cdp: CDPSession) {
  const requests = new Map<string, { url: string; mime: string; status: number; phase: 'load' | 'open'; headers: number }>();
  const bytes = { load: { js: 0, all: 0 }, open: { js: 0, all: 0 } };
  const failed = new Set<string>();
  const offsite = new Set<string>();
  const scripts = new Set<string>();
  let phase: 'load' | 'open' = 'load';
  let inFlight = 0;
  let lastActivity = Date.now();
  // Local paths without their query (a retried poll counts once); other hosts in full.
  const short = (url: string) => (/^https?:\/\/(localhost|127\.0\.0\.1):\d+\//.test(url) ? new URL(url).pathname : url).slice(0, 120);
  cdp.on('Network.requestWillBeSent', (e) => {
    if (/^(data|blob):/.test(e.request.url)) return;
    const host = new URL(e.request.url).hostname;
    if (host !== 'localhost' && host !== '127.0.0.1') offsite.add(`${e.request.method} ${e.request.url.slice(0, 120)}`);
    if (!requests.has(e.requestId)) inFlight++;
    requests.set(e.requestId, { url: e.request.url, mime: '', status: 0, phase, headers: 0 });
    lastActivity = Date.now();
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = requests.get(e.requestId);
    if (!r) return;
    r.mime = e.response.mimeType;
    r.status = e.response.status;
    // What arrived with the response line: its headers (the body follows).
    r.headers = e.response.encodedDataLength || 0;
    if (r.status >= 400) failed.add(`${r.status} ${short(r.url)}`);
  });
  const done = (id: string) => {
    const r = requests.get(id);
    if (!r) return undefined;
    requests.delete(id);
    inFlight = Math.max(0, inFlight - 1);
    lastActivity = Date.now();
    return r;
  };
  cdp.on('Network.loadingFinished', (e) => {
    const r = done(e.requestId);
    if (!r) return;
    const isJs = /javascript|ecmascript/.test(r.mime);
    if (isJs) scripts.add(r.url);
    const isPage = r.mime === 'text/html';
    const body = Math.max(0, e.encodedDataLength - r.headers);
    bytes[r.phase].js += isJs ? body : 0;
    bytes[r.phase].all += isPage ? 0 : body;
  });
  cdp.on('Network.loadingFailed', (e) => {
    const r = done(e.requestId);
    if (r) failed.add(`${e.errorText} ${short(r.url)}`);
  });
  const frame = () => (lastActivity = Date.now());
  cdp.on('Network.webSocketFrameSent', frame);
  cdp.on('Network.webSocketFrameReceived', frame);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  return {
    bytes,
    failed,
    offsite,
    scripts,
    startOpen: () => (phase = 'open'),
    /** Resolves once nothing is in flight and nothing happened for `quietMs` (at most `capMs`: a peer may retry its dead cloud for ever). */
    async quiet(quietMs = 500, capMs = 5000) {
      const end = Date.now() + capMs;
      while (Date.now() < end && (inFlight > 0 || Date.now() - lastActivity < quietMs)) await sleep(50);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const state = (page: Page) => page.evaluate(() => (window as any).__bench as InPage);

/** A Playwright selector for a target (its CSS pierces open shadow roots). */
export const locatorFor = (t: Target) => (t.host ? `${t.host} ${t.selector}` : t.selector);

/**
 * Loads the widget's page in `context` (a fresh one when omitted) at the given CPU slowdown, waits
 * for the launcher and a quiet network, clicks the launcher, waits for the panel and a quiet
 * network, times the suggestions when the widget has them, then reads the heap.
 */
export async function measureWidget(browser: Browser, url: string, spec: WidgetSpec, options: RunOptions, context?: BrowserContext): Promise<Sample> {
  const own = !context;
  const ctx = context || (await newContext(browser));
  const page = await ctx.newPage();
  try {
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: options.cpu });
    await cdp.send('Performance.enable');
    const net = await watchNetwork(cdp);
    const hasLauncher = !!spec.launcher.selector;
    await page.addInitScript({
      content: `${INSTRUMENT}(${JSON.stringify(hasLauncher ? spec.launcher : null)}, ${JSON.stringify(spec.panel)}, ${JSON.stringify(spec.expectLast || '')}, ${!!options.loaf});`,
    });
    const slow = 15_000 * Math.max(1, options.cpu / 2);
    const signals = listen(page);
    await page.goto(url, { waitUntil: 'load', timeout: slow * 2 });
    if (hasLauncher) await signals.next('launcherAt', 'the launcher', slow);
    await net.quiet();
    await sleep(300);
    const loaded = await state(page);
    const settledAt = await page.evaluate(() => performance.now());
    const resources = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((e) => [e.name, (e as PerformanceResourceTiming).responseEnd, (e as PerformanceResourceTiming).encodedBodySize] as const),
    );
    const jsByLauncher = resources.filter(([name, end]) => net.scripts.has(name) && end <= (loaded.launcherAt ?? 0)).reduce((a, [, , size]) => a + size, 0);
    const sample: Sample = {
      jsByLauncher: loaded.launcherAt === undefined ? NaN : jsByLauncher,
      jsBefore: net.bytes.load.js,
      widgetBefore: net.bytes.load.all,
      jsAfter: NaN,
      longTasks: loaded.tasks.length,
      tasks: loaded.tasks.map((t) => ({ start: Math.round(t.start), duration: Math.round(t.duration), scripts: scriptsIn(loaded, t) })),
      tbt: totalBlockingTime(loaded.tasks.map((t) => t.duration)),
      cls: loaded.shifts.filter((s) => !s.input).reduce((a, s) => a + s.value, 0),
      launcherMs: loaded.launcherAt ?? NaN,
      longTasksOpen: NaN,
      longTasksTyping: NaN,
      typingTasks: [],
      tbtOpen: NaN,
      openMs: NaN,
      heapMB: NaN,
      suggestions: [],
      failed: [],
      offsite: [],
    };
    if (hasLauncher) {
      net.startOpen();
      await page.evaluate(() => ((window as any).__bench.armed = true));
      await page.locator(locatorFor(spec.launcher)).first().click({ timeout: slow });
      await signals.next('openAt', 'the panel', slow);
      await net.quiet();
      await sleep(300);
      const opened = await state(page);
      const openTasks = opened.tasks.filter((t) => t.start >= settledAt);
      Object.assign(sample, {
        jsAfter: net.bytes.open.js,
        longTasksOpen: openTasks.length,
        tbtOpen: totalBlockingTime(openTasks.map((t) => t.duration)),
        openMs: opened.openAt! - opened.clickAt!,
      });
      if (spec.suggestions) {
        const typingFrom = await page.evaluate(() => performance.now());
        sample.suggestions = await timeSuggestions(page, signals, options.queries, options.debounceMs, slow);
        const typed = await state(page);
        sample.typingTasks = typed.tasks.filter((t) => t.start >= typingFrom).map((t) => ({ start: Math.round(t.start - typingFrom), duration: Math.round(t.duration), scripts: scriptsIn(typed, t) }));
        sample.longTasksTyping = sample.typingTasks.length;
      }
    }
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    sample.heapMB = (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value || NaN) / 2 ** 20;
    sample.failed = [...net.failed];
    sample.offsite = [...net.offsite];
    if (spec.stored !== undefined) await closeAndKeep(page);
    return sample;
  } finally {
    await page.close();
    if (own) await ctx.close();
  }
}

/**
 * Readies the page for one typed query: the first input event's time, then the frame that first
 * shows a suggestion list (a string, so no compiler helper leaks into the page).
 */
const ARM_SUGGESTIONS = String.raw`(function () {
  var root = document.querySelector('madoguchi-widget').shadowRoot;
  var s = (window.__sugg = {});
  function onInput(e) { if (s.inputAt === undefined) s.inputAt = e.timeStamp; }
  root.addEventListener('input', onInput, true);
  var observer = new MutationObserver(function () {
    if (s.inputAt === undefined || s.seen || !root.querySelector('.sugg li')) return;
    s.seen = true;
    observer.disconnect();
    root.removeEventListener('input', onInput, true);
    requestAnimationFrame(function () { setTimeout(function () { s.paintedAt = performance.now(); console.debug('__bench:painted'); }); });
  });
  observer.observe(root, { subtree: true, childList: true, characterData: true });
})()`;

/**
 * Types each query into the message box as one input event (how an IME commits Japanese text)
 * and times it to the frame that paints the suggestion list, less the widget's debounce.
 */
async function timeSuggestions(page: Page, signals: Signals, queries: string[], debounceMs: number, timeout: number): Promise<number[]> {
  const box = page.locator('madoguchi-widget textarea');
  const out: number[] = [];
  for (const query of queries) {
    await box.fill('');
    await page.waitForFunction(() => !document.querySelector('madoguchi-widget')?.shadowRoot?.querySelector('.sugg li'), null, { timeout });
    signals.forget('painted');
    await page.evaluate(ARM_SUGGESTIONS);
    await box.focus();
    await page.keyboard.insertText(query);
    try {
      await signals.next('painted', 'the suggestions', Math.min(timeout, 5000 + debounceMs));
      const s = await page.evaluate(() => (window as any).__sugg as { inputAt: number; paintedAt: number });
      out.push(s.paintedAt - s.inputAt - debounceMs);
    } catch {
      out.push(NaN);
    }
  }
  await box.fill('');
  return out;
}

/** Records in the widget's IndexedDB store whose key starts with `prefix`. */
function readRecords(page: Page, prefix: string): Promise<Array<[string, any]>> {
  return page.evaluate(
    ([name, prefix]) =>
      new Promise<Array<[string, any]>>((resolve, reject) => {
        const request = indexedDB.open(name!);
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains('records')) return db.close(), resolve([]);
          const store = db.transaction('records', 'readonly').objectStore('records');
          const range = IDBKeyRange.bound(prefix, prefix + '\uffff');
          const keys = store.getAllKeys(range);
          const values = store.getAll(range);
          values.onsuccess = () => (db.close(), resolve(keys.result.map((k, i) => [String(k), values.result[i]])));
          values.onerror = () => (db.close(), reject(values.error));
        };
      }),
    [`madoguchi-${STORED_APP_ID}`, prefix],
  );
}

const until = async (test: () => Promise<boolean>, what: string, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
};

/** Closes the panel and waits until the stored session says so, so the next load starts closed. */
async function closeAndKeep(page: Page) {
  await page.evaluate(() => (window as any).Madoguchi('close'));
  await until(async () => (await readRecords(page, 's')).some(([k, v]) => k === 's' && !v?.open), 'the closed panel in IndexedDB');
}

/**
 * Gives `context` a returning user's IndexedDB with `count` messages, before any measured load:
 * the widget itself writes a real conversation (one message sent through the UI), whose message
 * records are then copied `count` times with new ids, texts and times in one transaction, and the
 * originals removed. So the records have exactly the shape this build of the widget writes.
 */
export async function seedHistory(context: BrowserContext, url: string, spec: WidgetSpec): Promise<void> {
  const count = spec.stored || 0;
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.locator(locatorFor(spec.launcher)).first().click({ timeout: 30_000 });
    await page.locator(locatorFor(spec.panel)).first().waitFor({ timeout: 30_000 });
    if (count) {
      await page.locator('madoguchi-widget textarea').fill('Where is my order #1042?');
      await page.keyboard.press('Enter');
      await until(async () => (await readRecords(page, 'm:')).length > 0, 'the first message in IndexedDB');
      await sleep(1500);
      const templates = await readRecords(page, 'm:');
      await page.evaluate(
        ([name, templates, count]) =>
          new Promise<void>((resolve, reject) => {
            const request = indexedDB.open(name);
            request.onerror = () => reject(request.error);
            request.onsuccess = () => {
              const db = request.result;
              const t = db.transaction('records', 'readwrite');
              const store = t.objectStore('records');
              const start = Date.now();
              for (const [key] of templates) store.delete(key);
              // Messages only: a system note or an acknowledgment shows its own words, not the seeded text.
              const bases = templates.filter(([, v]) => !v.note);
              for (let i = 1; i <= count; i++) {
                const [, base] = bases[i % bases.length]!;
                const id = `seed-${i}`;
                const text =
                  i === count
                    ? `Seeded message ${i}: the last one.`
                    : `Seeded message ${i}: see **step ${i % 7}** in [the guide](https://example.com/guide/${i}) and reply when done.`;
                store.put({ ...base, id, text, at: start - (count - i) * 1000 }, `m:${base.conversationId}:${id}`);
              }
              t.oncomplete = () => (db.close(), resolve());
              t.onerror = () => (db.close(), reject(t.error));
            };
          }),
        [`madoguchi-${STORED_APP_ID}`, templates, count] as const,
      );
      const stored = (await readRecords(page, 'm:')).length;
      if (stored !== count) throw new Error(`seeding left ${stored} messages in IndexedDB, not ${count}`);
    }
    await closeAndKeep(page);
  } finally {
    await page.close();
  }
}
