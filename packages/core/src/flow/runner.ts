import type { LocalizedText } from '../types';
import type { Flow, FlowEnv, FlowInput, FlowNode, FlowOption, FlowRunner, FlowState, FlowTurn, FlowWait } from './types';
import { canonicalJson, fillFlowTemplate, readFlowPath, hashFlowText, matchFlowPattern, pickFlowText, testFlowCondition } from './text';
import { rolloutBucket } from './trigger';
import { has } from './validate';

/** Nodes one turn may pass through before the guard stops a runaway flow. */
export const FLOW_MAX_STEPS = 100;

const WORDS: Record<string, string[]> = {
  en: ["That doesn't look right. Please try again.", 'This conversation was updated, so we are starting again.', 'Please pick one of the options.'],
  ja: ['入力内容をご確認のうえ、もう一度お試しください。', 'ご案内の内容が更新されたため、最初からご案内します。', '選択肢からお選びください。'],
};

const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v == 'object' && !Array.isArray(v);
const typeOf = (v: unknown) => (Array.isArray(v) ? 'list' : typeof v);
const clone = (v: unknown) => (v === undefined ? v : JSON.parse(JSON.stringify(v)));
const declType = (d: unknown) => (isObj(d) ? d.type : d);

type InputNode = Extract<FlowNode, { type: 'input' }>;

/** Reads a typed answer from free text, or undefined when it does not pass the node's rules. */
export function readFlowAnswer(node: InputNode, raw: string): string | number | undefined {
  const s = raw.normalize('NFKC').trim().slice(0, 1000);
  const len = [...s].length;
  if (!s || len < (node.minLength ?? 0) || len > (node.maxLength ?? 1000)) return;
  if (node.pattern && !matchFlowPattern(node.pattern, s)) return;
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
  return raw.trim().slice(0, node.maxLength ?? 1000);
}

/**
 * Runs a validated flow as a step machine: input and state in, messages, actions and what to
 * wait for out. Pure: it performs nothing itself, so it can be replayed and tested anywhere.
 */
