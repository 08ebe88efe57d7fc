import type { Article, SearchIndex } from '../../search';
import type { SearchEngine } from '../engines';
import type { Kernel } from '../kernel';
import type { SearchPart, SearchStores } from '.';

const TEXT = {
  en: {
    found: 'These articles may help:',
    unhelpful: 'Sorry that did not help. Tell me more in your own words, or choose “Talk to a person”.',
  },
  ja: {
    found: 'こちらの記事が参考になるかもしれません：',
    unhelpful: 'お役に立てず申し訳ありません。詳しい状況を入力していただくか、「担当者と話す」をお選びください。',
  },
};

const MAX_WARNINGS = 5;

/** Gives the main thread back: what comes next runs in a task of its own. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The search part's code, shipped with the search engine (see `createSearchPart`). */
export function createSearchPartImpl(
  k: Kernel,
  options: { busy?: () => boolean },
  { $article, $answers, $searchable }: SearchStores,
  engine: SearchEngine,
): SearchPart {
  const history: ReturnType<SearchPart['history']> = { searches: [], articles: [] };
  let index: SearchIndex | undefined;
  let loading: Promise<boolean> | undefined;
  let pending: [string, string?] | undefined;

  const search = (text: string, limit: number, snippet?: number) => index?.search(text.slice(0, 200), { limit, locale: k.locale(), snippet }) || [];

  const record = (query: string, results: string[]) => {
    history.searches.push({ query, at: Date.now(), found: results.length > 0, results });
    k.track({ type: 'search.made', query, resultCount: results.length });
  };

  async function load(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return false;
    const faq = k.config().faq;
    if (faq == null) return false;
    try {
      const data = typeof faq === 'string' ? await k.fetchJson(faq) : faq;
      if (signal.aborted) return false;
      const synonyms = k.config().faqSynonyms;
      // A prebuilt index names its article files relative to itself.
      const dir = typeof faq === 'string' ? faq.slice(0, faq.lastIndexOf('/') + 1) : '';
      // In a task of its own after the fetch and parse, then in slices: a large help centre never
      // makes a long task on the page.
      await nextTask();
      if (signal.aborted) return false;
      const built = await engine.openSearchIndex(data, {
        ...(synonyms && typeof synonyms === 'object' ? { synonyms } : {}),
        fetchArticle: (path) => k.fetchJson(dir + path),
      });
      if (signal.aborted) return false;
      const problems = built.problems;
      for (const p of problems.slice(0, MAX_WARNINGS)) k.warn({ code: 'faq', message: `faq ${p.path}: ${p.message}` });
      if (problems.length > MAX_WARNINGS) k.warn({ code: 'faq', message: `faq: ${problems.length - MAX_WARNINGS} more problems` });
      index = built.index;
      $searchable.set(true);
      // One search in a task of its own, then its first snippet in another, so the visitor's first
      // keystroke does not pay for the code's first run (measured at 4× CPU: 70–130 ms for the first
      // suggestion, 20–50 after; 40–90 ms for the first snippets, 10–15 after).
      void nextTask()
        .then(() => (index === built.index ? search(k.locale() == 'ja' ? '設定の方法' : 'how to set up', 3, 80) : []))
        .then((hits) => hits.length && nextTask().then(() => void hits[0].snippet));
      if (pending) api.show(...pending);
      return true;
    } catch (cause) {
      if (!signal.aborted) k.report({ message: `the FAQ could not be loaded: ${cause instanceof Error ? cause.message : String(cause)}`, path: '$.faq', cause });
      return false;
    } finally {
      pending = undefined;
    }
  }

  const api: SearchPart = {
    $article,
    $answers,
    $searchable,
    boot() {
      // The facade decides when the FAQ is needed (see `faqLoad`); `loaded()` then starts it.
      loading = undefined;
    },
    loaded: () => (loading ||= load(k.signal())),
    query: (text, limit = 5, options) => (text.trim() ? search(text, limit, options?.snippet) : []),
    answer(text) {
      // Only a confident match answers: the question's rare words must be covered (see `SearchIndex.answer`).
      const good = (index?.answer(text.slice(0, 200), { locale: k.locale() }) || []).map(({ id, title }) => ({ id, title }));
      record(text, good.map((h) => h.id));
      if (good.length) {
        // The cards live in the message: stored with it, shown again after a reload.
        const message = k.say((TEXT[k.locale()] || TEXT.en).found, { articles: good });
        $answers.set({ ...$answers.get(), [message.id]: good });
      }
      return good;
    },
    userText(text) {
      if (!index) void api.loaded();
      if (!index || k.conversation.$status.get().phase !== 'bot' || options.busy?.()) return false;
      return api.answer(text).length > 0;
    },
    show(id, query) {
      if (!index) {
        pending = [id, query];
        void api.loaded();
        return;
      }
      const signal = k.signal();
      const open = (article: Article | undefined) => {
        if (signal.aborted) return;
        if (!article) return k.warn({ code: 'article', message: `no article "${id}" in the FAQ` });
        if (query) record(query, [id]);
        history.articles.push({ id, title: article.title, at: Date.now() });
        $article.set(article);
        k.track({ type: 'article.viewed', articleId: id });
      };
      // A compact index fetches an article's body the first time it is opened.
      const here = index.article(id);
      if (here) open(here);
      else
        index.loadArticle(id).then(open, (cause) => {
          if (!signal.aborted) k.warn({ code: 'article', message: `article "${id}" could not be loaded: ${cause instanceof Error ? cause.message : String(cause)}` });
        });
    },
    back: () => $article.set(null),
    rate(id, helpful) {
      const viewed = history.articles.filter((a) => a.id === id).pop();
      if (!viewed || viewed.helpful === helpful) return;
      viewed.helpful = helpful;
      k.track({ type: 'article.feedback', articleId: id, helpful });
      if (!helpful && k.conversation.$status.get().phase === 'bot') k.say((TEXT[k.locale()] || TEXT.en).unhelpful);
    },
    history: () => ({ searches: history.searches.slice(-20), articles: history.articles.slice(-20) }),
    shutdown() {
      index = pending = undefined;
      loading = undefined;
      $searchable.set(false);
      history.searches = [];
      history.articles = [];
      $article.set(null);
      $answers.set({});
    },
  };
  return api;
}
