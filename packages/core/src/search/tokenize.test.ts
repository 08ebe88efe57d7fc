import { describe, expect, it, vi } from 'vitest';
import { normalizeSearchText, stemWord, tokenizeForSearch } from './tokenize';

describe('normalizeSearchText', () => {
  it('folds width, case and katakana', () => {
    expect(normalizeSearchText('ＡＢＣ１２３')).toBe('abc123');
    expect(normalizeSearchText('ｶｰﾄﾞ')).toBe('かーど');
    expect(normalizeSearchText('カード')).toBe(normalizeSearchText('かーど'));
    expect(normalizeSearchText('Password')).toBe('password');
  });
});

describe('tokenizeForSearch', () => {
  it('stems English and drops stop words', () => {
    expect(tokenizeForSearch('How do I delete my accounts?')).toEqual(['delet', 'account']);
    expect(stemWord('deleting')).toBe(stemWord('deleted'));
    expect(stemWord('policies')).toBe(stemWord('policy'));
    expect(stemWord('shipping')).toBe(stemWord('ship'));
  });

  it('splits Japanese into kanji, bigrams without particle pairs', () => {
    const t = tokenizeForSearch('返品したいのですが');
    expect(t).toContain('返品');
    expect(t).toContain('返');
    expect(t).toContain('品し');
    expect(t).not.toContain('ので'); // two hiragana: a particle and an ending
  });

  it.skipIf(!Intl.Segmenter)('keeps a query\'s bigrams inside its words, so particles do not join their neighbours', () => {
    const words = [...new Intl.Segmenter('ja', { granularity: 'word' }).segment('住民票の写し')].map((w) => w.segment);
    expect(words).toContain('の');
    const query = tokenizeForSearch('住民票の写し', true);
    expect(query).toEqual(expect.arrayContaining(['住民', '民票', '写し', '住', '票']));
    expect(query).not.toContain('票の');
    expect(query).not.toContain('の写');
    // The index side leaves out pairs with a particle that is never part of a word, and keeps the others.
    expect(tokenizeForSearch('住民票の写し')).not.toContain('票の');
    expect(tokenizeForSearch('住民票の写し')).toEqual(expect.arrayContaining(['住民', '民票', '写し']));
    expect(tokenizeForSearch('証明書を発行し')).toEqual(expect.arrayContaining(['発行', '行し']));
    expect(tokenizeForSearch('証明書を発行し')).not.toContain('書を');
  });

  it('makes full-width and katakana spellings meet', () => {
    expect(tokenizeForSearch('ＰＡＳＳＷＯＲＤ')).toEqual(tokenizeForSearch('password'));
    expect(tokenizeForSearch('パスワード')).toEqual(tokenizeForSearch('ﾊﾟｽﾜｰﾄﾞ'));
  });

  it.skipIf(!Intl.Segmenter)('makes no word segmenter (10-20 ms) until a query has Japanese in it', async () => {
    vi.resetModules();
    const fresh = await import('./tokenize');
    const Real = Intl.Segmenter;
    const intl = Intl as { Segmenter: typeof Intl.Segmenter };
    let made = 0;
    intl.Segmenter = class extends Real {
      constructor(...args: ConstructorParameters<typeof Real>) {
        super(...args);
        made++;
      }
    };
    try {
      expect(fresh.tokenizeForSearch('How do I reset my password?', true)).toEqual(['reset', 'password']);
      expect(made).toBe(0);
      // Half-width katakana is Japanese too, and its bigrams stay inside words as with full-width.
      expect(fresh.tokenizeForSearch('ﾊﾟｽﾜｰﾄﾞを忘れた', true)).not.toContain('どを');
      fresh.tokenizeForSearch('パスワード', true);
      expect(made).toBe(1);
    } finally {
      intl.Segmenter = Real;
    }
  });
});
