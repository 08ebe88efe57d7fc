import { atom, type ReadableAtom, type WritableAtom } from 'nanostores';
import type { MadoguchiEvent, SurveyKind } from '../../insights/events';
import type { InsightsEngine } from '../engines';
import { createEngineSlot } from '../engine-slot';
import type { Kernel, Part } from '../kernel';

/** A proactive message waiting beside the launcher. */
export interface ProactivePreview {
  ruleId: string;
  text: string;
}

/** The survey being asked: the kinds still to answer (none left: the comment step) and the scores given. */
export interface SurveyState {
  kinds: SurveyKind[];
  answered: Partial<Record<SurveyKind, number>>;
}

/** Proactive messages, the end-of-conversation survey and the analytics sink. */
export interface InsightsPart extends Part {
  /** A proactive message waiting on the launcher, or null. */
  readonly $preview: ReadableAtom<ProactivePreview | null>;
  /** The survey to ask now, or null. */
  readonly $survey: ReadableAtom<SurveyState | null>;
  /** Opens the panel on the previewed message. */
  openPreview(): void;
  dismissPreview(): void;
  /**
   * One tap of the survey. Every answer but the last is tracked at once; the last waits for the
   * optional comment (`submitSurvey`), a skip, the page hiding or shutdown, then goes with it.
   */
  answer(kind: SurveyKind, score: number, comment?: string): void;
  /** Ends the survey, sending the last answer with this comment. */
  submitSurvey(comment?: string): void;
  skipSurvey(): void;
  /** Quiet mode: no proactive message until turned off (remembered). */
  setQuiet(on: boolean): void;
}

export type InsightsStores = { $preview: WritableAtom<ProactivePreview | null>; $survey: WritableAtom<SurveyState | null> };

/**
 * Proactive messages, the survey and the analytics sink. Their code arrives with the insights
 * engine: at boot when the config has proactive rules or an analytics sink, else once a person
 * is involved (the survey follows a conversation a person closed). Events from before it arrived
 * still reach the sink.
 */
export function createInsightsPart(k: Kernel, load: () => Promise<InsightsEngine>): InsightsPart {
  const stores: InsightsStores = { $preview: atom(null), $survey: atom(null) };
  const early: MadoguchiEvent[] = [];
  const stopBuffering = k.on('event', (e: MadoguchiEvent) => early.length < 1000 && early.push(e));
  const slot = createEngineSlot(k, 'insights', () =>
    load().then((engine) => {
      stopBuffering();
      return engine.createInsightsPartImpl(k, stores, early.splice(0));
    }),
  );
  const needed = () => {
    const c = k.config();
    return !!c && (!!c.proactive || !!c.analytics || k.conversation.$status.get().phase !== 'bot');
  };
  // Once a person is involved, the survey will follow: its code comes now.
  k.on('status', (s: { phase: string }) => s.phase !== 'bot' && slot.run(() => {}));
  return {
    ...stores,
    boot: () => (needed() ? slot.ensure().then(() => undefined) : undefined),
    openPreview: () => slot.run((p) => p.openPreview()),
    dismissPreview: () => slot.run((p) => p.dismissPreview()),
    answer: (kind, score, comment) => slot.run((p) => p.answer(kind, score, comment)),
    submitSurvey: (comment) => slot.run((p) => p.submitSurvey(comment)),
    skipSurvey: () => slot.run((p) => p.skipSurvey()),
    setQuiet: (on) => slot.run((p) => p.setQuiet(on)),
    userText: (text) => !!slot.part?.userText?.(text),
    activity: (kind, name) => slot.part?.activity?.(kind, name),
    shutdown: () => slot.shutdown(),
  };
}
