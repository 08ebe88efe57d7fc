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
  /** True once the FAQ is searchable: text typed before then is worth searching again. */
  readonly $searchable: ReadableAtom<boolean>;
  /**
   * Loads the FAQ now if it is not yet (see `faqLoad`), and resolves once it is searchable (true) or when
   * there is none or it failed to load (false).
   */
  loaded(): Promise<boolean>;
  /**
   * As-you-type suggestions in the current locale (not recorded); the first one starts loading the FAQ.
   * `snippet` is the snippets' length in columns (a CJK character takes two; default 120).
   */
  query(text: string, limit?: number, options?: { snippet?: number }): SearchHit[];
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

export type SearchStores = {
  $article: WritableAtom<Article | null>;
  $answers: WritableAtom<Record<string, SearchAnswer[]>>;
  $searchable: WritableAtom<boolean>;
};

/** When the help centre is fetched and indexed; see `MessengerConfig.faqLoad`. */
export type FaqLoad = 'open' | 'idle' | 'boot';

/** With `faqLoad: 'idle'`: how long after boot the browser is left alone before the FAQ loads in an idle period. */
export const FAQ_IDLE_DELAY_MS = 5000;

/** Calls fn in the first idle period after FAQ_IDLE_DELAY_MS; returns the cancel function. */
function whenIdle(fn: () => void): () => void {
  const idle = typeof requestIdleCallback == 'function' ? requestIdleCallback : (f: () => void) => (f(), 0);
  let handle = 0;
  const timer = setTimeout(() => (handle = idle(fn)), FAQ_IDLE_DELAY_MS);
  return () => {
    clearTimeout(timer);
    if (handle) cancelIdleCallback(handle);
  };
}

/**
 * Creates the search part. `busy` says when typed text belongs to something else (a flow waiting
 * for input), so sent questions are left alone. Its code arrives with the search engine, which
 * `load` fetches only when the FAQ is needed: when the panel opens, the visitor types or an article is
 * asked for (and at idle or boot when `faqLoad` says so). Nothing of it is fetched before.
 */
export function createSearchPart(k: Kernel, load: () => Promise<SearchEngine>, options: { busy?: () => boolean } = {}): SearchPart {
  const stores: SearchStores = { $article: atom<Article | null>(null), $answers: atom({}), $searchable: atom(false) };
  const slot = createEngineSlot(k, 'search', () => load().then((engine) => engine.createSearchPartImpl(k, options, stores, engine)));
  /** The boot whose FAQ was asked for: open, idle and typing ask once (a failure is reported once). */
  let asked: AbortSignal | undefined;
  const prepare = () => {
    const signal = k.signal();
    if (asked === signal || signal.aborted || k.config()?.faq == null) return;
    asked = signal;
    slot.run((p) => void p.loaded());
  };
  const schedule = () => {
    if (k.config().faq == null) return;
    const when: FaqLoad = k.config().faqLoad || 'open';
    if (when === 'boot' || k.isOpen()) return prepare();
    const cancel = [k.on('open', prepare), ...(when === 'idle' ? [whenIdle(prepare)] : [])];
    k.signal().addEventListener('abort', () => cancel.forEach((fn) => fn()), { once: true });
  };
  return {
    ...stores,
    boot: schedule,
    loaded: () => (k.config()?.faq == null ? Promise.resolve(false) : slot.ensure().then((p) => p.loaded(), () => false)),
    query(text, limit, options) {
      if (!slot.part && text.trim()) prepare();
      return slot.part?.query(text, limit, options) || [];
    },
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
