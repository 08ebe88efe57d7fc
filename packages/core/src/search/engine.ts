import type { Problem } from '../types';
import { runAll, validateArticles, validateSteps, type Article } from './articles';
import { numberReader, writeNumber } from './compact';
import { makeSnippet, type SnippetPart } from './snippet';
import { isKanji, normalizeSearchText, scanTerms, stemWord, termText, tokenizeForSearch, WORD_PATTERN } from './tokenize';

/** One ranked answer; `snippet` is plain text pieces of the body, the matched words marked. */
export interface SearchHit {
  id: string;
  score: number;
  title: string;
  /** The share (0–1) of the query's words, weighted by how rare they are, that this article contains. */
  coverage: number;
  /** Empty while the body of an article from a compact index is not loaded (see `loadArticle`). */
  snippet: SnippetPart[];
}

export interface SearchIndex {
  /**
   * Ranked articles for what the user has typed so far; the last word also matches as a prefix. `snippet` is
   * the length of each hit's snippet in columns, a wide (CJK) character taking two (default 120).
   */
  search(query: string, options?: { limit?: number; locale?: string; snippet?: number }): SearchHit[];
  /**
   * The articles that answer a sent question with confidence, best first (up to `limit`, default 3), or none.
   * Confident: the article covers at least 12% of the question's weight (see `SearchHit.coverage`) and scores
   * at least two thirds of the weight of a word no article has (which grows with the number of articles);
   * the second and third must also score half the best.
   */
  answer(question: string, options?: { limit?: number; locale?: string }): SearchHit[];
  /** The article, when its body is at hand: always, except for a compact index whose bodies are fetched one by one. */
  article(id: string): Article | undefined;
  /** The article with its body, fetched once through the loader's `fetchArticle` when the index has no bodies. */
  loadArticle(id: string): Promise<Article | undefined>;
  readonly size: number;
}

export interface SearchIndexOptions {
  /** Words or phrases that mean the same: `{ "refund": ["money back", "reimbursement"] }`, both ways. */
  synonyms?: Record<string, string[]>;
}

/** How a long build or load shares the main thread: it works for `sliceMs`, then awaits `yieldToMain()`. */
export interface SliceOptions {
  /** Work done between yields, in milliseconds (default 8). */
  sliceMs?: number;
  /** Resolves when the page has had its turn; default `scheduler.yield()` where there is one, else a zero timeout. */
  yieldToMain?: () => Promise<unknown>;
}

export interface LoadOptions extends SliceOptions {
  /** Fetches one article as JSON, given the index's `articlePath` with `{n}` replaced (e.g. `faq-index/12.json`). */
  fetchArticle?: (path: string) => Promise<unknown>;
}

/**
 * The prebuilt index. It stores what the articles' metadata cannot give back: the body lengths, the body
 * vocabulary and each body term's postings. Title and tag counts are counted again from `articles` when it is
 * opened, and a kanji's body counts where its bigrams imply them (see `impliedBodyCounts`).
 */
export type CompactIndex = {
  format: typeof FORMAT;
  version: typeof VERSION;
  synonyms: Record<string, string[]>;
  /** Articles in index order (by title); bodies optional. */
  articles: Array<Omit<Article, 'body'> & { body?: string }>;
  /** Where an article without a body is fetched from: a path with `{n}`, the article's position. */
  articlePath?: string;
  /** Each article's body length in terms, base-32 digits (see compact.ts). */
  lengths: string;
  /** The body vocabulary's terms that are not two characters long, sorted, one a line. */
  terms: string;
  /** The two-character terms (most of a Japanese vocabulary), sorted: a line per first character, then each second character. */
  pairs: string;
  /** Per term of `terms` and `pairs` merged in sorted order: the gaps between its articles, a "." after each term. */
  postings: string;
  /** Per posting, in the same order: the term's count in that body. */
  counts: string;
};

