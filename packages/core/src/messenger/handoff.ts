import type { TriageScore } from '../triage';
import type { HandoffPacket } from '../transport/types';
import { loadHandoffEngine, loadTransportsEngine } from './engines';
import type { Kernel, Part } from './kernel';
import { createLazyPart } from './lazy-part';
import type { SearchPart } from './search';

export interface HandoffRequest {
  reason?: string;
  /** Triage hints, e.g. from a flow's handoff node. */
  hints?: Partial<TriageScore>;
  /** A flow's answers, carried to the agent. */
  flow?: { id: string; answers: Record<string, unknown>; finished?: boolean };
  note?: string;
}

/** What the conversation status keeps about the open handoff, so a reload sends the same packet id again. */
export interface HandoffRecord {
  id: string;
  reason: string;
  /** Set once a ticket was filed for e-mail follow-up. */
  ticketId?: string;
  email?: string;
}

/** How an e-mail follow-up ended: filed, refused for its address, or not delivered. */
export type FollowUpResult = 'sent' | 'invalid' | 'failed';

/** The way to a person: triage, the handoff packet, e-mail follow-up when nobody is online. */
export interface HandoffPart extends Part {
  /** Scores the conversation, builds the packet and hands it to the transport (retrying while the line is down). */
  request(request?: HandoffRequest): void;
  /** The packet last built, for inspection and tests. */
  packet(): HandoffPacket | undefined;
  /** Outside office hours: the transcript goes as a ticket; a person answers at `email`. */
  followUpByEmail(email: string): Promise<FollowUpResult>;
}

/**
 * The way to a person. Its code (and triage) arrives with the handoff engine, fetched at the first
 * request, or at boot when the restored conversation is already in line.
 */
export function createHandoffPart(k: Kernel, deps: { search: SearchPart }): HandoffPart {
  const inLine = () => ['waiting', 'away'].includes(k.conversation.$status.get().phase);
  // With a person on the line too: the part sends where the customer is now.
  const involved = () => inLine() || k.conversation.$status.get().phase === 'agent';
  return createLazyPart<HandoffPart, {}>(
    () => loadHandoffEngine().then((engine) => () => engine.createHandoffPartImpl(k, deps, engine, loadTransportsEngine)),
    {},
    involved,
    { packet: undefined },
    {
      // The user sees at once that a person is being found, while the code arrives.
      request: () => {
        if (!inLine() && k.conversation.$status.get().phase !== 'agent') k.conversation.setStatus({ phase: 'waiting' });
      },
    },
  );
}
