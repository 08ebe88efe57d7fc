/**
 * FAQ search benchmark: our engine beside MiniSearch, FlexSearch, Orama, Lunr and Fuse.js on the
 * shared retrieval sets (localgov-faq, Japanese; stack-faq, English). Run: npm run bench:search
 * Metrics as defined in ../shared/data/README.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import MiniSearch from 'minisearch';
import FlexSearch from 'flexsearch';
import { create, insertMultiple, search as oramaSearch } from '@orama/orama';
import Fuse from 'fuse.js';
import { buildIndexSliced, buildSearchIndex, compactSearchIndex, loadCompactIndex, loadSearchIndex, type Article, type SearchIndex } from '../packages/core/src/search';

const require = createRequire(import.meta.url);
const lunr = require('lunr');
require('lunr-languages/lunr.stemmer.support')(lunr);
require('lunr-languages/tinyseg')(lunr);
require('lunr-languages/lunr.ja')(lunr);

/** `shared/data/` beside the nearest ancestor of this repository that has one (a checkout may sit deeper). */
const DATA = (() => {
  for (let dir = new URL('../', import.meta.url); ; dir = new URL('../', dir)) {
    const data = new URL('shared/data/', dir);
    if (existsSync(data)) return data;
    if (dir.pathname == '/') throw new Error('no shared/data/ folder above this repository');
  }
})();
const FUSE_QUERIES = { ja: 12, en: 60 };

interface Query { id: string; text: string; relevant: Record<string, number> }
type Search = (text: string) => string[] | Promise<string[]>;
interface Engine { name: string; build(articles: Article[]): Promise<Search> | Search }

/** Character bigrams for CJK runs, whole lower-cased words for the rest: the usual n-gram tokenizer. */
const bigrams = (text: string): string[] => {
  const out: string[] = [];
  for (const m of text.normalize('NFKC').toLowerCase().matchAll(/([\p{sc=Han}\p{sc=Hira}\p{sc=Kana}ー]+)|[\p{L}\p{N}]+/gu)) {
    if (!m[1] || m[0].length == 1) out.push(m[0]);
    else for (let i = 0; i + 1 < m[0].length; i++) out.push(m[0].slice(i, i + 2));
  }
  return out;
};

const ours: Engine = {
  name: 'Madoguchi',
  build(articles) {
    const index = buildSearchIndex(articles);
    return (text) => index.search(text, { limit: 10 }).map((h) => h.id);
  },
};

const miniSearch = (ja: boolean): Engine => ({
  name: ja ? 'MiniSearch (bigrams)' : 'MiniSearch',
  build(articles) {
    const ms = new MiniSearch<Article>({ fields: ['title', 'body'], ...(ja ? { tokenize: bigrams } : {}), searchOptions: { boost: { title: 2 } } });
    ms.addAll(articles);
    return (text) => ms.search(text).slice(0, 10).map((r) => String(r.id));
  },
});

// FlexSearch ANDs the query terms unless `suggest` is set (without it a question finds almost nothing), and
// ranks by where a term sits in a document, so title and body go in as one text, the title first: that
// ranks better here than a Document index with one result list per field.
const flexSearch = (ja: boolean): Engine => ({
  name: ja ? 'FlexSearch (bigrams)' : 'FlexSearch',
  build(articles) {
    const index = new FlexSearch.Index(ja ? { encode: bigrams } : { tokenize: 'forward', encoder: FlexSearch.Charset.LatinBalance });
    articles.forEach((a, i) => index.add(i, `${a.title}\n${a.body}`));
    return (text) => (index.search(text, { limit: 10, suggest: true }) as number[]).map((i) => articles[i].id);
  },
});

const orama = (ja: boolean): Engine => ({
  name: ja ? 'Orama (bigrams)' : 'Orama',
  async build(articles) {
    const tokenizer = ja ? { language: 'japanese', normalizationCache: new Map(), tokenize: (raw: string) => bigrams(raw) } : { language: 'english', stemming: true };
    const db = create({ schema: { id: 'string', title: 'string', body: 'string' } as const, components: { tokenizer } as never });
    await insertMultiple(db, articles.map((a) => ({ id: a.id, title: a.title, body: a.body })));
    return async (text) => (await oramaSearch(db, { term: text, properties: ['title', 'body'], boost: { title: 2 }, limit: 10 })).hits.map((h) => h.id);
  },
});

