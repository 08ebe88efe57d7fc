import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSearchIndex } from '.';

// A regression guard on the shared retrieval sets (every 3rd dev query); the full figures come from `npm run bench:search`.
const DATA = new URL('../../../../../shared/data/', import.meta.url);
const FLOOR = { 'localgov-faq': 0.48, 'stack-faq': 0.78 };

describe.skipIf(!existsSync(DATA))('ranking quality', () => {
  for (const [set, floor] of Object.entries(FLOOR))
    it(`${set}: MRR@10 stays near its measured level`, () => {
      const read = (f: string) => JSON.parse(readFileSync(new URL(`${set}/${f}`, DATA), 'utf8'));
      const index = buildSearchIndex(read('articles.json'));
      const queries: { text: string; relevant: Record<string, number> }[] = read('queries.dev.json').filter((_: unknown, i: number) => i % 3 == 0);
      let mrr = 0;
      for (const q of queries) {
        const rank = index.search(q.text).findIndex((h) => h.id in q.relevant) + 1;
        if (rank) mrr += 1 / rank;
      }
      expect(mrr / queries.length).toBeGreaterThan(floor);
    }, 20_000);
});
