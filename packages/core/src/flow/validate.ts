import type { Problem } from '../types';
import type { Flow, FlowNode } from './types';
import { checkFlowPattern } from './text';

/**
 * One list of field rules drives the checks and their messages, and mirrors
 * schema/flow.schema.json. `name:kind`, `?` marks an optional field. Kinds: t text (string or
 * per-locale map), n node id, N number, I whole number ≥ 0, b boolean, s string,
 * v variable (`v.list` of that type), e/a/b one of, u string or strings, and the structured
 * o options, f optionsFrom, c condition, p set operations, r split branches, h triage hints,
 * d data, x regular expression.
 */
export const FLOW_NODE_FIELDS: Record<string, string> = {
  message: 'text:t delayMs:I? next:n?',
  choice: 'text:t? options:o? optionsFrom:f? save:v.string? allowHuman:b?',
  input:
    'text:t input:e/text/email/phone/number/date save:v placeholder:t? min:N? max:N? minLength:I? maxLength:I? pattern:x? retryText:t? maxRetries:I? allowHuman:b? next:n exhausted:n',
  condition: 'when:c then:n else:n',
  set: 'ops:p next:n',
  goto: 'target:n',
  search: 'query:t save:v.list? allowHuman:b? found:n notFound:n',
  handoff: 'text:t? note:t? hints:h? next:n?',
  survey: 'scale:e/csat/ces text:t? save:v.number? allowHuman:b? next:n?',
  delay: 'ms:I allowHuman:b? next:n',
  split: 'branches:r',
  callback: 'name:s data:d? next:n?',
  end: 'text:t?',
};
export const FLOW_TRIGGER_FIELDS =
  'url:u? event:s? timeOnPageMs:I? visitor:e/new/returning? minVisits:I? plan:u? when:c? rollout:N? frequency:e/always/once-per-user/once-per-session?';
const ROOT_FIELDS = '$schema:s? id:s version:V locale:u? start:n variables:D? trigger:g? nodes:M';
const MAX_NODES = 1000;
const WAITS_FOR_USER = ['choice', 'input', 'survey'];
const LEVEL = 'e/low/medium/high?';
const HINT_FIELDS = `complexity:${LEVEL} severity:${LEVEL} effort:${LEVEL} reason:s? tags:u?`;
const VAR_TYPES = ['string', 'number', 'boolean', 'list'];
const OPS = ['set', 'copy', 'add', 'append', 'remove', 'clear'];
const COND_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'matches', 'exists', 'in'];

const rules = (spec: string) =>
  spec.split(' ').map((f) => {
    const [k, r] = f.split(':');
    return [k, r.replace('?', ''), r.endsWith('?')] as const;
  });

const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v == 'object' && !Array.isArray(v);
export const has = (o: object, k: unknown): boolean => typeof k == 'string' && Object.prototype.hasOwnProperty.call(o, k);
const typeOf = (v: unknown) => (Array.isArray(v) ? 'list' : typeof v);
/** `$.nodes.ask` or `$.nodes["odd key"]`. */
export const jsonPathKey = (p: string, k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `${p}.${k}` : `${p}[${JSON.stringify(k)}]`);

/** The named exits of a node: `[exit name, target node id]`. */
export function flowExits(node: unknown): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (!isObj(node)) return out;
  for (const [k, kind] of rules(has(FLOW_NODE_FIELDS, node.type) ? FLOW_NODE_FIELDS[node.type] : 'x:x'))
    if (kind == 'n' && typeof node[k] == 'string') out.push([k, node[k]]);
  const list = (a: unknown, label: (x: any, i: number) => string) =>
    Array.isArray(a) && a.forEach((x, i) => isObj(x) && typeof x.next == 'string' && out.push([label(x, i), x.next]));
  list(node.options, (x, i) => String(x.id ?? i));
  list(node.branches, (x) => `${x.percent}%`);
  if (isObj(node.optionsFrom) && typeof node.optionsFrom.next == 'string') out.push(['list', node.optionsFrom.next]);
  return out;
}

