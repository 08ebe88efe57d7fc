import type { Problem } from '../types';
import { validateArticles, type Article } from './articles';
import { makeSnippet, type SnippetPart } from './snippet';
import { normalizeSearchText, scanTerms, stemWord, termText, tokenizeForSearch, WORD_PATTERN } from './tokenize';

/** One ranked answer; `snippet` is plain text pieces of the body, the matched words marked. */
export interface SearchHit {
  id: string;
  score: number;
  title: string;
  snippet: SnippetPart[];
}

export interface SearchIndex {
  /** Ranked articles for what the user has typed so far; the last word also matches as a prefix. */
  search(query: string, options?: { limit?: number; locale?: string }): SearchHit[];
  article(id: string): Article | undefined;
  readonly size: number;
  /** The prebuilt index, ready for JSON.stringify and `loadSearchIndex`. */
  toJSON(): unknown;
}

export interface SearchIndexOptions {
  /** Words or phrases that mean the same: `{ "refund": ["money back", "reimbursement"] }`, both ways. */
  synonyms?: Record<string, string[]>;
}

const FORMAT = 'madoguchi-faq-index';
const VERSION = 1;
// Per field (title, tags, body), summed BM25: a weight and a length normalisation.
const WEIGHT = [1.3, 1.15, 1];
const B = [0.5, 0.5, 0.75];
const K1 = 2;

/**
 * Postings in flat typed arrays: term `t` (numbered by `terms`) lists docs[start[t] … start[t + 1]) with their
 * summed BM25 weights × 1000 in `weights`, docs ascending.
 */
interface Postings {
  terms: Map<string, number>;
  start: Int32Array;
  docs: Int32Array;
  weights: Int32Array;
}

/** Builds a search index over the articles (validate untrusted input first with `validateArticles`). */
export function buildSearchIndex(articles: Article[], options: SearchIndexOptions = {}): SearchIndex {
  const n = articles.length;
  // Pass 1: every field's terms as numbers, one after the other, and each field's length.
  const ids = new Map<string | number, number>();
  const lengths = new Int32Array(n * 3);
  const avg = [0, 0, 0];
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
  for (let i = 0; i < n; i++)
    for (let f = 0; f < 3; f++) {
      const a = articles[i];
      const text = f ? (f > 1 ? a.body : (a.tags || []).join(' ')) : a.title;
      const from = len;
      scanTerms(text, count);
      avg[f] += lengths[i * 3 + f] = len - from;
    }
  const terms = new Map<string, number>();
  for (const [t, id] of ids) terms.set(termText(t), id);
  // Pass 2: per doc, each term's summed field weights; its postings are counted per term.
  const m = terms.size;
  const seen = new Int32Array(m);
  const sum = new Float64Array(m);
  const start = new Int32Array(m + 1);
  const docEnd = new Int32Array(n);
  const found = new Int32Array(len);
  const weight = new Int32Array(len);
  let k = 0;
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < 3; f++) {
      const end = k + lengths[i * 3 + f];
      const b = K1 * (1 - B[f] + (B[f] * (end - k)) / (avg[f] / n || 1));
      for (let j = k; j < end; j++) seen[seq[j]]++;
      for (; k < end; k++) {
        const id = seq[k];
        const x = seen[id];
        if (!x) continue;
        if (!sum[id]) found[p++] = id;
        sum[id] += (WEIGHT[f] * x * (K1 + 1)) / (x + b);
        seen[id] = 0;
      }
    }
    for (let j = i ? docEnd[i - 1] : 0; j < p; j++) {
      const id = found[j];
      weight[j] = Math.round(sum[id] * 1000);
      sum[id] = 0;
      start[id + 1]++;
    }
    docEnd[i] = p;
  }
  // Pass 3: postings grouped by term, docs staying in order.
  for (let t = 0; t < m; t++) start[t + 1] += start[t];
  const at = start.slice(0, m);
  const docs = new Int32Array(p);
  const weights = new Int32Array(p);
  for (let i = 0, j = 0; i < n; i++)
    for (; j < docEnd[i]; j++) {
      const o = at[found[j]]++;
      docs[o] = i;
      weights[o] = weight[j];
    }
  return openIndex(articles, { terms, start, docs, weights }, options.synonyms || {});
}

