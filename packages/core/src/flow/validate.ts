import type { Problem } from '../types';
import type { Flow } from './types';
import { checkFlowPattern, has, isObj, typeOf } from './text';

/**
 * One list of field rules drives the checks and their messages, and mirrors
 * schema/flow.schema.json. `name:kind`, `?` marks an optional field. Kinds: t text (string or
 * per-locale map), n node id, N number, I whole number ≥ 0, b boolean, s string, V string or
 * number, u string or strings, e/a/b one of, v variable (`v.list` of that type), x regular
 * expression, c condition, d object, M nodes, L list, a anything; and the objects in SUB.
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
const LEVEL = 'e/low/medium/high?';
/** Nested objects: [fields, what the message calls one]; o, r and p are non-empty lists of them. */
const SUB: Record<string, [string, string]> = {
  g: [FLOW_TRIGGER_FIELDS, 'a trigger'],
  h: [`complexity:${LEVEL} severity:${LEVEL} effort:${LEVEL} reason:s? tags:u?`, 'triage hints'],
  f: ['var:v.list next:n', '"optionsFrom"'],
  o: ['id:s label:t next:n', 'an option'],
  r: ['percent:N next:n', 'a branch'],
  p: ['var:v op:e/set/copy/add/append/remove/clear value:a? from:s?', 'a set operation'],
};
/** A condition leaf: `{ "var": path, <op>: value }`, the value's kind as for fields. */
const LEAF = rules('eq:a ne:a gt:N gte:N lt:N lte:N contains:a matches:x exists:b in:L');
const VAR_TYPES = 'e/string/number/boolean/list';
const MAX_NODES = 1000;
const OBJ = 'must be an object.';
const COND = 'must be { "var": …, <one of eq ne gt gte lt lte contains matches exists in>: … }, { "all" or "any": […] } or { "not": … }.';

function rules(spec: string) {
  return spec.split(' ').map((f) => {
    const [k, r] = f.split(':');
    return [k, r.replace('?', ''), r.endsWith('?')] as const;
  });
}

/** `$.nodes.ask` or `$.nodes["odd key"]`. */
const jsonPathKey = (p: string, k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `${p}.${k}` : `${p}[${JSON.stringify(k)}]`);

/** The named exits of a node: `[exit name, target node id]`. */
export function flowExits(node: unknown): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (name: string, x: unknown) => isObj(x) && typeof x.next == 'string' && out.push([name, x.next]);
  if (isObj(node)) {
    for (const [k, kind] of rules(has(FLOW_NODE_FIELDS, node.type) ? FLOW_NODE_FIELDS[node.type] : 'x:x')) if (kind == 'n' && typeof node[k] == 'string') out.push([k, node[k]]);
    for (const [i, x] of (Array.isArray(node.options) ? node.options : []).entries()) add(String(x?.id ?? i), x);
    for (const x of Array.isArray(node.branches) ? node.branches : []) add(`${x?.percent}%`, x);
    add('list', node.optionsFrom);
  }
  return out;
}

/** Names every key that appears twice in one object of valid JSON text (JSON.parse keeps the last). */
function duplicateKeys(src: string, err: (path: string, message: string) => void) {
  const stack: Array<{ p: string; keys?: Set<string>; key?: string; i: number }> = [];
  for (const [t, colon] of src.matchAll(/"(?:[^"\\]|\\.)*"(\s*:)?|[{}[\],]/g)) {
    const top = stack[stack.length - 1];
    if (colon) {
      const key = (top.key = JSON.parse(t.slice(0, t.lastIndexOf('"') + 1)) as string);
      if (top.keys!.has(key)) err(jsonPathKey(top.p, key), `"${key}" is defined twice; only the last one counts.`);
      top.keys!.add(key);
    } else if (t == '{' || t == '[')
      stack.push({ p: !top ? '$' : top.keys ? jsonPathKey(top.p, top.key!) : `${top.p}[${top.i}]`, keys: t == '{' ? new Set() : undefined, i: 0 });
    else if (t == ',') top.i++;
    else if (t[0] != '"') stack.pop();
  }
}

/**
 * Checks a flow (parsed JSON, or its text to also catch duplicate keys). Reports every problem
 * with its JSON path and a plain reason; `flow` is set only when there are no errors. Never throws.
 */