/** Names every key that appears twice in one object of the JSON text (JSON.parse keeps the last). */
function duplicateKeys(src: string, report: (path: string, message: string) => void) {
  type Frame = { path: string; keys?: Set<string>; key?: string; i: number; expectKey?: boolean };
  const stack: Frame[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    const top = stack[stack.length - 1];
    if (c == '"') {
      let j = i + 1;
      while (src[j] != '"') j += src[j] == '\\' ? 2 : 1;
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(src.slice(i, j + 1)) as string;
        if (top.keys.has(key)) report(jsonPathKey(top.path, key), `"${key}" is defined twice here; JSON keeps only the last one, so rename or remove one.`);
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = j;
    } else if (c == '{' || c == '[') {
      const path = !top ? '$' : top.keys ? jsonPathKey(top.path, top.key!) : `${top.path}[${top.i}]`;
      stack.push({ path, keys: c == '{' ? new Set() : undefined, i: 0, expectKey: true });
    } else if (c == '}' || c == ']') stack.pop();
    else if (c == ',' && top) top.keys ? (top.expectKey = true) : top.i++;
  }
}

/**
 * Checks a flow (parsed JSON, or its text to also catch duplicate keys). Reports every problem
 * with its JSON path and a plain reason; `flow` is set only when there are no errors. Never throws.
 */
