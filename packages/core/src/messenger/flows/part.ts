import type { Flow, FlowInput, FlowRunner, FlowTurn, FlowWait } from '../../flow';
import { surveyScale } from '../../insights/events';
import type { FlowEngine } from '../engines';
import type { FlowPart, FlowStores } from '.';
import type { HandoffPart } from '../handoff';
import type { Kernel } from '../kernel';
import type { SearchPart } from '../search';
import { flowStamp } from '../../flow/read';
import { flowContext, openFlows, triggerEnv, type FlowFiles, type FlowSource, type Seen } from './triggers';

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
/** Markdown marks out of a bot message, for an accessible name. */
const plain = (text: string) => text.replace(/[*_`#>\\]/g, '').trim();

/**
 * True when a flow may call the URL: a path that the browser resolves to this site (`/\\x` is
 * `//x`, another one), or an https URL under one of the prefixes the host lists in `flowRequests`
 * (each at least `https://host/`).
 */
export function requestAllowed(url: string, allow: unknown): boolean {
  const list = Array.isArray(allow) ? allow.filter((a): a is string => typeof a == 'string' && /^https:\/\/[^/]+\//.test(a)) : [];
  try {
    const { href, origin } = new URL(url, location.href);
    return url[0] == '/' ? origin == location.origin : href.startsWith('https://') && list.some((prefix) => href.startsWith(prefix));
  } catch {
    return false;
  }
}

/**
 * The flow in a file `madoguchi flow build` validated, when the index's stamp still fits its exact
 * text under this release's rules; undefined for anything else, which the validator then reads.
 */
function stamped(r: NonNullable<FlowSource>): Flow | undefined {
  const text = r.json;
  if (typeof text != 'string' || !r.listed?.checked || r.listed.checked != flowStamp(text)) return;
  try {
    const flow = JSON.parse(text.charCodeAt(0) == 0xfeff ? text.slice(1) : text);
    return flow?.id == r.name ? flow : undefined;
  } catch {
    return undefined;
  }
}

/** The flow part's code, shipped with the flow engine (see `createFlowPart`). */
export function createFlowPartImpl(
  k: Kernel,
  deps: { search: SearchPart; handoff: HandoffPart },
  { $wait, $busy, $articles }: FlowStores,
  flowEngine: FlowEngine,
  /** The flow files when the trigger check fetched them in this boot already. */
  opened?: () => FlowFiles | undefined,
): FlowPart {
  let flows: Record<string, Flow> = {};
  let engine: FlowEngine | undefined;
  let runner: FlowRunner | undefined;
  let running: Flow | undefined;
  /** The wait the runner is at now; `$wait` follows once the turn's messages are shown. */
  let wait: FlowWait | null = null;
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
    const signal = k.signal();
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
        if (signal.aborted) return;
        // The articles a search found go with the message that presents them, stored with it, as
        // do the node's own image, link buttons and cards.
        const { image, links, cards: own } = m;
        const extra = { ...(cards.length && { articles: cards }), ...(image && { image }), ...(links && { links }), ...(own && { cards: own }) };
        cards = [];
        question = k.say(m.text, extra).text;
      }
      if (signal.aborted || wait != turn.wait) return;
      if (!question && turn.wait) question = [...k.conversation.$messages.get()].reverse().find((m) => m.author == 'bot')?.text || '';
      $wait.set(turn.wait && { ...turn.wait, question: plain(question) });
      if (turn.wait) act(turn.wait);
    });
  };

  /** Articles the last flow search found, waiting for the message that presents them. */
  let cards: Array<{ id: string; title: string }> = [];

  /** Performs a request node's lookup: the host's handler, or an allowed endpoint; one answer counts. */
  const request = (w: Extract<FlowWait, { kind: 'request' }>) => {
    const node = w.node;
    const abort = typeof AbortController == 'function' ? new AbortController() : undefined;
    let settled = false;
    const finish = (status: 'ok' | 'error' | 'timeout', data?: unknown) => {
      if (settled) return;
      settled = true;
      abort?.abort();
      $busy.set(false);
      if (wait?.node == node) reply({ type: 'request-result', status, data });
    };
    $busy.set(true);
    later(() => finish('timeout'), w.timeoutMs);
    if (w.handler) {
      const respond = (data: unknown) => void Promise.resolve(data).then((d) => finish('ok', d), () => finish('error'));
      // A handler returns the data (or a promise of it), or answers later through respond / fail
      // (a function it returns, such as `r => (later = r.respond)`, is not data).
      const returned = k.emit('flow:request', { name: w.handler, params: w.body ?? {}, respond, fail: () => finish('error') }).find((r) => r !== undefined && typeof r != 'function');
      if (returned !== undefined) respond(returned);
      return;
    }
    const url = w.url!;
    if (!requestAllowed(url, k.config().flowRequests)) {
      k.report({ message: `${url} is not in "flowRequests", the endpoints flows may call`, path: `flow ${running?.id} ${node}` });
      return finish('error');
    }
    const init: RequestInit = { method: w.method, credentials: url[0] == '/' ? 'same-origin' : 'omit', headers: { accept: 'application/json' }, signal: abort?.signal };
    if (w.method == 'POST') (init.body = JSON.stringify(w.body ?? {})), (init.headers = { ...init.headers, 'content-type': 'application/json' });
    fetch(url, init)
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${url} answered ${r.status}`))))
      .then((d) => finish('ok', d), () => finish('error'));
  };

  /** Waits the flow answers itself: a FAQ search, a timer, a request. */
  const act = (w: FlowWait) => {
    if (w.kind == 'request') return request(w);
    if (w.kind == 'search') {
      // The help centre loads when first needed: a flow's search waits for it.
      void deps.search.loaded().then(() => {
        if (wait != w) return;
        const hits = deps.search.query(w.query, 3);
        cards = hits.map((h) => ({ id: h.id, title: h.title }));
        $articles.set(cards);
        reply({ type: 'search-result', found: hits.length > 0, articleIds: hits.map((h) => h.id) });
      });
    } else if (w.kind == 'delay') {
      const node = w.node;
      later(() => wait?.node == node && reply({ type: 'timer' }), w.ms);
    }
  };

  const begin = (flow: Flow, saved?: unknown, vars?: Record<string, unknown>) => {
    if (!engine) return;
    if (running) end(true);
    const snap = k.context().snapshot();
    running = flow;
    runner = engine.createFlowRunner(flow, { locale: k.locale(), bucketKey: k.visitorId(), user: k.config().user || {}, context: flowContext(snap), vars, flows }, saved as never);
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
    const scale = wait.kind == 'survey' && wait.scale;
    if (input.type == 'survey' && scale && Number.isInteger(input.score) && input.score >= (scale == 'nps' ? 0 : 1) && input.score <= (scale == 'csat' ? 5 : scale == 'ces' ? 7 : 10)) {
      k.track({ type: 'survey.answered', kind: scale, score: input.score, scaled: surveyScale(scale, input.score) });
      // The person's console keeps it with the conversation; only CSAT counts in the shift's CSAT.
      k.transport()?.survey?.({ kind: scale, score: input.score });
    }
    if (input.type != 'search-result') $articles.set([]);
    $wait.set(null);
    take(runner.reply(input));
  }

  /** Starts the first flow whose trigger fits, when no flow runs and no person is involved. */
  const evaluate = (event?: string) => {
    if (!engine || running || k.conversation.$status.get().phase != 'bot') return;
    let soonest = Infinity;
    for (const flow of Object.values(flows)) {
      const t = flow.trigger;
      if (!t || !event != !t.event) continue;
      const env = triggerEnv(k, flow.id, seen, event);
      const key = `${flow.id}@${env.url}`;
      if (!event && triggeredHere.has(key)) continue;
      if (engine.matchFlowTrigger(t, env)) {
        triggeredHere.add(key);
        return begin(flow);
      }
      // Only time on the page is missing: look again when it has passed.
      const timeOnPage = env.timeOnPageMs ?? 0;
      if (!event && t.timeOnPageMs && t.timeOnPageMs > timeOnPage && engine.matchFlowTrigger(t, { ...env, timeOnPageMs: t.timeOnPageMs }))
        soonest = Math.min(soonest, t.timeOnPageMs - timeOnPage);
    }
    if (soonest < Infinity) later(() => evaluate(), soonest + 50);
  };

  /**
   * Fetches every configured flow. A file `madoguchi flow build` validated and stamped runs as it
   * is; any other is validated here (the validator is loaded for it), and a refused one is
   * reported path by path and left out.
   */
  const load = async (signal: AbortSignal) => {
    if (!k.config().flows?.length) return;
    engine = flowEngine;
    const results = await (opened?.() || openFlows(k)).sources();
    const [session, saved] = await Promise.all([k.storage().getSession(), k.storage().getFlowState(k.conversationId())]);
    if (signal.aborted) return;
    seen = ((session as { flowsSeen?: Seen }).flowsSeen as Seen) || {};
    const built = results.map((r) => r && stamped(r));
    // The build checked the calls between the flows it stamped; anything else is checked here.
    const next = built.every(Boolean)
      ? Object.fromEntries(built.map((f) => [f!.id, f!]))
      : (await import('./check')).checkFlows(k, results, built);
    if (signal.aborted) return;
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
      unlisten = k.conversation.$status.listen((s) => {
        if (s.phase != 'bot' && running && !handingOff) end(true);
      });
      return load(k.signal()).finally(loaded);
    },
    start(id, options) {
      void ready.then(() => {
        const flow = flows[id];
        const vars = options?.vars;
        if (flow && engine) for (const e of engine.checkFlowVars(flow, vars)) k.report({ message: `${e.message} (startFlow "${id}")`, path: e.path });
        if (flow) begin(flow, undefined, vars);
        else k.report({ message: `there is no loaded flow "${id}"`, path: 'startFlow' });
      });
    },
    reply,
    // Inside a sub-flow, the answers of the flows that called it come along too.
    current: () => (running && runner ? { id: running.id, answers: ((s) => Object.assign({}, ...(s.calls ?? []).map((c) => c.vars), s.vars))(runner.state) } : null),
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
