import type { WritableAtom } from 'nanostores';
import type { ConversationStatus } from '../../conversation';
import { surveyScale, surveyScoreOk, type SurveyKind } from '../../insights/events';
import type { SurveyState } from '.';
import type { Kernel } from '../kernel';

const SURVEY_KINDS: SurveyKind[] = ['csat', 'ces'];
const COMMENT_MAX = 1000;

/** The end-of-conversation survey. */
export interface Survey {
  /** Asks about the conversation when it has closed, once per conversation. */
  ask(status: ConversationStatus): void;
  /** One tap: every answer but the last is tracked at once; the last waits for `end`. */
  answer(kind: SurveyKind, score: number, comment?: string): void;
  /** Ends the survey, sending the last answer with this comment. */
  end(comment?: string): void;
  /** The page is hiding: the last answer, if one waits for its comment, goes now without it. */
  flush(): void;
}

/**
 * The survey's code: a chunk of its own, loaded by the insights part once a person is involved
 * (the survey follows a conversation a person closed), so a page with proactive rules does not
 * download it at boot. `surveyed` lists the conversations already asked about (kept in the session).
 */
export function createSurvey(k: Kernel, $survey: WritableAtom<SurveyState | null>, surveyed: string[], remember: (surveyed: string[]) => void): Survey {
  let pending: { kind: SurveyKind; score: number } | undefined;

  const track = (kind: SurveyKind, score: number, comment?: string) => {
    k.track({ type: 'survey.answered', kind, score, scaled: surveyScale(kind, score), ...(comment ? { comment: comment.slice(0, COMMENT_MAX) } : {}) });
    // The relay counts it in the agents' shift figures.
    k.transport()?.survey?.({ kind, score });
  };

  const end = (comment?: string) => {
    if (pending) track(pending.kind, pending.score, comment?.trim());
    pending = undefined;
    $survey.set(null);
  };

  return {
    ask(status) {
      const id = k.conversationId();
      if (status.phase != 'closed' || surveyed.includes(id)) return;
      surveyed = surveyed.concat(id).slice(-50);
      remember(surveyed);
      $survey.set({ kinds: SURVEY_KINDS.slice(), answered: {} });
    },
    answer(kind, score, comment) {
      const s = $survey.get();
      if (!s || !s.kinds.includes(kind) || !surveyScoreOk(kind, score)) return;
      const kinds = s.kinds.filter((x) => x != kind);
      $survey.set({ kinds, answered: { ...s.answered, [kind]: score } });
      // A comment ends the survey; the last answer waits for one.
      if (kinds.length && comment == null) return track(kind, score);
      pending = { kind, score };
      if (comment != null) end(comment);
    },
    end,
    flush: () => pending && end(),
  };
}