/** Opens a prebuilt index (the output of `toJSON`) without rebuilding it; throws a clear Error if malformed. */
export function loadSearchIndex(data: unknown): SearchIndex {
  const d = data as { format?: unknown; version?: unknown; articles?: unknown; terms?: unknown; synonyms?: unknown };
  if (!d || d.format !== FORMAT) throw new Error(`not a prebuilt FAQ index: expected "format": "${FORMAT}"`);
  if (d.version !== VERSION) throw new Error(`unsupported FAQ index version ${String(d.version)}; rebuild it with this version`);
  const { articles, problems } = validateArticles(d.articles);
  if (problems.length) throw new Error(`malformed FAQ index: ${problems[0].path.replace('$', '$.articles')}: ${problems[0].message}`);
  if (!d.terms || typeof d.terms != 'object') throw new Error('malformed FAQ index: "terms" must be an object');
  const entries = Object.entries(d.terms);
  const terms = new Map<string, number>();
  const start = new Int32Array(entries.length + 1);
  for (const [t, list] of entries) {
    if (!Array.isArray(list) || list.length % 2) throw new Error(`malformed FAQ index: terms["${t}"] must be a list of number pairs`);
    start[terms.size + 1] = start[terms.size] + list.length / 2;
    terms.set(t, terms.size);
  }
  const docs = new Int32Array(start[entries.length]);
  const weights = new Int32Array(docs.length);
  entries.forEach(([t, list], id) => {
    for (let i = 0, o = start[id], doc = 0; i < list.length; i += 2, o++) {
      doc = docs[o] = doc + list[i];
      if (!(doc < articles.length && doc >= 0 && doc % 1 == 0) || typeof list[i] + typeof list[i + 1] != 'numbernumber') throw new Error(`malformed FAQ index: terms["${t}"] points outside the articles`);
      weights[o] = list[i + 1];
    }
  });
  return openIndex(articles, { terms, start, docs, weights }, (d.synonyms || {}) as Record<string, string[]>);
}

/**
 * What the messenger's `faq` config gives after a fetch: an article array (or `{ articles }`) or a prebuilt
 * index. Never throws: bad input comes back as problems and an index over whatever was usable.
 */
export function createSearchIndexFrom(data: unknown, options?: SearchIndexOptions): { index: SearchIndex; problems: Problem[] } {
  if (data && typeof data == 'object' && 'format' in data) {
    try {
      return { index: loadSearchIndex(data), problems: [] };
    } catch (e) {
      return { index: buildSearchIndex([]), problems: [{ path: '$', message: (e as Error).message }] };
    }
  }
  const { articles, problems } = validateArticles(data);
  return { index: buildSearchIndex(articles, options), problems };
}

const isLatin = (t: string) => /^[\p{sc=Latn}\p{N}]/u.test(t);

