import { describe, expect, it } from 'vitest';
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

  it('makes full-width and katakana spellings meet', () => {
    expect(tokenizeForSearch('ＰＡＳＳＷＯＲＤ')).toEqual(tokenizeForSearch('password'));
    expect(tokenizeForSearch('パスワード')).toEqual(tokenizeForSearch('ﾊﾟｽﾜｰﾄﾞ'));
  });
});
