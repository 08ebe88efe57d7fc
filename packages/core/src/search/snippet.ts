import { normalizeSearchText, stemWord, WORD_PATTERN } from './tokenize';

/** One piece of a snippet; `mark` is set on the words the query matched. */
export type SnippetPart = { text: string; mark?: true };

/** How far into a body matches are looked for. */
const SCAN = 2000;

/**
 * A body made ready for snippets once, then reused for every keystroke that shows its article: the plain
 * text, its normal form character for character, and its words.
 */
interface Prepared {
  text: string;
  /** `text` normalised (see `normalizeSearchText`), one character for each of `text` up to SCAN. */
  norm: string;
  /** Per word up to SCAN: start, end, and 1 for a CJK run or 0 for another word. */
  words: number[];
  /** The stemmed normal form of each non-CJK word (undefined for CJK runs). */
  stems: (string | undefined)[];
  /** Columns up to each character (a wide character takes two), up to SCAN plus a window. */
  cols: Uint16Array;
}

const prepared = new Map<string, Prepared>();
/** Bodies kept prepared: a list of suggestions shows a few, a session reads a few dozen. */
const KEEP = 64;

/** Wide (two-column) characters: CJK, kana, Hangul and full-width forms. */
const wide = (c: number) => (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6);

const single = new Map<string, string>();
/** A character's normal form when it is one character, else the character itself (lower-cased). */
const normalOne = (ch: string) => {
  let n = single.get(ch);
  if (n == null) {
    n = normalizeSearchText(ch);
    if (n.length != 1) n = ch.toLowerCase().length == 1 ? ch.toLowerCase() : ch;
    single.set(ch, n);
  }
  return n;
};

function prepare(body: string): Prepared {
  const had = prepared.get(body);
  if (had) {
    // Most recently used last.
    prepared.delete(body);
    prepared.set(body, had);
    return had;
  }
  // Markdown links become their text, other markup characters go, white space collapses.
  const text = body.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*`#>|]+|(^|\s)_+|_+(\s|$)/g, '$1$2').replace(/\s+/g, ' ').trim();
  const head = text.slice(0, SCAN);
  // The whole text at once when that keeps every character in place (as it nearly always does), else one by one.
  let norm = normalizeSearchText(head);
  if (norm.length != head.length) norm = Array.from(head, (ch) => (ch.length == 1 ? normalOne(ch) : ch)).join('');
  if (norm.length != head.length) norm = head.toLowerCase().length == head.length ? head.toLowerCase() : head;
  const words: number[] = [];
  const stems: (string | undefined)[] = [];
  for (const m of head.matchAll(WORD_PATTERN)) {
    words.push(m.index!, m.index! + m[0].length, m[1] ? 1 : 0);
    stems.push(m[1] ? undefined : stemWord(normalizeSearchText(m[0])));
  }
  const cols = new Uint16Array(Math.min(text.length, SCAN + 600) + 1);
  for (let i = 0; i + 1 < cols.length; i++) cols[i + 1] = cols[i] + (wide(text.charCodeAt(i)) ? 2 : 1);
  const p = { text, norm, words, stems, cols };
  prepared.set(body, p);
  if (prepared.size > KEEP) prepared.delete(prepared.keys().next().value!);
  return p;
}

/**
 * A short plain-text window of `body` around the densest cluster of matched terms, the matched words
 * marked. `terms` holds search terms as the tokenizer writes them (stems, CJK bigrams). `size` is in
 * columns: a wide (CJK) character takes two, so a Japanese snippet fills about the width of an English one.
 * The body's plain text is kept for the next call (a few dozen bodies), so typing on costs only the marking.
 */
export function makeSnippet(body: string, terms: Set<string>, size = 120): SnippetPart[] {
  const { text, norm, words, stems, cols } = prepare(body);
  const col = (i: number) => cols[Math.min(i, cols.length - 1)] + Math.max(0, i - cols.length + 1) * 2;
  // CJK terms as numbers (a character's code, or two codes packed), so the scan makes no strings.
  const cjk = new Set<number>();
  for (const t of terms) if (t.length == 1 || (t.length == 2 && !/^[\p{sc=Latn}\p{N}]/u.test(t))) cjk.add(t.length == 1 ? t.charCodeAt(0) : (t.charCodeAt(0) << 16) | t.charCodeAt(1));
  const marks: number[] = []; // start, end pairs in `text`
  for (let w = 0; w < words.length; w += 3) {
    const at = words[w];
    const end = words[w + 1];
    if (words[w + 2]) {
      const has = (i: number) => i >= at && i + 1 < end && cjk.has((norm.charCodeAt(i) << 16) | norm.charCodeAt(i + 1));
      for (let i = at; i < end; i++) {
        const c = norm.charCodeAt(i);
        if (has(i - 1) || has(i) || cjk.has(c)) {
          if (marks[marks.length - 1] == i) marks[marks.length - 1]++;
          else marks.push(i, i + 1);
        }
      }
    } else if (terms.has(stems[w / 3]!)) marks.push(at, end);
  }
  // The window start that covers the most marks; it begins a sixth of the window before them.
  const lead = Math.round(size / 6);
  let start = 0;
  for (let i = 0, best = 0; i < marks.length; i += 2) {
    let count = 0;
    for (let j = i; j < marks.length && col(marks[j + 1]) <= col(marks[i]) + size - lead; j += 2) count++;
    if (count > best) {
      best = count;
      start = marks[i];
      while (start > 0 && col(marks[i]) - col(start - 1) <= lead) start--;
    }
  }
  start = cutAt(text, start);
  while (text[start] == ' ') start++;
  let end = start;
  while (end < text.length && col(end + 1) - col(start) <= size) end++;
  if (end < text.length) end = cutAt(text, end);
  while (text[end - 1] == ' ' && end > start) end--;
  const parts: SnippetPart[] = [];
  let at = start;
  for (let i = 0; i < marks.length; i += 2) {
    const a = Math.max(marks[i], at),
      b = Math.min(marks[i + 1], end);
    if (b <= a) continue;
    if (a > at) parts.push({ text: text.slice(at, a) });
    parts.push({ text: text.slice(a, b), mark: true });
    at = b;
  }
  if (end > at) parts.push({ text: text.slice(at, end) });
  if (start && parts.length) parts[0].text = '…' + parts[0].text;
  if (end < text.length && parts.length) parts[parts.length - 1].text += '…';
  return parts;
}

const WORD = /[\p{sc=Latn}\p{N}\p{M}'’]/u;
const DIGIT = /\p{N}/u;
const SEPARATOR = /[.,:]/;

/** Whether cutting `text` before `i` splits a word or a number ("2,500", "2.4", the 30 of 30日). */
function splits(text: string, i: number): boolean {
  const a = text[i - 1] || '';
  const b = text[i] || '';
  if (WORD.test(a) && WORD.test(b)) return true;
  if (SEPARATOR.test(b)) return DIGIT.test(a) && DIGIT.test(text[i + 1] || '');
  return SEPARATOR.test(a) && DIGIT.test(b) && DIGIT.test(text[i - 2] || '');
}

/** The nearest place at or before `i` (up to 20 characters back) that splits no word or number, else the next one after. */
function cutAt(text: string, i: number): number {
  for (let j = i; j > 0 && j >= i - 20; j--) if (!splits(text, j)) return j;
  while (i > 0 && i < text.length && splits(text, i)) i++;
  return i;
}
