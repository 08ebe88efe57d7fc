import { $lang, $places, $t, type Summary } from './store';

/** A time of day in the console's language, as "14:05"; empty without a time. */
export const time = (ms?: number) => (typeof ms === 'number' ? new Date(ms).toLocaleTimeString($lang.value, { hour: '2-digit', minute: '2-digit' }) : '');

/** Where a conversation stands, in words: its place in line, with whom, or closed. */
export function stateOf(c: Summary, place = $places.value.get(c.id)) {
  const t = $t.value;
  if (c.phase === 'waiting') return c.left ? t.left : t.waitingPlace(place ?? 0);
  if (c.phase === 'agent') return t.withAgent(c.agentName ?? '');
  return c.phase === 'bot' ? t.withBot : t.closedState;
}
