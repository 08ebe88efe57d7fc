import type { Problem } from '../types';
import { validateArticles, type Article } from './articles';
import { makeSnippet, type SnippetPart } from './snippet';
import { normalizeSearchText, stemWord, tokenizeForSearch, WORD_PATTERN } from './tokenize';

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

type Postings = Map<string, number[]>; // term → [doc, BM25 weight × 1000, doc, weight × 1000, …]

/** Builds a search index over the articles (validate untrusted input first with `validateArticles`). */
export function buildSearchIndex(articles: Article[], options: SearchIndexOptions = {}): SearchIndex {
  const fields = articles.map((a) => [tokenizeForSearch(a.title, true), tokenizeForSearch((a.tags || []).join(' '), true), tokenizeForSearch(a.body)]);
  const avg = [0, 1, 2].map((f) => fields.reduce((sum, d) => sum + d[f].length, 0) / articles.length || 1);
  // Terms get numbers, so counting a field is an array walk rather than a Map per field.
  const ids = new Map<string, number>();
  const lists: number[][] = [];
  const count: number[] = [];
  fields.forEach((doc, i) => {
    doc.forEach((tokens, f) => {
      const seen: number[] = [];
      for (const t of tokens) {
        let id = ids.get(t);
        if (id == null) ids.set(t, (id = lists.length)), lists.push([]), count.push(0);
        if (!count[id]++) seen.push(id);
      }
      const k = K1 * (1 - B[f] + (B[f] * tokens.length) / avg[f]);
      for (const id of seen) {
        const x = count[id];
        const w = (WEIGHT[f] * x * (K1 + 1)) / (x + k);
        const p = lists[id];
        count[id] = 0;
        if (p[p.length - 2] === i) p[p.length - 1] += w;
        else p.push(i, w);
      }
    });
  });
  const postings: Postings = new Map();
  for (const [t, id] of ids) postings.set(t, lists[id]);
  for (const p of postings.values()) for (let j = 1; j < p.length; j += 2) p[j] = Math.round(p[j] * 1000);
  return openIndex(articles, postings, options.synonyms || {});
}

/** Opens a prebuilt index (the output of `toJSON`) without rebuilding it; throws a clear Error if malformed. */
export function loadSearchIndex(data: unknown): SearchIndex {
  const d = data as { format?: unknown; version?: unknown; articles?: unknown; terms?: unknown; synonyms?: unknown };
  if (!d || d.format !== FORMAT) throw new Error(`not a prebuilt FAQ index: expected "format": "${FORMAT}"`);
  if (d.version !== VERSION) throw new Error(`unsupported FAQ index version ${String(d.version)}; rebuild it with this version`);
  const { articles, problems } = validateArticles(d.articles);
  if (problems.length) throw new Error(`malformed FAQ index: ${problems[0].path.replace('$', '$.articles')}: ${problems[0].message}`);
  if (!d.terms || typeof d.terms != 'object') throw new Error('malformed FAQ index: "terms" must be an object');
  const postings: Postings = new Map();
  for (const [t, list] of Object.entries(d.terms)) {
    if (!Array.isArray(list) || list.length % 2) throw new Error(`malformed FAQ index: terms["${t}"] must be a list of number pairs`);
    const p = list.slice() as number[];
    for (let i = 0, doc = 0; i < p.length; i += 2) {
      doc = p[i] += doc;
      if (!(doc < articles.length && doc >= 0) || typeof p[i + 1] != 'number') throw new Error(`malformed FAQ index: terms["${t}"] points outside the articles`);
    }
    postings.set(t, p);
  }
  return openIndex(articles, postings, (d.synonyms || {}) as Record<string, string[]>);
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

function openIndex(articles: Article[], postings: Postings, synonyms: Record<string, string[]>): SearchIndex {
  const n = articles.length;
  const byId = new Map(articles.map((a) => [a.id, a]));
  let vocab: string[] | undefined;
  const sorted = () => (vocab ||= [...postings.keys()].sort());
  // Synonym groups, keyed by the tokens of each member ("money back" → "money back").
  const groups = new Map<string, string[][]>();
  for (const [k, list] of Object.entries(synonyms)) {
    const members = [k, ...list].map((s) => tokenizeForSearch(s));
    for (const m of members) groups.set(m.join(' '), [...(groups.get(m.join(' ')) || []), ...members.filter((o) => o != m)]);
  }

  function queryTerms(query: string): Map<string, number> {
    const q = new Map<string, number>();
    const add = (t: string, w: number) => postings.has(t) && !((q.get(t) || 0) >= w) && q.set(t, w);
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
      if (t.length < 5 || postings.has(t) || !isLatin(t) || (t == prefix && [...q.keys()].some((k) => k.startsWith(t)))) continue;
      const max = t.length < 9 ? 1 : 2;
      for (const v of sorted()) if (Math.abs(v.length - t.length) <= max && isLatin(v) && withinEdits(t, v, max)) add(v, 0.6);
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
        const p = postings.get(t)!;
        const df = p.length / 2;
        const idf = w * Math.log(1 + (n - df + 0.5) / (df + 0.5));
        for (let i = 0; i < p.length; i += 2) scores[p[i]] += idf * p[i + 1];
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
      const terms = [...q.keys()];
      const marked = new Set(terms.some((t) => t.length > 1 && !isLatin(t)) ? terms.filter((t) => t.length > 1 || isLatin(t)) : terms);
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
      const terms: Record<string, number[]> = {};
      for (const [t, p] of postings) terms[t] = p.map((x, i) => (i % 2 || !i ? x : x - p[i - 2]));
      return { format: FORMAT, version: VERSION, synonyms, articles, terms };
    },
  };
}

/** Whether a and b are at most `max` edits apart (insert, delete, substitute, swap neighbours). */
function withinEdits(a: string, b: string, max: number): boolean {
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let min = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + +(a[i - 1] != b[j - 1]));
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      min = Math.min(min, v);
    }
    if (min > max) return false;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length] <= max;
}
