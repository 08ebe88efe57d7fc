import { atom, type ReadableAtom } from 'nanostores';
import type { Article, SearchHit } from '../search';
import type { Kernel, Part } from './kernel';

/** The help centre inside the messenger: suggestions, the article view and its feedback. */
export interface SearchPart extends Part {
  /** The article shown in the panel, or null for the conversation. */
  readonly $article: ReadableAtom<Article | null>;
  /** As-you-type suggestions (not recorded). */
  query(text: string, limit?: number): SearchHit[];
  show(id: string): void;
  back(): void;
  rate(id: string, helpful: boolean): void;
  /** Searches made and articles viewed, for the handoff packet. */
  history(): {
    searches: Array<{ query: string; at: number; found: boolean; results?: string[] }>;
    articles: Array<{ id: string; title: string; at: number; helpful?: boolean }>;
  };
}

export function createSearchPart(_k: Kernel): SearchPart {
  const $article = atom<Article | null>(null);
  return {
    $article,
    query: () => [],
    show: () => {},
    back: () => $article.set(null),
    rate: () => {},
    history: () => ({ searches: [], articles: [] }),
  };
}
