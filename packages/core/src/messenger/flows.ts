import { atom, type ReadableAtom, type WritableAtom } from 'nanostores';
import type { FlowInput, FlowWait } from '../flow';
import { loadFlowEngine } from './engines';
import type { HandoffPart } from './handoff';
import type { Kernel, Part } from './kernel';
import { createLazyPart } from './lazy-part';
import type { SearchPart } from './search';

/** What a running flow waits for, with the question it asked (to label choice buttons). */
export type FlowWaitShown = FlowWait & { question?: string };

/** Bot flows inside the messenger: loading, triggers, running, resuming. */
export interface FlowPart extends Part {
  /** What the running flow waits for (choices, an input, a survey), or null. */
  readonly $wait: ReadableAtom<FlowWaitShown | null>;
  /** True while the bot is "typing" a delayed message. */
  readonly $busy: ReadableAtom<boolean>;
  /** Articles the last flow search found, offered until the user answers again. */
  readonly $articles: ReadableAtom<Array<{ id: string; title: string }>>;
  /** Starts a loaded flow by id (after the flows have loaded; a running flow is abandoned), with starting values for declared variables. */
  start(id: string, options?: { vars?: Record<string, unknown> }): void;
  reply(input: FlowInput): void;
  /** The running flow and its answers so far, for a handoff the user asks for mid-flow. */
  current(): { id: string; answers: Record<string, unknown> } | null;
  /** True while the running flow waits for typed text (an input, or a choice typed out). */
  waitsForText(): boolean;
}

export type FlowStores = {
  $wait: WritableAtom<FlowWaitShown | null>;
  $busy: WritableAtom<boolean>;
  $articles: WritableAtom<Array<{ id: string; title: string }>>;
};

/** Bot flows; their code arrives with the flow engine, fetched only when the config has flows. */
export function createFlowPart(k: Kernel, deps: { search: SearchPart; handoff: HandoffPart }): FlowPart {
  return createLazyPart<FlowPart, FlowStores>(
    () => loadFlowEngine().then((engine) => (stores) => engine.createFlowPartImpl(k, deps, stores, engine)),
    { $wait: atom(null), $busy: atom(false), $articles: atom([]) },
    () => !!k.config().flows?.length,
    { current: null, waitsForText: false },
  );
}
