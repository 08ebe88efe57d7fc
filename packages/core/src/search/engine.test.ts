import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildIndexSliced, buildSearchIndex, compactSearchIndex, createSearchIndexFrom, loadCompactIndex, loadSearchIndex, openSearchIndex, validateArticles, type Article } from '.';
import { sortedSteps } from './engine';

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

describe('answers to a sent question', () => {
  const en: Article[] = JSON.parse(readFileSync(new URL('../../../../examples/faq/en.json', import.meta.url), 'utf8'));
  const ja: Article[] = JSON.parse(readFileSync(new URL('../../../../examples/faq/ja.json', import.meta.url), 'utf8'));
  const help = buildSearchIndex([...en, ...ja.map((a) => ({ ...a, id: `ja-${a.id}` }))]);
  const answer = (q: string, locale = 'en') => help.answer(q, { locale }).map((h) => h.id);

  it('offers the article a question is about', () => {
    expect(answer('how do I set up my router?')).toEqual(['device-setup', 'device-offline']);
    expect(answer('I was charged twice')).toEqual(['billing-charge']);
    expect(answer('when will I get my money back?')[0]).toBe('refund-timing');
    expect(answer('二重に請求された', 'ja')).toEqual(['ja-billing-charge']);
  });
  it('offers nothing for small talk, or when only common words match', () => {
    for (const q of ['I need help', 'hello', 'thanks!', 'thank you so much', 'are you a bot?', 'ok', 'how do I do it?', 'up'])
      expect(answer(q), q).toEqual([]);
    for (const q of ['こんにちは', 'ありがとうございます', 'はい']) expect(answer(q, 'ja'), q).toEqual([]);
  });
  it('offers nothing when the question is about something the articles never mention', () => {
    expect(answer('what is the best way to move spotify playlists into tidal or deezer from my phone?')).toEqual([]);
    expect(help.search('what is the best way to move spotify playlists into tidal or deezer from my phone?')[0].id).toBe('device-setup');
  });
  it('says how much of the query an article covers', () => {
    const [hit] = help.search('router spotify ');
    expect(hit.coverage).toBeGreaterThan(0.1);
    expect(hit.coverage).toBeLessThan(0.6);
    expect(help.search('router ')[0].coverage).toBe(1);
  });
});