function openIndex(articles: Article[], { terms, start, docs, weights }: Postings, synonyms: Record<string, string[]>): SearchIndex {
  const n = articles.length;
  const byId = new Map(articles.map((a) => [a.id, a]));
  let vocab: string[] | undefined;
  const sorted = () => (vocab ||= [...terms.keys()].sort());
  // Latin terms by length, so a typo is looked for only among words of about its length.
  let latin: string[][] | undefined;
  const byLength = () => {
    if (!latin) {
      latin = [];
      for (const t of terms.keys()) if (isLatin(t)) (latin[t.length] ||= []).push(t);
    }
    return latin;
  };
  // Synonym groups, keyed by the tokens of each member ("money back" → "money back").
  const groups = new Map<string, string[][]>();
  for (const [k, list] of Object.entries(synonyms)) {
    const members = [k, ...list].map((s) => tokenizeForSearch(s, true));
    for (const m of members) groups.set(m.join(' '), [...(groups.get(m.join(' ')) || []), ...members.filter((o) => o != m)]);
  }

  function queryTerms(query: string): Map<string, number> {
    const q = new Map<string, number>();
    const add = (t: string, w: number) => terms.has(t) && !((q.get(t) || 0) >= w) && q.set(t, w);
    const tokens = tokenizeForSearch(query, true);
    for (const t of tokens) add(t, 1);
    for (let i = 0; i < tokens.length; i++)
      for (let k = 1; k < 4 && i + k <= tokens.length; k++) for (const alt of groups.get(tokens.slice(i, i + k).join(' ')) || []) for (const t of alt) add(t, 0.8);
    // As-you-type: the last word, unless followed by a space or punctuation, is a prefix.
    const words = [...normalizeSearchText(query).matchAll(WORD_PATTERN)];
    const last = words[words.length - 1];
    const open = last && last.index! + last[0].length == query.normalize('NFKC').length;
    let prefix = '';
    if (open && (!last[1] || last[0].length == 1)) {
      prefix = last[1] ? last[0] : stemWord(last[0]);
      const v = sorted();
      let lo = 0;
      for (let hi = v.length; lo < hi; ) {
        const mid = (lo + hi) >> 1;
        if (v[mid] < prefix) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < lo + 30 && v[i]?.startsWith(prefix); i++) add(v[i], 0.8);
      // A partial word can run past its stem ("shippi" → "ship").
      for (let k = last[0].length - 1; k >= 4 && k >= last[0].length - 3; k--) add(last[0].slice(0, k), 0.8);
    }
    // Typo tolerance for Latin words the index does not know.
    for (const t of tokens) {
      if (t.length < 5 || terms.has(t) || !isLatin(t) || (t == prefix && [...q.keys()].some((k) => k.startsWith(t)))) continue;
      const max = t.length < 9 ? 1 : 2;
      for (let l = t.length - max; l <= t.length + max; l++) for (const v of byLength()[l] || []) if (withinEdits(t, v, max)) add(v, 0.6);
    }
    return q;
  }

  return {
    get size() {
      return n;
    },
    article: (id) => byId.get(id),
    search(query, { limit = 10, locale } = {}) {
      const q = queryTerms(query);
      const scores = new Float64Array(n);
      for (const [t, w] of q) {
        const id = terms.get(t)!;
        const df = start[id + 1] - start[id];
        const idf = w * Math.log(1 + (n - df + 0.5) / (df + 0.5));
        for (let o = start[id]; o < start[id + 1]; o++) scores[docs[o]] += idf * weights[o];
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
      const found = [...q.keys()];
      const marked = new Set(found.some((t) => t.length > 1 && !isLatin(t)) ? found.filter((t) => t.length > 1 || isLatin(t)) : found);
      // Snippets are made when first read: a list of suggestions rarely shows them all.
      return top.map((i): SearchHit => {
        let snippet: SnippetPart[] | undefined;
        return {
          id: articles[i].id,
          score: Math.round(scores[i]) / 1000,
          title: articles[i].title,
          get snippet() {
            return (snippet ||= makeSnippet(articles[i].body, marked));
          },
        };
      });
    },
    toJSON() {
      // Docs as gaps from the one before: shorter JSON.
      const out: Record<string, number[]> = {};
      for (const [t, id] of terms) {
        const list: number[] = (out[t] = []);
        for (let o = start[id]; o < start[id + 1]; o++) list.push(docs[o] - (o > start[id] ? docs[o - 1] : 0), weights[o]);
      }
      return { format: FORMAT, version: VERSION, synonyms, articles, terms: out };
    },
  };
}

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
