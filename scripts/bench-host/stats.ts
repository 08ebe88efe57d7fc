/** Pure helpers of the host-cost comparison: medians, percentiles, ratios, blocking time, targets. */

/** Middle of the finite values (mean of the two middle ones for an even count); NaN when there is none. */
export function median(values: number[]): number {
  return percentile(values, 50);
}

/**
 * The p-th percentile of the finite values by the nearest-rank rule (the smallest value with at
 * least p% of the values at or below it); the median is the mean of the two middle values.
 */
export function percentile(values: number[], p: number): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  if (p === 50 && v.length % 2 === 0) return (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  const rank = Math.max(1, Math.ceil((p / 100) * v.length));
  return v[Math.min(rank, v.length) - 1]!;
}

/** a ÷ b; 1 when both are 0 (nothing equals nothing); NaN when b is 0 alone or either is not a number. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return NaN;
  if (b === 0) return a === 0 ? 1 : NaN;
  return a / b;
}

/**
 * A bootstrap interval for median(a) ÷ median(b): both sets resampled with replacement `draws`
 * times, and the central `level` share of the ratios kept. Single page loads scatter (the same
 * widget's launcher at 4× CPU by ±30% from load to load), so a ratio of two medians of 11 loads
 * can land either side of a 1.1× target by chance; the interval says how far it can move. The
 * draws come from a seeded generator, so the same samples always print the same interval.
 */
export function ratioInterval(a: number[], b: number[], level = 0.9, draws = 2000): [number, number] {
  const x = a.filter(Number.isFinite);
  const y = b.filter(Number.isFinite);
  if (!x.length || !y.length) return [NaN, NaN];
  let seed = 0x9e3779b9;
  const random = () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const resample = (v: number[]) => v.map(() => v[Math.floor(random() * v.length)]!);
  const ratios: number[] = [];
  for (let i = 0; i < draws; i++) {
    const r = ratio(median(resample(x)), median(resample(y)));
    if (Number.isFinite(r)) ratios.push(r);
  }
  const tail = ((1 - level) / 2) * 100;
  return [percentile(ratios, tail), percentile(ratios, 100 - tail)];
}

/** Total blocking time: the part of each long task beyond 50 ms, summed. */
export function totalBlockingTime(durations: number[]): number {
  return durations.reduce((sum, d) => sum + Math.max(0, d - 50), 0);
}

export interface TargetCheck {
  label: string;
  /** What was measured and what it was held to, already formatted. */
  figure: string;
  pass: boolean | undefined;
}

/**
 * `value` within `factor` × `reference`. Both 0 passes; a missing figure is neither pass nor fail.
 * `slack` is an absolute allowance added to the limit (for figures whose reference can be 0).
 */
export function withinFactor(value: number, reference: number, factor: number, slack = 0): boolean | undefined {
  if (!Number.isFinite(value) || !Number.isFinite(reference)) return undefined;
  return value <= reference * factor + slack;
}

/** `value` at most `limit`; a missing figure is neither pass nor fail. */
export function atMost(value: number, limit: number): boolean | undefined {
  return Number.isFinite(value) ? value <= limit : undefined;
}

export const verdict = (pass: boolean | undefined) => (pass === undefined ? 'n/a' : pass ? 'PASS' : 'FAIL');

/** The FAQ file as the widget takes it (`[{id, locale, title, body}]`): entries without those strings are dropped and counted. */
export function toWidgetFaq(raw: unknown, locale: string): { articles: Array<Record<string, unknown>>; dropped: number } {
  if (!Array.isArray(raw)) throw new Error('the FAQ file is not a JSON array of articles');
  const articles: Array<Record<string, unknown>> = [];
  for (const a of raw) {
    if (!a || typeof a !== 'object') continue;
    const { id, title, body, tags, url } = a as Record<string, unknown>;
    if (typeof id !== 'string' || typeof title !== 'string' || typeof body !== 'string') continue;
    articles.push({ id, locale, title, body, ...(Array.isArray(tags) ? { tags } : {}), ...(typeof url === 'string' ? { url } : {}) });
  }
  return { articles, dropped: raw.length - articles.length };
}

/** Parses `--name=value` flags (and bare `--name` as 'true') from an argument list. */
export function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--([a-z][\w-]*)(?:=(.*))?$/.exec(arg);
    if (m) flags.set(m[1]!, m[2] ?? 'true');
  }
  return flags;
}

/** A flag's positive number, the fallback when absent; a clear error when it is not one. */
export function numberFlag(flags: Map<string, string>, name: string, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}=${raw}: expected a number ≥ 0`);
  return n;
}
