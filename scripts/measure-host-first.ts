/**
 * What the launcher, the help centre, a long history and typing cost the host page, in real
 * Chromium at 4× CPU throttling (CDP Emulation.setCPUThrottlingRate): total blocking time, the
 * time to a painted launcher, gzipped bytes before the first open, and keystroke → painted
 * suggestions with the 1,786-article Japanese help centre (LocalgovFAQ, from DATA or
 * /work/shared/data/localgov-faq/articles.json, served in place of the demo's /faq/ja.json).
 * Run: npm run build && npx tsx scripts/measure-host-first.ts [--runs=5] [--rate=4] [--profile]
 */
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchChromium, newContext, startDemo } from '../tests/e2e/support';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]) || fallback;
const RUNS = arg('runs', 5);
const RATE = arg('rate', 4);
const PROFILE = process.argv.includes('--profile');
const TYPING_ONLY = process.argv.includes('--typing');
/** `--en`: typing is measured with the 719-article English set instead (a machine without Japanese fonts shapes every kanji through font fallback). */
const EN = process.argv.includes('--en');
const DATA = process.env.DATA || `/work/shared/data/${EN ? 'stack-faq' : 'localgov-faq'}`;
const LANG = EN ? 'en' : 'ja';
const LABEL = EN ? { open: 'Open support', message: 'Message', probe: 'github' } : { open: 'サポートを開く', message: 'メッセージ', probe: '住民票' };

/** Runs in the page before its scripts: long tasks, the painted launcher, and keystroke → painted suggestions. */
const INSTRUMENT = String.raw`(() => {
  const m = (window.__m = { tasks: [], keys: [] });
  new PerformanceObserver((l) => l.getEntries().forEach((e) => m.tasks.push({ start: e.startTime, duration: e.duration }))).observe({ type: 'longtask', buffered: true });
  m.frames = [];
  try {
    new PerformanceObserver((l) => l.getEntries().forEach((e) => m.frames.push({ start: e.startTime, duration: e.duration, render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0, style: e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0, scripts: (e.scripts || []).map((x) => (x.sourceURL || '').replace(/^.*\//, '') + ' ' + x.invokerType + ' ' + String(x.invoker).slice(0, 50) + ' ' + x.duration.toFixed(0) + 'ms layout ' + (x.forcedStyleAndLayoutDuration || 0).toFixed(0)) }))).observe({ type: 'long-animation-frame', buffered: true });
  } catch (e) {}
  const shadow = () => document.querySelector('madoguchi-widget')?.shadowRoot;
  const poll = () => {
    const b = shadow()?.querySelector('.launcher');
    if (b && b.getBoundingClientRect().height > 0) setTimeout(() => (m.launcherAt = performance.now()));
    else requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
  let pending;
  addEventListener('input', (e) => {
    pending = { at: e.timeStamp, text: e.composedPath()[0].value };
    m.keys.push(pending);
  }, true);
  let watching;
  const watch = () => {
    const root = shadow();
    if (!root || watching) return;
    // The first change to the list after a keystroke is painted at paintedAt; the last one (snippets follow the titles) at completeAt.
    watching = new MutationObserver((records) => {
      const key = pending;
      if (!key) return;
      const inList = records.some((r) => (r.target.closest && r.target.closest('.sugg, [role=status]')) || [...r.addedNodes, ...r.removedNodes].some((n) => n.classList && n.classList.contains('sugg')));
      if (!inList) return;
      key.changedAt ??= performance.now();
      requestAnimationFrame(() => setTimeout(() => (key.paintedAt ??= performance.now(), key.completeAt = performance.now())));
    });
    watching.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  };
  setInterval(watch, 50);
})()`;

const BARE = (boot: object) => `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>Host</title><link rel="icon" href="data:,">
<script>window.Madoguchi=window.Madoguchi||function(){(Madoguchi.q=Madoguchi.q||[]).push(arguments)};Madoguchi('boot', ${JSON.stringify(boot)});</script>
<script async src="/madoguchi/loader.js"></script></head><body><main><h1>Host page</h1><p>Text.</p></main></body></html>`;

