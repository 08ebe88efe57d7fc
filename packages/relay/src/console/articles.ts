import { buildSearchIndex, type SearchIndex } from '../../../core/src/search/engine';

const indexes = new Map<string, Promise<SearchIndex | undefined>>();

/** The help centre in `lang`, from the relay (`/agent/faq/<lang>.json`), indexed with the widget's own search. */
function helpCentre(lang: string): Promise<SearchIndex | undefined> {
  if (!indexes.has(lang))
    indexes.set(
      lang,
      fetch(`/agent/faq/${lang}.json`)
        .then((res) => (res.ok ? res.json() : undefined))
        .then((articles) => (Array.isArray(articles) && articles.length ? buildSearchIndex(articles) : undefined))
        .catch(() => undefined),
    );
  return indexes.get(lang)!;
}

/** Up to three articles that answer `question`, in the customer's language. */
export async function suggestions(question: string, locale: string): Promise<Array<{ id: string; title: string }>> {
  if (!question.trim()) return [];
  const index = await helpCentre(locale?.startsWith('ja') ? 'ja' : 'en');
  if (!index) return [];
  const hits = index.search(question + ' ', { limit: 10 });
  const top = hits[0]?.score ?? 0;
  return hits.filter((h) => h.score >= Math.max(1, top / 2)).slice(0, 3).map((h) => ({ id: h.id, title: h.title }));
}
