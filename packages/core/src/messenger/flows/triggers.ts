import type { ContextSnapshot } from '../../context';
import type { FlowTrigger } from '../../flow';
import { matchTriggerFacts } from '../../flow/facts';
import { has } from '../../flow/read';
import type { Kernel } from '../kernel';

/**
 * The first step of bot flows, a chunk of its own: fetch the flow files and watch their triggers
 * with a few hundred bytes of code. The flow engine (validator and runner) is loaded only when it
 * is needed, so a page whose flows never start never downloads it.
 */

/** A configured flow: its file's text (or the object given inline); undefined when it could not be fetched (reported). */
export type FlowSource = { name: string; json: unknown } | undefined;
/** Flow id → the visit it last started in (once-per-user / once-per-session caps). */
export type Seen = Record<string, number>;

/** The context flows see: everything documented, the same paths the validator checks (`FLOW_CONTEXT`). */
export const flowContext = (snap: ContextSnapshot) => ({
  page: snap.page,
  timeOnPageMs: snap.timeOnPageMs,
  visitCount: snap.visitCount,
  returning: snap.returning,
  firstSeen: snap.firstSeen,
  lastSeen: snap.lastSeen,
  device: snap.device,
});

/** What a trigger is checked against now, for the flow `id`. */
export function triggerEnv(k: Kernel, id: string, seen: Seen, event?: string) {
  const snap = k.context().snapshot();
  return {
    flowId: id,
    bucketKey: k.visitorId(),
    url: snap.page.url,
    event,
    timeOnPageMs: snap.timeOnPageMs,
    visits: snap.visitCount,
    user: k.config().user || {},
    context: flowContext(snap),
    seenByUser: has(seen, id),
    seenInSession: has(seen, id) && seen[id] == snap.visitCount,
  };
}

/** Fetches a flow file as text, so it is checked exactly as `madoguchi flow validate` checks it (duplicate keys, byte-order mark). */
async function fetchFlowText(url: string): Promise<string> {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
}

/** Fetches every configured flow side by side; one that cannot be fetched is reported and left out. */
export function fetchFlows(k: Kernel): Promise<FlowSource[]> {
  return Promise.all(
    (k.config().flows || []).map(async (entry, i) => {
      const name = typeof entry == 'string' ? entry : String((entry as { id?: unknown }).id ?? `flows[${i}]`);
      try {
        return { name, json: typeof entry == 'string' ? await fetchFlowText(entry) : entry };
      } catch (cause) {
        k.report({ message: `flow ${name} could not be loaded: ${(cause as Error).message}`, path: `flows[${i}]` });
      }
    }),
  );
}

export interface TriggerWatch {
  boot(): Promise<void>;
  activity(kind: 'page' | 'event', name?: string): void;
  shutdown(): void;
}

/**
 * Watches the flows' triggers (page, visit, plan, caps, rollout; a `when` condition is left to the
 * engine) and calls `need` once, with the event that fitted if any, when the flow engine is
 * needed: a trigger fits, a flow saved mid-way resumes, or a file is plainly not a flow (not JSON,
 * no id, start or nodes; the engine then says why, path by path).
 */
export function watchFlowTriggers(k: Kernel, sources: Promise<FlowSource[]>, need: (event?: string) => void): TriggerWatch {
  const triggers: Array<{ id: string; trigger: FlowTrigger }> = [];
  let seen: Seen = {};
  let timers: Array<ReturnType<typeof setTimeout>> = [];
  let handed = false;
  let booted: Promise<void> = Promise.resolve();

  const stop = () => {
    for (const t of timers) clearTimeout(t);
    timers = [];
  };
  const hand = (event?: string) => {
    if (handed) return;
    handed = true;
    stop();
    need(event);
  };

  const evaluate = (event?: string) => {
    if (handed || k.signal().aborted || k.conversation.$status.get().phase != 'bot') return;
    let soonest = Infinity;
    for (const { id, trigger: t } of triggers) {
      if (!event != !t.event) continue;
      const env = triggerEnv(k, id, seen, event);
      try {
        if (matchTriggerFacts(t, env)) return hand(event);
        // Only time on the page is missing: look again when it has passed.
        const wait = (t.timeOnPageMs ?? 0) - (env.timeOnPageMs ?? 0);
        if (!event && wait > 0 && matchTriggerFacts(t, { ...env, timeOnPageMs: t.timeOnPageMs })) soonest = Math.min(soonest, wait);
      } catch {
        // A trigger this check cannot read: the engine validates it and says what is wrong.
        return hand();
      }
    }
    if (soonest < Infinity) timers.push(setTimeout(() => evaluate(), Math.min(soonest + 50, 2 ** 31 - 1)));
  };

  const read = async () => {
    const [list, session, saved] = await Promise.all([sources, k.storage().getSession(), k.storage().getFlowState(k.conversationId())]);
    if (k.signal().aborted) return;
    // A flow that was running before the reload resumes: that takes the engine.
    if (saved && typeof saved == 'object' && !(saved as { done?: unknown }).done) return hand();
    seen = ((session as { flowsSeen?: Seen }).flowsSeen as Seen) || {};
    for (const source of list) {
      if (!source) continue;
      let json = source.json;
      try {
        if (typeof json == 'string') json = JSON.parse(json);
      } catch {
        return hand();
      }
      // Whatever is plainly not a flow goes to the validator now, which says what is wrong.
      const flow = json as { id?: unknown; start?: unknown; nodes?: unknown; trigger?: unknown } | null;
      const shaped = flow && typeof flow == 'object' && typeof flow.id == 'string' && typeof flow.start == 'string' && flow.nodes && typeof flow.nodes == 'object';
      if (!shaped || (flow.trigger != null && typeof flow.trigger != 'object')) return hand();
      if (flow.trigger) triggers.push({ id: flow.id as string, trigger: flow.trigger as FlowTrigger });
    }
    evaluate();
  };

  return {
    boot: () => (booted = read()),
    activity(kind, name) {
      void booted.then(() => evaluate(kind == 'event' ? name : undefined));
    },
    shutdown() {
      handed = true;
      stop();
    },
  };
}