const FORMAT = 'madoguchi-faq-index';
const VERSION = 3;
// Per field (title, tags, body), summed BM25: a weight, a length normalisation, and where the field's count
// sits in a posting's code (capped: 3 in title and tags, 63 in the body; a cap of 15 cost localgov-faq
// Recall@10 0.006).
const WEIGHT = [1.3, 1.15, 1];
const B = [0.5, 0.5, 0.75];
const SHIFT = [8, 6, 0];
const CAP = [3, 3, 63];
const BODY = CAP[2];
const K1 = 2;
// Measured with `npm run bench:search` (out-of-domain questions refused, in-domain Hit@3 kept).
const MIN_COVERAGE = 0.12;
const MIN_SCORE = 0.65;

/**
 * Postings in flat typed arrays: term `t` (numbered by `terms`) lists docs[start[t] … start[t + 1]), docs
 * ascending, with the term's count in each field packed in `codes`.
 */
interface Postings {
  terms: string[];
  start: Int32Array;
  docs: Int32Array;
  codes: Uint16Array;
  lengths: Int32Array; // three per article: title, tags, body
}

interface Source extends Postings {
  articles: Article[];
  hasBody: boolean[];
  synonyms: Record<string, string[]>;
  articlePath?: string;
  fetchArticle?: (path: string) => Promise<unknown>;
  sorted?: boolean;
}

/** Builds a search index over the articles at once (validate untrusted input first with `validateArticles`). */
export function buildSearchIndex(articles: Article[], options: SearchIndexOptions = {}): SearchIndex {
  return runAll(buildSteps(articles, options));
}

/** Builds a search index in slices, so no long task blocks the page (see `SliceOptions`). */
export function buildIndexSliced(articles: Article[], options: SearchIndexOptions & SliceOptions = {}): Promise<SearchIndex> {
  return runSliced(buildSteps(articles, options), options);
}

/** Opens a prebuilt index (from `compactSearchIndex` or `madoguchi faq build`) at once; throws a clear Error if malformed. */
export function loadSearchIndex(data: unknown, options: LoadOptions = {}): SearchIndex {
  return runAll(loadSteps(data, options));
}

/** Opens a prebuilt index in slices, so no long task blocks the page; rejects with a clear Error if malformed. */
export function loadCompactIndex(data: unknown, options: LoadOptions = {}): Promise<SearchIndex> {
  return runSliced(loadSteps(data, options), options);
}

/**
 * What the messenger's `faq` config gives after a fetch: an article array (or `{ articles }`) or a prebuilt
 * index. Never throws: bad input comes back as problems and an index over whatever was usable.
 */
export function createSearchIndexFrom(data: unknown, options?: SearchIndexOptions & LoadOptions): Opened {
  return runAll(fromData(data, options));
}

/**
 * `createSearchIndexFrom` for a page: builds or loads in slices (see `SliceOptions`), so a large help centre
 * never makes a long task. Never rejects: bad input comes back as problems.
 */
export function openSearchIndex(data: unknown, options: SearchIndexOptions & LoadOptions = {}): Promise<Opened> {
  return runSliced(fromData(data, options), options);
}

type Opened = { index: SearchIndex; problems: Problem[] };

function* fromData(data: unknown, options: SearchIndexOptions & LoadOptions = {}): Generator<void, Opened> {
  if (data && typeof data == 'object' && 'format' in data) {
    try {
      return { index: yield* loadSteps(data, options), problems: [] };
    } catch (e) {
      return { index: buildSearchIndex([]), problems: [{ path: '$', message: (e as Error).message }] };
    }
  }
  const { articles, problems } = yield* validateSteps(data);
  return { index: yield* buildSteps(articles, options), problems };
}

const nextTask = (): Promise<unknown> => {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<unknown> } }).scheduler;
  return s?.yield ? s.yield() : new Promise((resolve) => setTimeout(resolve, 0));
};

async function runSliced<T>(steps: Generator<void, T>, { sliceMs = 8, yieldToMain = nextTask }: SliceOptions): Promise<T> {
  let until = performance.now() + sliceMs;
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() >= until) {
      await yieldToMain();
      until = performance.now() + sliceMs;
    }
  }
}