const lunrEngine = (mode: 'ja' | 'bigrams' | 'en'): Engine => ({
  name: { ja: 'Lunr (TinySegmenter)', bigrams: 'Lunr (bigrams)', en: 'Lunr' }[mode],
  build(articles) {
    const split = mode == 'bigrams' ? (t: string) => bigrams(t) : mode == 'ja' ? (t: string) => lunr.ja.tokenizer(t).map(String) : (t: string) => lunr.tokenizer(t).map(String);
    const idx = lunr(function (this: any) {
      if (mode == 'ja') this.use(lunr.ja);
      if (mode == 'bigrams') {
        this.pipeline.reset();
        this.searchPipeline.reset();
        this.tokenizer = (t: unknown) => (t == null ? [] : bigrams(String(t)).map((s) => new lunr.Token(s, {})));
      }
      this.ref('id');
      this.field('title', { boost: 2 });
      this.field('body');
      for (const a of articles) this.add(a);
    });
    return (text) =>
      idx
        .query((q: any) => split(text).forEach((t: string) => q.term(t, { usePipeline: mode != 'bigrams' })))
        .slice(0, 10)
        .map((r: { ref: string }) => r.ref);
  },
});

const fuse = (ja: boolean): Engine => ({
  name: `Fuse.js (token search, first ${FUSE_QUERIES[ja ? 'ja' : 'en']} queries)`,
  build(articles) {
    const f = new Fuse(articles, { keys: [{ name: 'title', weight: 2 }, 'body'], useTokenSearch: true, ...(ja ? { tokenize: bigrams } : {}) });
    return (text) => f.search(text, { limit: 10 }).map((r) => r.item.id);
  },
});

async function evaluate(engine: Engine, articles: Article[], queries: Query[]) {
  let t = performance.now();
  const search = await engine.build(articles);
  const build = performance.now() - t;
  for (const q of queries.slice(0, Math.min(5, Math.ceil(queries.length / 10)))) await search(q.text); // warm up on a few
  let recall = 0, mrr = 0, hit1 = 0, hit5 = 0;
  const times: number[] = [];
  for (const q of queries) {
    t = performance.now();
    const ids = await search(q.text);
    times.push(performance.now() - t);
    const rank = ids.findIndex((id) => id in q.relevant) + 1;
    recall += ids.filter((id) => id in q.relevant).length / Object.keys(q.relevant).length;
    if (rank) mrr += 1 / rank;
    if (rank == 1) hit1++;
    if (rank && rank <= 5) hit5++;
  }
  times.sort((a, b) => a - b);
  const n = queries.length;
  return { recall: recall / n, mrr: mrr / n, hit1: hit1 / n, hit5: hit5 / n, build, p50: times[n >> 1], p95: times[Math.floor(n * 0.95)] };
}

const f3 = (x: number) => x.toFixed(3);
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));

// Small talk a messenger hears: no article should answer it.
const CHAT = [
  'hello', 'hi there', 'thanks', 'thank you so much', 'I need help', 'help me please', 'are you a bot?', 'are you human?',
  'can I talk to a person?', 'good morning', 'ok', 'yes', 'no', 'bye', 'I have a question', 'hey, anyone there?',
  'こんにちは', 'ありがとう', 'ありがとうございます', '助けてください', 'すみません', '質問があります', 'はい', 'いいえ', 'もしもし', '人と話したい',
];

/** The rule the messenger used before `answer()`: hits scoring at least 2 (en) / 4 (ja) and half the best, up to 3. */
const answeredBefore = (index: SearchIndex, text: string, ja: boolean) => {
  const hits = index.search(text + ' ', { limit: 10 });
  const floor = Math.max(ja ? 4 : 2, (hits[0]?.score || 0) / 2);
  return hits.filter((h) => h.score >= floor).slice(0, 3);
};

/** Sent questions: in-domain Hit@3 of what is offered, and how often out-of-domain questions are offered nothing. */
function answerability(sets: { set: string; ja: boolean; articles: Article[]; queries: Query[] }[]): string[] {
  const indexes = sets.map((s) => buildSearchIndex(s.articles));
  const examples = (['en', 'ja'] as const).map((l) => ({ ja: l == 'ja', index: buildSearchIndex(JSON.parse(readFileSync(`examples/faq/${l}.json`, 'utf8'))) }));
  const out = ['| sent questions | queries | offered an article, before → after | Hit@3 of the offer, before → after |', '|---|---|---|---|'];
  const pct = (x: number, n: number) => `${((100 * x) / n).toFixed(1)}%`;
  sets.forEach(({ set, ja, queries }, k) => {
    let offered = [0, 0], hit = [0, 0];
    for (const q of queries)
      [answeredBefore(indexes[k], q.text, ja), indexes[k].answer(q.text)].forEach((hits, i) => {
        if (hits.length) offered[i]++;
        if (hits.some((h) => h.id in q.relevant)) hit[i]++;
      });
    out.push(`| ${set} (in domain) | ${queries.length} | ${pct(offered[0], queries.length)} → ${pct(offered[1], queries.length)} | ${f3(hit[0] / queries.length)} → ${f3(hit[1] / queries.length)} |`);
  });
  // Out of domain: each set's queries against the other language's articles, and small talk against every article set.
  const ood: [SearchIndex, boolean, string][] = [];
  sets.forEach(({ queries }, k) => queries.forEach((q) => ood.push([indexes[1 - k], sets[1 - k].ja, q.text])));
  for (const t of CHAT) for (const [index, ja] of [...sets.map((s, k) => [indexes[k], s.ja] as const), ...examples.map((e) => [e.index, e.ja] as const)]) ood.push([index, ja, t]);
  const refused = [0, 0];
  for (const [index, ja, text] of ood) [answeredBefore(index, text, ja), index.answer(text)].forEach((hits, i) => hits.length || refused[i]++);
  out.push(`| out of domain: ${sets.map((s) => s.set).join(' ⇄ ')} queries, and ${CHAT.length} small-talk lines × 4 article sets | ${ood.length} | refused ${pct(refused[0], ood.length)} → **${pct(refused[1], ood.length)}** | |`);
  return out;
}

