/**
 * Numbers as text for the prebuilt index: base-32 digits, most significant first, in a JSON-safe alphabet;
 * `0-9A-V` end a number, `W-Za-z_-` say more digits follow. Small numbers (most gaps and field counts) take
 * one character, and a whole postings list stays one JSON string, which parses at once.
 */
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';

/** A digit's value from its char code, or -1. */
const valueOf = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 90 ? c - 55 : c >= 97 && c <= 122 ? c - 61 : c == 45 ? 62 : c == 95 ? 63 : -1;

/** Appends `x` (a whole number ≥ 0) to `out`. */
export function writeNumber(out: string[], x: number): void {
  let s = DIGITS[x & 31];
  for (x = Math.floor(x / 32); x; x = Math.floor(x / 32)) s = DIGITS[32 + (x & 31)] + s;
  out.push(s);
}

/** Reads numbers from `text` from `at`; `next()` returns one, or -1 at a separator, and throws on a bad character. */
export function numberReader(text: string, what: string) {
  let at = 0;
  return {
    get done() {
      return at >= text.length;
    },
    next(): number {
      if (text[at] == '.') return at++, -1;
      let x = 0;
      for (;;) {
        const v = valueOf(text.charCodeAt(at++));
        if (v < 0) throw new Error(`malformed FAQ index: ${what} ${at > text.length ? 'ends early' : `has an unexpected character at ${at - 1}`}`);
        x = x * 32 + (v & 31);
        if (v < 32) return x;
      }
    },
  };
}
