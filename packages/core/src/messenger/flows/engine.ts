// The flow engine as the messenger loads it: what the flow part uses, and the flow part's code, in one chunk.
import { createFlowRunner, type FlowInput, type FlowMessage, type FlowTurn } from '../../flow';
import type { Kernel } from '../kernel';
import { createFlowPartImpl as createPart } from './part';

export { validateFlow, checkFlowVars, checkFlowCalls, createFlowRunner, matchFlowTrigger } from '../../flow';

/**
 * The flow part, whose bot messages keep a message node's image, link buttons and cards: the
 * runner's messages carry them beside the text, and each is handed to `say` with the text it
 * belongs to (the part says a turn's messages in order, later), so the message stores them.
 */
export const createFlowPartImpl: typeof createPart = (k, deps, stores, engine) => {
  /** The messages the runner gave that the part has yet to say, in order. */
  let unsaid: FlowMessage[] = [];
  const heard = (turn: FlowTurn) => ((unsaid = unsaid.concat(turn.messages)), turn);
  const runner: typeof createFlowRunner = (...args) => {
    const r = createFlowRunner(...args);
    const { start, reply, handOff } = r;
    return Object.assign(r, { start: () => heard(start()), reply: (input: FlowInput) => heard(reply(input)), handOff: () => heard(handOff()) });
  };
  const say: Kernel['say'] = (text, extra) => {
    // A message left unsaid (its boot ended) is skipped, up to the one with this text.
    const i = unsaid.findIndex((m) => m.text === text);
    const { image, links, cards } = unsaid[i] || {};
    unsaid = unsaid.slice(i + 1);
    return k.say(text, { ...extra, ...(image && { image }), ...(links && { links }), ...(cards && { cards }) });
  };
  const part = createPart(Object.assign(Object.create(k) as Kernel, { say }), deps, stores, { ...engine, createFlowRunner: runner });
  return {
    ...part,
    shutdown() {
      unsaid = [];
      part.shutdown?.();
    },
  };
};