/** The compact index of `madoguchi faq build` beside the raw articles, and what loading and building cost the page. */
async function compactIndex(articles: Article[], queries: Query[]): Promise<string[]> {
  const gz = (text: string) => gzipSync(text, { level: 9 }).length;
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  const raw = JSON.stringify(articles);
  const built = buildSearchIndex(articles);
  const { articles: meta, ...rest } = compactSearchIndex(built);
  const compact = JSON.stringify({ ...rest, articles: meta.map(({ body, ...m }) => m), articlePath: 'faq-index/{n}.json' });
  const bodies = articles.map((a) => gz(JSON.stringify(a)));
  // The figures above hold for it: it ranks as the built index (ids, scores, coverage) and answers the same.
  const opened = loadSearchIndex(JSON.parse(compact));
  const line = (hits: { id: string; score: number; coverage: number }[]) => hits.map((h) => `${h.id} ${h.score} ${h.coverage}`).join();
  const differ = queries.filter((q) => line(opened.search(q.text)) != line(built.search(q.text)) || line(opened.answer(q.text)) != line(built.answer(q.text))).length;
  const out = [
    `Compact index (${articles.length} articles): raw articles JSON ${kb(raw.length)}, ${kb(gz(raw))} gzipped; ` +
      `index ${kb(compact.length)}, **${kb(gz(compact))} gzipped (${((100 * gz(compact)) / gz(raw)).toFixed(0)}% of the raw JSON gzipped)**; ` +
      `one article file ${(bodies.reduce((a, b) => a + b, 0) / bodies.length / 1024).toFixed(2)} KB gzipped on average, fetched when opened. ` +
      `Opened, it ranks and answers as the built index on ${queries.length - differ} of the ${queries.length} queries.`,
  ];
  // Longest task on the main thread: the longest stretch between yields, in CPU time (wall time also counts
  // the moments the OS gives the CPU to other processes, which on a busy machine dwarf the work).
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const longest = async (work: (y: () => Promise<void>) => Promise<unknown>) => {
    let last = cpu(), max = 0, slices = 1;
    await work(async () => {
      max = Math.max(max, cpu() - last);
      slices++;
      await new Promise((r) => setImmediate(r));
      last = cpu();
    });
    return { max: Math.max(max, cpu() - last), slices };
  };
  let t = cpu();
  const parsed = JSON.parse(compact);
  const parse = cpu() - t;
  t = cpu();
  loadSearchIndex(parsed);
  const loadOnce = cpu() - t;
  const load = await longest((yieldToMain) => loadCompactIndex(JSON.parse(compact), { sliceMs: 8, yieldToMain }));
  const build = await longest((yieldToMain) => buildIndexSliced(articles, { sliceMs: 8, yieldToMain }));
  t = cpu();
  buildSearchIndex(articles);
  const buildOnce = cpu() - t;
  out.push(
    `CPU time. Loading it: JSON.parse ${ms(parse)} ms; at once ${ms(loadOnce)} ms; sliced (sliceMs 8) in ${load.slices} tasks, the longest ${ms(load.max)} ms. ` +
      `Building from the raw articles: at once ${ms(buildOnce)} ms; sliced in ${build.slices} tasks, the longest ${ms(build.max)} ms.`,
  );
  // Keystrokes: every prefix of every query, as typed, against the loaded compact index (5 suggestions);
  // twice, as the first pass also pays for compiling the search code.
  const index = loadSearchIndex(JSON.parse(compact));
  const passes: string[] = [];
  for (const pass of ['first pass', 'second pass']) {
    const times: number[] = [];
    for (const q of queries)
      for (let i = 1; i <= q.text.length; i++) {
        const text = q.text.slice(0, i);
        t = performance.now();
        index.search(text, { limit: 5 });
        times.push(performance.now() - t);
      }
    times.sort((a, b) => a - b);
    passes.push(`${pass} p50 ${ms(times[times.length >> 1])} ms, p95 ${ms(times[Math.floor(times.length * 0.95)])} ms`);
  }
  out.push(`Keystroke query time (${queries.reduce((n, q) => n + q.text.length, 0)} keystrokes, 5 suggestions, compact index): ${passes.join('; ')}.`);
  return out;
}

