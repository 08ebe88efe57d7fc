import { atom, type ReadableAtom } from 'nanostores';
import type { SurveyKind } from '../insights/events';
import type { Kernel, Part } from './kernel';

/** Proactive messages, the end-of-conversation survey and the analytics sink. */
export interface InsightsPart extends Part {
  /** A proactive message waiting on the launcher, or null. */
  readonly $preview: ReadableAtom<{ ruleId: string; text: string } | null>;
  /** The survey to ask now, or null. */
  readonly $survey: ReadableAtom<{ kinds: SurveyKind[] } | null>;
  openPreview(): void;
  dismissPreview(): void;
  answer(kind: SurveyKind, score: number, comment?: string): void;
  skipSurvey(): void;
}

export function createInsightsPart(_k: Kernel): InsightsPart {
  const $preview = atom<{ ruleId: string; text: string } | null>(null);
  const $survey = atom<{ kinds: SurveyKind[] } | null>(null);
  return { $preview, $survey, openPreview: () => {}, dismissPreview: () => $preview.set(null), answer: () => {}, skipSurvey: () => $survey.set(null) };
}
