import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeMetrics } from '@madoguchi/core';
import { describe, expect, it } from 'vitest';
import { runCommand } from './command';
import { escapeHtml, formatDuration, generateSampleEvents, renderReportHtml, reportCommand } from './report';

async function runIn(dir: string, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand('report', reportCommand, args, { cwd: dir, stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('generateSampleEvents', () => {
  it('is deterministic per seed and covers the whole story', () => {
    const a = generateSampleEvents(7, 5);
    expect(generateSampleEvents(7, 5)).toEqual(a);
    expect(generateSampleEvents(8, 5)).not.toEqual(a);
    const types = new Set(a.map((e) => e.type));
    for (const t of ['search.made', 'flow.abandoned', 'flow.finished', 'handoff.requested', 'survey.answered', 'proactive.clicked'])
      expect(types).toContain(t);
    const m = computeMetrics(a);
    expect(m.byDay).toHaveLength(5);
    expect(m.deflectionRate).toBeGreaterThan(0.2);
    expect(m.deflectionRate).toBeLessThan(0.9);
    expect(Object.keys(m.flows).sort()).toEqual(['billing', 'returns']);
  });
});

describe('madoguchi report', () => {
  it('turns an event log into a self-contained report with charts and numbers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'madoguchi-report-'));
    const events = generateSampleEvents(3, 14);
    const hostile = { type: 'search.made', at: events[5].at, conversationId: 'x1', query: '<script>alert("x")</script>', resultCount: 0 };
    const lines = events.map((e) => JSON.stringify(e));
    lines.splice(10, 0, '{"type":"search.made",', JSON.stringify(hostile), '{"type":"flow.step","at":1}');
    await writeFile(join(dir, 'events.ndjson'), lines.join('\n') + '\n');

    const { code, stderr } = await runIn(dir, ['events.ndjson', '-o', 'report.html']);
    expect(code).toBe(0);
    expect(stderr).toContain('events.ndjson:11: not valid JSON (skipped)');
    expect(stderr).toContain('events.ndjson:13: $.flowId: expected a string; $.nodeId: expected a string (skipped)');

    const html = await readFile(join(dir, 'report.html'), 'utf8');
    const m = computeMetrics([...events, hostile as never]);
    // headline numbers
    expect(html).toContain(`<b>${m.conversations}</b><span>conversations</span>`);
    expect(html).toContain(`<b>${Math.round(m.deflectionRate! * 100)}%</b>`);
    expect(html).toContain(`<b>${m.csat.average!.toFixed(1)} / 5</b>`);
    expect(html).toContain(formatDuration(m.firstResponseMs));
    // the charts
    expect(html).toContain('aria-label="Deflection rate per day (line) over conversations per day (bars)"');
    expect(html.match(/<rect [^>]*class="vol"/g)).toHaveLength(14);
    expect(html).toContain(`aria-label="CSAT: answers per score, 1: ${m.csat.distribution[0]}`);
    expect(html).toContain('aria-label="CES: answers per score');
    expect(html).toContain('aria-label="Funnel of flow returns');
    const reason = m.flows.returns.dropOff.find((n) => n.nodeId == 'reason')!;
    expect(html).toContain(`${reason.reached} reached · ${reason.left} left`);
    expect(html).toContain(`<td>${m.topUnansweredSearches[0].query}</td><td class="n">${m.topUnansweredSearches[0].count}</td>`);
    // hostile text escaped, no script, nothing fetched from elsewhere
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)=|url\(|@import/i);
    expect(html).toContain('line 11: not valid JSON');
    // No NPS was asked: no NPS figure.
    expect(html).not.toContain('NPS');
  });

  it('shows the net promoter score once flows have asked NPS', () => {
    const at = Date.UTC(2024, 0, 1);
    const nps = [10, 10, 9, 7, 3].map((score, i) => ({ type: 'survey.answered' as const, kind: 'nps' as const, score, scaled: score * 10, at: at + i, conversationId: `n${i}` }));
    const html = renderReportHtml(computeMetrics(nps));
    expect(html).toContain('<b>40</b><span>NPS (promoters − detractors) · 60% promoters · 5 answers</span>');
  });

  it('builds a report from a generated sample and prints metrics as JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'madoguchi-report-'));
    const r = await runIn(dir, ['--sample', '3', '--seed', '9', '--json', '-o', 'sample.html']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(computeMetrics(generateSampleEvents(9, 3)))));
    expect(await readFile(join(dir, 'sample.html'), 'utf8')).toContain('a sample of 3 days (seed 9)');
  });

  it('refuses a call without input or output', async () => {
    await expect(runIn('/', ['events.ndjson'])).rejects.toThrow('-o');
    await expect(runIn('/', ['-o', 'x.html'])).rejects.toThrow('events file or --sample');
    await expect(runIn('/', ['--sample', 'lots', '-o', 'x.html'])).rejects.toThrow('number of days');
  });

  it('shows empty sections plainly when there are no events', () => {
    const html = renderReportHtml(computeMetrics([]));
    expect(html).toContain('No conversations yet.');
    expect(html).toContain('No flow was started.');
  });
});

describe('formatting', () => {
  it('escapes every HTML-special character', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  });

  it('formats durations for people', () => {
    expect([formatDuration(null), formatDuration(45_000), formatDuration(200_000), formatDuration(7_500_000)]).toEqual(['–', '45 s', '3 min 20 s', '2 h 5 min']);
  });
});
