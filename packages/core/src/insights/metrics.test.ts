import { describe, expect, it } from 'vitest';
import { surveyScale, type MadoguchiEvent } from './events';
import { computeMetrics, medianOf, readEventLog, validateEvent } from './metrics';

const T = Date.UTC(2025, 0, 1, 10);
const S = 1000;
const H = 3600 * S;
const D = 24 * H;

/** Five conversations over two days, worked out by hand below. */
const log: MadoguchiEvent[] = [
  { type: 'widget.opened', at: T - S, visitorId: 'v1' },
  // c1, v1: asks, fails a search, hands off, agent answers after 60 s, closed resolved at 600 s
  { type: 'message.sent', at: T, conversationId: 'c1', visitorId: 'v1' },
  { type: 'search.made', at: T + S, conversationId: 'c1', query: 'refund', resultCount: 0 },
  { type: 'handoff.requested', at: T + 10 * S, conversationId: 'c1', reason: 'asked', triage: { complexity: 'high' } },
  { type: 'message.received', at: T + 11 * S, conversationId: 'c1', from: 'bot' },
  { type: 'agent.joined', at: T + 50 * S, conversationId: 'c1' },
  { type: 'message.received', at: T + 70 * S, conversationId: 'c1', from: 'agent' },
  { type: 'conversation.closed', at: T + 600 * S, conversationId: 'c1', resolved: true },
  { type: 'survey.answered', at: T + 601 * S, conversationId: 'c1', kind: 'csat', score: 5, scaled: 100 },
  { type: 'survey.answered', at: T + 602 * S, conversationId: 'c1', kind: 'ces', score: 6, scaled: 83 },
  // c2, v2: a helpful article after 30 s
  { type: 'search.made', at: T + H, conversationId: 'c2', visitorId: 'v2', query: 'Reset  password', resultCount: 3 },
  { type: 'article.viewed', at: T + H + 5 * S, conversationId: 'c2', articleId: 'reset' },
  { type: 'article.feedback', at: T + H + 30 * S, conversationId: 'c2', articleId: 'reset', helpful: true },
  { type: 'survey.answered', at: T + H + 31 * S, conversationId: 'c2', kind: 'csat', score: 4, scaled: 75 },
  // c3, v3: a flow finished after 120 s (the loop through "reason" counts once)
  { type: 'flow.started', at: T + 2 * H, conversationId: 'c3', visitorId: 'v3', flowId: 'returns', nodeId: 'ask' },
  { type: 'flow.step', at: T + 2 * H + S, conversationId: 'c3', flowId: 'returns', nodeId: 'reason' },
  { type: 'flow.step', at: T + 2 * H + 2 * S, conversationId: 'c3', flowId: 'returns', nodeId: 'reason' },
  { type: 'flow.step', at: T + 2 * H + 3 * S, conversationId: 'c3', flowId: 'returns', nodeId: 'label' },
  { type: 'flow.finished', at: T + 2 * H + 120 * S, conversationId: 'c3', flowId: 'returns' },
  // not a conversation: nothing asked
  { type: 'proactive.shown', at: T + 3 * H, conversationId: 'c6', visitorId: 'v5', ruleId: 'pricing' },
  { type: 'proactive.clicked', at: T + 3 * H + S, conversationId: 'c6', ruleId: 'pricing' },
  // c4, v1 again the next day (so c1 was not resolved first time): abandons the flow at "reason"
  { type: 'flow.started', at: T + D, conversationId: 'c4', visitorId: 'v1', flowId: 'returns', nodeId: 'ask' },
  { type: 'flow.step', at: T + D + S, conversationId: 'c4', flowId: 'returns', nodeId: 'reason' },
  { type: 'search.made', at: T + D + 2 * S, conversationId: 'c4', query: ' REFUND ', resultCount: 0 },
  { type: 'flow.abandoned', at: T + D + 3 * S, conversationId: 'c4', flowId: 'returns', nodeId: 'reason' },
  // c5, v4: the flow stops at "ask" (log ends), hands off, agent after 20 s, closed unresolved
  { type: 'flow.started', at: T + D + H, conversationId: 'c5', visitorId: 'v4', flowId: 'returns', nodeId: 'ask' },
  { type: 'handoff.requested', at: T + D + H + 10 * S, conversationId: 'c5', reason: 'flow' },
  { type: 'message.received', at: T + D + H + 30 * S, conversationId: 'c5', from: 'agent' },
  { type: 'conversation.closed', at: T + D + H + 90 * S, conversationId: 'c5', resolved: false },
  { type: 'survey.answered', at: T + D + H + 91 * S, conversationId: 'c5', kind: 'csat', score: 1, scaled: 0 },
  { type: 'survey.answered', at: T + D + H + 92 * S, conversationId: 'c5', kind: 'ces', score: 2, scaled: 17 },
];