describe('serialised index', () => {
  it('loads without rebuilding and answers the same', () => {
    const loaded = loadSearchIndex(JSON.parse(JSON.stringify(compactSearchIndex(index))));
    expect(loaded.size).toBe(articles.length);
    for (const q of ['refund', 'reimbursement', 'pasword', 'activ', '返金', 'パスワード'])
      expect(JSON.stringify(loaded.search(q))).toBe(JSON.stringify(index.search(q)));
    expect(loaded.article('refund')?.tags).toEqual(['returns']);
    // A loaded index writes itself again, the same.
    expect(compactSearchIndex(loaded)).toEqual(compactSearchIndex(index));
    expect(() => compactSearchIndex({ ...index })).toThrow('compactSearchIndex: not an index from buildSearchIndex or loadSearchIndex');
  });
  it('stores postings of one character each (every article has every word once, in the body)', () => {
    const same = Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, title: '—', body: 'alpha beta gamma' }));
    const built = buildSearchIndex(same);
    expect(compactSearchIndex(built).postings).toBe('0000000000.'.repeat(3));
    expect(compactSearchIndex(built).counts).toBe('1'.repeat(30));
    expect(loadSearchIndex(JSON.parse(JSON.stringify(compactSearchIndex(built)))).search('beta').length).toBe(10);
  });
  it('refuses malformed data with a clear message', () => {
    const good = JSON.parse(JSON.stringify(compactSearchIndex(index)));
    expect(() => loadSearchIndex({})).toThrow(/format/);
    expect(() => loadSearchIndex({ ...good, version: 2 })).toThrow(/version 2; rebuild/);
    expect(() => loadSearchIndex({ ...good, terms: 7 })).toThrow(/"terms" must be a string/);
    expect(() => loadSearchIndex({ ...good, postings: good.postings.replace('.', '!') })).toThrow(/"postings" has an unexpected character/);
    expect(() => loadSearchIndex({ ...good, postings: 'Z1.' + good.postings })).toThrow(/point outside the articles/);
    expect(() => loadSearchIndex({ ...good, postings: good.postings.slice(0, -3) })).toThrow(/"postings"/);
    expect(() => loadSearchIndex({ ...good, counts: good.counts + '1' })).toThrow(/"counts" is longer/);
    expect(() => loadSearchIndex({ ...good, counts: good.counts.slice(1) })).toThrow(/"counts" ends early/);
    expect(() => loadSearchIndex({ ...good, pairs: '返' })).toThrow(/"pairs" has a line without a second character/);
    expect(() => loadSearchIndex({ ...good, terms: good.terms.split('\n').reverse().join('\n') })).toThrow(/not sorted/);
    expect(() => loadSearchIndex({ ...good, lengths: good.lengths + '1' })).toThrow(/"lengths" is longer/);
    expect(() => loadSearchIndex({ ...good, articles: [{ id: 'x' }] })).toThrow(/\$\.articles\[0\]\.title/);
  });
  it('createSearchIndexFrom takes articles or an index and never throws', () => {
    expect(createSearchIndexFrom(articles).index.size).toBe(6);
    expect(createSearchIndexFrom(JSON.parse(JSON.stringify(compactSearchIndex(index)))).index.search('refund')[0].id).toBe('refund');
    const bad = createSearchIndexFrom({ format: 'madoguchi-faq-index', version: 3 });
    expect(bad.index.size).toBe(0);
    expect(bad.problems[0].message).toMatch(/articles/);
    expect(createSearchIndexFrom('nope').problems).toEqual([{ path: '$', message: 'expected an array of articles' }]);
  });
});

describe('compact index without bodies', () => {
  // What `madoguchi faq build` writes: titles and postings, each body in a file of its own.
  const { articles: meta, ...rest } = compactSearchIndex(index);
  const compact = { ...rest, articles: meta.map(({ body, ...m }) => m), articlePath: 'faq/{n}.json' };
  // The index keeps articles in its own order (by title); a file is named by the article's place in it.
  const files = new Map(meta.map((a, i) => [`faq/${i}.json`, a]));
  const fileOf = (id: string) => `faq/${meta.findIndex((a) => a.id == id)}.json`;

  it('ranks with titles and postings alone, and fetches a body when an article is opened', async () => {
    const fetched: string[] = [];
    const loaded = await loadCompactIndex(JSON.parse(JSON.stringify(compact)), {
      fetchArticle: async (path) => (fetched.push(path), JSON.parse(JSON.stringify(files.get(path)))),
    });
    const [hit] = loaded.search('forgot password');
    expect(hit).toMatchObject({ id: 'password', title: 'Reset your password' });
    expect(hit.snippet).toEqual([]);
    expect(loaded.article('password')).toBeUndefined();
    expect((await loaded.loadArticle('password'))?.body).toMatch(/Forgot password/);
    expect(fetched).toEqual([fileOf('password')]);
    expect(hit.snippet.filter((p) => p.mark).map((p) => p.text)).toEqual(['Forgot', 'password']);
    expect(loaded.article('password')?.title).toBe('Reset your password');
    await loaded.loadArticle('password');
    expect(fetched).toHaveLength(1);
    expect(await loaded.loadArticle('nope')).toBeUndefined();
  });

  it('refuses an article file that belongs to another article', async () => {
    const loaded = loadSearchIndex(compact, { fetchArticle: async () => articles[2] });
    await expect(loaded.loadArticle('refund')).rejects.toThrow(`${fileOf('refund')} is not the article "refund"`);
    await expect(loadSearchIndex(compact).loadArticle('refund')).rejects.toThrow(/no fetchArticle/);
    expect(() => loadSearchIndex({ ...compact, articlePath: undefined })).toThrow(/articlePath/);
  });
});

