import { atom, type ReadableAtom } from 'nanostores';
import type { FlowInput, FlowWait } from '../flow';
import type { HandoffPart } from './handoff';
import type { Kernel, Part } from './kernel';
import type { SearchPart } from './search';

/** Bot flows inside the messenger: loading, triggers, running, resuming. */
export interface FlowPart extends Part {
  /** What the running flow waits for (choices, an input, a survey), or null. */
  readonly $wait: ReadableAtom<FlowWait | null>;
  start(id: string): void;
  reply(input: FlowInput): void;
}

export function createFlowPart(_k: Kernel, _deps: { search: SearchPart; handoff: HandoffPart }): FlowPart {
  const $wait = atom<FlowWait | null>(null);
  return { $wait, start: () => {}, reply: () => {} };
}