export function createFlowRunner(flow: Flow, env: FlowEnv, saved?: FlowState): FlowRunner {
  const hash = hashFlowText(canonicalJson(flow));
  const nodeHash = (id: string | null) => (id && flow.nodes[id] ? hashFlowText(canonicalJson(flow.nodes[id])) : '');
  const now = env.now ?? Date.now;
  const words = WORDS[env.locale] ?? WORDS.en;
  const decls = flow.variables ?? {};
  const fresh = (seed = env.seed ?? parseInt(hashFlowText(env.bucketKey), 16)): FlowState => {
    const vars: Record<string, unknown> = {};
    for (const [k, d] of Object.entries(decls)) if (isObj(d) && 'default' in d) vars[k] = clone(d.default);
    return { flowId: flow.id, hash, nodeHash: '', cursor: null, vars, retries: 0, seed, done: false };
  };
  const fits = (s: FlowState | undefined): s is FlowState =>
    isObj(s) &&
    s.flowId == flow.id &&
    isObj(s.vars) &&
    typeof s.retries == 'number' &&
    (s.cursor == null || has(flow.nodes, s.cursor)) &&
    (s.hash == hash ||
      (!!s.cursor &&
        s.nodeHash == nodeHash(s.cursor) &&
        Object.entries(s.vars).every(([k, v]) => k in decls && typeOf(v) == declType(decls[k]))));
  let restarted = false;
  let st: FlowState;
  if (fits(saved)) st = { ...clone(saved), hash, nodeHash: nodeHash(saved.cursor) };
  else (restarted = !!saved), (st = fresh());
  let notice = restarted;

  const scope = () => ({ vars: st.vars, user: env.user, context: env.context });
  const text = (t: LocalizedText | undefined, md?: boolean) => fillFlowTemplate(pickFlowText(t, env.locale), scope(), md);
  const newTurn = (): FlowTurn => ({ messages: [], actions: [], wait: null, done: false });
  const say = (turn: FlowTurn, t: LocalizedText | undefined, delayMs?: number) =>
    t != null && turn.messages.push(delayMs ? { text: text(t, true), delayMs } : { text: text(t, true) });
  const finish = (turn: FlowTurn) => {
    st.cursor = null;
    st.done = turn.done = true;
    return turn;
  };
  const options = (node: Extract<FlowNode, { type: 'choice' }>): FlowOption[] => {
    if (node.options) return node.options.map((o) => ({ id: o.id, label: text(o.label) }));
    const list = st.vars[node.optionsFrom?.var ?? ''];
    return (Array.isArray(list) ? list : []).slice(0, 50).map((x) =>
      isObj(x) ? { id: String(x.id), label: String(x.label ?? x.id) } : { id: String(x), label: String(x) },
    );
  };

  /** The wait for the node at the cursor; `enter` also says its text and asks for its action. */
  const present = (id: string, turn: FlowTurn, enter: boolean, error?: string): FlowTurn => {
    const node = flow.nodes[id] as Extract<FlowNode, { allowHuman?: boolean }>;
    const base = { node: id, allowHuman: node.allowHuman !== false, ...(error ? { error } : {}) };
    let wait: FlowWait;
    if (enter && node.type != 'search') say(turn, (node as { text?: LocalizedText }).text);
    if (node.type == 'choice') wait = { ...base, kind: 'choice', options: options(node) };
    else if (node.type == 'input') wait = { ...base, kind: 'input', input: node.input, ...(node.placeholder ? { placeholder: text(node.placeholder) } : {}) };
    else if (node.type == 'survey') {
      wait = { ...base, kind: 'survey', scale: node.scale };
      if (enter) turn.actions.push({ type: 'survey', scale: node.scale });
    } else if (node.type == 'search') {
      const query = text(node.query);
      wait = { ...base, kind: 'search', query };
      turn.actions.push({ type: 'search', query });
    } else {
      if (enter) st.until = now() + node.ms;
      wait = { ...base, kind: 'delay', ms: Math.max(0, (st.until ?? 0) - now()) };
    }
    st.cursor = id;
    st.nodeHash = nodeHash(id);
    turn.wait = wait;
    return turn;
  };

  const run = (id: string | undefined, turn: FlowTurn): FlowTurn => {
    for (let steps = 0; id !== undefined; steps++) {
      const node = flow.nodes[id];
      if (!node) break;
      if (steps >= FLOW_MAX_STEPS) {
        turn.error = `Flow "${flow.id}" passed ${FLOW_MAX_STEPS} nodes without waiting (at "${id}"); it was stopped.`;
        break;
      }
      const t = node.type;
      if (t == 'choice' || t == 'input' || t == 'survey' || t == 'search' || t == 'delay') return present(id, turn, true);
      if (t == 'message') say(turn, node.text, node.delayMs);
      if (t == 'handoff' || t == 'end') say(turn, node.text);
      if (t == 'end') break;
      if (t == 'set')
        for (const op of node.ops) {
          const cur = st.vars[op.var];
          const v = op.op == 'copy' ? clone(readFlowPath(scope(), op.from!)) : op.value;
          if (op.op == 'set' || op.op == 'copy') st.vars[op.var] = v;
          else if (op.op == 'add') st.vars[op.var] = (typeof cur == 'number' ? cur : 0) + (v as number);
          else if (op.op == 'append') st.vars[op.var] = [...(Array.isArray(cur) ? cur : []), v].slice(-100);
          else if (op.op == 'remove') st.vars[op.var] = (Array.isArray(cur) ? cur : []).filter((x) => x !== v);
          else delete st.vars[op.var];
        }
      if (t == 'handoff')
        turn.actions.push({
          type: 'handoff',
          ...(node.note ? { note: text(node.note) } : {}),
          ...(node.hints ? { hints: node.hints } : {}),
          answers: { ...st.vars },
        });
      if (t == 'callback') {
        const data: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(node.data ?? {})) data[k] = typeof v == 'string' ? text(v) : v;
        turn.actions.push({ type: 'callback', name: node.name, data });
      }
      if (t == 'split') {
        const b = rolloutBucket(env.bucketKey || String(st.seed), `${flow.id}:${id}`);
        let sum = 0;
        id = (node.branches.find((x) => b < (sum += x.percent)) ?? node.branches[node.branches.length - 1]).next;
      } else
        id =
          t == 'condition'
            ? testFlowCondition(node.when, scope())
              ? node.then
              : node.else
            : t == 'goto'
              ? node.target
              : (node as { next?: string }).next;
    }
    return finish(turn);
  };

  const reply = (input: FlowInput): FlowTurn => {
    const turn = newTurn();
    const id = st.cursor;
    const node = id != null && flow.nodes[id];
    if (!node || st.done) return { ...turn, done: st.done };
    const again = (error?: string) => present(id!, turn, false, error);
    let next: string | undefined;
    if (node.type == 'choice') {
      const opts = options(node);
      const said = input.type == 'text' ? input.value.trim().toLowerCase() : '';
      const pick = opts.find((o) => (input.type == 'choice' ? o.id === input.id : said && (o.label.toLowerCase() == said || o.id == said)));
      if (!pick) return again(words[2]);
      if (node.save) st.vars[node.save] = pick.id;
      next = node.options ? node.options.find((o) => o.id == pick.id)!.next : node.optionsFrom!.next;
    } else if (node.type == 'input') {
      if (input.type != 'text') return again();
      const value = readFlowAnswer(node, input.value);
      if (value !== undefined) (st.vars[node.save] = value), (next = node.next);
      else if (st.retries < (node.maxRetries ?? 2)) {
        st.retries++;
        const why = text(node.retryText ?? words[0], true);
        turn.messages.push({ text: why });
        return again(why);
      } else next = node.exhausted;
    } else if (node.type == 'search') {
      if (input.type != 'search-result') return again();
      if (node.save) st.vars[node.save] = (input.articleIds || []).slice(0, 20).map(String);
      next = input.found ? node.found : node.notFound;
    } else if (node.type == 'survey') {
      const max = node.scale == 'csat' ? 5 : 7;
      if (input.type == 'survey') {
        if (!Number.isInteger(input.score) || input.score < 1 || input.score > max) return again();
        if (node.save) st.vars[node.save] = input.score;
      } else if (input.type != 'text') return again();
      next = node.next;
    } else if (node.type == 'delay') {
      if (input.type != 'timer') return again();
      next = node.next;
      delete st.until;
    } else return again();
    st.retries = 0;
    return run(next, turn);
  };

  return {
    start() {
      const turn = newTurn();
      if (notice) turn.messages.push({ text: words[1] }), (notice = false);
      if (st.cursor && !st.done && flow.nodes[st.cursor]) return present(st.cursor, turn, false);
      st = fresh(st.seed);
      return run(flow.start, turn);
    },
    reply,
    get state() {
      return clone(st) as FlowState;
    },
    get restarted() {
      return restarted;
    },
  };
}