async function main() {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const sets = (['localgov-faq', 'stack-faq'] as const).map((set) => ({
    set,
    ja: set == 'localgov-faq',
    articles: JSON.parse(readFileSync(new URL(`${set}/articles.json`, DATA), 'utf8')) as Article[],
    queries: JSON.parse(readFileSync(new URL(`${set}/queries.dev.json`, DATA), 'utf8')) as Query[],
  }));
  // Ours runs first on both sets, so its build is timed in a fresh process, then the 10,000-article runs;
  // the libraries follow, and the table is printed in set order.
  const rows = new Map<string, string[]>(sets.map((s) => [s.set, []]));
  const run = async (set: (typeof sets)[number], engine: Engine) => {
    if (only.length && !only.some((o) => engine.name.toLowerCase().startsWith(o))) return;
    process.stderr.write(`${set.set}: ${engine.name}…\n`);
    const fuseQueries = FUSE_QUERIES[set.ja ? 'ja' : 'en'];
    const r = await evaluate(engine, set.articles, engine.name.startsWith('Fuse') ? set.queries.slice(0, fuseQueries) : set.queries);
    rows.get(set.set)!.push(`| ${set.set} | ${engine.name} | ${f3(r.recall)} | ${f3(r.mrr)} | ${f3(r.hit1)} | ${f3(r.hit5)} | ${ms(r.build)} | ${ms(r.p50)} | ${ms(r.p95)} |`);
  };
  for (const set of sets) await run(set, ours);
  const compact = await compactIndex(sets[0].articles, sets[0].queries);
  const answers = answerability(sets);
  // How cost grows: the corpus repeated to about 10,000 articles.
  const growth = ['| set × copies | articles | build ms | query p50 ms | query p95 ms |', '|---|---|---|---|---|'];
  for (const { set, articles: base, queries } of sets) {
    const copies = Math.ceil(10_000 / base.length);
    const articles = Array.from({ length: copies }, (_, c) => base.map((a) => ({ ...a, id: `${a.id}~${c}` }))).flat().slice(0, 10_000);
    const r = await evaluate(ours, articles, queries.slice(0, 200));
    growth.push(`| ${set} × ${copies} | ${articles.length} | ${ms(r.build)} | ${ms(r.p50)} | ${ms(r.p95)} |`);
  }
  // Snippets are built when a hit's snippet is first read; what that costs per hit.
  const snippets: string[] = [];
  for (const { set, articles, queries } of sets) {
    const index = buildSearchIndex(articles);
    let hits = 0, spent = 0;
    for (const q of queries.slice(0, 100))
      for (const h of index.search(q.text, { limit: 5 })) {
        const t = performance.now();
        void h.snippet;
        spent += performance.now() - t;
        hits++;
      }
    snippets.push(`${set}: snippet ${(spent / hits).toFixed(3)} ms per hit read (query p50 above is ranking; a list of 5 with snippets adds ${((5 * spent) / hits).toFixed(2)} ms)`);
  }
  for (const set of sets)
    for (const engine of [miniSearch(set.ja), flexSearch(set.ja), orama(set.ja), ...(set.ja ? [lunrEngine('ja')] : [lunrEngine('en')]), lunrEngine('bigrams'), fuse(set.ja)])
      await run(set, engine);
  console.log('| set | engine | Recall@10 | MRR@10 | Hit@1 | Hit@5 | build ms | query p50 ms | query p95 ms |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const lines of rows.values()) for (const line of lines) console.log(line);
  console.log(`\n${growth.join('\n')}`);
  console.log(snippets.join('\n'));
  console.log(`\n${answers.join('\n')}`);
  console.log(`\n${compact.join('\n')}`);
  const code = buildSync({ entryPoints: ['packages/core/src/search/index.ts'], bundle: true, minify: true, format: 'esm', write: false }).outputFiles[0].contents;
  console.log(`\nMadoguchi search code: ${(gzipSync(code, { level: 9 }).length / 1024).toFixed(2)} KB gzipped (${(code.length / 1024).toFixed(1)} KB minified)`);
  console.log(`Fuse.js is evaluated on the first ${FUSE_QUERIES.ja} (ja) / ${FUSE_QUERIES.en} (en) queries only: it takes seconds per query.`);
}

await main();
