/**
 * Text to search terms. One normal form for both sides (index and query):
 * NFKC (which also folds full-width and half-width forms), lower case, katakana folded to hiragana.
 * Latin-script words are light-stemmed; Japanese (and other CJK) runs become character bigrams,
 * and, where `Intl.Segmenter` exists and the caller asks, dictionary words too.
 */

/** Katakana → hiragana, so カード and かーど meet. */
const foldKana = (text: string) => {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c > 0x30a0 && c < 0x30f7 ? String.fromCharCode(c - 96) : text[i];
  }
  return out;
};

/** NFKC (full-width and half-width forms), case folding and katakana → hiragana, so ｶｰﾄﾞ, カード and かーど are one word. */
export const normalizeSearchText = (text: string): string => foldKana(text.normalize('NFKC').toLowerCase());

// A run of CJK characters, a Latin-script word with digits, or a word in another script.
const CJK = '\\p{sc=Han}\\p{sc=Hira}\\p{sc=Kana}\\p{sc=Hang}ー々';
export const WORD_PATTERN = new RegExp(`([${CJK}]+)|[\\p{sc=Latn}\\p{N}\\p{M}]+|\\p{L}+`, 'gu');

const STOP = new Set(
  'a an and are as at be but by can could do does did for from had has have how i if in into is it its me my of on or our so that the their them then there these they this to was we were what when where which who why will with would you your'.split(' '),
);

/** A deliberately light English stemmer: plurals, -ing, -ed, final -e and -y, so "deleting", "deleted", "delete" meet. */
export function stemWord(word: string): string {
  let w = word.replace(/'s?$/, '');
  if (w.length < 4 || /\d/.test(w)) return w;
  w = w.replace(/(ss|i)es$/, '$1').replace(/([^su])s$/, '$1');
  if (w.length > 5) w = w.replace(/(ing|ed)$/, '');
  return w.replace(/(.)\1$/, '$1').replace(/e$/, '').replace(/y$/, 'i');
}

let segmenter: Intl.Segmenter | null | undefined;
const wordSegmenter = () =>
  segmenter === undefined ? (segmenter = typeof Intl.Segmenter == 'function' ? new Intl.Segmenter('ja', { granularity: 'word' }) : null) : segmenter;

/** Prefix of a Segmenter word term; it keeps dictionary words apart from the bigrams that spell them. */
export const WORD_MARK = '_';

const isHiragana = (c: number) => c > 0x3040 && c < 0x30a0;
const isKanji = (c: number) => (c >= 0x3400 && c < 0xa000) || c == 0x3005 || (c >= 0xf900 && c < 0xfb00);

/**
 * Splits text into search terms. A CJK run gives its kanji one by one and its overlapping bigrams, except
 * bigrams of two hiragana (mostly particles and endings); with `words`, Intl.Segmenter's words of two
 * characters or more are added, marked with WORD_MARK. English stop words are dropped, other words stemmed.
 */
export function tokenizeForSearch(text: string, words?: boolean): string[] {
  const out: string[] = [];
  for (const m of text.normalize('NFKC').toLowerCase().matchAll(WORD_PATTERN)) {
    const s = m[0];
    if (m[1]) {
      const f = foldKana(s);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (s.length == 1 || isKanji(c)) out.push(f[i]);
        if (i + 1 < s.length && !(isHiragana(c) && isHiragana(s.charCodeAt(i + 1)))) out.push(f[i] + f[i + 1]);
      }
      const seg = words && s.length > 2 && wordSegmenter();
      if (seg) for (const p of seg.segment(s)) if (p.segment.length > 1 && p.segment.length < s.length) out.push(WORD_MARK + foldKana(p.segment));
    } else if (!STOP.has(s)) out.push(stemWord(s));
  }
  return out;
}