function* buildSteps(unordered: Article[], options: SearchIndexOptions): Generator<void, SearchIndex> {
  // Articles in title order: similar articles sit together, so the gaps in the postings are smaller and the
  // prebuilt localgov-faq index is 9% smaller gzipped.
  const articles = [...unordered].sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  const n = articles.length;
  const lengths = new Int32Array(n * 3);
  const { terms, start, found, codes, docEnd } = yield* countFields(articles, 3, lengths);
  // Pass 3: postings grouped by term, docs staying in order.
  const m = terms.length;
  for (let t = 0; t < m; t++) start[t + 1] += start[t];
  const at = start.slice(0, m);
  const p = n ? docEnd[n - 1] : 0;
  const docs = new Int32Array(p);
  const grouped = new Uint16Array(p);
  for (let i = 0, j = 0; i < n; i++) {
    for (; j < docEnd[i]; j++) {
      const o = at[found[j]]++;
      docs[o] = i;
      grouped[o] = codes[j];
    }
    if (i % 64 == 0) yield;
  }
  const source = { articles, hasBody: articles.map(() => true), synonyms: options.synonyms || {}, terms, start, docs, codes: grouped, lengths };
  return yield* openSteps(source);
}

/**
 * Passes 1 and 2 of a build over the first `fields` fields (title, tags, body) of each article: the terms
 * met, each field's length (into `lengths`, three per article), and per article each of its terms (`found`,
 * numbered as in `terms`, up to `docEnd[i]`) with its counts per field (`codes`); `start[t + 1]` counts
 * the articles of term t.
 */
function* countFields(articles: Article[], fields: number, lengths: Int32Array) {
  const n = articles.length;
  // Pass 1: every field's terms as numbers, one after the other, and each field's length.
  const ids = new Map<string | number, number>();
  let seq = new Int32Array(1 << 16);
  let len = 0;
  const count = (t: string | number) => {
    if (len == seq.length) {
      const grown = new Int32Array(2 * len);
      grown.set(seq);
      seq = grown;
    }
    let id = ids.get(t);
    if (id == null) ids.set(t, (id = ids.size));
    seq[len++] = id;
  };
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < fields; f++) {
      const a = articles[i];
      const from = len;
      scanTerms(f ? (f > 1 ? a.body : (a.tags || []).join(' ')) : a.title, count);
      lengths[i * 3 + f] = len - from;
    }
    if (fields > 2 || i % 64 == 63) yield;
  }
  const terms = [...ids.keys()].map(termText);
  // Pass 2: per doc, each term's count per field; its postings are counted per term.
  const m = terms.length;
  const seen = new Int32Array(m);
  const code = new Int32Array(m);
  const start = new Int32Array(m + 1);
  const docEnd = new Int32Array(n);
  const found = new Int32Array(len);
  const codes = new Uint16Array(len);
  let k = 0;
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < fields; f++) {
      const end = k + lengths[i * 3 + f];
      for (let j = k; j < end; j++) seen[seq[j]]++;
      for (; k < end; k++) {
        const id = seq[k];
        const x = seen[id];
        if (!x) continue;
        if (!code[id]) found[p++] = id;
        code[id] |= Math.min(x, CAP[f]) << SHIFT[f];
        seen[id] = 0;
      }
    }
    for (let j = i ? docEnd[i - 1] : 0; j < p; j++) {
      codes[j] = code[found[j]];
      code[found[j]] = 0;
      start[found[j] + 1]++;
    }
    docEnd[i] = p;
    if (fields > 2 || i % 64 == 63) yield;
  }
  return { terms, start, found, codes, docEnd };
}

const fail = (what: string): never => {
  throw new Error(`malformed FAQ index: ${what}`);
};

