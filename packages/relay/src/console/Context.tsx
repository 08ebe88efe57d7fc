import { useSignal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { $t, send, type Detail, type Summary } from './store';
import { time } from './format';

/** Whatever arrives becomes a plain string. */
const asText = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v == null ? '' : JSON.stringify(v));

function Facts({ pairs }: { pairs: Array<[string, unknown]> }) {
  const shown = pairs.filter(([, v]) => v !== undefined && v !== null && v !== '');
  return (
    <dl>
      {shown.map(([k, v]) => [<dt key={'t' + k}>{k}</dt>, <dd key={'d' + k}>{asText(v)}</dd>])}
    </dl>
  );
}
function Part({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <>
      <h3>{title}</h3>
      {children}
    </>
  );
}
function List<T>({ items, line }: { items: unknown; line: (item: T) => string }) {
  const t = $t.value;
  return Array.isArray(items) && items.length ? (
    <ul>
      {(items as T[]).map((item, i) => (
        <li key={i}>{line(item)}</li>
      ))}
    </ul>
  ) : (
    <p class="hint">{t.nothing}</p>
  );
}

/**
 * Who the customer is and what they did: the handoff packet, updated live by the context the
 * widget sends afterwards (the page, the trail, searches and articles read while waiting).
 */
export function ContextPanel({ c, d }: { c: Summary; d?: Detail }) {
  const t = $t.value;
  // Shown whole once the relay has sent the conversation's history, never half-filled.
  if (!d)
    return (
      <aside class="context" aria-label={t.context} aria-busy="true">
        <p class="hint">{t.loading}</p>
      </aside>
    );
  const f = t.fields;
  const p = d.packet ?? {};
  const live = d.context;
  const user = { ...(p.user ?? {}), ...c.user };
  const ctx = { ...(p.context ?? {}), ...(live ?? {}) };
  const trail: any[] = Array.isArray(ctx.trail) ? ctx.trail : [];
  const triage = p.triage ?? {};
  const attributes: Array<[string, unknown]> = user.attributes && typeof user.attributes === 'object' ? Object.entries(user.attributes) : [];
  const identity = c.verified ? t.verified : c.identity === 'unverified' ? t.unverifiedNoKey : t.notVerified;
  return (
    <aside class="context" aria-label={t.context}>
      {live?.at && <p class="pill ok live">{t.live(time(live.at))}</p>}
      <Part title={t.who}>
        <Facts
          pairs={[
            [f.name, user.name], [f.email, user.email], [f.userId, user.id],
            [f.identity, c.identity === 'none' ? undefined : identity],
            [f.status, c.left ? t.leftPage : c.online ? t.customerOnline : t.customerOffline], [f.language, p.locale || c.locale], ...attributes,
          ]}
        />
      </Part>
      <Part title={t.where}>
        <Facts
          pairs={[
            [f.page, ctx.page?.url], [f.pageTitle, ctx.page?.title], [f.referrer, ctx.page?.referrer],
            [f.device, ctx.device ? [ctx.device.platform, ctx.device.language, ctx.device.timeZone].filter(Boolean).join(', ') : ''],
          ]}
        />
      </Part>
      <Part title={t.pages}>
        <List<any> items={trail.filter((e) => e.type === 'page')} line={(e) => `${time(e.at)} ${asText(e.title)} ${asText(e.url)}`} />
      </Part>
      <Part title={t.events}>
        <List<any> items={trail.filter((e) => e.type === 'event')} line={(e) => `${time(e.at)} ${asText(e.name)}${e.properties ? ' ' + asText(e.properties) : ''}`} />
      </Part>
      <Part title={t.searches}>
        <List<any> items={live?.searches?.length ? live.searches : p.searches} line={(s) => `“${asText(s.query)}” ${s.found ? t.foundArticles : t.foundNothing}`} />
      </Part>
      <Part title={t.articlesRead}>
        <List<any> items={live?.articles?.length ? live.articles : p.articles} line={(a) => `${asText(a.title)}${a.helpful === true ? `: ${t.helpful}` : a.helpful === false ? `: ${t.notHelpful}` : ''}`} />
      </Part>
      <Part title={t.flowAnswers}>
        <List<any> items={p.flows} line={(fl) => `${asText(fl.id)}: ${Object.entries(fl.answers || {}).map(([k, v]) => `${k} = ${asText(v)}`).join('; ') || t.noAnswers}`} />
      </Part>
      <Part title={t.triage}>
        <Facts
          pairs={[
            [f.complexity, triage.complexity], [f.severity, triage.severity], [f.effort, triage.effort],
            [f.route, triage.primary && `${asText(triage.primary)} ${t.then} ${asText(triage.secondary)}`],
            [f.signals, Array.isArray(triage.reasons) ? triage.reasons.map(asText).join(', ') : ''],
          ]}
        />
      </Part>
      <Part title={t.reason}>
        <p>{asText(p.reason || c.reason) || t.notGiven}</p>
      </Part>
      <Tags key={c.id} c={c} />
    </aside>
  );
}

function Tags({ c }: { c: Summary }) {
  const t = $t.value;
  const value = useSignal((c.tags ?? []).join(', '));
  const save = () => send({ type: 'tags', conversationId: c.id, tags: value.value.split(',').map((s) => s.trim().replace(/^#/, '')).filter(Boolean) });
  return (
    <>
      <h3>
        <label for="tags">{t.tags}</label>
      </h3>
      <input
        id="tags"
        value={value.value}
        aria-describedby="tags-hint"
        onInput={(e) => (value.value = e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Enter' || e.isComposing) return;
          e.preventDefault();
          save();
        }}
        onBlur={save}
      />
      <p id="tags-hint" class="hint">
        {t.tagsHint}
      </p>
    </>
  );
}
