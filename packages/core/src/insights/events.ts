/** Fields every event carries. */
export interface MadoguchiEventBase {
  /** Epoch milliseconds. */
  at: number;
  conversationId?: string;
  /** A stable, anonymous id of the browser or the signed-in user. */
  visitorId?: string;
}

type Ev<T extends string, P = unknown> = MadoguchiEventBase & { type: T } & P;

/** A triage score as carried by a handoff: each axis low, medium or high. */
export interface TriageLevels {
  complexity?: string;
  severity?: string;
  effort?: string;
}

/**
 * One thing that happened in the messenger, discriminated by `type`.
 * Streamed by `on('event', handler)`, batched by the analytics sink, read by `computeMetrics`.
 */
export type MadoguchiEvent =
  | Ev<'widget.opened'>
  | Ev<'widget.closed'>
  | Ev<'message.sent', { messageId?: string }>
  | Ev<'message.received', { messageId?: string; from?: 'agent' | 'bot' }>
  | Ev<'search.made', { query: string; resultCount: number }>
  | Ev<'article.viewed', { articleId: string }>
  | Ev<'article.feedback', { articleId: string; helpful: boolean }>
  | Ev<'flow.started', { flowId: string; nodeId?: string }>
  | Ev<'flow.step', { flowId: string; nodeId: string }>
  | Ev<'flow.finished', { flowId: string; nodeId?: string }>
  | Ev<'flow.abandoned', { flowId: string; nodeId?: string }>
  | Ev<'handoff.requested', { reason: string; triage?: TriageLevels }>
  | Ev<'agent.joined', { agentName?: string }>
  | Ev<'conversation.closed', { resolved?: boolean }>
  | Ev<'survey.answered', { kind: SurveyKind; score: number; scaled: number; comment?: string }>
  | Ev<'proactive.shown', { ruleId: string }>
  | Ev<'proactive.clicked', { ruleId: string }>
  | Ev<'error', { message: string; code?: string }>
  | Ev<'warning', { message: string; code?: string }>;

/** Every event type name. */
export type MadoguchiEventType = MadoguchiEvent['type'];

/** The event of one type, e.g. `EventOf<'search.made'>`. */
export type EventOf<T extends MadoguchiEventType> = Extract<MadoguchiEvent, { type: T }>;

/** csat: satisfaction 1–5 (5 = very satisfied); ces: customer effort 1–7 (7 = very easy); nps: likely to recommend 0–10. */
export type SurveyKind = 'csat' | 'ces' | 'nps';

/** The lowest and the highest score of each survey kind. */
export const SURVEY_RANGE: Record<SurveyKind, readonly [number, number]> = { csat: [1, 5], ces: [1, 7], nps: [0, 10] };

/** True for a whole score within the kind's range. */
export const surveyScoreOk = (kind: SurveyKind, score: unknown): score is number =>
  !!SURVEY_RANGE[kind] && Number.isInteger(score) && (score as number) >= SURVEY_RANGE[kind][0] && (score as number) <= SURVEY_RANGE[kind][1];

/**
 * A survey score on a 0–100 scale: (score − lowest) ÷ (highest − lowest) × 100, rounded (CSAT
 * 1–5, CES 1–7, NPS 0–10). Scores outside the scale are clamped to it.
 */
export function surveyScale(kind: SurveyKind, score: number): number {
  const [low, top] = SURVEY_RANGE[kind] || SURVEY_RANGE.csat;
  return Math.round(((Math.min(top, Math.max(low, score)) - low) / (top - low)) * 100);
}