function* loadSteps(data: unknown, options: LoadOptions): Generator<void, SearchIndex> {
  const d = data as Partial<Record<keyof CompactIndex, unknown>>;
  if (!d || d.format !== FORMAT) throw new Error(`not a prebuilt FAQ index: expected "format": "${FORMAT}"`);
  if (d.version !== VERSION) throw new Error(`unsupported FAQ index version ${String(d.version)}; rebuild it with this version`);
  const list = Array.isArray(d.articles) ? d.articles : fail('"articles" must be an array');
  const hasBody = list.map((a) => typeof a?.body == 'string');
  const { articles, problems } = validateArticles(list.map((a) => (a && typeof a == 'object' && !hasBody[0] ? { body: '', ...a } : a)));
  if (problems.length) fail(`${problems[0].path.replace('$', '$.articles')}: ${problems[0].message}`);
  if (hasBody.some((b) => b != hasBody[0])) fail('either every article has its body or none has');
  if (!hasBody[0] && list.length && typeof d.articlePath != 'string') fail('articles without bodies need an "articlePath"');
  for (const key of ['lengths', 'terms', 'pairs', 'postings', 'counts'] as const) if (typeof d[key] != 'string') fail(`"${key}" must be a string`);
  yield;
  const n = articles.length;
  const lengths = new Int32Array(n * 3);
  const read = numberReader(d.lengths as string, '"lengths"');
  for (let i = 0; i < n; i++) if ((lengths[i * 3 + 2] = read.next()) < 0) fail('"lengths" has a "." where a number belongs');
  if (!read.done) fail('"lengths" is longer than one number per article');
  // The stored vocabulary: the two lists merged back into one sorted order.
  const words = d.terms ? (d.terms as string).split('\n') : [];
  const pairs: string[] = [];
  for (const line of d.pairs ? (d.pairs as string).split('\n') : []) {
    if (line.length < 2) fail('"pairs" has a line without a second character');
    for (let i = 1; i < line.length; i++) pairs.push(line[0] + line[i]);
  }
  const stored = yield* mergeSorted(words, pairs);
  yield;
  // The stored terms' body postings. (Loops run in plain functions, a slice at a time: a generator's own
  // loops stay slow in some engines.)
  const text = d.postings as string;
  const gaps = numberReader(text, '"postings"');
  const counts = numberReader(d.counts as string, '"counts"');
  const sStart = new Int32Array(stored.length + 1);
  const sDocs = new Int32Array(text.length); // a posting takes at least one character
  const sCounts = new Uint16Array(text.length);
  let o = 0;
  const decode = (from: number, to: number) => {
    for (let t = from; t < to; t++) {
      for (let doc = -1, gap; (gap = gaps.next()) >= 0; o++) {
        doc += gap + 1;
        const count = counts.next();
        if (doc >= n || !(count >= 0 && count <= BODY)) fail(`the postings of "${stored[t]}" point outside the articles`);
        sDocs[o] = doc;
        sCounts[o] = count;
      }
      sStart[t + 1] = o;
    }
  };
  for (let t = 0; t < stored.length; t += 512) {
    decode(t, Math.min(stored.length, t + 512));
    yield;
  }
  if (!gaps.done) fail('"postings" has more lists than the vocabulary has terms');
  if (!counts.done) fail('"counts" is longer than "postings"');
  // A kanji's body counts that its bigrams imply, where the index stores none of its own.
  const implied = yield* impliedBodyCounts(stored, n, sStart, sDocs, sCounts);
  // Title and tag counts, counted again as the build counts them.
  const field = yield* countFields(articles, 2, lengths);
  // The whole vocabulary, sorted: the stored terms, kanji known only from their bigrams, title and tag terms.
  const known = new Set(stored);
  const more = new Set<string>();
  for (const k of implied.keys()) if (!known.has(k)) more.add(k);
  for (const t of field.terms) if (!known.has(t)) more.add(t);
  yield;
  const terms = yield* mergeSorted(stored, [...more].sort());
  const m = terms.length;
  const ids = new Map<string, number>();
  for (let t = 0; t < m; t++) ids.set(terms[t], t);
  yield;
  // Title and tag postings grouped by term, articles ascending (a counting sort).
  const fFound = field.found;
  const fCount = n ? field.docEnd[n - 1] : 0;
  const idOf = Int32Array.from(field.terms, (t) => ids.get(t)!);
  const fStart = new Int32Array(m + 1);
  for (let e = 0; e < fCount; e++) fStart[idOf[fFound[e]] + 1]++;
  for (let t = 0; t < m; t++) fStart[t + 1] += fStart[t];
  const fAt = fStart.slice(0, m);
  const fDocs = new Int32Array(fCount);
  const fGrouped = new Uint16Array(fCount);
  for (let i = 0, e = 0; i < n; i++)
    for (; e < field.docEnd[i]; e++) {
      const k = fAt[idOf[fFound[e]]]++;
      fDocs[k] = i;
      fGrouped[k] = field.codes[e];
    }
  yield;
  // Each term's postings: its stored body counts, else the implied ones, with its title and tag counts.
  let size = o + fCount;
  for (const { docs } of implied.values()) size += docs.length;
  const start = new Int32Array(m + 1);
  const docs = new Int32Array(size);
  const codes = new Uint16Array(size);
  const none: Postings1 = { docs: [], counts: [] };
  let k = 0;
  let s = 0;
  const merge = (from: number, to: number) => {
    for (let t = from; t < to; t++) {
      let a = 0;
      let aEnd = 0;
      if (s < stored.length && stored[s] == terms[t]) (a = sStart[s]), (aEnd = sStart[++s]);
      const { docs: iDocs, counts: iCounts } = (terms[t].length == 1 && implied.get(terms[t])) || none;
      let b = 0;
      let c = fStart[t];
      const cEnd = fStart[t + 1];
      for (;;) {
        const doc = Math.min(a < aEnd ? sDocs[a] : n, b < iDocs.length ? iDocs[b] : n, c < cEnd ? fDocs[c] : n);
        if (doc == n) break;
        let code = 0;
        if (b < iDocs.length && iDocs[b] == doc) code = iCounts[b++];
        if (a < aEnd && sDocs[a] == doc) code = sCounts[a++];
        if (c < cEnd && fDocs[c] == doc) code |= fGrouped[c++];
        docs[k] = doc;
        codes[k++] = code;
      }
      start[t + 1] = k;
    }
  };
  for (let t = 0; t < m; t += 512) {
    merge(t, Math.min(m, t + 512));
    yield;
  }
  const source: Source = {
    articles,
    hasBody,
    synonyms: (d.synonyms && typeof d.synonyms == 'object' ? d.synonyms : {}) as Record<string, string[]>,
    articlePath: d.articlePath as string | undefined,
    fetchArticle: options.fetchArticle,
    terms,
    start,
    docs: docs.subarray(0, k),
    codes: codes.subarray(0, k),
    lengths,
    sorted: true,
  };
  return yield* openSteps(source);
}