interface Load {
  tbt: number;
  longTasks: number;
  launcherMs: number;
  gzBytes: number;
  files: string[];
}

const median = (v: number[]) => {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};
const pct = (v: number[], p: number) => {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};

async function throttle(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: RATE });
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  return cdp;
}

/** Gzipped size of every widget-related response (the demo server sends them uncompressed). */
function watchBytes(page: Page) {
  const sizes = new Map<string, number>();
  page.on('response', async (r) => {
    const path = new URL(r.url()).pathname;
    if (!/^\/(madoguchi|faq|flows|proactive)\//.test(path)) return;
    try {
      sizes.set(path, gzipSync(await r.body()).length);
    } catch {}
  });
  return sizes;
}

/** Loads `url`, waits for the painted launcher and a quiet page, and returns the load's cost. */
async function measureLoad(page: Page, url: string, settleMs = 2500): Promise<Load> {
  await page.addInitScript({ content: INSTRUMENT });
  await throttle(page);
  const bytes = watchBytes(page);
  await page.goto(url);
  await page.waitForFunction(() => (window as any).__m.launcherAt !== undefined, null, { timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(settleMs);
  const m = await page.evaluate(() => (window as any).__m);
  if (process.argv.includes('--explain'))
    for (const f of (m.frames as Array<{ start: number; duration: number; render: number; scripts: string[] }>).filter((f) => f.duration > 50))
      console.log(`  ${url.replace(/^.*\//, '')} @${f.start.toFixed(0)} ${f.duration.toFixed(0)} ms (render ${f.render.toFixed(0)}): ${f.scripts.join(' | ')}`);
  return {
    tbt: m.tasks.reduce((a: number, t: { duration: number }) => a + Math.max(0, t.duration - 50), 0),
    longTasks: m.tasks.length,
    launcherMs: m.launcherAt,
    gzBytes: [...bytes.values()].reduce((a, b) => a + b, 0),
    files: [...bytes.keys()],
  };
}

async function loadRun(browser: Browser, url: string, route?: (page: Page) => Promise<void>) {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    await route?.(page);
    return await measureLoad(page, url);
  } finally {
    await context.close();
  }
}

const seedHistory = (page: Page, count: number) =>
  page.evaluate(
    (count) =>
      new Promise<void>((resolve, reject) => {
        const r = indexedDB.open('madoguchi-acme', 1);
        r.onupgradeneeded = () => r.result.createObjectStore('records');
        r.onerror = () => reject(r.error);
        r.onsuccess = () => {
          const t = r.result.transaction('records', 'readwrite');
          const s = t.objectStore('records');
          const start = Date.now() - count * 60000;
          s.put({ schema: 3 }, 'meta');
          s.put({ conversationId: 'long', visitorId: 'v-long', open: false }, 's');
          s.put({ id: 'long', status: 'open', createdAt: start, updatedAt: Date.now() }, 'c:long');
          for (let i = 1; i <= count; i++) s.put({ id: `h${i}`, conversationId: 'long', author: 'agent', text: `Message ${i}: see **step ${i % 7}**`, at: start + i * 60000 }, `m:long:h${i}`);
          t.oncomplete = () => (r.result.close(), resolve());
        };
      }),
    count,
  );

/** Types each query a character at a time (slower than the debounce, so every keystroke searches) and times its painted suggestions. */
async function measureTyping(browser: Browser, url: string, routeFaq: (page: Page) => Promise<void>, queries: string[]) {
  const context = await newContext(browser);
  const page = await context.newPage();
  await routeFaq(page);
  await measureLoad(page, url, 500);
  await page.getByRole('button', { name: LABEL.open, exact: true }).click();
  const box = page.getByRole('textbox', { name: LABEL.message });
  await box.waitFor();
  // The help centre loads on open: wait until a probe query is answered.
  await box.fill(LABEL.probe);
  await page.locator('madoguchi-widget .sugg').waitFor({ timeout: 60_000 });
  await box.fill('');
  await page.waitForTimeout(1500);
  // A first pass over the same text: glyphs the machine has never drawn cost a font lookup once, not per keystroke.
  if (process.argv.includes('--warm'))
    for (const q of queries) {
      await box.fill(q);
      await page.waitForTimeout(400);
    }
  const cdp = await page.context().newCDPSession(page);
  if (PROFILE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  const TRACE = process.argv.includes('--trace');
  if (TRACE) await browser.startTracing(page, { categories: ['devtools.timeline', 'v8', 'blink', 'cc', 'toplevel', 'disabled-by-default-devtools.timeline'] });
  const from = await page.evaluate(() => ((window as any).__m.keys = [], performance.now()));
  for (const q of queries) {
    await box.fill('');
    await page.waitForTimeout(200);
    for (const ch of q) {
      await page.keyboard.insertText(ch);
      await page.waitForTimeout(260);
    }
  }
  await page.waitForTimeout(500);
  if (TRACE) printTrace(JSON.parse((await browser.stopTracing()).toString()));
  const m = await page.evaluate(() => (window as any).__m);
  if (PROFILE) {
    printProfile((await cdp.send('Profiler.stop')).profile);
    const frames = (m.frames as Array<{ start: number; duration: number; render: number; scripts: string[] }>).filter((f) => f.start >= from).sort((a, b) => b.duration - a.duration);
    console.log('\nlongest animation frames while typing:');
    for (const f of frames.slice(0, 12)) console.log(`  ${f.duration.toFixed(0)} ms (render ${f.render.toFixed(0)}, style+layout ${(f as any).style.toFixed(0)}): ${f.scripts.join(' | ')}`);
  }
  await context.close();
  const keys = (m.keys as Array<{ at: number; text: string; changedAt?: number; paintedAt?: number; completeAt?: number }>).filter((k) => k.text.trim().length >= 2 && k.paintedAt);
  const lat = keys.map((k) => k.paintedAt! - k.at);
  const complete = keys.map((k) => k.completeAt! - k.at);
  // `--keys`: every keystroke, input → list changed → painted (ms), by the length of the text so far.
  if (process.argv.includes('--keys'))
    for (const k of keys) console.log(`  ${String([...k.text].length).padStart(2)} ${k.text.padEnd(8, '　')} changed ${(k.changedAt! - k.at).toFixed(0).padStart(4)}  painted ${(k.paintedAt! - k.at).toFixed(0).padStart(4)}  complete ${(k.completeAt! - k.at).toFixed(0).padStart(4)}`);
  const tasks = (m.tasks as Array<{ start: number; duration: number }>).filter((t) => t.start >= from);
  return { samples: lat.length, p50: pct(lat, 50), p95: pct(lat, 95), max: Math.max(...lat), completeP50: pct(complete, 50), completeP95: pct(complete, 95), longTasks: tasks.length, longest: Math.max(0, ...tasks.map((t) => t.duration)) };
}

/** Main-thread time of the renderer by trace event name (self time of complete events, top level only). */
function printTrace(trace: { traceEvents: Array<{ name: string; ph: string; dur?: number; tid: number; pid: number; ts: number; args?: any }> }) {
  const events = trace.traceEvents;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const on = events.filter((e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur);
  const total = new Map<string, number>();
  for (const e of on) total.set(e.name, (total.get(e.name) || 0) + e.dur! / 1000);
  console.log('\nrenderer main thread, total by event (ms, nested events counted in their parents too):');
  for (const [k, v] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${v.toFixed(1).padStart(8)}  ${k}`);
}

function printProfile(profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>; samples?: number[]; timeDeltas?: number[] }) {
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples?.forEach((id, i) => {
    const n = byId.get(id)!;
    const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\//, '')}:${n.callFrame.lineNumber}`;
    self.set(key, (self.get(key) || 0) + (profile.timeDeltas?.[i] || 0) / 1000);
  });
  console.log('\nself time while typing (ms, throttled):');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${v.toFixed(1).padStart(8)}  ${k}`);
}

async function main() {
  if (!existsSync('packages/widget/dist/madoguchi.js')) throw new Error('run `npm run build` first');
  const articles = readFileSync(`${DATA}/articles.json`);
  const queries = (JSON.parse(readFileSync(`${DATA}/queries.dev.json`, 'utf8')) as Array<{ text: string }>).slice(0, 12).map((q) => q.text.slice(0, EN ? 12 : 6));
  const [browser, demo] = await Promise.all([launchChromium(), startDemo({ relay: false })]);
  const routeFaq = async (page: Page) => void (await page.route(`**/faq/${LANG}.json`, (r) => r.fulfill({ body: articles, contentType: 'application/json' })));
  const bare = async (page: Page) => {
    await page.route('**/bare.html', (r) => r.fulfill({ contentType: 'text/html', body: BARE({ appId: 'acme', locale: LANG, transport: { type: 'loopback' } }) }));
  };
  const demoUrl = `${demo.url}?lang=${LANG}&transport=loopback`;
  const rows: Array<[string, Load[]]> = [
    ['bare widget', []],
    ['demo config + 1,786-article FAQ (faqLoad default)', []],
    ["demo config + 1,786-article FAQ, faqLoad 'boot'", []],
    ['demo, storage=always, empty', []],
    ['demo, storage=always, 10,000 stored messages', []],
  ];
  /** A browser context holding 10,000 stored messages, already visited once. */
  const withHistory = async () => {
    const history = await newContext(browser);
    const seeding = await history.newPage();
    await seeding.goto(`${demo.url}?widget=off`);
    await seedHistory(seeding, 10_000);
    // One visit moves the stored history to the current layout (its time index), as the first visit after an update does.
    await seeding.goto(`${demoUrl}&storage=always`);
    await seeding.getByRole('button', { name: LABEL.open }).waitFor();
    await seeding.close();
    return history;
  };
  try {
    if (process.argv.includes('--history')) {
      const history = await withHistory();
      for (let i = 0; i < RUNS; i++) {
        console.log('empty', await loadRun(browser, `${demoUrl}&storage=always`, routeFaq));
        const page = await history.newPage();
        console.log('10,000', await measureLoad(page, `${demoUrl}&storage=always`));
        await page.close();
      }
      return;
    }
    if (TYPING_ONLY) {
      const typing = await measureTyping(browser, demoUrl, routeFaq, queries);
      console.log(typing);
      return;
    }
    const history = await withHistory();
    for (let i = 0; i < RUNS; i++) {
      rows[0]![1].push(await loadRun(browser, `${demo.url}/bare.html`, bare));
      rows[1]![1].push(await loadRun(browser, demoUrl, routeFaq));
      rows[2]![1].push(await loadRun(browser, `${demoUrl}&faqLoad=boot`, routeFaq));
      rows[3]![1].push(await loadRun(browser, `${demoUrl}&storage=always`, routeFaq));
      const page = await history.newPage();
      await routeFaq(page);
      rows[4]![1].push(await measureLoad(page, `${demoUrl}&storage=always`));
      await page.close();
    }
    await history.close();
    console.log(`Chromium ${browser.version()}, CPU throttled ${RATE}×, medians of ${RUNS} runs (fresh context per run)\n`);
    console.log('| page | TBT | long tasks | launcher painted | widget bytes gz before open |');
    console.log('|---|---|---|---|---|');
    for (const [name, list] of rows)
      console.log(
        `| ${name} | ${median(list.map((l) => l.tbt)).toFixed(0)} ms | ${median(list.map((l) => l.longTasks))} | ${median(list.map((l) => l.launcherMs)).toFixed(0)} ms | ${(median(list.map((l) => l.gzBytes)) / 1024).toFixed(1)} KB |`,
      );
    const typing = await measureTyping(browser, demoUrl, routeFaq, queries);
    console.log(
      `\ntyping (${typing.samples} keystrokes of ${queries.length} queries, 120 ms debounce): input → painted suggestions p50 ${typing.p50.toFixed(0)} ms, p95 ${typing.p95.toFixed(0)} ms, max ${typing.max.toFixed(0)} ms; after the debounce p95 ${(typing.p95 - 120).toFixed(0)} ms; with their snippets (a frame later) p50 ${typing.completeP50.toFixed(0)} ms, p95 ${typing.completeP95.toFixed(0)} ms; long tasks while typing: ${typing.longTasks} (longest ${typing.longest.toFixed(0)} ms)`,
    );
  } finally {
    await browser.close();
    await demo.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
