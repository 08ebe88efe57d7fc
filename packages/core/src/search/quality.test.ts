import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSearchIndex, compactSearchIndex, loadSearchIndex, type Article } from '.';

// A regression guard on the shared retrieval sets (every 3rd dev query); the full figures come from `npm run bench:search`.
// `shared/data/` beside the nearest ancestor of the repository that has one.
const DATA = (() => {
  for (let dir = new URL('../', import.meta.url); dir.pathname != '/'; dir = new URL('../', dir)) if (existsSync(new URL('shared/data/', dir))) return new URL('shared/data/', dir);
  return new URL('file:///nonexistent/');
})();
const FLOOR = { 'localgov-faq': { mrr: 0.48, recall: 0.57, answeredHit3: 0.57 }, 'stack-faq': { mrr: 0.78, recall: 0.7, answeredHit3: 0.86 } };
type Query = { text: string; relevant: Record<string, number> };
const read = (set: string, f: string) => JSON.parse(readFileSync(new URL(`${set}/${f}`, DATA), 'utf8'));
const sample = (set: string): Query[] => read(set, 'queries.dev.json').filter((_: unknown, i: number) => i % 3 == 0);

describe.skipIf(!existsSync(DATA))('ranking quality', () => {
  for (const [set, floor] of Object.entries(FLOOR))
    it(`${set}: MRR@10 and Recall@10 stay near their measured level, and so does Hit@3 of the answers to sent questions`, () => {
      const index = buildSearchIndex(read(set, 'articles.json'));
      const queries = sample(set);
      let mrr = 0;
      let recall = 0;
      let hit3 = 0;
      for (const q of queries) {
        const ids = index.search(q.text).map((h) => h.id);
        const rank = ids.findIndex((id) => id in q.relevant) + 1;
        if (rank) mrr += 1 / rank;
        recall += ids.filter((id) => id in q.relevant).length / Object.keys(q.relevant).length;
        if (index.answer(q.text).some((h) => h.id in q.relevant)) hit3++;
      }
      expect(mrr / queries.length).toBeGreaterThan(floor.mrr);
      expect(recall / queries.length).toBeGreaterThan(floor.recall);
      expect(hit3 / queries.length).toBeGreaterThan(floor.answeredHit3);
    }, 20_000);

  it('out-of-domain questions (the other language\'s set, small talk) get no article in at least 90% of cases', () => {
    const en = buildSearchIndex(read('stack-faq', 'articles.json') as Article[]);
    const ja = buildSearchIndex(read('localgov-faq', 'articles.json') as Article[]);
    const chat = ['hello', 'thanks', 'I need help', 'are you a bot?', 'can I talk to a person?', 'こんにちは', 'ありがとうございます', '質問があります'];
    const asked = [
      ...sample('localgov-faq').map((q) => en.answer(q.text)),
      ...sample('stack-faq').map((q) => ja.answer(q.text)),
      ...chat.flatMap((t) => [en.answer(t), ja.answer(t)]),
    ];
    expect(asked.filter((a) => !a.length).length / asked.length).toBeGreaterThanOrEqual(0.9);
  }, 20_000);

  it('the compact localgov-faq index (kanji counts implied by bigrams, no bodies) ranks exactly as the built one', () => {
    const built = buildSearchIndex(read('localgov-faq', 'articles.json'));
    const { articles, ...rest } = compactSearchIndex(built);
    const loaded = loadSearchIndex(JSON.parse(JSON.stringify({ ...rest, articles: articles.map(({ body, ...m }) => m), articlePath: '{n}.json' })));
    const line = (hits: { id: string; score: number; coverage: number }[]) => hits.map((h) => `${h.id} ${h.score} ${h.coverage}`).join();
    for (const q of sample('localgov-faq')) for (const text of [q.text, q.text.slice(0, 2)]) expect(line(loaded.search(text)), text).toBe(line(built.search(text)));
  }, 20_000);
});