/**
 * `[...list].sort()` for distinct strings, in steps: each run of `run` strings is sorted, then
 * merged into what is sorted so far (see `mergeSorted`). A Japanese help centre's vocabulary is
 * mostly bigrams (25,064 terms for localgov-faq's 1,786 articles), and one native sort of it took
 * 25 ms in Node, about 100 ms at 4× CPU: the longest task of a sliced build.
 */
export function* sortedSteps(list: readonly string[], run = 1024): Generator<void, string[]> {
  let out: string[] = [];
  for (let lo = 0; lo < list.length; lo += run) out = yield* mergeSorted(out, list.slice(lo, lo + run).sort());
  return out;
}

/** Two sorted lists of distinct strings as one, in steps (a malformed index has them out of order). */
function* mergeSorted(a: string[], b: string[]): Generator<void, string[]> {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    out.push(j >= b.length || (i < a.length && a[i] < b[j]) ? a[i++] : b[j++]);
    if (out.length % 4096 == 0) yield;
  }
  for (let k = 1; k < out.length; k++) if (!(out[k - 1] < out[k])) fail(`the vocabulary is not sorted at "${out[k]}"`);
  return out;
}

const isLatin = (t: string) => /^[\p{sc=Latn}\p{N}]/u.test(t);

function* openSteps(src: Source): Generator<void, SearchIndex> {
  const { articles, terms: vocab, start, docs, codes, lengths, synonyms } = src;
  const n = articles.length;
  const byId = new Map(articles.map((a, i) => [a.id, i]));
  const terms = new Map<string, number>();
  for (let t = 0; t < vocab.length; t++) {
    terms.set(vocab[t], t);
    if (t % 1024 == 1023) yield;
  }
  // Each posting's summed field BM25 weight, from its counts and the article's field lengths.
  const avg = [0, 0, 0];
  for (let i = 0; i < n * 3; i++) avg[i % 3] += lengths[i] / n;
  const weights = new Float64Array(docs.length);
  for (let o = 0; o < docs.length; o++) {
    let w = 0;
    for (let f = 0; f < 3; f++) {
      const x = (codes[o] >> SHIFT[f]) & CAP[f];
      if (x) w += (WEIGHT[f] * x * (K1 + 1)) / (x + K1 * (1 - B[f] + (B[f] * lengths[docs[o] * 3 + f]) / (avg[f] || 1)));
    }
    weights[o] = w;
    if (o % 4096 == 4095) yield;
  }
  // Sorted for prefix lookups as the user types; sorting here keeps it off the first keystroke.
  const sorted = src.sorted ? vocab : yield* sortedSteps(vocab);
  yield;
  // Latin terms by length, so a typo is looked for only among words of about its length.
  let latin: string[][] | undefined;
  const byLength = () => {
    if (!latin) {
      latin = [];
      for (const t of vocab) if (isLatin(t)) (latin[t.length] ||= []).push(t);
    }
    return latin;
  };
  // Synonym groups, keyed by the tokens of each member ("money back" → "money back").
  const groups = new Map<string, string[][]>();
  for (const [k, list] of Object.entries(synonyms)) {
    if (!Array.isArray(list)) continue;
    const members = [k, ...list].map((s) => tokenizeForSearch(String(s), true));
    for (const m of members) groups.set(m.join(' '), [...(groups.get(m.join(' ')) || []), ...members.filter((o) => o != m)]);
  }
  const idf = (df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));
  const has = (t: number, doc: number) => {
    let lo = start[t];
    for (let hi = start[t + 1]; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (docs[mid] < doc) lo = mid + 1;
      else hi = mid;
    }
    return lo < start[t + 1] && docs[lo] == doc;
  };

  /** The query's terms known to the index with their weights, each tied to the query word it stands for. */
  function queryTerms(query: string) {
    const q = new Map<string, number>();
    const word = new Map<string, number>();
    const add = (t: string, w: number, of: number) => terms.has(t) && !((q.get(t) || 0) >= w) && q.set(t, w) && word.set(t, of);
    const tokens = tokenizeForSearch(query, true);
    tokens.forEach((t, i) => add(t, 1, i));
    for (let i = 0; i < tokens.length; i++)
      for (let k = 1; k < 4 && i + k <= tokens.length; k++) for (const alt of groups.get(tokens.slice(i, i + k).join(' ')) || []) for (const t of alt) add(t, 0.8, i);
    // As-you-type: the last word, unless followed by a space or punctuation, is a prefix.
    const words = [...normalizeSearchText(query).matchAll(WORD_PATTERN)];
    const last = words[words.length - 1];
    const open = last && last.index! + last[0].length == query.normalize('NFKC').length;
    let prefix = '';
    if (open && (!last[1] || last[0].length == 1)) {
      prefix = last[1] ? last[0] : stemWord(last[0]);
      const of = tokens.includes(prefix) ? tokens.lastIndexOf(prefix) : tokens.length;
      const v = sorted;
      let lo = 0;
      for (let hi = v.length; lo < hi; ) {
        const mid = (lo + hi) >> 1;
        if (v[mid] < prefix) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < lo + 30 && v[i]?.startsWith(prefix); i++) add(v[i], 0.8, of);
      // A partial word can run past its stem ("shippi" → "ship").
      for (let k = last[0].length - 1; k >= 4 && k >= last[0].length - 3; k--) add(last[0].slice(0, k), 0.8, of);
    }
    // Typo tolerance for Latin words the index does not know.
    tokens.forEach((t, i) => {
      if (t.length < 5 || terms.has(t) || !isLatin(t) || (t == prefix && [...q.keys()].some((k) => k.startsWith(t)))) return;
      const max = t.length < 9 ? 1 : 2;
      for (let l = t.length - max; l <= t.length + max; l++) for (const v of byLength()[l] || []) if (withinEdits(t, v, max)) add(v, 0.6, i);
    });
    return { q, word, tokens };
  }

  /**
   * How much of the query `doc` covers: per query word, its best matching term's weight, over the words' total.
   * A Latin word or a lone kanji the index has never seen counts in the total at the highest weight, so a
   * question about something the articles never mention covers little.
   */
  function coverage({ q, word, tokens }: ReturnType<typeof queryTerms>, doc: number) {
    const best = new Map<number, number>();
    const found = new Map<number, number>();
    for (const [t, w] of q) {
      const id = terms.get(t)!;
      const x = w * idf(start[id + 1] - start[id]);
      const of = word.get(t)!;
      if (!(best.get(of)! >= x)) best.set(of, x);
      if (!(found.get(of)! >= x) && has(id, doc)) found.set(of, x);
    }
    let total = 0;
    let got = 0;
    const unseen = new Set<string>();
    tokens.forEach((t, i) => !best.has(i) && !q.has(t) && (isLatin(t) || t.length == 1) && unseen.add(t));
    for (const x of best.values()) total += x;
    for (const x of found.values()) got += x;
    total += unseen.size * idf(0);
    return total ? Math.round((1000 * got) / total) / 1000 : 0;
  }

  const article = (id: string) => (byId.has(id) && src.hasBody[byId.get(id)!] ? articles[byId.get(id)!] : undefined);

  const index: SearchIndex = {
    get size() {
      return n;
    },
    article,
    async loadArticle(id) {
      const i = byId.get(id);
      if (i == null || src.hasBody[i]) return article(id);
      if (!src.fetchArticle) throw new Error(`the FAQ index has no article bodies and no fetchArticle to load "${id}"`);
      const path = src.articlePath!.replace('{n}', String(i));
      const { articles: got } = validateArticles([await src.fetchArticle(path)]);
      if (got[0]?.id !== id) throw new Error(`${path} is not the article "${id}"; rebuild the index and its article files together`);
      articles[i] = { ...articles[i], body: got[0].body };
      src.hasBody[i] = true;
      return articles[i];
    },
    answer(question, { limit = 3, locale } = {}) {
      // A trailing space ends the last word: a sent question is not read as a prefix.
      const hits = index.search(question + ' ', { limit: 10, locale });
      const floor = Math.max(MIN_SCORE * idf(0), (hits[0]?.score || 0) / 2);
      return hits.filter((h) => h.coverage >= MIN_COVERAGE && h.score >= floor).slice(0, hits[0]?.coverage >= MIN_COVERAGE ? limit : 0);
    },
    search(query, { limit = 10, locale, snippet: size = 120 } = {}) {
      const asked = queryTerms(query);
      const scores = new Float64Array(n);
      for (const [t, w] of asked.q) {
        const id = terms.get(t)!;
        const x = w * idf(start[id + 1] - start[id]);
        for (let o = start[id]; o < start[id + 1]; o++) scores[docs[o]] += x * weights[o];
      }
      const top: number[] = [];
      for (let i = 0; i < n; i++) {
        const s = scores[i];
        if (!s || (top.length == limit && s <= scores[top[limit - 1]])) continue;
        if (locale && articles[i].locale && articles[i].locale != locale) continue;
        let j = Math.min(top.length, limit - 1);
        while (j > 0 && scores[top[j - 1]] < s) top[j] = top[--j];
        top[j] = i;
      }
      // A lone kanji is marked only when the query has nothing longer to show.
      const found = [...asked.q.keys()];
      const marked = new Set(found.some((t) => t.length > 1 && !isLatin(t)) ? found.filter((t) => t.length > 1 || isLatin(t)) : found);
      // Snippets are made when first read: a list of suggestions rarely shows them all.
      return top.map((i): SearchHit => {
        let snippet: SnippetPart[] | undefined;
        return {
          id: articles[i].id,
          score: Math.round(scores[i] * 1000) / 1000,
          title: articles[i].title,
          coverage: coverage(asked, i),
          get snippet() {
            return src.hasBody[i] ? (snippet ||= makeSnippet(articles[i].body, marked, size)) : [];
          },
        };
      });
    },
  };
  sources.set(index, src);
  return index;
}

