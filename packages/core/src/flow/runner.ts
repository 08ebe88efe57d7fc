import type { LocalizedText, Problem } from '../types';
import { MESSAGE_RICH_LIMITS } from '../storage';
import type { Flow, FlowEnv, FlowInput, FlowMessage, FlowNode, FlowOption, FlowRunner, FlowSetOp, FlowState, FlowTurn } from './types';
import { canonicalJson, fillFlowTemplate, has, hashFlowText, isObj, jsonPathKey, matchFlowPattern, pickFlowText, readFlowPath, testFlowCondition, typeOf } from './text';
import type { FlowMatchBudget } from './pattern';
import { rolloutBucket } from './trigger';
import { FLOW_LIMITS } from './limits';

/** Nodes one turn may pass through before the guard stops a runaway flow (the validator refuses longer chains). */
export const FLOW_MAX_STEPS = FLOW_LIMITS.steps;
/** Highest score of each survey scale; NPS runs from 0, the others from 1. */
export const SURVEY_MAX = { csat: 5, ces: 7, nps: 10 } as const;

const WORDS: Record<string, string[]> = {
  en: ["That doesn't look right. Please try again.", 'This conversation was updated, so we are starting again.', 'Please pick one of the options.'],
  ja: ['入力内容をご確認のうえ、もう一度お試しください。', 'ご案内の内容が更新されたため、最初からご案内します。', '選択肢からお選びください。'],
};

const declType = (d: unknown) => (isObj(d) ? d.type : d);
/** A response value as a variable keeps it: plain JSON, strings up to 1000 characters, lists up to 100 items. */
const keep = (v: unknown): unknown => {
  try {
    const c = v === undefined ? v : JSON.parse(JSON.stringify(v));
    return typeof c == 'string' ? c.slice(0, 1000) : Array.isArray(c) ? c.slice(0, 100) : c;
  } catch {
    return undefined;
  }
};
const clone = (v: unknown) => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

/** Triage hints as the handoff packet takes them: `tags` is always a list. */
const hintsOf = (h: Record<string, unknown>) => (typeof h.tags == 'string' ? { ...h, tags: [h.tags] } : h);

type InputNode = Extract<FlowNode, { type: 'input' }>;

/** Reads a typed answer from free text, or undefined when it does not pass the node's rules (its pattern taking steps from `budget`). */
export function readFlowAnswer(node: InputNode, raw: string, budget?: FlowMatchBudget, at?: string): string | number | undefined {
  const s = raw.normalize('NFKC').trim().slice(0, 1000);
  const len = [...s].length;
  if (!s || len < (node.minLength ?? 0) || len > (node.maxLength ?? 1000)) return;
  if (node.pattern && !matchFlowPattern(node.pattern, s, budget, at)) return;
  const t = node.input;
  if (t == 'email') return s.length <= 254 && /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(s) ? s : undefined;
  if (t == 'phone') {
    const digits = s.replace(/\D/g, '').length;
    return /^\+?[\d\s().-]+$/.test(s) && digits >= 6 && digits <= 15 ? s : undefined;
  }
  if (t == 'number') {
    const n = /^[-+]?[\d,]*\.?\d+$/.test(s) ? Number(s.replace(/,/g, '')) : NaN;
    return isFinite(n) && n >= (node.min ?? -Infinity) && n <= (node.max ?? Infinity) ? n : undefined;
  }
  if (t == 'date') {
    const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
    const d = m && new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d && d.getUTCDate() == +m![3] && d.getUTCMonth() == +m![2] - 1 ? d.toISOString().slice(0, 10) : undefined;
  }
  // The checked form is the saved form, so a later `matches` or a host lookup sees what passed.
  return s;
}

/**
 * Runs a validated flow as a step machine: input and state in, messages, actions and what to
 * wait for out. Pure: it performs nothing itself, so it can be replayed and tested anywhere.
 */
