import { atom, type ReadableAtom, type WritableAtom } from 'nanostores';
import type { FlowInput, FlowWait } from '../../flow';
import type { FlowEngine } from '../engines';
import { createEngineSlot } from '../engine-slot';
import type { HandoffPart } from '../handoff';
import type { Kernel, Part } from '../kernel';
import type { SearchPart } from '../search';

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

/** Bot flows; their code arrives with the flow engine, which `load` fetches only when the config has flows. */
export function createFlowPart(k: Kernel, load: () => Promise<FlowEngine>, deps: { search: SearchPart; handoff: HandoffPart }): FlowPart {
  const stores: FlowStores = { $wait: atom(null), $busy: atom(false), $articles: atom([]) };
  const slot = createEngineSlot(k, 'flow', () => load().then((engine) => engine.createFlowPartImpl(k, deps, stores, engine)));
  return {
    ...stores,
    boot: () => (k.config().flows?.length ? slot.ensure().then(() => undefined) : undefined),
    start: (id, options) => slot.run((p) => p.start(id, options)),
    reply: (input) => slot.run((p) => p.reply(input)),
    current: () => slot.part?.current() || null,
    waitsForText: () => !!slot.part?.waitsForText(),
    userText: (text) => !!slot.part?.userText?.(text),
    activity: (kind, name) => slot.part?.activity?.(kind, name),
    shutdown: () => slot.shutdown(),
  };
}
