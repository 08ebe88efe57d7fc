import type { SearchIndex } from '../search';
import type { SearchEngine } from './engines';
import type { Kernel } from './kernel';
import type { SearchPart, SearchStores } from './search';

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

/** A sent question is answered only by hits this strong (BM25 sums; Japanese bigrams score higher). */
const FLOOR = { en: 2, ja: 4 };
const MAX_WARNINGS = 5;

/** The search part's code, shipped with the search engine (see `createSearchPart`). */
export function createSearchPartImpl(
  k: Kernel,
  options: { busy?: () => boolean },
  { $article, $answers }: SearchStores,
  engine: SearchEngine,
): SearchPart {
  const history: ReturnType<SearchPart['history']> = { searches: [], articles: [] };
  let index: SearchIndex | undefined;
  let loading: Promise<boolean> = Promise.resolve(false);
  let pending: [string, string?] | undefined;
  let generation = 0;

  const search = (text: string, limit: number) => index?.search(text.slice(0, 200), { limit, locale: k.locale() }) || [];

  const record = (query: string, results: string[]) => {
    history.searches.push({ query, at: Date.now(), found: results.length > 0, results });
    k.track({ type: 'search.made', query, resultCount: results.length });
  };

  async function load(gen: number): Promise<boolean> {
    const faq = k.config().faq;
    if (faq == null) return false;
    try {
      const data = typeof faq === 'string' ? await k.fetchJson(faq) : faq;
      if (gen !== generation) return false;
      const synonyms = k.config().faqSynonyms as Record<string, string[]> | undefined;
      const built = engine.createSearchIndexFrom(data, synonyms && typeof synonyms === 'object' ? { synonyms } : undefined);
      const problems = built.problems;
      for (const p of problems.slice(0, MAX_WARNINGS)) k.warn({ code: 'faq', message: `faq ${p.path}: ${p.message}` });
      if (problems.length > MAX_WARNINGS) k.warn({ code: 'faq', message: `faq: ${problems.length - MAX_WARNINGS} more problems` });
      index = built.index;
      if (pending) api.show(...pending);
      return true;
    } catch (cause) {
      if (gen === generation) k.report({ message: `the FAQ could not be loaded: ${cause instanceof Error ? cause.message : String(cause)}`, path: '$.faq', cause });
      return false;
    } finally {
      pending = undefined;
    }
  }

  const api: SearchPart = {
    $article,
    $answers,
    boot() {
      // Not awaited: the conversation does not wait for the help centre.
      loading = load(++generation);
    },
    loaded: () => loading,
    query: (text, limit = 5) => (text.trim() ? search(text, limit) : []),
    answer(text) {
      // A trailing space ends the last word, so a sent question is not read as a prefix.
      const hits = search(text + ' ', 10);
      const top = hits[0]?.score || 0;
      const floor = Math.max(FLOOR[k.locale()] ?? 2, top / 2);
      const good = hits.filter((h) => h.score >= floor).slice(0, 3).map((h) => ({ id: h.id, title: h.title }));
      record(text, good.map((h) => h.id));
      if (good.length) {
        const message = k.say((TEXT[k.locale()] || TEXT.en).found);
        $answers.set({ ...$answers.get(), [message.id]: good });
      }
      return good;
    },
    userText(text) {
      if (!index || k.conversation.$status.get().phase !== 'bot' || options.busy?.()) return false;
      return api.answer(text).length > 0;
    },
    show(id, query) {
      if (!index) {
        pending = [id, query];
        return;
      }
      const article = index.article(id);
      if (!article) return k.warn({ code: 'article', message: `no article "${id}" in the FAQ` });
      if (query) record(query, [id]);
      history.articles.push({ id, title: article.title, at: Date.now() });
      $article.set(article);
      k.track({ type: 'article.viewed', articleId: id });
    },
    back: () => $article.set(null),
    offer(messageId, articles) {
      $answers.set({ ...$answers.get(), [messageId]: articles.slice(0, 3).map((a) => ({ id: String(a.id), title: String(a.title) })) });
    },
    rate(id, helpful) {
      const viewed = history.articles.filter((a) => a.id === id).pop();
      if (!viewed || viewed.helpful === helpful) return;
      viewed.helpful = helpful;
      k.track({ type: 'article.feedback', articleId: id, helpful });
      if (!helpful && k.conversation.$status.get().phase === 'bot') k.say((TEXT[k.locale()] || TEXT.en).unhelpful);
    },
    history: () => ({ searches: history.searches.slice(-20), articles: history.articles.slice(-20) }),
    shutdown() {
      generation++;
      index = pending = undefined;
      loading = Promise.resolve(false);
      history.searches = [];
      history.articles = [];
      $article.set(null);
      $answers.set({});
    },
  };
  return api;
}
