import { $lang, $conversations, $t, label, type Metrics } from './store';

const duration = (ms?: number) => {
  if (ms == null) return '–';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
};

/** The day's figures: first response, time to resolution and CSAT, per conversation and overall. */
export function ShiftPanel({ metrics, onClose }: { metrics: Metrics; onClose(): void }) {
  const t = $t.value;
  const day = metrics.day;
  const percent = (x: number) => new Intl.NumberFormat($lang.value, { style: 'percent' }).format(x);
  return (
    <section class="work shift" aria-labelledby="shift-title">
      <div class="conv-head">
        <h2 id="shift-title">{t.shiftTitle}</h2>
        <button type="button" aria-label={t.closeShift} onClick={onClose}>
          ×
        </button>
      </div>
      <dl class="figures">
        <div>
          <dt>{t.handedOff}</dt>
          <dd>{day.handedOff}</dd>
        </div>
        <div>
          <dt>{t.resolved}</dt>
          <dd>{day.resolved}</dd>
        </div>
        <div>
          <dt>{t.firstResponse}</dt>
          <dd>{duration(day.firstResponseMs)}</dd>
        </div>
        <div>
          <dt>{t.resolution}</dt>
          <dd>{duration(day.resolutionMs)}</dd>
        </div>
        <div>
          <dt>{t.csat}</dt>
          <dd>{day.csat ? `${day.csat.average.toFixed(1)} / 5 (${percent(day.csat.satisfiedRate)}, ${day.csat.responses})` : '–'}</dd>
        </div>
      </dl>
      <table>
        <caption class="sr-only">{t.shiftTitle}</caption>
        <thead>
          <tr>
            <th scope="col">{t.conversation}</th>
            <th scope="col">{t.agentCol}</th>
            <th scope="col">{t.firstResponse}</th>
            <th scope="col">{t.resolution}</th>
            <th scope="col">{t.csat}</th>
          </tr>
        </thead>
        <tbody>
          {metrics.conversations.map((c) => {
            const s = $conversations.value[c.id];
            return (
              <tr key={c.id}>
                <th scope="row">{s ? label(s) : c.id.slice(0, 8)}</th>
                <td>{c.agentName ?? '–'}</td>
                <td>{duration(c.firstResponseMs)}</td>
                <td>{duration(c.resolutionMs)}</td>
                <td>{c.csat ?? '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
