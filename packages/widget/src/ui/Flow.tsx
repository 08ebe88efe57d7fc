import type { Messenger } from '@madoguchi/core';
import type { Strings } from '../i18n';
import { fromStore } from './bind';

/** What a running flow waits for: choice buttons, a survey, a pending search or delay. */
export function FlowWaitView({ m, t }: { m: Messenger; t: Strings }) {
  const f = m.flows;
  const w = fromStore(f.$wait).value;
  const busy = fromStore(f.$busy).value;
  const articles = fromStore(f.$articles).value;
  const scale = w?.kind == 'survey' ? (w.scale == 'csat' ? 5 : 7) : 0;
  return (
    <>
      {articles.length > 0 && (
        <div class="chips" role="group" aria-label={t.suggestions}>
          {articles.map((a) => (
            <button key={a.id} type="button" class="chip" onClick={() => m.showArticle(a.id)}>
              {a.title}
            </button>
          ))}
        </div>
      )}
      {w?.kind == 'choice' && (
        <div class="chips" role="group" aria-label={w.question || t.flowChoose}>
          {w.options.map((o) => (
            <button key={o.id} type="button" class="chip" onClick={() => f.reply({ type: 'choice', id: o.id })}>
              {o.label}
            </button>
          ))}
        </div>
      )}
      {scale > 0 && (
        <div class="chips" role="group" aria-label={w!.question || t.flowRate}>
          {Array.from({ length: scale }, (_, i) => (
            <button key={i} type="button" class="chip" aria-label={t.flowScore(i + 1, scale)} onClick={() => f.reply({ type: 'survey', score: i + 1 })}>
              {i + 1}
            </button>
          ))}
        </div>
      )}
      {(busy || w?.kind == 'search' || w?.kind == 'delay') && (
        <p class="status" role="status">
          {t.flowWorking}
        </p>
      )}
      {w?.error && (
        <p id={w.kind == 'input' ? 'mg-flow-error' : undefined} class="error" role="alert">
          {w.error}
        </p>
      )}
    </>
  );
}
