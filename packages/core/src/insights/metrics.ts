import type { Problem } from '../types';
import { SURVEY_RANGE, surveyScoreOk, type MadoguchiEvent, type MadoguchiEventType, type SurveyKind } from './events';

/*
 * Service metrics from an event list. Pure functions: no clock, no I/O.
 *
 * A conversation is a conversationId with at least one sign the visitor asked for help:
 * message.sent, search.made, article.viewed, flow.started or handoff.requested.
 * Its start is its earliest event; its day is the UTC date of that start.
 *
 * - handed off: the conversation has a handoff.requested.
 * - self-served: not handed off, and it has a flow.finished, an article.feedback with
 *   helpful = true, or a conversation.closed whose `resolved` is not false.
 * - deflectionRate = self-served ÷ conversations.
 * - resolved: self-served, or handed off and then conversation.closed with `resolved` not
 *   false. Its resolution moment is the first of those events that made it so.
 * - firstResponseMs = median over handed-off conversations with an agent reply of
 *   (first message.received from "agent" after the first handoff.requested − that request).
 * - resolutionMs = median over resolved conversations of (resolution moment − start).
 * - firstContactResolution = resolved conversations whose visitor starts no other
 *   conversation within 7 days after the resolution moment ÷ resolved conversations.
 *   Conversations without a visitorId cannot show a repeat contact and count as resolved first time.
 * - CSAT: scores 1–5; average, scaledAverage (0–100, see surveyScale), distribution (count
 *   per score, index 0 = score 1) and positiveRate = share of 4 and 5.
 *   CES: scores 1–7 (7 = very easy), the same, positiveRate = share of 5, 6 and 7.
 *   NPS: scores 0–10 (index 0 = score 0), positiveRate = share of promoters (9 and 10), and
 *   netScore = (promoters − detractors (0–6)) ÷ answers × 100, from −100 to 100.
 * - flows: each flow.started begins a run (per conversation and flow). A node is reached
 *   once per run however many times it is visited. A run that ends in flow.abandoned, or has
 *   not finished when the log ends, left at its abandoned node (or last node reached).
 *   dropOff lists nodes by reached, most first.
 * - topUnansweredSearches: search.made with resultCount 0, grouped by query (trimmed,
 *   spaces collapsed, lower-cased), most frequent first, ten at most.
 * Every rate and median is null when there is nothing to measure.
 */

/** How long after a resolution a new conversation by the same visitor counts as a repeat contact. */
export const REPEAT_CONTACT_WINDOW_MS = 7 * 864e5;

export interface SurveySummary {
  count: number;
  average: number | null;
  /** Average on the 0–100 scale. */
  scaledAverage: number | null;
  /** Count per score; index 0 is the lowest score (1, or 0 for NPS). */
  distribution: number[];
  /** CSAT: share of 4–5. CES: share of 5–7. NPS: share of 9–10 (promoters). */
  positiveRate: number | null;
}

export interface NpsSummary extends SurveySummary {
  /** Promoters' share minus detractors' (0–6), × 100: −100 to 100. */
  netScore: number | null;
}

export interface FlowFunnel {
  started: number;
  finished: number;
  dropOff: Array<{ nodeId: string; reached: number; left: number }>;
}

export interface DayMetrics {
  /** UTC date, YYYY-MM-DD. */
  day: string;
  conversations: number;
  selfServed: number;
  handedOff: number;
  deflectionRate: number | null;
}

export interface InsightMetrics {
  events: number;
  conversations: number;
  selfServed: number;
  handedOff: number;
  deflectionRate: number | null;
  firstResponseMs: number | null;
  resolutionMs: number | null;
  firstContactResolution: number | null;
  csat: SurveySummary;
  ces: SurveySummary;
  nps: NpsSummary;
  flows: Record<string, FlowFunnel>;
  searches: { total: number; unanswered: number };
  topUnansweredSearches: Array<{ query: string; count: number }>;
  articles: { views: number; helpful: number; notHelpful: number };
  proactive: Record<string, { shown: number; clicked: number }>;
  /** Every day from the first conversation to the last, empty days included. */
  byDay: DayMetrics[];
}