describe('computeMetrics', () => {
  const m = computeMetrics([...log].reverse()); // order of the input does not matter

  it('counts conversations, self-service and handoffs, and the deflection rate', () => {
    expect(m).toMatchObject({ events: log.length, conversations: 5, selfServed: 2, handedOff: 2, deflectionRate: 2 / 5 });
  });

  it('takes medians of first response and resolution times', () => {
    expect(m.firstResponseMs).toBe((60 * S + 20 * S) / 2);
    expect(m.resolutionMs).toBe(120 * S); // 600 s, 30 s, 120 s
  });

  it('counts a resolution followed by a new conversation within 7 days as no first-contact resolution', () => {
    expect(m.firstContactResolution).toBe(2 / 3);
  });

  it('summarises CSAT and CES', () => {
    expect(m.csat).toEqual({ count: 3, average: 10 / 3, scaledAverage: ((10 / 3 - 1) / 4) * 100, distribution: [1, 0, 0, 1, 1], positiveRate: 2 / 3 });
    expect(m.ces).toEqual({ count: 2, average: 4, scaledAverage: 50, distribution: [0, 1, 0, 0, 0, 1, 0], positiveRate: 1 / 2 });
  });

  it('builds each flow funnel with drop-off per node', () => {
    expect(m.flows).toEqual({
      returns: {
        started: 3,
        finished: 1,
        dropOff: [
          { nodeId: 'ask', reached: 3, left: 1 },
          { nodeId: 'reason', reached: 2, left: 1 },
          { nodeId: 'label', reached: 1, left: 0 },
        ],
      },
    });
  });

  it('groups searches with no answer, articles and proactive rules', () => {
    expect(m.searches).toEqual({ total: 3, unanswered: 2 });
    expect(m.topUnansweredSearches).toEqual([{ query: 'refund', count: 2 }]);
    expect(m.articles).toEqual({ views: 1, helpful: 1, notHelpful: 0 });
    expect(m.proactive).toEqual({ pricing: { shown: 1, clicked: 1 } });
  });

  it('splits deflection by UTC day, empty days included', () => {
    expect(m.byDay).toEqual([
      { day: '2025-01-01', conversations: 3, selfServed: 2, handedOff: 1, deflectionRate: 2 / 3 },
      { day: '2025-01-02', conversations: 2, selfServed: 0, handedOff: 1, deflectionRate: 0 },
    ]);
    const gap = computeMetrics([
      { type: 'message.sent', at: T, conversationId: 'a' },
      { type: 'message.sent', at: T + 2 * D, conversationId: 'b' },
    ]);
    expect(gap.byDay.map((d) => [d.day, d.conversations, d.deflectionRate])).toEqual([
      ['2025-01-01', 1, 0],
      ['2025-01-02', 0, null],
      ['2025-01-03', 1, 0],
    ]);
  });

  it('returns null rates when there is nothing to measure', () => {
    const empty = computeMetrics([]);
    expect(empty).toMatchObject({ conversations: 0, deflectionRate: null, firstResponseMs: null, resolutionMs: null, firstContactResolution: null, byDay: [] });
    expect(empty.csat).toEqual({ count: 0, average: null, scaledAverage: null, distribution: [0, 0, 0, 0, 0], positiveRate: null });
  });
});

describe('helpers', () => {
  it('median', () => {
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
    expect(medianOf([])).toBeNull();
  });

  it('surveyScale maps CSAT 1–5, CES 1–7 and NPS 0–10 onto 0–100', () => {
    expect([1, 2, 3, 4, 5].map((s) => surveyScale('csat', s))).toEqual([0, 25, 50, 75, 100]);
    expect([1, 2, 3, 4, 5, 6, 7].map((s) => surveyScale('ces', s))).toEqual([0, 17, 33, 50, 67, 83, 100]);
    expect([0, 1, 5, 9, 10].map((s) => surveyScale('nps', s))).toEqual([0, 10, 50, 90, 100]);
    expect(surveyScale('csat', 9)).toBe(100);
    expect(surveyScale('csat', 0)).toBe(0);
  });

  it('summarises NPS apart from CSAT: promoters, detractors and the net score', () => {
    const at = Date.UTC(2024, 0, 1);
    const nps = [10, 9, 8, 6, 0].map((score, i): MadoguchiEvent => ({ type: 'survey.answered', kind: 'nps', score, scaled: score * 10, at: at + i, conversationId: `n${i}` }));
    const csat: MadoguchiEvent = { type: 'survey.answered', kind: 'csat', score: 5, scaled: 100, at, conversationId: 'c' };
    const r = computeMetrics([...nps, csat]);
    expect(r.nps).toEqual({ count: 5, average: 33 / 5, scaledAverage: expect.closeTo(66), distribution: [1, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1], positiveRate: 2 / 5, netScore: 0 });
    expect(r.csat).toMatchObject({ count: 1, average: 5 });
    expect(validateEvent(nps[0])).toEqual([]);
    expect(validateEvent({ ...nps[0], kind: 'promoter' })).toEqual([{ path: '$.kind', message: 'expected "csat", "ces" or "nps"' }]);
  });

  it('validateEvent names the wrong field', () => {
    expect(validateEvent({ type: 'search.made', at: 1, query: 'x', resultCount: 0 })).toEqual([]);
    expect(validateEvent({ type: 'search.made', at: 'now', query: 'x' })).toEqual([
      { path: '$.at', message: 'expected a time in epoch milliseconds' },
      { path: '$.resultCount', message: 'expected a number' },
    ]);
    expect(validateEvent({ type: 'toString', at: 1 })).toEqual([{ path: '$.type', message: 'unknown event type "toString"' }]);
    expect(validateEvent([])).toEqual([{ path: '$', message: 'expected an event object' }]);
  });

  it('readEventLog skips and reports bad lines by number', () => {
    const text = ['{"type":"widget.opened","at":1}', '', '{oops', '{"type":"survey.answered","at":2,"kind":"stars","score":9}', '{"type":"widget.closed","at":3}'].join('\n');
    const { events, problems } = readEventLog(text);
    expect(events.map((e) => e.type)).toEqual(['widget.opened', 'widget.closed']);
    expect(problems).toEqual([
      { line: 3, message: 'not valid JSON' },
      { line: 4, message: '$.kind: expected "csat", "ces" or "nps"' },
    ]);
  });
});
