import type { Messenger, SurveyKind } from '@madoguchi/core';
import { useRef, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import { useStore } from './use-store';
import { ScaleEnds } from './Flow';

/**
 * The end-of-conversation survey: CSAT (1–5), then effort (1–7), one tap each, then an optional
 * comment. Skippable at every step.
 */
export function Survey({ m, t }: { m: Messenger; t: Strings }) {
  const survey = useStore(m.insights.$survey);
  const [comment, setComment] = useState('');
  const [done, setDone] = useState(false);
  const box = useRef<HTMLElement>(null);
  if (!survey) return done ? <p class="status" role="status">{t.thanks}</p> : null;

  const kind: SurveyKind | undefined = survey.kinds[0];
  const finish = (send: boolean) => {
    if (send) m.insights.submitSurvey(comment);
    else m.insights.skipSurvey();
    setDone(send || Object.keys(survey.answered).length > 0);
    setTimeout(() => setDone(false), 6e3);
    setComment('');
  };
  // The tapped button goes away with its step: keep the keyboard in the survey.
  const tap = (k: SurveyKind, n: number) => {
    m.insights.answer(k, n);
    setTimeout(() => box.current?.querySelector<HTMLElement>('button,textarea')?.focus());
  };
  const scale = kind === 'ces' ? t.cesScale : t.csatScale;

  return (
    <section ref={box} class="status" aria-label={t.survey}>
      {kind ? (
        <div role="group" aria-labelledby="mg-ask">
          <p id="mg-ask">{kind === 'ces' ? t.cesAsk : t.csatAsk}</p>
          <div class="chips">
            {scale.map((label, i) => (
              <button type="button" class="chip" key={kind + i} aria-label={`${i + 1} — ${label}`} title={label} onClick={() => tap(kind, i + 1)}>
                {i + 1}
              </button>
            ))}
          </div>
          <ScaleEnds labels={scale} />
        </div>
      ) : (
        <div class="chips">
          <textarea aria-label={t.comment} placeholder={t.commentHint} maxLength={1000} rows={2} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
          <button type="button" class="send" onClick={() => finish(true)}>
            {t.submitFeedback}
          </button>
        </div>
      )}
      <button type="button" class="chip" onClick={() => finish(false)}>
        {t.skip}
      </button>
    </section>
  );
}
