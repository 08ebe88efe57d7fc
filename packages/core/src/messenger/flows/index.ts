import { atom, type ReadableAtom, type WritableAtom } from 'nanostores';
import type { FlowInput, FlowWait } from '../../flow';
import type { FlowEngine, TriggersEngine } from '../engines';
import { createEngineSlot } from '../engine-slot';
import type { HandoffPart } from '../handoff';
import type { Kernel, Part } from '../kernel';
import type { SearchPart } from '../search';
import type { FlowFiles, TriggerWatch } from './triggers';

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

/**
 * Bot flows in two steps. At boot, when the config has flows, the small trigger check (`triggers`)
 * fetches them and watches their triggers; the flow engine (validator, runner and this part's
 * code, `load`) arrives only when a trigger fits, a saved flow resumes, a flow is started, or a
 * file needs the validator to say what is wrong with it. Without `triggers` the engine loads at boot.
 */
export function createFlowPart(
  k: Kernel,
  load: () => Promise<FlowEngine>,
  deps: { search: SearchPart; handoff: HandoffPart },
  triggers?: () => Promise<TriggersEngine>,
): FlowPart {
  const stores: FlowStores = { $wait: atom(null), $busy: atom(false), $articles: atom([]) };
  /** This boot's flows, when the trigger check opened them (the engine reuses them). */
  let files: FlowFiles | undefined;
  let watch: TriggerWatch | undefined;
  /** This boot has asked for the engine: everything goes to it from now on. */
  let wanted = false;
  const slot = createEngineSlot(k, 'flow', () => load().then((engine) => engine.createFlowPartImpl(k, deps, stores, engine, () => files)));
  const engine = (fn: (part: FlowPart) => unknown) => {
    wanted = true;
    watch?.shutdown();
    slot.run(fn);
  };
  return {
    ...stores,
    boot() {
      files = watch = undefined;
      wanted = false;
      if (!k.config().flows?.length) return;
      // Once its code is here (an earlier boot), the engine is cheaper than the check.
      if (!triggers || slot.part) return ((wanted = true), slot.ensure().then(() => undefined));
      const signal = k.signal();
      return triggers().then((t) => {
        if (signal.aborted || wanted) return;
        files = t.openFlows(k);
        watch = t.watchFlowTriggers(k, files, (event) => engine((p) => event && p.activity?.('event', event)));
        return watch.boot();
      });
    },
    start: (id, options) => engine((p) => p.start(id, options)),
    reply: (input) => slot.run((p) => p.reply(input)),
    current: () => slot.part?.current() || null,
    waitsForText: () => !!slot.part?.waitsForText(),
    userText: (text) => !!slot.part?.userText?.(text),
    activity: (kind, name) => (wanted ? slot.run((p) => p.activity?.(kind, name)) : watch?.activity(kind, name)),
    shutdown() {
      watch?.shutdown();
      files = watch = undefined;
      wanted = false;
      slot.shutdown();
    },
  };
}
