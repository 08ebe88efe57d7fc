import type { TriageScore } from '../triage';
import type { Kernel, Part } from './kernel';
import type { SearchPart } from './search';

export interface HandoffRequest {
  reason?: string;
  /** Triage hints, e.g. from a flow's handoff node. */
  hints?: Partial<TriageScore>;
  /** A flow's answers, carried to the agent. */
  flow?: { id: string; answers: Record<string, unknown>; finished?: boolean };
  note?: string;
}

/** The way to a person: triage, the handoff packet, e-mail follow-up when nobody is online. */
export interface HandoffPart extends Part {
  request(request?: HandoffRequest): void;
  /** Outside office hours: the transcript goes as a ticket to this address's owner. */
  followUpByEmail(email: string): void;
}

export function createHandoffPart(k: Kernel, _deps: { search: SearchPart }): HandoffPart {
  return {
    request(request = {}) {
      k.conversation.setStatus({ phase: 'waiting' });
      k.transport()?.handoff({ reason: request.reason || 'asked for a person', transcript: k.conversation.$messages.get() });
    },
    followUpByEmail: () => {},
  };
}