export function validateFlow(json: unknown): { flow?: Flow; errors: Problem[]; warnings: Problem[] } {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const result = () => (errors.length ? { errors, warnings } : { flow: json as Flow, errors, warnings });
  const err = (path: string, message: string) => errors.push({ path, message });
  const warn = (path: string, message: string) => warnings.push({ path, message });
  if (typeof json == 'string')
    try {
      const text = json;
      json = JSON.parse(text);
      duplicateKeys(text, err);
    } catch (e) {
      err('$', `This is not valid JSON: ${(e as Error).message}`);
      return result();
    }
  if (!isObj(json)) return err('$', OBJ), result();
  const f = json;
  const nodes = isObj(f.nodes) ? f.nodes : {};
  const ids = Object.keys(nodes);
  const vars: Record<string, string> = {};
  const locales = [f.locale ?? []].flat().filter((l) => typeof l == 'string');

  const checkVar = (v: unknown, p: string, want?: string) =>
    !has(vars, v)
      ? err(p, `"${v}" is not declared in "variables".`)
      : want && vars[v as string] != want && err(p, `needs a ${want} variable, but "${v}" is declared as ${vars[v as string]}.`);
  /** Checks a value path; `want` is the type the use needs, if any. */
  const checkPath = (path: unknown, p: string, want?: string) => {
    const [root, name, ...rest] = typeof path == 'string' ? path.split('.') : [];
    if (root == 'vars') checkVar((path as string).slice(5), p, want);
    else if (root == 'user' ? !/^(id|name|email|attributes)$/.test(name) || (name != 'attributes' && rest.length) : root != 'context' || !name)
      err(p, 'must be a path: vars.…, user.id, user.name, user.email, user.attributes.… or context.….');
  };
  const checkText = (v: unknown, p: string) => {
    const map = isObj(v);
    const texts: Array<[string, unknown]> = map ? Object.entries(v) : [['', v]];
    if (!texts.length || (!map && typeof v != 'string')) return err(p, 'must be text, or text per locale: { "en": "…" }.');
    for (const [l, s] of texts) {
      const tp = map ? jsonPathKey(p, l) : p;
      if (typeof s != 'string') err(tp, 'must be a string.');
      else for (const m of s.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) checkPath(m[1], tp);
    }
    if (map) for (const l of locales) has(v, l) || warn(p, `has no "${l}" text.`);
  };
  const checkCond = (c: unknown, p: string, depth = 0): unknown => {
    const keys = isObj(c) ? Object.keys(c) : [];
    const op = keys.find((k) => k != 'var')!;
    const v = isObj(c) && c[op];
    const vp = `${p}.${op}`;
    const leaf = LEAF.find((r) => r[0] == op);
    if (keys.includes('var') ? keys.length != 2 || !leaf : keys.length != 1 || !/^(all|any|not)$/.test(op) || depth > 20) return err(p, COND);
    if (op == 'not') return checkCond(v, vp, depth + 1);
    if (!leaf) return Array.isArray(v) ? v.forEach((x, i) => checkCond(x, `${vp}[${i}]`, depth + 1)) : err(vp, 'must be a list.');
    const kind = leaf[1];
    checkPath((c as any).var, `${p}.var`, kind == 'N' ? 'number' : kind == 'x' ? 'string' : /^(eq|ne)$/.test(op) && v != null ? typeOf(v) : '');
    checkValue(c as object, op, kind, vp);
  };

  /** Checks one field's value against its kind. */
  const checkValue = (o: Record<string, any>, k: string, kind: string, fp: string) => {
    const v = o[k];
    const bad = (m: string) => err(fp, m);
    const k0 = kind[0];
    const sub = SUB[k0];
    if (sub) {
      const list = 'orp'.includes(k0);
      const seen = new Set();
      if (list && (!Array.isArray(v) || !v.length)) return bad('must be a non-empty list.');
      (list ? v : [v]).forEach((x: any, i: number) => {
        const ip = list ? `${fp}[${i}]` : fp;
        if (!isObj(x)) return err(ip, OBJ);
        checkFields(x, sub[0], ip, sub[1]);
        if (k0 == 'o') seen.has(x.id) ? err(`${ip}.id`, `"${x.id}" is used twice.`) : seen.add(x.id);
        if (k0 == 'p')
          if (x.op == 'copy') checkPath(x.from, `${ip}.from`);
          else if (!('value' in x)) /^(set|add|append|remove)$/.test(x.op) && err(ip, `"${x.op}" needs a "value".`);
          else if ((x.op == 'add' && typeof x.value != 'number') || (x.op == 'set' && has(vars, x.var) && typeOf(x.value) != vars[x.var]))
            err(`${ip}.value`, `must be a ${x.op == 'add' ? 'number' : vars[x.var]}, like the variable.`);
      });
      if (k0 == 'r' && v.reduce((s: number, b: any) => s + (b?.percent || 0), 0) != 100) bad('must add up to 100 percent.');
    } else if (k0 == 't') checkText(v, fp);
    else if (k0 == 'n') typeof v == 'string' && has(nodes, v) || bad(`points to "${v}", which is not a node in this flow.`);
    else if (k0 == 'N') typeof v == 'number' && isFinite(v) || bad('must be a number.');
    else if (k0 == 'I') Number.isInteger(v) && v >= 0 || bad('must be a whole number, 0 or more.');
    else if (k0 == 'b') typeof v == 'boolean' || bad('must be true or false.');
    else if (k0 == 's') typeof v == 'string' && v || bad('must be a non-empty string.');
    else if (k0 == 'V') typeof v == 'string' || typeof v == 'number' || bad('must be a string or a number.');
    else if (k0 == 'u') [v].flat().every((x) => typeof x == 'string') || bad('must be a string or a list of strings.');
    else if (k0 == 'e') kind.split('/').includes(v) || bad(`must be one of: ${kind.slice(2).replace(/\//g, ', ')}.`);
    else if (k0 == 'v') checkVar(v, fp, kind.slice(2) || (o.type == 'input' ? (o.input == 'number' ? 'number' : 'string') : o.op == 'add' ? 'number' : /^(append|remove)$/.test(o.op) ? 'list' : ''));
    else if (k0 == 'x') checkFlowPattern(v) && bad(checkFlowPattern(v));
    else if (k0 == 'c') checkCond(v, fp);
    else if (k0 == 'd') isObj(v) || bad(OBJ);
    else if (k0 == 'M') isObj(v) && ids.length || bad('needs at least one node.');
    else if (k0 == 'L') Array.isArray(v) || bad('must be a list.');
  };

  /** Checks an object against a field spec: unknown, missing and mistyped fields. */
  const checkFields = (o: Record<string, any>, spec: string, p: string, what: string) => {
    const rs = rules(spec);
    for (const k of Object.keys(o)) k[0] == '$' || k == 'type' || rs.some((r) => r[0] == k) || err(jsonPathKey(p, k), `is not a field of ${what}.`);
    for (const [k, kind, optional] of rs)
      if (o[k] !== undefined) checkValue(o, k, kind, jsonPathKey(p, k));
      else if (!optional)
        err(jsonPathKey(p, k), `${what} needs "${k}"${k == 'exhausted' ? ': the node to go to when the retries run out' : ''}.`);
  };

  if (isObj(f.variables))
    for (const [name, d] of Object.entries(f.variables)) {
      const p = jsonPathKey('$.variables', name);
      const decl = isObj(d) ? d : { type: d };
      const n = errors.length;
      checkValue(decl, 'type', VAR_TYPES, p);
      if (errors.length == n && 'default' in decl && typeOf(decl.default) != decl.type) err(`${p}.default`, `must be a ${decl.type}, like the variable.`);
      vars[name] = decl.type;
    }
  checkFields(f, '$schema:s? id:s version:V locale:u? start:n variables:d? trigger:g? nodes:M', '$', 'a flow');
  for (const id of ids) {
    const node = nodes[id];
    const p = jsonPathKey('$.nodes', id);
    if (!/^[A-Za-z][\w-]{0,63}$/.test(id)) err(p, 'An id is a letter, then up to 63 letters, digits, - or _.');
    if (!isObj(node)) err(p, OBJ);
    else if (!has(FLOW_NODE_FIELDS, node.type)) checkValue(node, 'type', 'e/' + Object.keys(FLOW_NODE_FIELDS).join('/'), `${p}.type`);
    else {
      checkFields(node, FLOW_NODE_FIELDS[node.type], p, `a ${node.type} node`);
      if (node.type == 'choice' && !node.options == !node.optionsFrom) err(p, 'needs "options" or "optionsFrom" (one, not both).');
      if (node.allowHuman === false) warn(`${p}.allowHuman`, 'hides "Talk to a person": people stuck here cannot reach anyone.');
    }
  }

  // Reachability from start, then loops that never wait for the user.
  if (ids.length > MAX_NODES) return err('$.nodes', `has over ${MAX_NODES} nodes; split the flow.`), result();
  const seen = new Set<string>();
  const reach = (id: string): unknown => has(nodes, id) && !seen.has(id) && (seen.add(id), flowExits(nodes[id]).forEach((e) => reach(e[1])));
  reach(f.start);
  const state: Record<string, number> = {};
  const stack: string[] = [];
  const loop = (id: string): unknown => {
    const node = nodes[id];
    if (state[id] == 2 || /^(choice|input|survey)$/.test(node?.type)) return;
    if (state[id]) return err(jsonPathKey('$.nodes', id), `loops ${[...stack.slice(stack.indexOf(id)), id].join(' → ')} without waiting for the user; add a choice, input or survey.`);
    state[id] = 1;
    stack.push(id);
    for (const [, t] of flowExits(node)) has(nodes, t) && loop(t);
    stack.pop();
    state[id] = 2;
  };
  for (const id of ids) {
    if (seen.size && !seen.has(id)) err(jsonPathKey('$.nodes', id), 'cannot be reached from "start"; link to it or remove it.');
    loop(id);
  }
  return result();
}
