import { describe, expect, it } from 'vitest';
import { buildSearchIndex, createSearchIndexFrom, loadSearchIndex, validateArticles, type Article } from '.';

const articles: Article[] = [
  { id: 'body-refund', locale: 'en', title: 'Shipping times', body: 'Parcels arrive in three days. A refund is mentioned here once.' },
  { id: 'refund', locale: 'en', title: 'How refunds work', body: 'We send the money back to your card within five days.', tags: ['returns'] },
  { id: 'password', locale: 'en', title: 'Reset your password', body: 'Use the **Forgot password** link on the sign-in page.' },
  { id: 'activation', locale: 'en', title: 'My subscription has not activated', body: 'Activation can take up to an hour after payment.' },
  { id: 'ja-henpin', locale: 'ja', title: '返品と返金について', body: '商品到着後30日以内であれば返品できます。返金はカードに戻ります。' },
  { id: 'ja-pass', locale: 'ja', title: 'パスワードを忘れた', body: 'サインイン画面の「パスワードを忘れた」から再設定できます。' },
];
const index = buildSearchIndex(articles, { synonyms: { refund: ['money back', 'reimbursement'] } });
const ids = (q: string, o?: { locale?: string }) => index.search(q, o).map((h) => h.id);

describe('search', () => {
  it('ranks a title match above a body match', () => {
    expect(ids('refund').slice(0, 2)).toEqual(['refund', 'body-refund']);
  });
  it('still finds a word with a typo', () => {
    expect(ids('pasword reset')[0]).toBe('password');
    expect(ids('subscribtion')[0]).toBe('activation');
  });
  it('matches the last word as a prefix while typing', () => {
    expect(ids('reset passw')[0]).toBe('password');
    expect(ids('activ')[0]).toBe('activation');
    expect(ids('activ ')).toEqual([]); // a finished word is not a prefix
  });
  it('expands synonyms from the config', () => {
    expect(ids('reimbursement')[0]).toBe('refund');
    expect(buildSearchIndex(articles).search('reimbursement')).toEqual([]);
  });
  it('finds Japanese in kana and kanji, and filters by locale', () => {
    expect(ids('返金したい')[0]).toBe('ja-henpin');
    expect(ids('ﾊﾟｽﾜｰﾄﾞ')[0]).toBe('ja-pass');
    expect(ids('password', { locale: 'ja' })).toEqual([]);
  });
  it('returns nothing for an empty query', () => {
    expect(index.search('')).toEqual([]);
    expect(index.search('   ?! ')).toEqual([]);
  });
  it('marks the matched words in a plain-text snippet', () => {
    const [hit] = index.search('forgot password');
    expect(hit.snippet.filter((p) => p.mark).map((p) => p.text)).toEqual(['Forgot', 'password']);
    expect(hit.snippet.map((p) => p.text).join('')).toBe('Use the Forgot password link on the sign-in page.');
    const [ja] = index.search('返金');
    expect(ja.snippet.filter((p) => p.mark).map((p) => p.text)).toEqual(['返金']);
  });
});

describe('serialised index', () => {
  it('loads without rebuilding and answers the same', () => {
    const loaded = loadSearchIndex(JSON.parse(JSON.stringify(index)));
    expect(loaded.size).toBe(articles.length);
    for (const q of ['refund', 'reimbursement', 'pasword', 'activ', '返金', 'パスワード'])
      expect(JSON.stringify(loaded.search(q))).toBe(JSON.stringify(index.search(q)));
    expect(loaded.article('refund')?.tags).toEqual(['returns']);
  });
  it('refuses malformed data with a clear message', () => {
    const good = JSON.parse(JSON.stringify(index));
    expect(() => loadSearchIndex({})).toThrow(/format/);
    expect(() => loadSearchIndex({ ...good, version: 99 })).toThrow(/version 99/);
    expect(() => loadSearchIndex({ ...good, terms: { x: [1] } })).toThrow(/terms\["x"\]/);
    expect(() => loadSearchIndex({ ...good, terms: { x: [50, 10] } })).toThrow(/outside/);
    expect(() => loadSearchIndex({ ...good, terms: { x: ['1', 10] } })).toThrow(/terms\["x"\]/);
    expect(() => loadSearchIndex({ ...good, terms: { x: [0.5, 10] } })).toThrow(/outside/);
  });
  it('createSearchIndexFrom takes articles or an index and never throws', () => {
    expect(createSearchIndexFrom(articles).index.size).toBe(6);
    expect(createSearchIndexFrom(JSON.parse(JSON.stringify(index))).index.search('refund')[0].id).toBe('refund');
    const bad = createSearchIndexFrom({ format: 'madoguchi-faq-index', version: 1 });
    expect(bad.index.size).toBe(0);
    expect(bad.problems[0].message).toMatch(/articles/);
    expect(createSearchIndexFrom('nope').problems).toEqual([{ path: '$', message: 'expected an array of articles' }]);
  });
});

describe('validateArticles', () => {
  it('skips bad rows, naming path and reason', () => {
    const { articles: ok, problems } = validateArticles([
      { id: 'a', title: 'A', body: 'x' },
      { id: 'a', title: 'Again', body: 'y' },
      { id: 'b', body: 'no title' },
      { id: 'c', title: 'C', body: 'z', tags: 'one' },
      null,
    ]);
    expect(ok.map((a) => a.id)).toEqual(['a']);
    expect(problems.map((p) => p.path)).toEqual(['$[1].id', '$[2].title', '$[3].tags', '$[4]']);
    expect(problems[0].message).toMatch(/earlier article/);
    expect(validateArticles({ articles: [{ id: 1 }] }).problems[0].path).toBe('$.articles[0].id');
  });
});