export function validateFlow(json: unknown): { flow?: Flow; errors: Problem[]; warnings: Problem[] } {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });
  const warn = (path: string, message: string) => warnings.push({ path, message });
  if (typeof json == 'string') {
    try {
      const text = json;
      json = JSON.parse(text);
      duplicateKeys(text, err);
    } catch (e) {
      err('$', `This is not valid JSON: ${(e as Error).message}`);
      return { errors, warnings };
    }
  }
  if (!isObj(json)) {
    err('$', 'A flow must be a JSON object with "id", "version", "start" and "nodes".');
    return { errors, warnings };
  }
  const f = json;
  const nodes = isObj(f.nodes) ? f.nodes : {};
  const vars: Record<string, string> = {};
  const locales = ([] as unknown[]).concat(f.locale ?? []).filter((l) => typeof l == 'string') as string[];
  if (isObj(f.variables))
    for (const [name, d] of Object.entries(f.variables)) {
      const t = isObj(d) ? d.type : d;
      const p = jsonPathKey('$.variables', name);
      if (!VAR_TYPES.includes(t)) err(p, `must be one of ${VAR_TYPES.join(', ')} (or { "type": …, "default": … }).`);
      else if (isObj(d) && 'default' in d && typeOf(d.default) != t) err(`${p}.default`, `must be a ${t}, like the variable.`);
      vars[name] = t;
    }

  /** Checks a value path; `want` is the type the use needs, if any. */
  const checkPath = (path: unknown, p: string, want?: string) => {
    if (typeof path != 'string') return err(p, 'must be a path like "vars.email", "user.name" or "context.page.title".');
    const [root, name, ...rest] = path.split('.');
    if (root == 'vars') {
      if (!has(vars, name) || rest.length) err(p, `uses "${path}", but no variable "${name}" is declared in "variables".`);
      else if (want && vars[name] != want) err(p, `needs a ${want} variable, but "${name}" is declared as ${vars[name]}.`);
    } else if (root == 'user' ? !['id', 'name', 'email', 'attributes'].includes(name) || (name != 'attributes' && rest.length) : root != 'context' || !name)
      err(p, `"${path}" is not something a flow can read: use vars.…, user.id / name / email / attributes.…, or context.….`);
  };
  const checkText = (v: unknown, p: string) => {
    const texts = typeof v == 'string' ? [[p, v]] : isObj(v) && Object.keys(v).length ? Object.entries(v).map(([l, s]) => [jsonPathKey(p, l), s]) : [];
    if (!texts.length) return err(p, 'must be text: a string, or one string per locale like { "en": "…", "ja": "…" }.');
    for (const [tp, s] of texts)
      if (typeof s != 'string') err(tp, 'must be a string.');
      else for (const m of s.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) checkPath(m[1], tp);
    if (isObj(v)) for (const l of locales) if (!(l in v)) warn(p, `has no "${l}" text; people using ${l} will see another language.`);
  };
  const checkCond = (c: unknown, p: string, depth = 0): unknown => {
    if (!isObj(c) || depth > 20) return err(p, 'must be a condition like { "var": "vars.plan", "eq": "vip" }, or { "all" | "any": [...] }, or { "not": … }.');
    const keys = Object.keys(c);
    for (const k of ['all', 'any'])
      if (k in c)
        return keys.length > 1 || !Array.isArray(c[k])
          ? err(p, `"${k}" must be the only key, holding a list of conditions.`)
          : c[k].forEach((x: unknown, i: number) => checkCond(x, `${p}.${k}[${i}]`, depth + 1));
    if ('not' in c) return keys.length > 1 ? err(p, '"not" must be the only key.') : checkCond(c.not, `${p}.not`, depth + 1);
    const ops = keys.filter((k) => k != 'var');
    if (ops.length != 1 || !COND_OPS.includes(ops[0]) || !('var' in c))
      return err(p, `needs "var" and exactly one of ${COND_OPS.join(', ')}.`);
    const op = ops[0];
    const v = c[op];
    const vp = `${p}.${op}`;
    const want = /^[gl]te?$/.test(op) ? 'number' : op == 'matches' ? 'string' : op == 'eq' || op == 'ne' ? (v == null ? undefined : typeOf(v)) : undefined;
    checkPath(c.var, `${p}.var`, want);
    if (/^[gl]te?$/.test(op) && typeof v != 'number') err(vp, 'must be a number.');
    const why = op == 'matches' && checkFlowPattern(v);
    if (why) err(vp, why);
    if (op == 'exists' && typeof v != 'boolean') err(vp, 'must be true or false.');
    if (op == 'in' && !Array.isArray(v)) err(vp, 'must be a list of values.');
  };
  const checkVar = (v: unknown, p: string, want?: string) =>
    typeof v == 'string' && has(vars, v)
      ? want && vars[v] != want && err(p, `needs a ${want} variable, but "${v}" is declared as ${vars[v]}.`)
      : err(p, `"${String(v)}" is not declared in "variables".`);

  /** Checks an object against a field spec; `node` gives special kinds their context. */
  const checkFields = (o: Record<string, any>, spec: string, p: string, what: string) => {
    const rs = rules(spec);
    for (const k of Object.keys(o))
      if (k[0] != '$' && k != 'type' && !rs.some((r) => r[0] == k)) err(jsonPathKey(p, k), `is not a field of ${what}.`);
    for (const [k, kind, optional] of rs) {
      const v = o[k];
      const fp = jsonPathKey(p, k);
      if (v === undefined) {
        if (!optional)
          err(fp, k == 'exhausted' ? `${what} needs "exhausted": the node to go to when the retries run out.` : `${what} needs "${k}".`);
        continue;
      }
      const bad = (m: string) => err(fp, m);
      const k0 = kind[0];
      if (k0 == 't') checkText(v, fp);
      else if (k0 == 'n') typeof v != 'string' || !has(nodes, v) ? bad(`points to "${String(v)}", which is not a node in this flow.`) : 0;
      else if (k0 == 'N') typeof v != 'number' || !isFinite(v) ? bad('must be a number.') : 0;
      else if (k0 == 'I') !Number.isInteger(v) || v < 0 ? bad('must be a whole number, 0 or more.') : 0;
      else if (k0 == 'b') typeof v != 'boolean' ? bad('must be true or false.') : 0;
      else if (k0 == 's') typeof v != 'string' || !v ? bad('must be a non-empty string.') : 0;
      else if (k0 == 'V') typeof v != 'string' && typeof v != 'number' ? bad('must be a string or a number.') : 0;
      else if (k0 == 'u') ([] as unknown[]).concat(v).some((x) => typeof x != 'string') ? bad('must be a string or a list of strings.') : 0;
      else if (k0 == 'e') !kind.split('/').includes(v) ? bad(`must be one of: ${kind.slice(2).split('/').join(', ')}.`) : 0;
      else if (k0 == 'v') checkVar(v, fp, kind.slice(2) || (o.type == 'input' ? (o.input == 'number' ? 'number' : 'string') : ''));
      else if (k0 == 'x') checkFlowPattern(v) && bad(checkFlowPattern(v));
      else if (k0 == 'a' || k0 == 'f') 0;
      else if (k0 == 'c') checkCond(v, fp);
      else if (k0 == 'h') isObj(v) ? checkFields(v, HINT_FIELDS, fp, 'triage hints') : bad('must be an object.');
      else if (k0 == 'g') isObj(v) ? checkFields(v, FLOW_TRIGGER_FIELDS, fp, 'a trigger') : bad('must be an object.');
      else if (k0 == 'd' || k0 == 'D') !isObj(v) ? bad('must be an object.') : 0;
      else if (k0 == 'M') !isObj(v) || !Object.keys(v).length ? bad('must be an object of nodes keyed by id, with at least one node.') : 0;
      else if (!Array.isArray(v) || !v.length) bad('must be a non-empty list.');
      else
        v.forEach((x: unknown, i: number) => {
          const ip = `${fp}[${i}]`;
          if (!isObj(x)) return err(ip, 'must be an object.');
          if (k0 == 'o') checkFields(x, 'id:s label:t next:n', ip, 'an option');
          if (k0 == 'r') checkFields(x, 'percent:N next:n', ip, 'a branch');
          if (k0 == 'p') {
            checkFields(x, 'var:s op:s value:a? from:s?', ip, 'a set operation');
            if (!OPS.includes(x.op)) return err(`${ip}.op`, `must be one of: ${OPS.join(', ')}.`);
            const want = x.op == 'add' ? 'number' : x.op == 'append' || x.op == 'remove' ? 'list' : '';
            checkVar(x.var, `${ip}.var`, want);
            if (x.op == 'copy') checkPath(x.from, `${ip}.from`);
            else if (x.op != 'clear' && !('value' in x)) err(ip, `"${x.op}" needs a "value".`);
            else if ((x.op == 'add' && typeof x.value != 'number') || (x.op == 'set' && has(vars, x.var) && typeOf(x.value) != vars[x.var]))
              err(`${ip}.value`, `must be a ${x.op == 'add' ? 'number' : vars[x.var]}, like the variable.`);
          }
        });
    }
  };

  checkFields(f, ROOT_FIELDS, '$', 'a flow');
  for (const [id, node] of Object.entries(nodes)) {
    const p = jsonPathKey('$.nodes', id);
    if (!/^[A-Za-z][\w-]{0,63}$/.test(id)) err(p, 'A node id must start with a letter and use only letters, digits, "-" and "_" (64 at most).');
    if (!isObj(node) || !has(FLOW_NODE_FIELDS, node.type)) {
      err(isObj(node) ? `${p}.type` : p, `must be a node with "type" one of: ${Object.keys(FLOW_NODE_FIELDS).join(', ')}.`);
      continue;
    }
    checkFields(node, FLOW_NODE_FIELDS[node.type], p, `a ${node.type} node`);
    const n = node as FlowNode & Record<string, any>;
    if (n.type == 'choice') {
      if (!n.options == !n.optionsFrom) err(p, 'A choice needs either "options" or "optionsFrom" (one of them).');
      if (isObj(n.optionsFrom)) {
        checkFields(n.optionsFrom, 'var:v.list next:n', `${p}.optionsFrom`, '"optionsFrom"');
      } else if (n.optionsFrom !== undefined) err(`${p}.optionsFrom`, 'must be { "var": "<list variable>", "next": "<node>" }.');
      const seen = new Set();
      if (Array.isArray(n.options))
        n.options.forEach((o: any, i: number) => {
          if (seen.has(o?.id)) err(`${p}.options[${i}].id`, `"${o?.id}" is used by another option of this choice.`);
          seen.add(o?.id);
        });
    }
    if (n.type == 'split' && Array.isArray(n.branches) && n.branches.reduce((s: number, b: any) => s + (b?.percent || 0), 0) != 100)
      err(`${p}.branches`, 'The percentages must add up to 100.');
    if (n.allowHuman === false) warn(`${p}.allowHuman`, 'This node hides "Talk to a person": people who are stuck here cannot reach anyone.');
  }

  // Reachability from start, then loops that never wait for the user.
  const ids = Object.keys(nodes);
  if (ids.length > MAX_NODES) {
    err('$.nodes', `has ${ids.length} nodes; a flow may have at most ${MAX_NODES}, so split it into several flows.`);
    return { errors, warnings };
  }
  const seen = new Set<string>();
  const todo = [f.start];
  while (todo.length) {
    const id = todo.pop();
    if (typeof id == 'string' && has(nodes, id) && !seen.has(id)) seen.add(id), todo.push(...flowExits(nodes[id]).map((e) => e[1]));
  }
  if (seen.size)
    for (const id of ids) if (!seen.has(id)) err(jsonPathKey('$.nodes', id), 'cannot be reached from "start"; link to it or remove it.');
  const state: Record<string, number> = {};
  const stack: string[] = [];
  const loop = (id: string): unknown => {
    const node = nodes[id];
    if (state[id] == 2 || !isObj(node) || WAITS_FOR_USER.includes(node.type)) return;
    if (state[id] == 1) {
      const cycle = stack.slice(stack.indexOf(id)).concat(id);
      return err(jsonPathKey('$.nodes', id), `The loop ${cycle.join(' → ')} never waits for the user, so it would run forever; add a choice, input or survey to it.`);
    }
    state[id] = 1;
    stack.push(id);
    for (const [, t] of flowExits(node)) if (has(nodes, t)) loop(t);
    stack.pop();
    state[id] = 2;
  };
  for (const id of ids) loop(id);
  return errors.length ? { errors, warnings } : { flow: json as unknown as Flow, errors, warnings };
}
