import type { ContextSnapshot } from '../../context';
import type { FlowTrigger } from '../../flow';
import { matchTriggerFacts } from '../../flow/facts';
import { isObject } from '../../guards';
import { has } from '../../flow/read';
import type { Kernel } from '../kernel';

/**
 * The first step of bot flows, a chunk of its own: fetch the flow files and watch their triggers
 * with a few hundred bytes of code. The flow engine (validator and runner) is loaded only when it
 * is needed, so a page whose flows never start never downloads it.
 */

/**
 * A configured flow: its file's text (or the object given inline); undefined when it could not be
 * fetched (reported). `listed` is what a flow index says of it: its trigger, to tell a stale index,
 * and the stamp `madoguchi flow build` gave the file it validated.
 */
export type FlowSource = { name: string; json: unknown; listed?: Listed } | undefined;
type Listed = { trigger: unknown; checked?: string };
/** Flow id → the visit it last started in (once-per-user / once-per-session caps). */
export type Seen = Record<string, number>;
/** What the trigger check watches: a flow's id and trigger. */
export type TriggerEntry = { id: string; trigger: FlowTrigger };

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

const fetchSource = async (k: Kernel, url: string, name: string, path: string, listed?: Listed): Promise<FlowSource> => {
  try {
    return { name, json: await fetchFlowText(url), listed };
  } catch (cause) {
    k.report({ message: `flow ${name} could not be loaded: ${(cause as Error).message}`, path });
  }
};

type IndexEntry = { id: string; src: string; trigger?: FlowTrigger; checked?: string };
const isEntry = (e: unknown) => isObject(e) && !!e.id && typeof e.id == 'string' && !!e.src && typeof e.src == 'string' && (e.trigger == null || isObject(e.trigger));

/** A flow index's entries with their files' URLs resolved against it; undefined (reported, with where and why) when it cannot be read. */
async function readFlowIndex(k: Kernel, url: string): Promise<IndexEntry[] | undefined> {
  try {
    const index = JSON.parse(await fetchFlowText(url));
    const flows: unknown[] | undefined = index?.flowIndex === 1 && Array.isArray(index.flows) ? index.flows : undefined;
    const bad = flows ? flows.findIndex((e) => !isEntry(e)) : -1;
    if (!flows || bad >= 0)
      throw new Error(`${flows ? `flows[${bad}]: expected { "id", "src", "trigger" }` : '$: expected { "flowIndex": 1, "flows": [...] }'} (build it with \`madoguchi flow build\`)`);
    const base = new URL(url, globalThis.location?.href);
    return (flows as IndexEntry[]).map((e) => ({ ...e, src: new URL(e.src, base).href }));
  } catch (cause) {
    k.report({ message: `flow index ${url}: ${(cause as Error).message}; no flow can start`, path: 'flows' });
  }
}

/** The configured flows, for the trigger check and then the engine. */
export interface FlowFiles {
  /** Each flow's trigger; null when a file is plainly not a flow (the engine says why). */
  triggers: Promise<TriggerEntry[] | null>;
  /** Every flow file, for the engine to validate and run (fetched on first call when an index lists them). */
  sources(): Promise<FlowSource[]>;
}

/**
 * Opens the configured flows. A list of files (or flow objects) is fetched at once: the trigger
 * check reads their triggers, the engine reuses them. A flow index (`flows: '/flows/index.json'`,
 * from `madoguchi flow build`) holds every trigger in one small file: the flow files themselves
 * are fetched only when the engine is needed.
 */
export function openFlows(k: Kernel): FlowFiles {
  const flows = k.config().flows || [];
  if (typeof flows == 'string') {
    const index = readFlowIndex(k, flows);
    let files: Promise<FlowSource[]> | undefined;
    return {
      triggers: index.then((list) => (list || []).flatMap((e) => (e.trigger ? [{ id: e.id, trigger: e.trigger }] : []))),
      sources: () =>
        (files ||= index.then((list) =>
          Promise.all((list || []).map((e, i) => fetchSource(k, e.src, e.id, `${flows}:flows[${i}].src`, { trigger: e.trigger ?? null, checked: typeof e.checked == 'string' ? e.checked : undefined }))),
        )),
    };
  }
  const sources = Promise.all(
    flows.map((entry, i) => {
      const name = typeof entry == 'string' ? entry : String((entry as { id?: unknown }).id ?? `flows[${i}]`);
      return typeof entry == 'string' ? fetchSource(k, entry, name, `flows[${i}]`) : { name, json: entry };
    }),
  );
  return { triggers: sources.then(triggersOf), sources: () => sources };
}

/** The triggers of flow files; null when one is plainly not a flow (not JSON, no id, start or nodes), for the validator to explain. */
function triggersOf(list: FlowSource[]): TriggerEntry[] | null {
  const triggers: TriggerEntry[] = [];
  for (const source of list) {
    if (!source) continue;
    let flow: unknown = source.json;
    try {
      if (typeof flow == 'string') flow = JSON.parse(flow);
    } catch {
      return null;
    }
    const f = flow as { id?: unknown; start?: unknown; nodes?: unknown; trigger?: unknown } | null;
    const shaped = f && typeof f == 'object' && typeof f.id == 'string' && typeof f.start == 'string' && f.nodes && typeof f.nodes == 'object';
    if (!shaped || (f.trigger != null && typeof f.trigger != 'object')) return null;
    if (f.trigger) triggers.push({ id: f.id as string, trigger: f.trigger as FlowTrigger });
  }
  return triggers;
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
export function watchFlowTriggers(k: Kernel, files: FlowFiles, need: (event?: string) => void): TriggerWatch {
  let triggers: TriggerEntry[] = [];
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
    const [list, session, saved] = await Promise.all([files.triggers, k.storage().getSession(), k.storage().getFlowState(k.conversationId())]);
    if (k.signal().aborted) return;
    // A flow that was running before the reload resumes, and whatever is plainly not a flow goes to
    // the validator now, which says what is wrong: both take the engine.
    if ((saved && typeof saved == 'object' && !(saved as { done?: unknown }).done) || !list) return hand();
    seen = ((session as { flowsSeen?: Seen }).flowsSeen as Seen) || {};
    triggers = list;
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
