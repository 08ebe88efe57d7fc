/**
 * Text to search terms. One normal form for both sides (index and query):
 * NFKC (which also folds full-width and half-width forms), lower case, katakana folded to hiragana.
 * Latin-script words are light-stemmed; Japanese (and other CJK) runs become kanji and character bigrams.
 * (Dictionary words from Intl.Segmenter as index terms lowered localgov-faq Recall@10 from 0.635 to 0.612 and
 * made the build a third slower; used on the query side only, to keep bigrams inside words, they raise it.)
 */

/** Katakana → hiragana (one code unit), so カ and か meet. */
const fold = (c: number) => (c > 0x30a0 && c < 0x30f7 ? c - 96 : c);
const foldKana = (text: string) => text.replace(/[\u30a1-\u30f6]/g, (k) => String.fromCharCode(fold(k.charCodeAt(0))));

/** NFKC (full-width and half-width forms), case folding and katakana → hiragana, so ｶｰﾄﾞ, カード and かーど are one word. */
export const normalizeSearchText = (text: string): string => foldKana(text.normalize('NFKC').toLowerCase());

// A run of CJK characters, a Latin-script word with digits, or a word in another script.
const CJK = '\\p{sc=Han}\\p{sc=Hira}\\p{sc=Kana}\\p{sc=Hang}ー々';
export const WORD_PATTERN = new RegExp(`([${CJK}]+)|[\\p{sc=Latn}\\p{N}\\p{M}]+|\\p{L}+`, 'gu');

const STOP = /* @__PURE__ */ new Set(
  // Words that say nothing of a topic on their own, the greetings and thanks of a chat among them.
  ('a am an and any anyone are as at be but by bye can could do does did for from had has have hello help hey hi how i if in ' +
    'into is it its just me much my need no of ok okay on or our please question so some someone that thank thanks the their them then ' +
    'there these they this to up want was we were what when where which who why will with would yes you your').split(' '),
);

/** A deliberately light English stemmer: plurals, -ing, -ed, final -e and -y, so "deleting", "deleted", "delete" meet. */
export function stemWord(word: string): string {
  let w = word.replace(/'s?$/, '');
  if (w.length < 4 || /\d/.test(w)) return w;
  w = w.replace(/(ss|i)es$/, '$1').replace(/([^su])s$/, '$1');
  if (w.length > 5) w = w.replace(/(ing|ed)$/, '');
  return w.replace(/(.)\1$/, '$1').replace(/e$/, '').replace(/y$/, 'i');
}

// Particles that are never part of a word: a bigram joining one to a kanji (金を, の写) is left out of the index,
// which made it a tenth smaller and ranked localgov-faq no worse (MRR@10 0.549 → 0.554).
const PARTICLE = /* @__PURE__ */ new Set([...'をへのは'].map((c) => c.charCodeAt(0)));
const isHiragana = (c: number) => c > 0x3040 && c < 0x30a0;
export const isKanji = (c: number) => (c >= 0x3400 && c < 0xa000) || c == 0x3005 || (c >= 0xf900 && c < 0xfb00);

/**
 * Calls `emit` with each search term of `text`. A CJK run gives its kanji one by one and its overlapping
 * bigrams, except bigrams of two hiragana (mostly particles and endings); these come as numbers, their folded
 * char codes (`c` or `c << 16 | d`), so an index can count them without making strings. Other words come
 * as strings: English stop words are dropped, other words stemmed. With a segmenter from `words` (a query; asked
 * for at the first CJK run), a bigram with a hiragana side is kept only inside one of its words; without (the
 * index), none joins を, へ, の or は to a kanji.
 */
export function scanTerms(text: string, emit: (term: string | number) => void, words?: () => Intl.Segmenter | undefined): void {
  for (const m of text.normalize('NFKC').toLowerCase().matchAll(WORD_PATTERN)) {
    const s = m[0];
    if (!m[1]) {
      if (!STOP.has(s)) emit(stemWord(s));
      continue;
    }
    const starts = new Set<number>();
    const splitter = words?.();
    if (splitter) for (const w of splitter.segment(s)) starts.add(w.index);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const d = s.charCodeAt(i + 1);
      if (s.length == 1 || isKanji(c)) emit(fold(c));
      // Kanji compounds still join across words ("民票"): the segmenter splits 住民票 into 住民|票.
      if (d && +isHiragana(c) + +isHiragana(d) < (starts.has(i + 1) ? 1 : 2) && (splitter || !(PARTICLE.has(c) || PARTICLE.has(d))))
        emit((fold(c) << 16) | fold(d));
    }
  }
}

let segmenter: Intl.Segmenter | undefined;
/** The word segmenter, made at the first query with a CJK run: making one costs 10-20 ms (its dictionary), which an English help centre never pays. */
const japaneseWords = () => (segmenter ||= Intl.Segmenter ? new Intl.Segmenter('ja', { granularity: 'word' }) : undefined);

/** A term from `scanTerms` as text. */
export const termText = (t: string | number): string =>
  typeof t == 'string' ? t : t >>> 16 ? String.fromCharCode(t >>> 16, t & 65535) : String.fromCharCode(t);

/**
 * The search terms of `text` (see `scanTerms`), as strings. For a `query`, where Intl.Segmenter exists, Japanese
 * is first split into words and no bigram with a hiragana side spans two of them; the index side stays plain.
 */
export function tokenizeForSearch(text: string, query?: boolean): string[] {
  const out: string[] = [];
  scanTerms(text, (t) => out.push(termText(t)), query ? japaneseWords : undefined);
  return out;
}