const ASKED = ['message.sent', 'search.made', 'article.viewed', 'flow.started', 'handoff.requested'];
const DAY_MS = 864e5;

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function medianOf(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const ratio = (a: number, b: number) => (b ? a / b : null);
const utcDay = (at: number) => new Date(at).toISOString().slice(0, 10);
const normalizeQuery = (q: string) => q.trim().replace(/\s+/g, ' ').toLowerCase();

/** Lowest score that counts as positive, per kind. */
const POSITIVE: Record<SurveyKind, number> = { csat: 4, ces: 5, nps: 9 };

function summarizeSurvey(events: MadoguchiEvent[], kind: SurveyKind): SurveySummary {
  const [low, top] = SURVEY_RANGE[kind];
  const scores: number[] = [];
  for (const e of events) if (e.type == 'survey.answered' && e.kind == kind && surveyScoreOk(kind, e.score)) scores.push(e.score);
  const distribution = Array.from({ length: top - low + 1 }, (_, i) => scores.filter((s) => s == i + low).length);
  const sum = scores.reduce((a, b) => a + b, 0);
  const average = ratio(sum, scores.length);
  return {
    count: scores.length,
    average,
    scaledAverage: average == null ? null : ((average - low) / (top - low)) * 100,
    distribution,
    positiveRate: ratio(scores.filter((s) => s >= POSITIVE[kind]).length, scores.length),
  };
}

function summarizeNps(events: MadoguchiEvent[]): NpsSummary {
  const s = summarizeSurvey(events, 'nps');
  const detractors = s.distribution.slice(0, 7).reduce((a, b) => a + b, 0);
  const net = ratio(s.distribution[9] + s.distribution[10] - detractors, s.count);
  return { ...s, netScore: net == null ? null : net * 100 };
}

interface ConversationFacts {
  id: string;
  visitorId?: string;
  start: number;
  asked: boolean;
  handoffAt?: number;
  firstAgentReplyAt?: number;
  resolvedAt?: number;
  selfServed: boolean;
}

function summarizeConversations(sorted: MadoguchiEvent[]): ConversationFacts[] {
  const byId = new Map<string, ConversationFacts>();
  for (const e of sorted) {
    if (!e.conversationId) continue;
    let c = byId.get(e.conversationId);
    if (!c) byId.set(e.conversationId, (c = { id: e.conversationId, start: e.at, asked: false, selfServed: false }));
    c.visitorId ||= e.visitorId;
    if (ASKED.includes(e.type)) c.asked = true;
    if (e.type == 'handoff.requested') c.handoffAt ??= e.at;
    if (e.type == 'message.received' && e.from == 'agent' && c.handoffAt != null) c.firstAgentReplyAt ??= e.at;
    const success =
      e.type == 'flow.finished' ||
      (e.type == 'article.feedback' && e.helpful === true) ||
      (e.type == 'conversation.closed' && e.resolved !== false);
    if (c.resolvedAt == null && (e.type == 'conversation.closed' ? success : success && c.handoffAt == null))
      c.resolvedAt = e.at;
  }
  const out = [...byId.values()].filter((c) => c.asked);
  for (const c of out) c.selfServed = c.handoffAt == null && c.resolvedAt != null;
  return out;
}

function summarizeFlows(sorted: MadoguchiEvent[]): Record<string, FlowFunnel> {
  interface Run {
    flowId: string;
    nodes: string[];
  }
  const flows: Record<string, FlowFunnel & { counts: Map<string, { reached: number; left: number }> }> = {};
  const active = new Map<string, Run>();
  const funnel = (id: string) => (flows[id] ||= { started: 0, finished: 0, dropOff: [], counts: new Map() });
  const reach = (run: Run, nodeId?: string) => {
    if (nodeId && !run.nodes.includes(nodeId)) run.nodes.push(nodeId);
  };
  const end = (run: Run, finished: boolean) => {
    const f = funnel(run.flowId);
    for (const n of run.nodes) {
      const c = f.counts.get(n) || { reached: 0, left: 0 };
      c.reached++;
      f.counts.set(n, c);
    }
    if (finished) f.finished++;
    else if (run.nodes.length) f.counts.get(run.nodes[run.nodes.length - 1])!.left++;
  };
  for (const e of sorted) {
    if (!e.type.startsWith('flow.')) continue;
    const f = e as Extract<MadoguchiEvent, { flowId: string }>;
    const key = `${e.conversationId || e.visitorId || ''}\n${f.flowId}`;
    if (e.type == 'flow.started') {
      const old = active.get(key);
      if (old) end(old, false);
      funnel(f.flowId).started++;
      active.set(key, { flowId: f.flowId, nodes: [] });
    }
    const run = active.get(key);
    if (!run) continue;
    if (e.type == 'flow.abandoned' && e.nodeId) {
      // the visitor left here, even if an earlier node was the last one recorded
      run.nodes = run.nodes.filter((n) => n != e.nodeId);
    }
    reach(run, (f as { nodeId?: string }).nodeId);
    if (e.type == 'flow.finished' || e.type == 'flow.abandoned') {
      end(run, e.type == 'flow.finished');
      active.delete(key);
    }
  }
  for (const run of active.values()) end(run, false);
  const out: Record<string, FlowFunnel> = {};
  for (const id in flows) {
    const { started, finished, counts } = flows[id];
    const dropOff = [...counts].map(([nodeId, c]) => ({ nodeId, ...c }));
    dropOff.sort((a, b) => b.reached - a.reached); // stable: ties keep first-seen order
    out[id] = { started, finished, dropOff };
  }
  return out;
}

/** Computes the service metrics (see the formulas at the top of this file). */
export function computeMetrics(events: MadoguchiEvent[]): InsightMetrics {
  const sorted = events.map((e, i) => [e, i] as const).sort((a, b) => a[0].at - b[0].at || a[1] - b[1]).map((x) => x[0]);
  const convs = summarizeConversations(sorted);
  const resolved = convs.filter((c) => c.resolvedAt != null);
  const startsByVisitor = new Map<string, number[]>();
  for (const c of convs) if (c.visitorId) startsByVisitor.set(c.visitorId, [...(startsByVisitor.get(c.visitorId) || []), c.start]);
  const firstTime = resolved.filter(
    (c) =>
      !(c.visitorId && startsByVisitor.get(c.visitorId)!.some((s) => s > c.resolvedAt! && s <= c.resolvedAt! + REPEAT_CONTACT_WINDOW_MS)),
  );

  const searches = sorted.filter((e) => e.type == 'search.made') as Array<Extract<MadoguchiEvent, { type: 'search.made' }>>;
  const unanswered = new Map<string, number>();
  for (const s of searches) if (s.resultCount == 0) unanswered.set(normalizeQuery(s.query), (unanswered.get(normalizeQuery(s.query)) || 0) + 1);

  const proactive: InsightMetrics['proactive'] = {};
  let views = 0;
  let helpful = 0;
  let notHelpful = 0;
  for (const e of sorted) {
    if (e.type == 'proactive.shown' || e.type == 'proactive.clicked') {
      const p = (proactive[e.ruleId] ||= { shown: 0, clicked: 0 });
      if (e.type == 'proactive.shown') p.shown++;
      else p.clicked++;
    } else if (e.type == 'article.viewed') views++;
    else if (e.type == 'article.feedback') e.helpful ? helpful++ : notHelpful++;
  }

  const byDay: DayMetrics[] = [];
  if (convs.length) {
    const first = Date.parse(utcDay(Math.min(...convs.map((c) => c.start))));
    const last = Math.max(...convs.map((c) => c.start));
    for (let t = first; t <= last; t += DAY_MS) {
      const day = utcDay(t);
      const these = convs.filter((c) => utcDay(c.start) == day);
      const selfServed = these.filter((c) => c.selfServed).length;
      byDay.push({
        day,
        conversations: these.length,
        selfServed,
        handedOff: these.filter((c) => c.handoffAt != null).length,
        deflectionRate: ratio(selfServed, these.length),
      });
    }
  }

  const selfServed = convs.filter((c) => c.selfServed).length;
  return {
    events: events.length,
    conversations: convs.length,
    selfServed,
    handedOff: convs.filter((c) => c.handoffAt != null).length,
    deflectionRate: ratio(selfServed, convs.length),
    firstResponseMs: medianOf(convs.filter((c) => c.firstAgentReplyAt != null).map((c) => c.firstAgentReplyAt! - c.handoffAt!)),
    resolutionMs: medianOf(resolved.map((c) => c.resolvedAt! - c.start)),
    firstContactResolution: ratio(firstTime.length, resolved.length),
    csat: summarizeSurvey(sorted, 'csat'),
    ces: summarizeSurvey(sorted, 'ces'),
    nps: summarizeNps(sorted),
    flows: summarizeFlows(sorted),
    searches: { total: searches.length, unanswered: searches.filter((s) => s.resultCount == 0).length },
    topUnansweredSearches: [...unanswered]
      .map(([query, count]) => ({ query, count }))
      .sort((a, b) => b.count - a.count || (a.query < b.query ? -1 : 1))
      .slice(0, 10),
    articles: { views, helpful, notHelpful },
    proactive,
    byDay,
  };
}

/** Required fields per event type: name and typeof. */
const FIELDS: Record<MadoguchiEventType, string> = {
  'widget.opened': '',
  'widget.closed': '',
  'message.sent': '',
  'message.received': '',
  'search.made': 'query:string resultCount:number',
  'article.viewed': 'articleId:string',
  'article.feedback': 'articleId:string helpful:boolean',
  'flow.started': 'flowId:string',
  'flow.step': 'flowId:string nodeId:string',
  'flow.finished': 'flowId:string',
  'flow.abandoned': 'flowId:string',
  'handoff.requested': 'reason:string',
  'agent.joined': '',
  'conversation.closed': '',
  'survey.answered': 'kind:string score:number',
  'proactive.shown': 'ruleId:string',
  'proactive.clicked': 'ruleId:string',
  error: 'message:string',
  warning: 'message:string',
};

/** Checks that a value is a well-formed MadoguchiEvent; an empty list means it is. */
export function validateEvent(value: unknown): Problem[] {
  if (!value || typeof value != 'object' || Array.isArray(value)) return [{ path: '$', message: 'expected an event object' }];
  const e = value as Record<string, unknown>;
  const problems: Problem[] = [];
  if (typeof e.type != 'string' || !Object.prototype.hasOwnProperty.call(FIELDS, e.type))
    return [{ path: '$.type', message: typeof e.type == 'string' ? `unknown event type "${e.type}"` : 'missing event type' }];
  if (typeof e.at != 'number' || !Number.isFinite(e.at)) problems.push({ path: '$.at', message: 'expected a time in epoch milliseconds' });
  for (const field of FIELDS[e.type as MadoguchiEventType].split(' ').filter(Boolean)) {
    const [name, kind] = field.split(':');
    if (typeof e[name] != kind) problems.push({ path: `$.${name}`, message: `expected a ${kind}` });
  }
  if (e.type == 'survey.answered' && !/^(csat|ces|nps)$/.test(e.kind as string)) problems.push({ path: '$.kind', message: 'expected "csat", "ces" or "nps"' });
  for (const k of ['conversationId', 'visitorId'])
    if (e[k] != null && typeof e[k] != 'string') problems.push({ path: `$.${k}`, message: 'expected a string' });
  return problems;
}

/** Reads newline-delimited JSON events; each bad line is skipped and reported by its number (from 1). */
export function readEventLog(text: string): { events: MadoguchiEvent[]; problems: Array<{ line: number; message: string }> } {
  const events: MadoguchiEvent[] = [];
  const problems: Array<{ line: number; message: string }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return problems.push({ line: i + 1, message: 'not valid JSON' });
    }
    const found = validateEvent(value);
    if (found.length) problems.push({ line: i + 1, message: found.map((p) => `${p.path}: ${p.message}`).join('; ') });
    else events.push(value as MadoguchiEvent);
  });
  return { events, problems };
}