export function createFlowRunner(flow: Flow, env: FlowEnv, saved?: FlowState): FlowRunner {
  const others = env.flows ?? {};
  /** The flow running now: the last sub-flow called, else the flow itself. */
  const flowIn = (calls: FlowState['calls']): Flow | undefined => (calls?.length ? (has(others, calls[calls.length - 1].flow) ? others[calls[calls.length - 1].flow] : undefined) : flow);
  let cur = flow;
  let nodes: Record<string, any> = flow.nodes;
  const hashOf = (v: unknown) => hashFlowText(canonicalJson(v));
  const hash = hashOf(flow);
  const nodeHash = (id: string | null) => (id && has(nodes, id) ? hashOf(nodes[id]) : '');
  const now = env.now ?? Date.now;
  const words = WORDS[env.locale] ?? WORDS.en;
  /** A flow's starting variables: its defaults, then the given values of declared names and types. */
  const startVars = (f: Flow, given: Record<string, unknown> = {}) => {
    const decls = f.variables ?? {};
    const vars: Record<string, unknown> = {};
    for (const [k, d] of Object.entries(decls)) if (isObj(d) && 'default' in d) vars[k] = clone(d.default);
    for (const [k, v] of Object.entries(given)) if (has(decls, k) && typeOf(v) == declType(decls[k])) vars[k] = clone(v);
    return vars;
  };
  const fresh = (seed = env.seed ?? parseInt(hashFlowText(env.bucketKey), 16)): FlowState => ({
    flowId: flow.id,
    hash,
    nodeHash: '',
    cursor: null,
    vars: startVars(flow, env.vars),
    retries: 0,
    seed,
    done: false,
  });
  const varsFit = (f: Flow, vars: Record<string, unknown>) => Object.entries(vars).every(([k, v]) => has(f.variables ?? {}, k) && typeOf(v) == declType(f.variables![k]));
  const fits = (s: any): s is FlowState => {
    if (!isObj(s) || s.flowId != flow.id || !isObj(s.vars) || typeof s.retries != 'number') return false;
    const calls = s.calls ?? [];
    const f = Array.isArray(calls) && calls.length <= FLOW_LIMITS.calls ? flowIn(calls) : undefined;
    if (!f || (s.cursor != null && !has(f.nodes, s.cursor))) return false;
    [cur, nodes] = [f, f.nodes];
    const same = s.hash == hash && !calls.length;
    return same || (!!s.cursor && s.nodeHash == nodeHash(s.cursor) && varsFit(f, s.vars));
  };
  const restarted = !!saved && !fits(saved);
  if (restarted) [cur, nodes] = [flow, flow.nodes];
  let st: FlowState = !restarted && saved ? { ...clone(saved), hash, nodeHash: nodeHash(saved.cursor) } : fresh();
  let notice = restarted;

  /** Variables of the flow running now and of the flows that called it, for a handoff. */
  const answers = () => Object.assign({}, ...(st.calls ?? []).map((c) => c.vars), st.vars);
  const scope = () => ({ vars: st.vars, user: env.user, context: env.context, now: now() });
  const text = (t: LocalizedText | undefined, md?: boolean) => fillFlowTemplate(pickFlowText(t, env.locale), scope(), md);
  /** The steps of matching left to this turn's patterns (`FLOW_LIMITS.matchSteps` a turn). */
  let budget: FlowMatchBudget;
  const newTurn = (): FlowTurn => ((budget = { left: FLOW_LIMITS.matchSteps }), { messages: [], actions: [], wait: null, done: false });
  /** Says so once when the turn's patterns ran out of steps: the one named and those after it did not match. */
  const overBudget = (turn: FlowTurn) =>
    budget.at &&
    !turn.error &&
    (turn.error = `Flow "${cur.id}": patterns took over ${FLOW_LIMITS.matchSteps} steps this turn (the limit) at ${budget.at}; from there none matched.`);
  const say = (turn: FlowTurn, t: LocalizedText | undefined, delayMs?: number, node?: any) => {
    if (t == null) return;
    turn.messages.push({ text: text(t, true), ...(delayMs ? { delayMs } : {}), ...(node && rich(node)) });
  };
  /** A URL with values filled in and encoded. */
  const href = (u: string) => fillFlowTemplate(u, scope(), encodeURIComponent).slice(0, MESSAGE_RICH_LIMITS.chars);
  /** Plain text (values as they are), cut to what a message keeps. */
  const plain = (t: LocalizedText) => text(t).slice(0, 300);
  /** A message node's image, link buttons and article cards, as the message keeps them (at most 10 of each). */
  const rich = (node: any): FlowMessage => {
    const out: any = {};
    const { image, links, cards } = node;
    if (image) out.image = { src: href(image.src), alt: plain(image.alt) };
    if (links) out.links = links.slice(0, MESSAGE_RICH_LIMITS.items).map((l: any) => ({ label: plain(l.label), url: href(l.url) }));
    if (cards)
      out.cards = cards
        .slice(0, MESSAGE_RICH_LIMITS.items)
        .map((c: any) => Object.assign({ title: plain(c.title) }, c.article ? { article: c.article } : { url: href(c.url) }, c.text && { text: plain(c.text) }));
    return out;
  };
  const options = (node: any): FlowOption[] =>
    node.options
      ? node.options.map((o: any) => ({ id: o.id, label: text(o.label) }))
      : ((x) => (Array.isArray(x) ? x : []))(st.vars[node.optionsFrom?.var])
          .slice(0, 50)
          .map((x) => (isObj(x) ? { id: String(x.id), label: isObj(x.label) ? pickFlowText(x.label as Record<string, string>, env.locale) : String(x.label ?? x.id) } : { id: String(x), label: String(x) }));

  /** Waits at a node; `enter` also says its text and asks for its survey. */
  const present = (id: string, turn: FlowTurn, enter: boolean, error?: string): FlowTurn => {
    const node = nodes[id];
    const t = node.type;
    const w: any = { node: id, allowHuman: node.allowHuman !== false, kind: t };
    if (error) w.error = error;
    if (enter && t != 'search') say(turn, node.text);
    if (t == 'choice') (w.options = options(node)), node.multiple && (w.multiple = true);
    if (t == 'input') (w.input = node.input), node.placeholder && (w.placeholder = text(node.placeholder));
    if (t == 'survey') (w.scale = node.scale), enter && turn.actions.push({ type: t, scale: node.scale });
    if (t == 'search') turn.actions.push({ type: t, query: (w.query = text(node.query)) });
    if (t == 'delay') {
      if (enter) st.until = now() + node.ms;
      w.ms = Math.max(0, (st.until ?? 0) - now());
    }
    // A request is asked again on a resume: the page that was waiting for it is gone.
    if (t == 'request') {
      const req: any = { method: node.method ?? 'GET', timeoutMs: node.timeoutMs ?? 8000 };
      if (node.handler) req.handler = node.handler;
      else req.url = fillFlowTemplate(node.url, scope(), encodeURIComponent);
      if (node.body) req.body = fillData(node.body);
      Object.assign(w, req);
      turn.actions.push({ type: t, node: id, ...req });
    }
    st.cursor = id;
    st.nodeHash = nodeHash(id);
    turn.wait = w;
    return turn;
  };

  /** Top-level strings of callback data or a request body are templates (values unescaped). */
  const fillData = (d: Record<string, unknown>) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, typeof v == 'string' ? text(v) : v]));

  /** Ends a sub-flow: back to the caller's variables, with `out` copied over, at the calling node's `next`. */
  const leave = (): string | undefined => {
    const calls = st.calls!;
    const { from, vars } = calls[calls.length - 1];
    const parent = flowIn(calls.slice(0, -1))!;
    const caller = parent.nodes[from] as Extract<FlowNode, { type: 'flow' }>;
    for (const [mine, theirs] of Object.entries(caller.out ?? {})) if (has(st.vars, theirs)) vars[mine] = st.vars[theirs];
    st.calls = calls.slice(0, -1);
    if (!st.calls.length) delete st.calls;
    st.vars = vars;
    [cur, nodes] = [parent, parent.nodes];
    return caller.next;
  };

  const run = (id: string | undefined, turn: FlowTurn): FlowTurn => {
    for (let steps = 0; ; steps++) {
      // A condition never ends a turn: the node after it is where a lack of steps is told.
      overBudget(turn);
      if (id === undefined || !has(nodes, id)) {
        if (!st.calls?.length) break;
        id = leave();
        continue;
      }
      const node = nodes[id];
      const t = node.type;
      if (steps >= FLOW_MAX_STEPS) {
        turn.error = `Flow "${flow.id}" passed ${FLOW_MAX_STEPS} nodes without waiting (at "${id}"); it was stopped.`;
        break;
      }
      if (/^(choice|input|survey|search|delay|request)$/.test(t)) return present(id, turn, true);
      if (/^(message|handoff|end)$/.test(t)) say(turn, node.text, node.delayMs, t == 'message' && node);
      if (t == 'end' && !st.calls?.length) break;
      if (t == 'end') {
        id = leave();
        continue;
      }
      if (t == 'flow') {
        const sub = has(others, node.flow) ? others[node.flow] : undefined;
        if (sub && (st.calls?.length ?? 0) < FLOW_LIMITS.calls) {
          const given: Record<string, unknown> = {};
          for (const [k, path] of Object.entries((node.in ?? {}) as Record<string, string>)) given[k] = readFlowPath(scope(), path);
          st.calls = [...(st.calls ?? []), { flow: sub.id, from: id, vars: st.vars }];
          st.vars = startVars(sub, given);
          [cur, nodes] = [sub, sub.nodes];
          id = sub.start;
          continue;
        }
        turn.error = sub ? `Flow "${cur.id}" calls flows over ${FLOW_LIMITS.calls} deep (at "${id}"); the call was skipped.` : `Flow "${cur.id}" calls "${node.flow}", which is not loaded (at "${id}"); the call was skipped.`;
      }
      if (t == 'set')
        for (const { var: k, op, value, from } of node.ops as FlowSetOp[]) {
          const cur = st.vars[k];
          const list = Array.isArray(cur) ? cur : [];
          const v = op == 'copy' ? clone(readFlowPath(scope(), from!)) : value;
          if (op == 'set' || op == 'copy') st.vars[k] = v;
          else if (op == 'add') st.vars[k] = (typeof cur == 'number' ? cur : 0) + (v as number);
          else if (op == 'append') st.vars[k] = [...list, v].slice(-100);
          else if (op == 'remove') st.vars[k] = list.filter((x) => x !== v);
          else delete st.vars[k];
        }
      if (t == 'handoff') {
        const a: any = { type: t, answers: answers() };
        if (node.note) a.note = text(node.note);
        if (node.hints) a.hints = hintsOf(node.hints);
        turn.actions.push(a);
      }
      if (t == 'callback') {
        turn.actions.push({ type: t, name: node.name, data: fillData(node.data ?? {}) });
      }
      let sum = 0;
      const b = t == 'split' && rolloutBucket(env.bucketKey || String(st.seed), `${cur.id}:${id}`);
      id =
        t == 'split'
          ? (node.branches.find((x: any) => (b as number) < (sum += x.percent)) ?? node.branches[node.branches.length - 1]).next
          : t == 'condition'
            ? node[testFlowCondition(node.when, scope(), 0, budget, `"${id}" when`) ? 'then' : 'else']
            : t == 'goto'
              ? node.target
              : node.next;
    }
    st.cursor = null;
    st.done = turn.done = true;
    return turn;
  };

  const reply = (input: FlowInput): FlowTurn => {
    const turn = newTurn();
    const id = st.cursor!;
    const node = id != null && has(nodes, id) && nodes[id];
    if (!node || st.done) return { ...turn, done: st.done };
    const t = node.type;
    const it = input.type;
    const again = (error?: string) => present(id, turn, false, error);
    let next = node.next;
    if (t == 'choice' && node.multiple) {
      const all = options(node);
      const find = (s: string) => all.find((o) => o.id === s || o.label.toLowerCase() == s.trim().toLowerCase() || o.id == s.trim().toLowerCase());
      const asked = it == 'choices' ? input.ids : it == 'text' ? input.value.split(/[,、，\n]/).filter((x) => x.trim()) : [];
      const picks = asked.map((x) => find(String(x)));
      if (!picks.length || picks.some((x) => !x)) return again(words[2]);
      if (node.save) st.vars[node.save] = [...new Set(picks.map((x) => x!.id))];
      next = node.options ? node.next : node.optionsFrom.next;
    } else if (t == 'choice') {
      const said = it == 'text' ? input.value.trim().toLowerCase() : '';
      const pick = options(node).find((o) => (it == 'choice' ? o.id === input.id : said && (o.label.toLowerCase() == said || o.id == said)));
      if (!pick) return again(words[2]);
      if (node.save) st.vars[node.save] = pick.id;
      next = node.options ? node.options.find((o: any) => o.id == pick.id).next : node.optionsFrom.next;
    } else if (t == 'input') {
      if (it != 'text') return again();
      const value = readFlowAnswer(node, input.value, budget, `"${id}" pattern`);
      overBudget(turn);
      if (value !== undefined) st.vars[node.save] = value;
      else if (st.retries < (node.maxRetries ?? 2)) {
        st.retries++;
        const why = text(node.retryText ?? words[0], true);
        turn.messages.push({ text: why });
        return again(why);
      } else next = node.exhausted;
    } else if (t == 'search') {
      if (it != 'search-result') return again();
      if (node.save) st.vars[node.save] = (input.articleIds || []).slice(0, 20).map(String);
      next = input.found ? node.found : node.notFound;
    } else if (t == 'survey') {
      if (it == 'survey') {
        if (!Number.isInteger(input.score) || input.score < (node.scale == 'nps' ? 0 : 1) || input.score > SURVEY_MAX[node.scale as 'csat']) return again();
        if (node.save) st.vars[node.save] = input.score;
      } else if (it != 'text') return again();
    } else if (t == 'request') {
      if (it != 'request-result' || !/^(ok|error|timeout)$/.test(input.status)) return again();
      next = node[input.status];
      if (input.status == 'ok' && node.save) {
        const got: Record<string, unknown> = {};
        for (const [k, path] of Object.entries(node.save as Record<string, string>)) {
          const v = keep(readFlowPath(input.data, path));
          if (typeOf(v) != declType(cur.variables?.[k]) || v == null) next = node.error;
          else got[k] = v;
        }
        if (next == node.ok) Object.assign(st.vars, got);
      }
    } else if (t != 'delay' || it != 'timer') return again();
    delete st.until;
    st.retries = 0;
    return run(next, turn);
  };

  return {
    start() {
      const turn = newTurn();
      if (notice) turn.messages.push({ text: words[1] }), (notice = false);
      if (st.cursor && !st.done && has(nodes, st.cursor)) return present(st.cursor, turn, false);
      st = fresh(st.seed);
      return run(flow.start, turn);
    },
    reply,
    handOff() {
      const turn = newTurn();
      const w = st.cursor && !st.done && has(nodes, st.cursor) ? nodes[st.cursor] : undefined;
      if (!w) return { ...turn, done: st.done };
      if (w.allowHuman === false) return { ...present(st.cursor!, turn, false), error: 'This step does not offer "Talk to a person".' };
      turn.actions.push({ type: 'handoff', answers: answers(), hints: { reason: 'asked for a person' } });
      delete st.calls;
      st.cursor = null;
      st.done = turn.done = true;
      return turn;
    },
    get state() {
      return clone(st) as FlowState;
    },
    get restarted() {
      return restarted;
    },
  };
}

/** Checks starting values a host passes to a flow: each must be a declared variable of its type. */
export function checkFlowVars(flow: Flow, vars: unknown): Problem[] {
  if (vars === undefined) return [];
  if (!isObj(vars)) return [{ path: 'vars', message: 'must be an object of variable names and values.' }];
  const decls = flow.variables ?? {};
  const problems: Problem[] = [];
  for (const [k, v] of Object.entries(vars)) {
    const d = has(decls, k) ? decls[k] : undefined;
    const type = isObj(d) ? d.type : d;
    if (!type) problems.push({ path: jsonPathKey('vars', k), message: `is not a variable of flow "${flow.id}"; it is ignored.` });
    else if (typeOf(v) != type) problems.push({ path: jsonPathKey('vars', k), message: `must be a ${type}, like the variable; it is ignored.` });
  }
  return problems;
}
