/**
 * FAQ search benchmark: our engine beside MiniSearch, FlexSearch, Orama, Lunr and Fuse.js on the
 * shared retrieval sets (localgov-faq, Japanese; stack-faq, English). Run: npm run bench:search
 * Metrics as defined in ../shared/data/README.md.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import MiniSearch from 'minisearch';
import FlexSearch from 'flexsearch';
import { create, insertMultiple, search as oramaSearch } from '@orama/orama';
import Fuse from 'fuse.js';
import { buildSearchIndex, type Article } from '../packages/core/src/search';

const require = createRequire(import.meta.url);
const lunr = require('lunr');
require('lunr-languages/lunr.stemmer.support')(lunr);
require('lunr-languages/tinyseg')(lunr);
require('lunr-languages/lunr.ja')(lunr);

const DATA = new URL('../../shared/data/', import.meta.url);
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
  const code = buildSync({ entryPoints: ['packages/core/src/search/index.ts'], bundle: true, minify: true, format: 'esm', write: false }).outputFiles[0].contents;
  console.log(`\nMadoguchi search code: ${(gzipSync(code, { level: 9 }).length / 1024).toFixed(2)} KB gzipped (${(code.length / 1024).toFixed(1)} KB minified)`);
  console.log(`Fuse.js is evaluated on the first ${FUSE_QUERIES.ja} (ja) / ${FUSE_QUERIES.en} (en) queries only: it takes seconds per query.`);
}

await main();