describe('sliced build and load', () => {
  const many: Article[] = Array.from({ length: 600 }, (_, i) => ({ ...articles[i % 6], id: `a${i}`, body: `${articles[i % 6].body} code${i} part${i * 7}`.repeat(3) }));

  it('yields to the page between slices and ranks exactly as the one-go build', async () => {
    let yields = 0;
    const sliced = await buildIndexSliced(many, { sliceMs: 1, yieldToMain: async () => yields++ });
    const whole = buildSearchIndex(many);
    expect(yields).toBeGreaterThan(2);
    for (const q of ['refund', 'passw', '返金']) expect(JSON.stringify(sliced.search(q))).toBe(JSON.stringify(whole.search(q)));
    yields = 0;
    const loaded = await loadCompactIndex(JSON.parse(JSON.stringify(compactSearchIndex(whole))), { sliceMs: 0, yieldToMain: async () => yields++ });
    expect(yields).toBeGreaterThan(2);
    expect(JSON.stringify(loaded.search('refund'))).toBe(JSON.stringify(whole.search('refund')));
  });

  it('openSearchIndex builds or loads in slices and never rejects', async () => {
    let yields = 0;
    const yieldToMain = async () => yields++;
    const built = await openSearchIndex(many, { sliceMs: 0, yieldToMain });
    expect(built.problems).toEqual([]);
    expect(built.index.search('refund')[0].id).toBe(buildSearchIndex(many).search('refund')[0].id);
    expect((await openSearchIndex(JSON.parse(JSON.stringify(compactSearchIndex(built.index))), { yieldToMain })).index.size).toBe(600);
    expect(yields).toBeGreaterThan(2);
    const bad = await openSearchIndex({ format: 'madoguchi-faq-index', version: 3, articles: [], lengths: '', terms: 'x', pairs: '', postings: '', counts: '' });
    expect(bad.index.size).toBe(0);
    expect(bad.problems[0].message).toMatch(/"postings" ends early/);
    expect((await openSearchIndex([{ id: 'a', title: 'A', body: 'x' }, { id: 'b' }])).problems[0].path).toBe('$[1].title');
  });

  it("sorts the vocabulary in steps, in the native sort's order", () => {
    // Bigrams, Latin words, digits, kana and a character outside the BMP (two UTF-16 code units).
    const pool = ['返金', '返品', 'refund', 'passw', '0010km', 'かー', 'カー', '𠮷野', 'ｶｰﾄﾞ', 'z', 'Z', '', '住民'];
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const word = () => pool[Math.floor(random() * pool.length)] + String.fromCharCode(0x3041 + Math.floor(random() * 0x5000));
    /** The sorted list, and how many times the sort gave the page its turn. */
    const run = (list: string[], size?: number) => {
      const steps = sortedSteps(list, size);
      let turns = 0;
      for (let r = steps.next(); ; r = steps.next(), turns++) if (r.done) return { sorted: r.value, turns };
    };
    for (const size of [0, 1, 3, 4, 5, 8, 9, 17, 100]) {
      const list = [...new Set(Array.from({ length: size }, word))];
      expect(run(list, 4).sorted).toEqual([...list].sort());
    }
    // A long list gives the page its turn: a step per 4,096 strings merged, at least.
    const long = Array.from({ length: 20_000 }, (_, i) => `t${(i * 7919) % 20_000}`);
    const { sorted, turns } = run(long);
    expect(sorted).toEqual([...long].sort());
    expect(turns).toBeGreaterThan(20_000 / 4096);
  });

  it('rejects a malformed index instead of throwing later', async () => {
    await expect(loadCompactIndex({ format: 'madoguchi-faq-index', version: 3, articles: [], lengths: '', terms: 'x', pairs: '', postings: '', counts: '' })).rejects.toThrow(/"postings" ends early/);
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