/** What each index was opened from, for `compactSearchIndex`. */
const sources = new WeakMap<SearchIndex, Source>();

/**
 * The prebuilt index of an index built or loaded here, ready for `JSON.stringify` and
 * `loadSearchIndex`; bodies included. A function, not a method, so that a page that only searches
 * never carries the writer.
 */
export function compactSearchIndex(index: SearchIndex): CompactIndex {
  const src = sources.get(index);
  if (!src) throw new TypeError('compactSearchIndex: not an index from buildSearchIndex or loadSearchIndex');
  const { articles, synonyms, articlePath, terms, start, docs, codes, lengths } = src;
  const n = lengths.length / 3;
  const order = terms.map((_, t) => t).sort((a, b) => (terms[a] < terms[b] ? -1 : 1));
  const implied = runAll(impliedBodyCounts(terms, n, start, docs, codes));
  const gaps: string[] = [];
  const counts: string[] = [];
  const words: string[] = [];
  const pairs: string[] = [];
  let head = '';
  for (const t of order) {
    const term = terms[t];
    const { docs: list, counts: expected } = implied.get(term) || { docs: [], counts: [] };
    let last = -1;
    for (let o = start[t], j = 0; o < start[t + 1]; o++) {
      const count = codes[o] & BODY;
      while (list[j] < docs[o]) j++;
      // Title and tag counts are counted again from the articles; a body count its bigrams imply is left out.
      if (count == (list[j] == docs[o] ? expected[j] : 0)) continue;
      writeNumber(gaps, docs[o] - last - 1);
      writeNumber(counts, count);
      last = docs[o];
    }
    if (last < 0) continue;
    gaps.push('.');
    if (term.length != 2) words.push(term);
    else pairs.push(term[0] == head ? term[1] : `\n${(head = term[0]) + term[1]}`);
  }
  const sizes: string[] = [];
  for (let i = 0; i < n; i++) writeNumber(sizes, lengths[i * 3 + 2]);
  return {
    format: FORMAT,
    version: VERSION,
    synonyms,
    articles: articlePath ? articles.map(({ body, ...meta }) => meta) : articles,
    ...(articlePath ? { articlePath } : {}),
    lengths: sizes.join(''),
    terms: words.join('\n'),
    pairs: pairs.join('').slice(1),
    postings: gaps.join(''),
    counts: counts.join(''),
  };
}

