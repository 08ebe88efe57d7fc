import { atom, type ReadableAtom, type WritableAtom } from 'nanostores';
import type { Article, SearchHit } from '../../search';
import type { SearchEngine } from '../engines';
import { createEngineSlot } from '../engine-slot';
import type { Kernel, Part } from '../kernel';

/** An article offered as an answer to a question the user sent. */
export interface SearchAnswer {
  id: string;
  title: string;
}

/** The help centre inside the messenger: suggestions, answers to sent questions, the article view and its feedback. */
export interface SearchPart extends Part {
  /** The article shown in the panel, or null for the conversation. */
  readonly $article: ReadableAtom<Article | null>;
  /** Articles offered for sent questions, keyed by the id of the bot message that offers them. */
  readonly $answers: ReadableAtom<Record<string, SearchAnswer[]>>;
  /** Resolves once the FAQ is searchable (true) or when there is none or it failed to load (false). */
  loaded(): Promise<boolean>;
  /** As-you-type suggestions in the current locale (not recorded). */
  query(text: string, limit?: number): SearchHit[];
  /**
   * Searches a sent question and records it. With good hits, a bot message offers up to three of
   * them (see `$answers`) and they are returned; otherwise nothing is said and [] is returned.
   */
  answer(text: string): SearchAnswer[];
  /** Shows an article in the panel; `query` is the search that led to it, recorded for the handoff. */
  show(id: string, query?: string): void;
  back(): void;
  /** "Did this answer your question?"; "no" offers the next step. */
  rate(id: string, helpful: boolean): void;
  /** Searches made and articles viewed, for the handoff packet. */
  history(): {
    searches: Array<{ query: string; at: number; found: boolean; results?: string[] }>;
    articles: Array<{ id: string; title: string; at: number; helpful?: boolean }>;
  };
}

export type SearchStores = { $article: WritableAtom<Article | null>; $answers: WritableAtom<Record<string, SearchAnswer[]>> };

/**
 * Creates the search part. `busy` says when typed text belongs to something else (a flow waiting
 * for input), so sent questions are left alone. Its code arrives with the search engine, which
 * `load` fetches only when the config has a FAQ (or an article is asked for).
 */
export function createSearchPart(k: Kernel, load: () => Promise<SearchEngine>, options: { busy?: () => boolean } = {}): SearchPart {
  const stores: SearchStores = { $article: atom<Article | null>(null), $answers: atom({}) };
  const slot = createEngineSlot(k, 'search', () => load().then((engine) => engine.createSearchPartImpl(k, options, stores, engine)));
  return {
    ...stores,
    boot: () => (k.config().faq ? slot.ensure().then(() => undefined) : undefined),
    loaded: () => slot.ensure().then((p) => p.loaded(), () => false),
    query: (text, limit) => slot.part?.query(text, limit) || [],
    answer: (text) => slot.part?.answer(text) || [],
    show: (id, query) => slot.run((p) => p.show(id, query)),
    back: () => slot.run((p) => p.back()),
    rate: (id, helpful) => slot.run((p) => p.rate(id, helpful)),
    history: () => slot.part?.history() || { searches: [], articles: [] },
    userText: (text) => !!slot.part?.userText?.(text),
    activity: (kind, name) => slot.part?.activity?.(kind, name),
    shutdown: () => slot.shutdown(),
  };
}
