/**
 * What a support widget costs a page, Madoguchi beside its peers, in one run: every widget on the
 * same minimal host page, runs interleaved (run 1 of every widget at every CPU rate, then run 2…),
 * medians printed, Madoguchi ÷ peer ratios, and the targets with pass/fail beside the figures.
 * Flags: --runs=N (default 5), --quick (1 run, 10 queries), --cpu=1,4, --latency=MS (every HTTP
 * response held that long by the server; WebSocket frames are not delayed), --queries=N (typed FAQ queries per run, default 20), --debounce=MS,
 * --peers-dir=DIR (install the peers there and keep them; default a temporary folder, removed),
 * --no-peers, --only=KEY,KEY (those set-ups alone, by key: none, madoguchi-bare, madoguchi-demo,
 * madoguchi-stored-0|1000|10000, typebot, botpress, react-chat-widget, rasa-webchat), --faq=PATH (the
 * 1,786-article Japanese FAQ), --json=FILE (every sample, with each long task), --loaf (also name the
 * scripts that ran in each long task, from long animation frames; this makes Chromium re-parse those
 * scripts for their source positions, so it lengthens the tasks it names: for diagnosis, not figures).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { newContext } from '../../tests/e2e/support';
import { launchOffline, measureWidget, seedHistory, type Sample } from './measure';
import { startBenchServer } from './server';
import { atMost, median, numberFlag, parseFlags, percentile, ratio, ratioInterval, toWidgetFaq, verdict, withinFactor, type TargetCheck } from './stats';
import { hostPage, madoguchiWidgets, peerWidgets, type WidgetSpec } from './widgets';

const root = fileURLToPath(new URL('../..', import.meta.url));
const log = (line: string) => process.stderr.write(line + '\n');

/** `<ancestor>/shared/data/<rel>` for the nearest ancestor of the repository that has it. */
function sharedData(rel: string): string | undefined {
  for (let dir = resolve(root); ; dir = dirname(dir)) {
    const file = join(dir, 'shared', 'data', rel);
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The first `count` query texts of a query file (`[{ text }]`). */
function readQueries(file: string, count: number): string[] {
  const list: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(list)) throw new Error(`${file} is not a JSON array of queries`);
  return list.map((q) => (q as { text?: unknown })?.text).filter((t): t is string => typeof t === 'string').slice(0, count);
}

/** The widget's suggestion debounce, read from its source (so the figure follows the widget). */
function readDebounce(): number | undefined {
  try {
    const source = readFileSync(join(root, 'packages/widget/src/ui/Composer.tsx'), 'utf8');
    const m = /const PAUSE = (\d+);/.exec(source);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface Row {
  spec: WidgetSpec;
  /** Samples by CPU rate. */
  samples: Map<number, Sample[]>;
  errors: string[];
}

export async function compare(argv: string[]) {
  const flags = parseFlags(argv);
  const quick = flags.has('quick');
  const runs = quick ? 1 : numberFlag(flags, 'runs', 5) || 1;
  const latency = numberFlag(flags, 'latency', 0);
  const rates = (flags.get('cpu') || '1,4').split(',').map(Number);
  if (rates.some((r) => !(r >= 1))) throw new Error(`--cpu=${flags.get('cpu')}: expected slowdown rates ≥ 1, such as 1,4`);
  const queryCount = numberFlag(flags, 'queries', quick ? 10 : 20);
  if (!existsSync(join(root, 'packages/loader/dist/loader.js')) || !existsSync(join(root, 'packages/widget/dist/madoguchi.js')))
    throw new Error('The bundles are missing: run `npm run build` first.');

  const started = Date.now();
  const load = loadavg()[0]!;
  const specs: WidgetSpec[] = [{ key: 'none', label: 'no widget (host page alone)', madoguchi: false, snippet: () => '', launcher: { selector: '' }, panel: { selector: '' } }];
  specs.push(...madoguchiWidgets());

  // The large Japanese FAQ, converted at run time; without it the FAQ set-up is n/a.
  const faqPath = flags.get('faq') || sharedData('localgov-faq/articles.json');
  const faq: Record<string, Buffer> = {};
  let queries: string[] = [];
  const demo = specs.find((s) => s.key === 'madoguchi-demo')!;
  if (!faqPath || !existsSync(faqPath)) demo.unavailable = 'the 1,786-article FAQ was not found: pass --faq=PATH';
  else {
    try {
      const { articles, dropped } = toWidgetFaq(JSON.parse(readFileSync(faqPath, 'utf8')), 'ja');
      faq['localgov-ja.json'] = Buffer.from(JSON.stringify(articles));
      log(`FAQ: ${articles.length} articles from ${faqPath}${dropped ? ` (${dropped} without id, title or body dropped)` : ''}`);
      const queryFile = join(dirname(faqPath), 'queries.dev.json');
      if (existsSync(queryFile)) queries = readQueries(queryFile, queryCount);
    } catch (error) {
      demo.unavailable = `the FAQ at ${faqPath} could not be used: ${(error as Error).message}`;
    }
  }
  const debounce = flags.has('debounce') ? numberFlag(flags, 'debounce', 0) : readDebounce();

  const only = flags.get('only')?.split(',').filter(Boolean);
  // Listing only Madoguchi's set-ups installs no peer.
  const noPeers = flags.has('no-peers') || (!!only && only.every((key) => specs.some((s) => s.key === key)));
  let peerDir = flags.get('peers-dir');
  const tempPeers = !peerDir && !noPeers;
  if (tempPeers) {
    const dir = (peerDir = mkdtempSync(join(tmpdir(), 'madoguchi-peers-')));
    // An interrupted run leaves no install behind.
    process.once('SIGINT', () => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  }
  if (peerDir && !noPeers) {
    log(`peers: npm install into ${peerDir} (not the repository) …`);
    specs.push(...(await peerWidgets(resolve(peerDir), log)));
  }

  if (only) {
    const unknown = only.filter((key) => !specs.some((s) => s.key === key));
    if (unknown.length) throw new Error(`--only=${flags.get('only')}: no set-up ${unknown.join(', ')}; the keys are ${specs.map((s) => s.key).join(', ')}`);
    specs.splice(0, specs.length, ...specs.filter((s) => only.includes(s.key)));
  }
  const byKey = new Map(specs.map((s) => [s.key, s]));
  const server = await startBenchServer({
    page: (key, origin) => {
      const spec = byKey.get(key);
      return spec ? hostPage(spec, origin) : undefined;
    },
    faq,
    ...(peerDir ? { peerDir: resolve(peerDir) } : {}),
    latencyMs: latency,
  });
  const url = (spec: WidgetSpec) => `${server.origin}/?w=${spec.key}`;
  const browser = await launchOffline();
  const rows: Row[] = specs.map((spec) => ({ spec, samples: new Map(rates.map((r) => [r, []])), errors: [] }));
  const histories = new Map<string, BrowserContext>();
  try {
    for (const spec of specs.filter((s) => s.stored !== undefined && !s.unavailable)) {
      log(`seeding ${spec.stored} messages for ${spec.label} …`);
      const context = await newContext(browser);
      try {
        await seedHistory(context, url(spec), spec);
        histories.set(spec.key, context);
      } catch (error) {
        spec.unavailable = `seeding IndexedDB failed: ${(error as Error).message}`;
        await context.close();
      }
    }
    const live = rows.filter((r) => !r.spec.unavailable);
    for (let run = 0; run < runs; run++)
      for (const cpu of rates)
        // Interleaved, and each pass starts at another widget, so a noisy moment or a warm disk favours none.
        for (let i = 0; i < live.length; i++) {
          const row = live[(i + run) % live.length]!;
          const t0 = Date.now();
          try {
            const sample = await measureWidget(browser, url(row.spec), row.spec, { cpu, queries, debounceMs: debounce ?? 0, loaf: flags.has('loaf') }, histories.get(row.spec.key));
            row.samples.get(cpu)!.push(sample);
            log(`run ${run + 1}/${runs} cpu ${cpu}× ${row.spec.label}: launcher ${fmtMs(sample.launcherMs)}, open ${fmtMs(sample.openMs)}, TBT ${fmtMs(sample.tbt)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
          } catch (error) {
            row.errors.push(`cpu ${cpu}×: ${(error as Error).message.split('\n')[0]}`);
            log(`run ${run + 1}/${runs} cpu ${cpu}× ${row.spec.label}: failed: ${(error as Error).message.split('\n')[0]}`);
          }
        }
  } finally {
    for (const context of histories.values()) await context.close();
    await browser.close();
    await server.close();
    if (tempPeers && peerDir) rmSync(peerDir, { recursive: true, force: true });
  }
  report(rows, rates, { runs, latency, debounce, queries: queries.length, seconds: (Date.now() - started) / 1000, load });
  const json = flags.get('json');
  if (json) {
    const widgets = rows.map((r) => ({ key: r.spec.key, label: r.spec.label, unavailable: r.spec.unavailable, versions: r.spec.versions, errors: r.errors, samples: Object.fromEntries(r.samples) }));
    writeFileSync(json, JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, runs, rates, latency, debounce, widgets }, null, 1));
    log(`every sample written to ${json}`);
  }
}

const fmtMs = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : '—');
const fmtKB = (n: number) => (Number.isFinite(n) ? `${(n / 1024).toFixed(1)} KB` : '—');
const fmtX = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '—');

/** A figure's median over a row's samples at one CPU rate. */
const med = (row: Row | undefined, cpu: number, fn: (s: Sample) => number) => (row ? median((row.samples.get(cpu) || []).map(fn)) : NaN);

const COLUMNS: Array<{ head: string; fn: (s: Sample) => number; fmt: (n: number) => string }> = [
  { head: 'JS gz by launcher', fn: (s) => s.jsByLauncher, fmt: fmtKB },
  { head: 'JS gz before open', fn: (s) => s.jsBefore, fmt: fmtKB },
  { head: 'JS gz on open', fn: (s) => s.jsAfter, fmt: fmtKB },
  { head: 'all gz before open', fn: (s) => s.widgetBefore, fmt: fmtKB },
  { head: 'long tasks', fn: (s) => s.longTasks, fmt: (n) => (Number.isFinite(n) ? String(n) : '—') },
  { head: 'TBT', fn: (s) => s.tbt, fmt: fmtMs },
  { head: 'long tasks on open', fn: (s) => s.longTasksOpen, fmt: (n) => (Number.isFinite(n) ? String(n) : '—') },
  { head: 'TBT on open', fn: (s) => s.tbtOpen, fmt: fmtMs },
  { head: 'CLS', fn: (s) => s.cls, fmt: (n) => (Number.isFinite(n) ? n.toFixed(4) : '—') },
  { head: 'launcher', fn: (s) => s.launcherMs, fmt: fmtMs },
  { head: 'open', fn: (s) => s.openMs, fmt: fmtMs },
  { head: 'JS heap', fn: (s) => s.heapMB, fmt: (n) => (Number.isFinite(n) ? `${n.toFixed(1)} MB` : '—') },
];

function table(head: string[], body: string[][]) {
  const width = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] || '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i ? c.padStart(width[i]! + 2) : c.padEnd(width[0]!))).join('');
  console.log(line(head));
  for (const r of body) console.log(line(r));
}

function report(rows: Row[], rates: number[], info: { runs: number; latency: number; debounce: number | undefined; queries: number; seconds: number; load: number }) {
  const get = (key: string) => rows.find((r) => r.spec.key === key && !r.spec.unavailable);
  const peers = rows.filter((r) => !r.spec.madoguchi && r.spec.key !== 'none');
  const has = (r: Row, cpu: number) => (r.samples.get(cpu) || []).length > 0;

  for (const cpu of rates) {
    console.log(`\nCPU ${cpu}× slower${info.latency ? `, ${info.latency} ms added to every HTTP response` : ''}: medians of ${info.runs} run${info.runs > 1 ? 's' : ''}`);
    table(
      ['widget', ...COLUMNS.map((c) => c.head)],
      rows.map((r) => {
        if (r.spec.unavailable) return [r.spec.label, `n/a (${r.spec.unavailable})`];
        if (!has(r, cpu)) return [r.spec.label, `n/a (${r.errors.filter((e) => e.startsWith(`cpu ${cpu}×`)).pop() || 'no run finished'})`];
        return [r.spec.label + ((r.samples.get(cpu)!.length < info.runs) ? ` (${r.samples.get(cpu)!.length} of ${info.runs})` : ''), ...COLUMNS.map((c) => c.fmt(med(r, cpu, c.fn)))];
      }),
    );

    const ratioColumns = COLUMNS.filter((c) => ['JS gz by launcher', 'JS gz before open', 'TBT', 'launcher', 'open', 'JS heap'].includes(c.head));
    const body: string[][] = [];
    for (const m of ['madoguchi-bare', 'madoguchi-demo'].map(get))
      for (const p of peers)
        if (m && has(m, cpu) && has(p, cpu))
          body.push([`${m.spec.label} ÷ ${p.spec.label}`, ...ratioColumns.map((c) => fmtX(ratio(med(m, cpu, c.fn), med(p, cpu, c.fn))))]);
    if (body.length) {
      console.log(`\nMadoguchi ÷ peer at CPU ${cpu}× (below 1 = Madoguchi costs less)`);
      table(['', ...ratioColumns.map((c) => c.head)], body);
    }
  }

  // Targets, at each CPU rate (4× is the rate they are set for).
  const bare = get('madoguchi-bare');
  const demo = get('madoguchi-demo');
  const empty = get('madoguchi-stored-0');
  const full = get('madoguchi-stored-10000');
  /** The launcher ratio with its 90% bootstrap interval: how far the scatter of single loads can move it. */
  const spread = (a: typeof bare, b: typeof bare, cpu: number) => {
    const times = (r: typeof bare) => (r?.samples.get(cpu) || []).map((s) => s.launcherMs);
    const [lo, hi] = ratioInterval(times(a), times(b));
    const r = ratio(med(a, cpu, (s) => s.launcherMs), med(b, cpu, (s) => s.launcherMs));
    return Number.isFinite(lo) ? ` (${r.toFixed(2)}×; 90% interval ${lo.toFixed(2)}–${hi.toFixed(2)}×)` : '';
  };
  for (const cpu of rates) {
    const checks: TargetCheck[] = [];
    const tbtDemo = med(demo, cpu, (s) => s.tbt);
    const tbtBare = med(bare, cpu, (s) => s.tbt);
    checks.push({ label: 'demo + FAQ: TBT ≤ 1.2 × bare', figure: `${fmtMs(tbtDemo)} vs ${fmtMs(tbtBare)} × 1.2 = ${fmtMs(tbtBare * 1.2)}`, pass: withinFactor(tbtDemo, tbtBare, 1.2) });
    const lDemo = med(demo, cpu, (s) => s.launcherMs);
    const lBare = med(bare, cpu, (s) => s.launcherMs);
    checks.push({ label: 'demo + FAQ: launcher ≤ 1.1 × bare', figure: `${fmtMs(lDemo)} vs ${fmtMs(lBare)} × 1.1 = ${fmtMs(lBare * 1.1)}${spread(demo, bare, cpu)}`, pass: withinFactor(lDemo, lBare, 1.1) });
    const bytes = med(demo, cpu, (s) => s.widgetBefore);
    checks.push({ label: 'demo + FAQ: bytes before the first open ≤ 30 KB gz', figure: `${fmtKB(bytes)} (everything but the HTML; JS alone ${fmtKB(med(demo, cpu, (s) => s.jsBefore))})`, pass: atMost(bytes, 30 * 1024) });
    const lFull = med(full, cpu, (s) => s.launcherMs);
    const lEmpty = med(empty, cpu, (s) => s.launcherMs);
    checks.push({ label: '10,000 stored msgs: launcher ≤ 1.1 × empty', figure: `${fmtMs(lFull)} vs ${fmtMs(lEmpty)} × 1.1 = ${fmtMs(lEmpty * 1.1)}${spread(full, empty, cpu)}`, pass: withinFactor(lFull, lEmpty, 1.1) });
    const typed = (demo?.samples.get(cpu) || []).flatMap((s) => s.suggestions);
    const shown = typed.filter(Number.isFinite);
    const p95 = percentile(shown, 95);
    checks.push({
      label: 'suggestions p95 ≤ 50 ms after the debounce',
      figure: `p95 ${fmtMs(p95)}, p50 ${fmtMs(percentile(shown, 50))}, max ${fmtMs(Math.max(...shown))} over ${shown.length} typed queries${typed.length > shown.length ? ` (${typed.length - shown.length} showed no suggestion within 5 s)` : ''}; debounce ${info.debounce ?? '?'} ms`,
      pass: atMost(p95, 50),
    });
    const typing = (demo?.samples.get(cpu) || []).map((s) => s.longTasksTyping).filter(Number.isFinite);
    const whileTyping = typing.reduce((a, n) => a + n, 0);
    checks.push({
      label: 'no long task while typing',
      figure: `${whileTyping} long task${whileTyping === 1 ? '' : 's'} over ${typing.length} run${typing.length === 1 ? '' : 's'} of ${info.queries} typed queries`,
      pass: typing.length > 0 && whileTyping === 0,
    });
    console.log(`\ntargets at CPU ${cpu}×${cpu === 4 ? ' (the rate they are set for)' : ''}:`);
    for (const c of checks) console.log(`  ${verdict(c.pass).padEnd(5)} ${c.label.padEnd(52)} ${c.figure}`);
    if (checks.some((c) => c.figure.includes('interval')))
      console.log('  (the launcher intervals are bootstrap intervals of the ratio of medians: one that spans 1.1× means these runs cannot tell; more --runs narrow it)');
  }

  console.log('\nnotes:');
  for (const r of rows) {
    const all = [...r.samples.values()].flat();
    const failed = [...new Set(all.flatMap((s) => s.failed))];
    const offsite = [...new Set(all.flatMap((s) => s.offsite))];
    const parts = [
      r.spec.versions && `installed ${r.spec.versions}`,
      r.spec.cloud && `cloud: ${r.spec.cloud}`,
      failed.length && `failed requests: ${failed.slice(0, 4).join('; ')}${failed.length > 4 ? ` (+${failed.length - 4})` : ''}`,
      offsite.length && `tried to leave the machine (blocked): ${offsite.slice(0, 4).join('; ')}${offsite.length > 4 ? ` (+${offsite.length - 4})` : ''}`,
      r.errors.length && `runs that failed: ${r.errors.slice(0, 3).join('; ')}`,
    ].filter(Boolean);
    if (parts.length) console.log(`  ${r.spec.label}: ${parts.join('\n      ')}`);
  }
  console.log(
    `\n${info.runs} run${info.runs > 1 ? 's' : ''} per widget and CPU rate, interleaved; a fresh browser context per load (the stored-message set-ups keep theirs, cache disabled);` +
      ` gzip -9 over loopback; ${info.queries} FAQ queries typed per run; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,` +
      ` load average ${info.load.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end (other work on the machine shows here); ${info.seconds.toFixed(0)} s in all.`,
  );
}

