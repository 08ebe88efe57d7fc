import type { Flow, FlowInput, FlowRunner, FlowTurn, FlowWait } from '../flow';
import { surveyScale } from '../insights/events';
import type { FlowEngine } from './engines';
import type { FlowPart, FlowStores } from './flows';
import type { HandoffPart } from './handoff';
import type { Kernel } from './kernel';
import type { SearchPart } from './search';

type Seen = Record<string, number>;

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
/** Markdown marks out of a bot message, for an accessible name. */
const plain = (text: string) => text.replace(/[*_`#>\\]/g, '').trim();

/** The flow part's code, shipped with the flow engine (see `createFlowPart`). */
export function createFlowPartImpl(
  k: Kernel,
  deps: { search: SearchPart; handoff: HandoffPart },
  { $wait, $busy, $articles }: FlowStores,
  flowEngine: FlowEngine,
): FlowPart {
  let flows: Record<string, Flow> = {};
  let engine: FlowEngine | undefined;
  let runner: FlowRunner | undefined;
  let running: Flow | undefined;
  /** The wait the runner is at now; `$wait` follows once the turn's messages are shown. */
  let wait: FlowWait | null = null;
  let generation = 0;
  /** Settles when boot has loaded the flows, so `start` right after `boot` waits for them. */
  let loaded!: () => void;
  let ready = new Promise<void>((ok) => (loaded = ok));
  let shown: Promise<void> = Promise.resolve();
  let timers: Array<ReturnType<typeof setTimeout>> = [];
  let unlisten: (() => void) | undefined;
  /** Our own handoff action changes the phase; only someone else's change abandons the flow. */
  let handingOff = false;
  /** Flow id → the visit it last started in (once-per-user / once-per-session caps). */
  let seen: Seen = {};
  /** `flowId@url` pairs already triggered on this page load, so "always" means once per page. */
  const triggeredHere = new Set<string>();

  const later = (fn: () => void, ms: number) => timers.push(setTimeout(fn, Math.min(ms, 2 ** 31 - 1)));
  const save = () => {
    const s = runner?.state;
    k.storage().setFlowState(k.conversationId(), s && !s.done ? s : null);
  };

  const end = (abandoned: boolean) => {
    if (!running) return;
    const nodeId = runner?.state.cursor || undefined;
    k.track({ type: abandoned ? 'flow.abandoned' : 'flow.finished', flowId: running.id, ...(nodeId ? { nodeId } : {}) });
    running = runner = undefined;
    wait = null;
    $wait.set(null);
    k.storage().setFlowState(k.conversationId(), null);
  };

  /** Runs the side of a turn that happens now (state, actions, events), then shows its messages in order. */
  const take = (turn: FlowTurn) => {
    const flow = running!;
    const gen = generation;
    wait = turn.wait;
    if (turn.error) k.report({ message: turn.error });
    save();
    for (const a of turn.actions) {
      if (a.type == 'handoff') {
        handingOff = true;
        try {
          deps.handoff.request({ reason: a.hints?.reason || `flow ${flow.id}`, hints: a.hints, flow: { id: flow.id, answers: a.answers, finished: turn.done }, note: a.note });
        } finally {
          handingOff = false;
        }
      } else if (a.type == 'callback') k.emit('flow:callback', { name: a.name, data: a.data });
    }
    if (turn.wait) k.track({ type: 'flow.step', flowId: flow.id, nodeId: turn.wait.node });
    if (turn.done) end(false);
    shown = shown.then(async () => {
      let question = '';
      for (const m of turn.messages) {
        if (m.delayMs) {
          $busy.set(true);
          await sleep(Math.min(m.delayMs, 5000));
          $busy.set(false);
        }
        if (gen != generation) return;
        question = k.say(m.text).text;
      }
      if (gen != generation || wait != turn.wait) return;
      if (!question && turn.wait) question = [...k.conversation.$messages.get()].reverse().find((m) => m.author == 'bot')?.text || '';
      $wait.set(turn.wait && { ...turn.wait, question: plain(question) });
      if (turn.wait) act(turn.wait);
    });
  };

  /** Waits the flow answers itself: a FAQ search, a timer. */
  const act = (w: FlowWait) => {
    if (w.kind == 'search') {
      const hits = deps.search.query(w.query, 3);
      $articles.set(hits.map((h) => ({ id: h.id, title: h.title })));
      reply({ type: 'search-result', found: hits.length > 0, articleIds: hits.map((h) => h.id) });
    } else if (w.kind == 'delay') {
      const node = w.node;
      later(() => wait?.node == node && reply({ type: 'timer' }), w.ms);
    }
  };

  const begin = (flow: Flow, saved?: unknown) => {
    if (!engine) return;
    if (running) end(true);
    const snap = k.context().snapshot();
    running = flow;
    runner = engine.createFlowRunner(
      flow,
      { locale: k.locale(), bucketKey: k.visitorId(), user: k.config().user || {}, context: { page: snap.page, visitCount: snap.visitCount, returning: snap.returning } },
      saved as never,
    );
    if (!saved || runner.restarted) {
      k.track({ type: 'flow.started', flowId: flow.id, nodeId: flow.start });
      seen = { ...seen, [flow.id]: snap.visitCount };
      k.storage().setSession({ flowsSeen: seen } as never);
    }
    $articles.set([]);
    take(runner.start());
  };

  const waitsForText = () => wait?.kind == 'input' || wait?.kind == 'choice';

  function reply(input: FlowInput) {
    if (!runner || !wait) return;
    if (input.type == 'survey' && wait.kind == 'survey' && Number.isInteger(input.score) && input.score >= 1 && input.score <= (wait.scale == 'csat' ? 5 : 7)) {
      k.track({ type: 'survey.answered', kind: wait.scale, score: input.score, scaled: surveyScale(wait.scale, input.score) });
      k.transport()?.survey?.({ kind: wait.scale, score: input.score });
    }
    if (input.type != 'search-result') $articles.set([]);
    $wait.set(null);
    take(runner.reply(input));
  }

  /** Starts the first flow whose trigger fits, when no flow runs and no person is involved. */
  const evaluate = (event?: string) => {
    if (!engine || running || k.conversation.$status.get().phase != 'bot') return;
    const snap = k.context().snapshot();
    let soonest = Infinity;
    for (const flow of Object.values(flows)) {
      const t = flow.trigger;
      if (!t || !event != !t.event) continue;
      const key = `${flow.id}@${snap.page.url}`;
      if (!event && triggeredHere.has(key)) continue;
      const env = {
        flowId: flow.id,
        bucketKey: k.visitorId(),
        url: snap.page.url,
        event,
        timeOnPageMs: snap.timeOnPageMs,
        visits: snap.visitCount,
        user: k.config().user || {},
        context: { page: snap.page, visitCount: snap.visitCount, returning: snap.returning },
        seenByUser: flow.id in seen,
        seenInSession: seen[flow.id] == snap.visitCount,
      };
      if (engine.matchFlowTrigger(t, env)) {
        triggeredHere.add(key);
        return begin(flow);
      }
      // Only time on the page is missing: look again when it has passed.
      if (!event && t.timeOnPageMs && t.timeOnPageMs > snap.timeOnPageMs && engine.matchFlowTrigger(t, { ...env, timeOnPageMs: t.timeOnPageMs }))
        soonest = Math.min(soonest, t.timeOnPageMs - snap.timeOnPageMs);
    }
    if (soonest < Infinity) later(() => evaluate(), soonest + 50);
  };

  /** Fetches and validates every configured flow; a refused one is reported path by path and left out. */
  const load = async (gen: number) => {
    const list = k.config().flows || [];
    if (!list.length) return;
    engine = flowEngine;
    const results = await Promise.all(
      list.map(async (entry, i) => {
        const name = typeof entry == 'string' ? entry : String((entry as { id?: unknown }).id ?? `flows[${i}]`);
        try {
          return { name, json: typeof entry == 'string' ? await k.fetchJson(entry) : entry };
        } catch (cause) {
          k.report({ message: `flow ${name} could not be loaded: ${(cause as Error).message}`, path: `flows[${i}]` });
        }
      }),
    );
    const [session, saved] = await Promise.all([k.storage().getSession(), k.storage().getFlowState(k.conversationId())]);
    if (gen != generation) return;
    seen = ((session as { flowsSeen?: Seen }).flowsSeen as Seen) || {};
    const next: Record<string, Flow> = {};
    for (const r of results) {
      if (!r) continue;
      const { flow, errors, warnings } = engine.validateFlow(r.json);
      for (const e of errors) k.report({ message: `${e.message} (flow ${r.name} refused)`, path: e.path });
      for (const w of warnings) k.warn({ code: 'flow', message: `${w.path}: ${w.message} (flow ${r.name})` });
      if (flow) next[flow.id] = flow;
    }
    flows = next;
    const state = saved as { flowId?: string; done?: boolean } | undefined;
    if (state && typeof state == 'object' && !state.done) {
      const flow = state.flowId ? flows[state.flowId] : undefined;
      if (flow) begin(flow, state);
      else k.storage().setFlowState(k.conversationId(), null);
    }
    evaluate();
  };

  return {
    $wait,
    $busy,
    $articles,
    boot() {
      const gen = ++generation;
      unlisten = k.conversation.$status.listen((s) => {
        if (s.phase != 'bot' && running && !handingOff) end(true);
      });
      return load(gen).finally(loaded);
    },
    start(id) {
      void ready.then(() => {
        const flow = flows[id];
        if (flow) begin(flow);
        else k.report({ message: `there is no loaded flow "${id}"`, path: 'startFlow' });
      });
    },
    reply,
    current: () => (running && runner ? { id: running.id, answers: runner.state.vars } : null),
    waitsForText,
    userText(text) {
      $articles.set([]);
      if (!waitsForText()) return false;
      reply({ type: 'text', value: text });
      return true;
    },
    activity(kind, name) {
      void ready.then(() => evaluate(kind == 'event' ? name : undefined));
    },
    shutdown() {
      generation++;
      unlisten?.();
      for (const t of timers) clearTimeout(t);
      timers = [];
      running = runner = undefined;
      wait = null;
      flows = {};
      engine = undefined;
      seen = {};
      triggeredHere.clear();
      $wait.set(null);
      $busy.set(false);
      $articles.set([]);
      ready = new Promise<void>((ok) => (loaded = ok));
    },
  };
}
