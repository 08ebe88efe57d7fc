import type { ConversationStatus } from '../../conversation';
import type { TriageScore } from '../../triage';
import type { HandoffPacket } from '../../transport/types';
import type { EngineLoaders } from '../engines';
import { createEngineSlot } from '../engine-slot';
import type { Kernel, Part } from '../kernel';
import type { SearchPart } from '../search';

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
  /**
   * Answers a message nobody else answered: an acknowledgment with the expected reply time (the
   * config's `replyTime`, the office hours the transport reported, or the e-mail a person answers at).
   */
  acknowledge(): void;
  /** The conversation's status changed: what the person should remember becomes a note in the thread. */
  statusChanged(before: ConversationStatus, after: ConversationStatus): void;
}

/**
 * The way to a person. Its code (and triage) arrives with the handoff engine, fetched at the first
 * request, or at boot when the restored conversation is already in line.
 */
export function createHandoffPart(k: Kernel, engines: Pick<EngineLoaders, 'handoff' | 'transports'>, deps: { search: SearchPart }): HandoffPart {
  const inLine = () => ['waiting', 'away'].includes(k.conversation.$status.get().phase);
  const slot = createEngineSlot(k, 'handoff', () => engines.handoff().then((engine) => engine.createHandoffPartImpl(k, deps, engine, engines.transports)));
  return {
    // With a person on the line too: the part tells the relay where the customer is now.
    boot: () => (inLine() || k.conversation.$status.get().phase === 'agent' ? slot.ensure().then(() => undefined) : undefined),
    request(request) {
      // The user sees at once that a person is being found, while the code arrives.
      if (!slot.part && !inLine() && k.conversation.$status.get().phase !== 'agent') k.conversation.setStatus({ phase: 'waiting' });
      slot.run((p) => p.request(request));
    },
    packet: () => slot.part?.packet(),
    followUpByEmail: (email) => slot.ensure().then((p) => p.followUpByEmail(email)),
    acknowledge: () => slot.run((p) => p.acknowledge()),
    // Only changes worth a note fetch the code (the line going up and down does not).
    statusChanged: (before, after) => tells(before, after) && slot.run((p) => p.statusChanged(before, after)),
    userText: (text) => !!slot.part?.userText?.(text),
    activity: (kind, name) => slot.part?.activity?.(kind, name),
    shutdown: () => slot.shutdown(),
  };
}

type WithHandoff = ConversationStatus & { handoff?: HandoffRecord };
/** A change in the human side of the conversation (not merely the line going up or down). */
function tells(before: WithHandoff, after: WithHandoff): boolean {
  return (
    before.phase !== after.phase ||
    before.queuePosition !== after.queuePosition ||
    before.agentName !== after.agentName ||
    before.handoff?.id !== after.handoff?.id ||
    before.handoff?.email !== after.handoff?.email
  );
}
