import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSearchIndex } from '.';

// A regression guard on the shared retrieval sets (every 3rd dev query); the full figures come from `npm run bench:search`.
const DATA = new URL('../../../../../shared/data/', import.meta.url);
const FLOOR = { 'localgov-faq': { mrr: 0.48, recall: 0.57 }, 'stack-faq': { mrr: 0.78, recall: 0.7 } };

describe.skipIf(!existsSync(DATA))('ranking quality', () => {
  for (const [set, floor] of Object.entries(FLOOR))
    it(`${set}: MRR@10 and Recall@10 stay near their measured level`, () => {
      const read = (f: string) => JSON.parse(readFileSync(new URL(`${set}/${f}`, DATA), 'utf8'));
      const index = buildSearchIndex(read('articles.json'));
      const queries: { text: string; relevant: Record<string, number> }[] = read('queries.dev.json').filter((_: unknown, i: number) => i % 3 == 0);
      let mrr = 0;
      let recall = 0;
      for (const q of queries) {
        const ids = index.search(q.text).map((h) => h.id);
        const rank = ids.findIndex((id) => id in q.relevant) + 1;
        if (rank) mrr += 1 / rank;
        recall += ids.filter((id) => id in q.relevant).length / Object.keys(q.relevant).length;
      }
      expect(mrr / queries.length).toBeGreaterThan(floor.mrr);
      expect(recall / queries.length).toBeGreaterThan(floor.recall);
    }, 20_000);
});
