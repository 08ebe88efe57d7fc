import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { computeMetrics, readEventLog, type InsightMetrics, type MadoguchiEvent } from '@madoguchi/core';
import type { Command } from './command';
import { UsageError, type CliIO } from './io';
import { generateSampleEvents } from './sample-events';

export { generateSampleEvents } from './sample-events';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const pct = (x: number | null) => (x == null ? '–' : `${Math.round(x * 100)}%`);
const num = (x: number | null, digits = 1) => (x == null ? '–' : x.toFixed(digits));

/** 45 s, 3 min 20 s, 2 h 5 min. */
export function formatDuration(ms: number | null): string {
  if (ms == null) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

function svg(width: number, height: number, label: string, body: string): string {
  return `<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeHtml(label)}"><title>${escapeHtml(label)}</title>${body}</svg>`;
}

/** Deflection rate per day as a line over the daily conversation volume as bars. */
function deflectionChart(days: InsightMetrics['byDay']): string {
  if (!days.length) return '<p class="empty">No conversations yet.</p>';
  const W = 720, H = 240, L = 40, R = 64, T = 12, B = 28;
  const w = (W - L - R) / days.length;
  const most = Math.max(1, ...days.map((d) => d.conversations));
  const x = (i: number) => L + w * i + w / 2;
  const y = (rate: number) => T + (H - T - B) * (1 - rate);
  let body = '';
  for (const g of [0, 0.5, 1])
    body += `<line x1="${L}" x2="${W - R}" y1="${y(g)}" y2="${y(g)}" class="grid"/><text x="${L - 6}" y="${y(g) + 4}" text-anchor="end">${g * 100}%</text>`;
  days.forEach((d, i) => {
    const h = ((H - T - B) * d.conversations) / most;
    body += `<rect x="${(x(i) - w * 0.35).toFixed(1)}" y="${(H - B - h).toFixed(1)}" width="${(w * 0.7).toFixed(1)}" height="${h.toFixed(1)}" class="vol"><title>${escapeHtml(d.day)}: ${d.conversations} conversations, ${pct(d.deflectionRate)} self-served</title></rect>`;
  });
  const points = days.flatMap((d, i) => (d.deflectionRate == null ? [] : [`${x(i).toFixed(1)},${y(d.deflectionRate).toFixed(1)}`]));
  body += `<polyline points="${points.join(' ')}" class="line"/>`;
  body += points.map((p) => `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" class="dot"/>`).join('');
  const label = (i: number, anchor: string) => `<text x="${x(i)}" y="${H - 8}" text-anchor="${anchor}">${escapeHtml(days[i].day)}</text>`;
  body += label(0, 'start') + (days.length > 1 ? label(days.length - 1, 'end') : '');
  body += `<text x="${W - R + 6}" y="${T + 8}">${most}</text><text x="${W - R + 6}" y="${T + 20}" class="muted">max/day</text>`;
  return svg(W, H, 'Deflection rate per day (line) over conversations per day (bars)', body);
}

/** One bar per score. */
function distributionChart(name: string, distribution: number[]): string {
  const W = 340, H = 180, B = 24, T = 16;
  const most = Math.max(1, ...distribution);
  const w = W / distribution.length;
  let body = '';
  distribution.forEach((count, i) => {
    const h = ((H - B - T) * count) / most;
    body += `<rect x="${(w * i + w * 0.15).toFixed(1)}" y="${(H - B - h).toFixed(1)}" width="${(w * 0.7).toFixed(1)}" height="${h.toFixed(1)}" class="bar s${Math.round((i / (distribution.length - 1)) * 4)}"/>`;
    body += `<text x="${(w * i + w / 2).toFixed(1)}" y="${(H - B - h - 4).toFixed(1)}" text-anchor="middle">${count}</text>`;
    body += `<text x="${(w * i + w / 2).toFixed(1)}" y="${H - 6}" text-anchor="middle" class="muted">${i + 1}</text>`;
  });
  return svg(W, H, `${name}: answers per score, ${distribution.map((c, i) => `${i + 1}: ${c}`).join(', ')}`, body);
}

/** Horizontal funnel: how many runs reached each node and how many left there. */
function funnelChart(flowId: string, f: InsightMetrics['flows'][string]): string {
  const W = 720, row = 26, labelW = 170;
  const top = Math.max(1, f.started, ...f.dropOff.map((n) => n.reached));
  let body = '';
  f.dropOff.forEach((n, i) => {
    const y = i * row;
    const reachedW = ((W - labelW - 180) * n.reached) / top;
    const leftW = ((W - labelW - 180) * n.left) / top;
    body += `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end">${escapeHtml(n.nodeId)}</text>`;
    body += `<rect x="${labelW}" y="${y + 4}" width="${reachedW.toFixed(1)}" height="${row - 8}" class="reach"/>`;
    if (leftW) body += `<rect x="${(labelW + reachedW - leftW).toFixed(1)}" y="${y + 4}" width="${leftW.toFixed(1)}" height="${row - 8}" class="left"/>`;
    body += `<text x="${(labelW + reachedW + 8).toFixed(1)}" y="${y + 17}">${n.reached} reached · ${n.left} left (${pct(n.reached ? n.left / n.reached : null)})</text>`;
  });
  return svg(W, Math.max(row, f.dropOff.length * row), `Funnel of flow ${flowId}: runs reaching each node, with those who left there`, body);
}

const CSS = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2433;background:#f6f7f9;margin:0}
main{max-width:960px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.15em;margin:32px 0 8px}
section,.cards>div{background:#fff;border:1px solid #e1e4ea;border-radius:8px}
section{padding:16px 20px;margin:16px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-top:16px}
.cards>div{padding:12px 14px}.cards b{display:block;font-size:1.6em}.cards span,.muted,.empty{color:#5b6475}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:24px}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eef0f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
svg text{font-size:12px;fill:#1d2433}svg .muted{fill:#5b6475}
.grid{stroke:#e1e4ea}.vol{fill:#d8e1f3}.line{fill:none;stroke:#2456c9;stroke-width:2.5}.dot{fill:#2456c9}
.bar.s0{fill:#c0392b}.bar.s1{fill:#e67e22}.bar.s2{fill:#d4b106}.bar.s3{fill:#7cb342}.bar.s4{fill:#2e8b57}
.reach{fill:#8fb0ea}.left{fill:#d9534f}
.meter{display:inline-block;height:10px;background:#d9534f;border-radius:2px;vertical-align:middle}
`;

export interface ReportOptions {
  title?: string;
  /** Where the events came from, shown under the title. */
  source?: string;
  /** Lines of the log that were skipped. */
  skipped?: Array<{ line: number; message: string }>;
}

/** A self-contained HTML page (inline CSS and SVG, no scripts, no external requests). */
export function renderReportHtml(m: InsightMetrics, opts: ReportOptions = {}): string {
  const title = opts.title || 'Madoguchi service insights';
  const card = (value: string, label: string) => `<div><b>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`;
  const range = m.byDay.length ? `${m.byDay[0].day} – ${m.byDay[m.byDay.length - 1].day}` : 'no conversations';
  const flows = Object.entries(m.flows);
  const mostUnanswered = Math.max(1, ...m.topUnansweredSearches.map((s) => s.count));
  const proactive = Object.entries(m.proactive);
  const skipped = opts.skipped || [];

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><main>
<h1>${escapeHtml(title)}</h1>
<p class="muted">${escapeHtml(range)} · ${m.events} events${opts.source ? ` from ${escapeHtml(opts.source)}` : ''}</p>
<div class="cards">
${card(String(m.conversations), 'conversations')}
${card(pct(m.deflectionRate), `self-service resolution (${m.selfServed} of ${m.conversations})`)}
${card(formatDuration(m.firstResponseMs), 'median first response by a person')}
${card(formatDuration(m.resolutionMs), 'median time to resolution')}
${card(pct(m.firstContactResolution), 'first-contact resolution')}
${card(`${num(m.csat.average)} / 5`, `CSAT · ${pct(m.csat.positiveRate)} satisfied · ${m.csat.count} answers`)}
${card(`${num(m.ces.average)} / 7`, `effort (CES) · ${pct(m.ces.positiveRate)} found it easy · ${m.ces.count} answers`)}
${m.nps.count ? card(num(m.nps.netScore, 0), `NPS (promoters − detractors) · ${pct(m.nps.positiveRate)} promoters · ${m.nps.count} answers`) : ''}
${card(String(m.handedOff), 'handed to a person')}
</div>

<section><h2>Deflection over time</h2>
<p class="muted">Share of each day's conversations resolved by self-service without a person (line), and how many conversations there were (bars).</p>
${deflectionChart(m.byDay)}</section>

<section><h2>Satisfaction and effort</h2><div class="pair">
<figure><figcaption>CSAT (1 = very unsatisfied, 5 = very satisfied) · average ${num(m.csat.scaledAverage, 0)} / 100</figcaption>${distributionChart('CSAT', m.csat.distribution)}</figure>
<figure><figcaption>Customer effort (1 = very hard, 7 = very easy) · average ${num(m.ces.scaledAverage, 0)} / 100</figcaption>${distributionChart('CES', m.ces.distribution)}</figure>
</div></section>

<section><h2>Flows: where people leave</h2>
${
  flows.length
    ? flows
        .map(
          ([id, f]) =>
            `<h3>${escapeHtml(id)}</h3><p class="muted">${f.started} started · ${f.finished} finished (${pct(f.started ? f.finished / f.started : null)}) · red: left at this node</p>${funnelChart(id, f)}`,
        )
        .join('\n')
    : '<p class="empty">No flow was started.</p>'
}</section>

<section><h2>Top searches with no answer</h2>
<p class="muted">${m.searches.unanswered} of ${m.searches.total} searches found nothing (${pct(m.searches.total ? m.searches.unanswered / m.searches.total : null)}). Write these articles next.</p>
${
  m.topUnansweredSearches.length
    ? `<table><thead><tr><th>Query</th><th>Searches</th><th></th></tr></thead><tbody>${m.topUnansweredSearches
        .map(
          (s) =>
            `<tr><td>${escapeHtml(s.query)}</td><td class="n">${s.count}</td><td><span class="meter" style="width:${Math.round((200 * s.count) / mostUnanswered)}px"></span></td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="empty">Every search found an answer.</p>'
}</section>

<section><h2>Help centre and proactive messages</h2>
<p>${m.articles.views} article views · ${m.articles.helpful} rated helpful · ${m.articles.notHelpful} not helpful</p>
${
  proactive.length
    ? `<table><thead><tr><th>Rule</th><th>Shown</th><th>Clicked</th><th>Click rate</th></tr></thead><tbody>${proactive
        .map(([id, p]) => `<tr><td>${escapeHtml(id)}</td><td class="n">${p.shown}</td><td class="n">${p.clicked}</td><td class="n">${pct(p.shown ? p.clicked / p.shown : null)}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="empty">No proactive message was shown.</p>'
}</section>
${
  skipped.length
    ? `<section><h2>Skipped lines</h2><p class="muted">${skipped.length} line(s) of the log could not be read and were left out.</p><ul>${skipped
        .slice(0, 50)
        .map((s) => `<li>line ${s.line}: ${escapeHtml(s.message)}</li>`)
        .join('')}</ul></section>`
    : ''
}
<p class="muted">Formulas: deflection = conversations resolved by self-service without a handoff ÷ conversations; first response = first agent reply − handoff request (median); resolution = resolution − first event (median); first-contact resolution = resolved conversations with no new conversation by the same visitor within 7 days ÷ resolved conversations.</p>
</main></body></html>
`;
}

/** `madoguchi report <events.ndjson> -o report.html`, or `--sample <days>` for a generated log. */
export const reportCommand: Command = {
  description: 'a self-contained HTML insights report from an event log',
  args: '[events.ndjson]',
  options: {
    out: { type: 'string', short: 'o', value: '<report.html>', description: 'where to write the report' },
    json: { type: 'boolean', description: 'print the metrics as JSON' },
    sample: { type: 'string', value: '<days>', description: 'use a generated, realistic log of this many days (1–366)' },
    seed: { type: 'string', value: '<n>', description: 'seed of the generated log (default 1)' },
  },
  run: ({ args, options }, io) => {
    const sample = options.sample == null ? undefined : Number(options.sample);
    const seed = Number(options.seed ?? 1);
    if (sample != null && !(Number.isInteger(sample) && sample >= 1 && sample <= 366)) throw new UsageError('report: --sample needs a number of days from 1 to 366');
    if (!Number.isFinite(seed)) throw new UsageError('report: --seed needs a number');
    if ((args[0] == null) == (sample == null)) throw new UsageError('report: give an events file or --sample <days>');
    if (!options.out && !options.json) throw new UsageError('report: give --out <report.html> (or -o), or --json');
    return writeReport({ input: args[0], output: options.out as string | undefined, sample, seed, json: !!options.json }, io);
  },
};

interface ReportRequest {
  input?: string;
  output?: string;
  sample?: number;
  seed: number;
  json: boolean;
}

async function writeReport({ input, output, sample, seed, json }: ReportRequest, io: CliIO): Promise<number> {
  let events: MadoguchiEvent[];
  let skipped: Array<{ line: number; message: string }> = [];
  if (input != null) {
    const read = readEventLog(await readFile(resolve(io.cwd, input), 'utf8'));
    events = read.events;
    skipped = read.problems;
    for (const p of skipped.slice(0, 20)) io.stderr(`${input}:${p.line}: ${p.message} (skipped)\n`);
    if (skipped.length > 20) io.stderr(`${input}: ${skipped.length - 20} more bad lines skipped\n`);
  } else events = generateSampleEvents(seed, sample!);

  const metrics = computeMetrics(events);
  if (json) io.stdout(JSON.stringify(metrics, null, 2) + '\n');
  if (output) {
    await writeFile(resolve(io.cwd, output), renderReportHtml(metrics, { source: input ?? `a sample of ${sample} days (seed ${seed})`, skipped }));
    io.stderr(`Wrote ${output}: ${events.length} events, ${metrics.conversations} conversations${skipped.length ? `, ${skipped.length} bad lines skipped` : ''}\n`);
  }
  return 0;
}