/**
 * The body count of each kanji, per doc, as its bigrams imply it: the larger of the summed body
 * counts of the bigrams it starts and of those it ends (an occurrence inside a run is in one or both).
 * Keyed by the kanji, whether or not it is among `terms`. Single kanji are a third of a Japanese
 * index's postings, so the prebuilt index stores only the counts this gets wrong.
 */
function* impliedBodyCounts(terms: string[], n: number, start: Int32Array, docs: Int32Array, codes: Uint16Array): Generator<void, Map<string, Postings1>> {
  // Only a kanji is a term wherever it stands; a lone kana is one only as a run of its own.
  const bigrams = new Map<string, number[][]>(); // kanji → [bigrams it starts, bigrams it ends]
  terms.forEach((term, t) => {
    if (term.length == 2 && !isLatin(term))
      for (let side = 0; side < 2; side++)
        if (isKanji(term.charCodeAt(side))) (bigrams.get(term[side]) || bigrams.set(term[side], [[], []]).get(term[side])!)[side].push(t);
  });
  const sums = [new Int32Array(n), new Int32Array(n)];
  const implied = new Map<string, Postings1>();
  const one = (x: string, sides: number[][]) => {
    let lo = n;
    let hi = -1;
    for (let side = 0; side < 2; side++)
      for (const t of sides[side])
        for (let o = start[t]; o < start[t + 1]; o++) {
          sums[side][docs[o]] += codes[o] & BODY;
          if (docs[o] < lo) lo = docs[o];
          if (docs[o] > hi) hi = docs[o];
        }
    const found: number[] = [];
    const counts: number[] = [];
    for (let d = lo; d <= hi; d++) {
      const c = Math.max(sums[0][d], sums[1][d]);
      if (c) found.push(d), counts.push(Math.min(c, BODY));
      sums[0][d] = sums[1][d] = 0;
    }
    if (found.length) implied.set(x, { docs: found, counts });
  };
  let done = 0;
  for (const [x, sides] of bigrams) {
    one(x, sides);
    if (++done % 64 == 0) yield;
  }
  return implied;
}

/** A kanji's implied body counts: docs ascending, each with its count. */
type Postings1 = { docs: number[]; counts: number[] };

/** Whether a and b are at most `max` edits apart (insert, delete, substitute, swap neighbours). */
function withinEdits(a: string, b: string, max: number): boolean {
  let prev2: number[] = [];
  let prev: number[] = [];
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let min = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + +(a[i - 1] != b[j - 1]));
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < min) min = v;
    }
    if (min > max) return false;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length] <= max;
}
