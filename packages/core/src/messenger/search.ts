import { atom, type ReadableAtom, type WritableAtom } from 'nanostores';
import type { Article, SearchHit } from '../search';
import { loadSearchEngine } from './engines';
import { createLazyPart } from './lazy-part';
import type { Kernel, Part } from './kernel';

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
  /** Shows `articles` as cards under the message `messageId` (an agent offering help-centre articles). */
  offer(messageId: string, articles: SearchAnswer[]): void;
  /** Searches made and articles viewed, for the handoff packet. */
  history(): {
    searches: Array<{ query: string; at: number; found: boolean; results?: string[] }>;
    articles: Array<{ id: string; title: string; at: number; helpful?: boolean }>;
  };
}

export type SearchStores = { $article: WritableAtom<Article | null>; $answers: WritableAtom<Record<string, SearchAnswer[]>> };

/**
 * Creates the search part. `busy` says when typed text belongs to something else (a flow waiting
 * for input), so sent questions are left alone. Its code arrives with the search engine, which is
 * fetched only when the config has a FAQ.
 */
export function createSearchPart(k: Kernel, options: { busy?: () => boolean } = {}): SearchPart {
  return createLazyPart<SearchPart, SearchStores>(
    () => loadSearchEngine().then((engine) => (stores) => engine.createSearchPartImpl(k, options, stores, engine)),
    { $article: atom<Article | null>(null), $answers: atom({}) },
    () => !!k.config().faq,
    { query: [], answer: [], history: { searches: [], articles: [] } },
  );
}
