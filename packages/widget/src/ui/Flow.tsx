import type { Messenger } from '@madoguchi/core';
import { useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import { useStore } from './use-store';

/** What a running flow waits for: choice buttons, a survey, a pending search, delay or request. */
export function FlowWaitView({ m, t }: { m: Messenger; t: Strings }) {
  const f = m.flows;
  const w = useStore(f.$wait);
  const busy = useStore(f.$busy);
  const messages = useStore(m.state.$messages);
  // An input's retry text is already said in the thread; here it only describes the box.
  const said = !!w?.error && messages[messages.length - 1]?.text === w.error;
  const [picked, setPicked] = useState<string[]>([]);
  const multiple = w?.kind == 'choice' && w.multiple;
  const toggle = (id: string) => setPicked(picked.includes(id) ? picked.filter((x) => x != id) : [...picked, id]);
  // NPS runs 0–10; CSAT 1–5 and CES 1–7.
  const low = w?.kind == 'survey' && w.scale == 'nps' ? 0 : 1;
  const scale = w?.kind == 'survey' ? (w.scale == 'csat' ? 5 : w.scale == 'nps' ? 10 : 7) : 0;
  return (
    <>
      {w?.kind == 'choice' && !multiple && (
        <div class="chips" role="group" aria-label={w.question || t.flowChoose}>
          {w.options.map((o) => (
            <button key={o.id} type="button" class="chip" onClick={() => f.reply({ type: 'choice', id: o.id })}>
              {o.label}
            </button>
          ))}
        </div>
      )}
      {w?.kind == 'choice' && multiple && (
        <div class="chips" role="group" aria-label={w.question || t.flowChoose}>
          {w.options.map((o) => (
            <button key={o.id} type="button" class="chip" aria-pressed={picked.includes(o.id)} onClick={() => toggle(o.id)}>
              {o.label}
            </button>
          ))}
          <button
            type="button"
            class="chip"
            disabled={!picked.length}
            onClick={() => {
              f.reply({ type: 'choices', ids: picked });
              setPicked([]);
            }}
          >
            {t.flowDone}
          </button>
        </div>
      )}
      {scale > 0 && (
        <div class="chips" role="group" aria-label={w!.question || t.flowRate}>
          {Array.from({ length: scale + 1 - low }, (_, i) => (
            <button key={i} type="button" class="chip" aria-label={t.flowScore(i + low, scale)} onClick={() => f.reply({ type: 'survey', score: i + low })}>
              {i + low}
            </button>
          ))}
        </div>
      )}
      {(scale == 5 || scale == 7) && <ScaleEnds labels={scale === 5 ? t.csatScale : t.cesScale} />}
      {(busy || w?.kind == 'search' || w?.kind == 'delay' || w?.kind == 'request') && (
        <p class="status" role="status">
          {t.flowWorking}
        </p>
      )}
      {w?.error && (
        <p id={w.kind == 'input' ? 'mg-flow-error' : undefined} class={said ? 'vh' : 'error'} role="alert">
          {w.error}
        </p>
      )}
    </>
  );
}

/** The words at both ends of a rating scale, under its buttons. */
export function ScaleEnds({ labels }: { labels: string[] }) {
  return (
    <p class="scale-ends" aria-hidden="true">
      <span>1 — {labels[0]}</span>
      <span>
        {labels.length} — {labels[labels.length - 1]}
      </span>
    </p>
  );
}
