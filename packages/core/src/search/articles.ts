import type { Problem } from '../types';

/** One help-centre article. `body` is plain text or the safe Markdown subset. */
export interface Article {
  id: string;
  locale?: string;
  title: string;
  body: string;
  tags?: string[];
  url?: string;
  updatedAt?: string;
}

const OPTIONAL_TEXT = ['locale', 'url', 'updatedAt'] as const;

/**
 * Checks an article list (an array, or `{ articles: [...] }`). Bad rows are skipped, each with a
 * problem naming its JSON path and the reason; the good rows are returned.
 */
export const validateArticles = (input: unknown): { articles: Article[]; problems: Problem[] } => runAll(validateSteps(input));

/** Runs work written in steps (a generator that yields between them) to its end, at once. */
export function runAll<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** `validateArticles` in steps of 128 rows, for a build that gives the page its turn (see `openSearchIndex`). */
export function* validateSteps(input: unknown): Generator<void, { articles: Article[]; problems: Problem[] }> {
  const articles: Article[] = [];
  const problems: Problem[] = [];
  let list = input;
  let base = '$';
  if (list && typeof list == 'object' && !Array.isArray(list) && 'articles' in list) {
    list = (list as { articles: unknown }).articles;
    base = '$.articles';
  }
  if (!Array.isArray(list)) return { articles, problems: [{ path: base, message: 'expected an array of articles' }] };
  const seen = new Set<string>();
  const check = (row: unknown, i: number) => {
    const path = `${base}[${i}]`;
    const bad = (field: string, message: string) => problems.push({ path: field ? `${path}.${field}` : path, message });
    if (!row || typeof row != 'object' || Array.isArray(row)) return bad('', 'expected an object with id, title and body');
    const r = row as Record<string, unknown>;
    if (typeof r.id != 'string' || !r.id.trim()) return bad('id', 'the id must be a non-empty string');
    if (seen.has(r.id)) return bad('id', `the id "${r.id}" is used by an earlier article`);
    if (typeof r.title != 'string' || !r.title.trim()) return bad('title', 'the title must be a non-empty string');
    if (typeof r.body != 'string') return bad('body', 'the body must be a string');
    for (const f of OPTIONAL_TEXT) if (r[f] != null && typeof r[f] != 'string') return bad(f, `${f} must be a string`);
    if (r.tags != null && !(Array.isArray(r.tags) && r.tags.every((t) => typeof t == 'string')))
      return bad('tags', 'tags must be an array of strings');
    seen.add(r.id);
    const a: Article = { id: r.id, title: r.title, body: r.body };
    for (const f of OPTIONAL_TEXT) if (r[f] != null) a[f] = r[f] as string;
    if (r.tags) a.tags = r.tags as string[];
    articles.push(a);
  };
  for (let i = 0; i < list.length; i++) {
    check(list[i], i);
    if (i % 128 == 127) yield;
  }
  return { articles, problems };
}
