import type { Problem } from '../types';
import type { Flow, FlowCondition, FlowNode } from './types';
import { FLOW_LIMITS } from './limits';
import { checkFlowPattern, flowPatternSize } from './pattern-check';
import { clockIn, FLOW_DAYS, has, isObj, jsonPathKey, testFlowCondition, typeOf } from './text';

/** A field rule: name, kind, optional. */
type Rule = readonly [string, string, boolean];
const ruleCache = new Map<string, Rule[]>();

/**
 * One list of field rules drives the checks and their messages, and mirrors
 * schema/flow.schema.json. `name:kind`, `?` marks an optional field. Kinds: t text (string or
 * per-locale map), n node id, N number, I whole number ≥ 0, b boolean, s string, V string or
 * number, P percent 0–100, T milliseconds 100–30000, U URL (https or /path), S {declared variable:
 * string}, W {name: value path}, u string or strings, e/a/b one of, v variable (`v.list` of that type), x regular
 * expression, c condition, d object, M nodes, L list, a anything; and the objects in SUB.
 */
export const FLOW_NODE_FIELDS: Record<string, string> = {
  message: 'text:t delayMs:I? image:i? links:k? cards:q? next:n?',
  choice: 'text:t? options:o? optionsFrom:f? multiple:b? save:v? allowHuman:b? next:n?',
  input:
    'text:t input:e/text/email/phone/number/date save:v placeholder:t? min:N? max:N? minLength:I? maxLength:I? pattern:x? retryText:t? maxRetries:I? allowHuman:b? next:n exhausted:n',
  condition: 'when:c then:n else:n',
  set: 'ops:p next:n',
  goto: 'target:n',
  search: 'query:t save:v.list? allowHuman:b? found:n notFound:n',
  handoff: 'text:t? note:t? hints:h? next:n?',
  survey: 'scale:e/csat/ces/nps text:t? save:v.number? allowHuman:b? next:n?',
  delay: 'ms:I allowHuman:b? next:n',
  split: 'branches:r',
  callback: 'name:s data:d? next:n?',
  request: 'handler:s? url:U? method:e/GET/POST? body:d? timeoutMs:T? save:S? allowHuman:b? ok:n error:n timeout:n',
  flow: 'flow:s in:W? out:S? next:n?',
  end: 'text:t?',
};
export const FLOW_ROOT_FIELDS = '$schema:s? id:s version:V locale:u? start:n variables:d? trigger:g? nodes:M';
export const FLOW_TRIGGER_FIELDS =
  'url:u? event:s? timeOnPageMs:I? visitor:e/new/returning? minVisits:I? plan:u? when:c? rollout:P? frequency:e/always/once-per-user/once-per-session?';
const LEVEL = 'e/low/medium/high?';
/** Nested objects: [fields, what the message calls one]; o, r and p are non-empty lists of them. */
export const FLOW_SUB_FIELDS: Record<string, [string, string]> = {
  g: [FLOW_TRIGGER_FIELDS, 'a trigger'],
  h: [`complexity:${LEVEL} severity:${LEVEL} effort:${LEVEL} reason:s? tags:u?`, 'triage hints'],
  f: ['var:v.list next:n', '"optionsFrom"'],
  o: ['id:s label:t next:n?', 'an option'],
  r: ['percent:P next:n', 'a branch'],
  p: ['var:v op:e/set/copy/add/append/remove/clear value:a? from:s?', 'a set operation'],
  w: ['zone:z days:D? from:m? to:m?', 'office hours'],
  i: ['src:H alt:t', 'an image'],
  k: ['label:t url:U', 'a link'],
  q: ['title:t article:s? url:U? text:t?', 'a card'],
};
/** A condition leaf: `{ "var": path, <op>: value }`, the value's kind as for fields. */
export const FLOW_LEAF_FIELDS = 'eq:a ne:a gt:N gte:N lt:N lte:N contains:a matches:x exists:b in:L withinDays:I hours:w';
const LEAF = rules(FLOW_LEAF_FIELDS);
export const FLOW_VAR_TYPES = 'e/string/number/boolean/list';
const OBJ = 'must be an object.';
const COND = `must be { "var": …, <one of ${LEAF.map((r) => r[0]).join(' ')}>: … }, { "all" or "any": […] } or { "not": … }, each with an optional "$comment".`;

/**
 * The context a flow sees (as the widget gives it): each known path and the type of its value,
 * so a condition on a path that does not exist, or of the wrong type, is caught before it ships.
 */
export const FLOW_CONTEXT: Record<string, string> = {
  'page.url': 'string',
  'page.path': 'string',
  'page.title': 'string',
  'page.referrer': 'string',
  timeOnPageMs: 'number',
  visitCount: 'number',
  returning: 'boolean',
  firstSeen: 'number',
  lastSeen: 'number',
  'device.viewport.width': 'number',
  'device.viewport.height': 'number',
  'device.language': 'string',
  'device.timeZone': 'string',
  'device.platform': 'string',
};
/** Values a context path can only ever take. */
export const FLOW_CONTEXT_VALUES: Record<string, unknown[]> = { 'device.platform': ['mobile', 'tablet', 'desktop'] };

/**
 * Whether a condition leaf on a value of the type holds never (false), always (true), or it
 * depends on the value (undefined), as the runner tests it: `eq` is strict, so a list or an
 * object never equals anything.
 */
function byType(op: string, v: any, type: string): boolean | undefined {
  if (/^(eq|ne)$/.test(op)) return typeOf(v) != type || typeof v == 'object' ? op == 'ne' : undefined;
  const can =
    op == 'in' ? v.some((x: unknown) => typeOf(x) == type && typeof x != 'object')
    : op == 'contains' ? type == 'list' || (type == 'string' && typeof v == 'string')
    : op == 'matches' ? type == 'string'
    : op == 'withinDays' ? /^(number|string)$/.test(type)
    : op == 'exists' || type == 'number';
  return can ? undefined : false;
}

/** A field spec as `[name, kind, optional]` rows (parsed once per spec). */
export function rules(spec: string): Rule[] {
  let got = ruleCache.get(spec);
  if (!got) ruleCache.set(spec, (got = parseRules(spec)));
  return got;
}

function parseRules(spec: string): Rule[] {
  return spec.split(' ').map((f) => {
    const [k, r] = f.split(':');
    return [k, r.replace('?', ''), r.endsWith('?')] as const;
  });
}

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

/** An https URL that stays one Markdown link target: plain host, `{{…}}` only after it. */
export const HTTPS = /^https:\/\/[^/?#\s{}()<>]+([/?#][^\s()<>]*)?$/;
/**
 * A link or request URL: https with a plain host, or a path on this site. A browser reads `\` as
 * `/`, so `/\evil.example` (like `//evil.example`) is another site, and a backslash in the host
 * moves it: both are refused, as the widget's links refuse them.
 */
export const SITE_URL = /^(https:\/\/[^/?#\s{}\\]+([/?#]\S*)?|\/(?![/\\])\S*)$/;

/** The first place the value nests deeper than the limit, walked without recursion. */
function tooDeep(root: unknown, limit: number): string | undefined {
  const todo: Array<[unknown, string, number]> = [[root, '$', 1]];
  while (todo.length) {
    const [v, p, d] = todo.pop()!;
    if (!v || typeof v != 'object') continue;
    if (d > limit) return p;
    for (const [k, x] of Object.entries(v)) todo.push([x, Array.isArray(v) ? `${p}[${k}]` : jsonPathKey(p, k), d + 1]);
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
  if (typeof json == 'string') {
    let text = json;
    if (text.charCodeAt(0) == 0xfeff) warn('$', 'starts with a byte-order mark, which is ignored.'), (text = text.slice(1));
    try {
      json = JSON.parse(text);
    } catch (e) {
      err('$', `This is not valid JSON: ${(e as Error).message}`);
      return result();
    }
    duplicateKeys(text, err);
  }
  if (!isObj(json)) return err('$', OBJ), result();
  const deep = tooDeep(json, FLOW_LIMITS.depth);
  if (deep) return err(deep, `nests deeper than ${FLOW_LIMITS.depth} levels of objects and lists (the limit).`), result();
  const f = json;
  const nodes = isObj(f.nodes) ? f.nodes : {};
  const ids = Object.keys(nodes);
  if (ids.length > FLOW_LIMITS.nodes) return err('$.nodes', `has ${ids.length} nodes, over the limit of ${FLOW_LIMITS.nodes}; split the flow.`), result();
  const vars: Record<string, string> = Object.create(null);
  const locales = [f.locale ?? []].flat().filter((l) => typeof l == 'string');
  /** Where the check is: a trigger runs before the flow has variables. */
  let inTrigger = false;
  /** The sizes of the flow's patterns so far; each is tested at most once in a turn of this flow. */
  let patternSteps = 0;

  const checkVar = (v: unknown, p: string, want?: string) =>
    !has(vars, v)
      ? err(p, `"${v}" is not declared in "variables".`)
      : want && vars[v as string] != want && err(p, `needs a ${want} variable, but "${v}" is declared as ${vars[v as string]}.`);
  /** Checks a value path; returns the type of its value when that is known (a declared variable, a context path, now). */
  const checkPath = (path: unknown, p: string): string | undefined => {
    const [root, name, ...rest] = typeof path == 'string' ? path.split('.') : [];
    if (path == 'now') return 'number';
    const v = String(path).slice(5);
    if (root == 'vars') {
      if (inTrigger) return void err(p, 'a trigger is checked before the flow starts, when there are no variables yet; use user.… or context.….');
      checkVar(v, p);
      return vars[v];
    } else if (root == 'user' ? !/^(id|name|email|attributes)$/.test(name) || (name != 'attributes' && rest.length) : root != 'context' || !name)
      err(p, 'must be a path: vars.…, user.id, user.name, user.email, user.attributes.…, context.… or now.');
    else if (root == 'context') {
      const c = (path as string).slice(8);
      const type = has(FLOW_CONTEXT, c) ? FLOW_CONTEXT[c] : Object.keys(FLOW_CONTEXT).some((k) => k.startsWith(c + '.')) ? 'object' : '';
      if (!type) err(p, `"${path}" is never set; the context has ${Object.keys(FLOW_CONTEXT).map((k) => 'context.' + k).join(', ')}.`);
      return type || undefined;
    }
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
    // A note is welcome on any part of a condition, as anywhere else in the file.
    const keys = isObj(c) ? Object.keys(c).filter((k) => k != '$comment') : [];
    if (isObj(c) && '$comment' in c && typeof c.$comment != 'string') err(`${p}.$comment`, 'must be a string.');
    const op = keys.find((k) => k != 'var')!;
    const v = isObj(c) && c[op];
    const vp = `${p}.${op}`;
    const leaf = LEAF.find((r) => r[0] == op);
    if (keys.includes('var') ? keys.length != 2 || !leaf : keys.length != 1 || !/^(all|any|not)$/.test(op)) return err(p, COND);
    if (!leaf && depth >= FLOW_LIMITS.conditionDepth) return err(p, `nests all / any / not deeper than ${FLOW_LIMITS.conditionDepth} levels (the limit).`);
    if (op == 'not') return checkCond(v, vp, depth + 1);
    if (!leaf) return Array.isArray(v) && v.length ? v.forEach((x, i) => checkCond(x, `${vp}[${i}]`, depth + 1)) : err(vp, 'must be a non-empty list.');
    const n = errors.length;
    const path = (c as any).var;
    const type = checkPath(path, `${p}.var`);
    checkValue(c as object, op, leaf[1], vp);
    // A leaf whose answer the path's known values (or its type) settle is a mistake: say which way.
    const only = type && /^context\./.test(path) && has(FLOW_CONTEXT_VALUES, path.slice(8)) ? FLOW_CONTEXT_VALUES[path.slice(8)] : undefined;
    const answers = only?.map((x) => testFlowCondition({ ...(c as object), var: 'x' } as FlowCondition, { x }));
    const holds = errors.length > n || !type ? undefined : answers ? (answers.includes(!answers[0]) ? undefined : answers[0]) : byType(op, v, type);
    if (holds !== undefined)
      err(`${p}.var`, `"${path}" is ${only ? 'one of ' + only.join(', ') : type == 'object' ? 'an object' : 'a ' + type}, so this ${holds ? 'always holds' : 'can never hold'}.`);
  };

  /** Checks one field's value against its kind. */
  const checkValue = (o: Record<string, any>, k: string, kind: string, fp: string) => {
    const v = o[k];
    const bad = (m: string) => err(fp, m);
    const k0 = kind[0];
    const sub = has(FLOW_SUB_FIELDS, k0) ? FLOW_SUB_FIELDS[k0] : undefined;
    if (sub) {
      const list = 'orpkq'.includes(k0);
      const seen = new Set();
      if (list && (!Array.isArray(v) || !v.length)) return bad('must be a non-empty list.');
      (list ? v : [v]).forEach((x: any, i: number) => {
        const ip = list ? `${fp}[${i}]` : fp;
        if (!isObj(x)) return err(ip, OBJ);
        inTrigger = k0 == 'g';
        checkFields(x, sub[0], ip, sub[1]);
        inTrigger = false;
        if (k0 == 'o') seen.has(x.id) ? err(`${ip}.id`, `"${x.id}" is used twice.`) : seen.add(x.id);
        if (k0 == 'q' && !x.article == !x.url) err(ip, 'needs "article" (a help-centre article id) or "url" (one, not both).');
        if (k0 == 'p')
          if (x.op == 'copy') checkPath(x.from, `${ip}.from`);
          else if (!('value' in x)) /^(set|add|append|remove)$/.test(x.op) && err(ip, `"${x.op}" needs a "value".`);
          else if ((x.op == 'add' && typeof x.value != 'number') || (x.op == 'set' && has(vars, x.var) && typeOf(x.value) != vars[x.var]))
            err(`${ip}.value`, `must be a ${x.op == 'add' ? 'number' : vars[x.var]}, like the variable.`);
      });
      const sum = k0 == 'r' && v.reduce((s: number, b: any) => s + (typeof b?.percent == 'number' ? b.percent : 0), 0);
      if (k0 == 'r' && Math.abs(sum - 100) > 0.001) bad(`must add up to 100 percent (they add up to ${+sum.toFixed(3)}).`);
    } else if (k0 == 't') checkText(v, fp);
    else if (k0 == 'n') typeof v == 'string' && has(nodes, v) || bad(`points to "${v}", which is not a node in this flow.`);
    else if (k0 == 'N') typeof v == 'number' && isFinite(v) || bad('must be a number.');
    else if (k0 == 'P') typeof v == 'number' && v >= 0 && v <= 100 || bad('must be a percentage from 0 to 100.');
    else if (k0 == 'I') Number.isInteger(v) && v >= 0 || bad('must be a whole number, 0 or more.');
    else if (k0 == 'T') Number.isInteger(v) && v >= 100 && v <= FLOW_LIMITS.requestMs || bad(`must be a whole number of milliseconds from 100 to ${FLOW_LIMITS.requestMs} (the limit).`);
    else if (k0 == 'H') typeof v == 'string' && HTTPS.test(v) || bad('must be an https:// URL with a plain host, without spaces, ( ) < or >.');
    else if (k0 == 'U') typeof v == 'string' && SITE_URL.test(v) || bad('must be a path on this site (/…) or an https:// URL, with a plain host.');
    else if (k0 == 'z') typeof v == 'string' && clockIn(v, 0) || bad('must be a time zone such as "Asia/Tokyo" or "UTC".');
    else if (k0 == 'D') Array.isArray(v) && v.length && v.every((d) => FLOW_DAYS.includes(d)) || bad(`must be a non-empty list of days: ${FLOW_DAYS.join(', ')}.`);
    else if (k0 == 'm') typeof v == 'string' && /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/.test(v) || bad('must be a time of day, "HH:MM" from 00:00 to 24:00.');
    else if (k0 == 'S' || k0 == 'W')
      isObj(v)
        ? Object.entries(v).forEach(([name, x]) => {
            const ep = jsonPathKey(fp, name);
            if (k0 == 'S') checkVar(name, ep);
            if (typeof x != 'string' || !x) err(ep, 'must be a non-empty string.');
            else if (k0 == 'W') checkPath(x, ep);
          })
        : bad(OBJ);
    else if (k0 == 'b') typeof v == 'boolean' || bad('must be true or false.');
    else if (k0 == 's') typeof v == 'string' && v || bad('must be a non-empty string.');
    else if (k0 == 'V') typeof v == 'string' || typeof v == 'number' || bad('must be a string or a number.');
    else if (k0 == 'u') [v].flat().every((x) => typeof x == 'string') || bad('must be a string or a list of strings.');
    else if (k0 == 'e') kind.split('/').includes(v) || bad(`must be one of: ${kind.slice(2).replace(/\//g, ', ')}.`);
    else if (k0 == 'v') checkVar(v, fp, kind.slice(2) || (o.type == 'choice' ? (o.multiple ? 'list' : 'string') : o.type == 'input' ? (o.input == 'number' ? 'number' : 'string') : o.op == 'add' ? 'number' : /^(append|remove)$/.test(o.op) ? 'list' : ''));
    else if (k0 == 'x')
      checkFlowPattern(v)
        ? bad(`${checkFlowPattern(v)}.`)
        : (patternSteps += flowPatternSize(v)) > FLOW_LIMITS.patternSteps &&
          bad(`brings this flow's patterns to ${patternSteps} steps per character, over the limit of ${FLOW_LIMITS.patternSteps} for one flow.`);
    else if (k0 == 'c') checkCond(v, fp);
    else if (k0 == 'd') isObj(v) || bad(OBJ);
    else if (k0 == 'M') isObj(v) && ids.length || bad('needs at least one node.');
    else if (k0 == 'L') Array.isArray(v) || bad('must be a list.');
  };

  /** Checks an object against a field spec: unknown, missing and mistyped fields. */
  const checkFields = (o: Record<string, any>, spec: string, p: string, what: string, node = false) => {
    const rs = rules(spec);
    for (const k of Object.keys(o)) {
      const kp = jsonPathKey(p, k);
      if (k == '$comment') typeof o[k] == 'string' || err(kp, 'must be a string.');
      else if (!(node && k == 'type') && !rs.some((r) => r[0] == k)) err(kp, `is not a field of ${what}${k[0] == '$' ? '; the only $ field here is "$comment"' : ''}.`);
    }
    for (const [k, kind, optional] of rs)
      if (o[k] !== undefined) checkValue(o, k, kind, jsonPathKey(p, k));
      else if (!optional)
        err(jsonPathKey(p, k), `${what} needs "${k}"${k == 'exhausted' ? ': the node to go to when the retries run out' : ''}.`);
  };

  /** One exit or many: a single choice goes where its option says, a multiple one (saving a list) to its `next`. */
  const checkChoice = (node: Record<string, any>, p: string) => {
    if (!node.options == !node.optionsFrom) err(p, 'needs "options" or "optionsFrom" (one, not both).');
    if (node.multiple === true && node.options) node.next === undefined && err(jsonPathKey(p, 'next'), 'a choice of several options needs "next", where it goes once they are picked.');
    else if (node.multiple === true) node.next !== undefined && err(jsonPathKey(p, 'next'), 'is not used: "optionsFrom" has its own "next".');
    else {
      if (node.next !== undefined) err(jsonPathKey(p, 'next'), 'is only for "multiple": true; each option has its own "next".');
      if (Array.isArray(node.options)) node.options.forEach((o, i) => isObj(o) && o.next === undefined && err(`${p}.options[${i}].next`, 'an option needs "next".'));
    }
  };

  if (isObj(f.variables))
    for (const [name, d] of Object.entries(f.variables)) {
      const p = jsonPathKey('$.variables', name);
      const n = errors.length;
      if (isObj(d)) checkFields(d, `type:${FLOW_VAR_TYPES} default:a?`, p, 'a variable');
      else checkValue({ type: d }, 'type', FLOW_VAR_TYPES, p);
      const decl = isObj(d) ? d : { type: d };
      if (errors.length == n && 'default' in decl && typeOf(decl.default) != decl.type) err(`${p}.default`, `must be a ${decl.type}, like the variable.`);
      vars[name] = decl.type;
    }
  checkFields(f, FLOW_ROOT_FIELDS, '$', 'a flow');
  for (const id of ids) {
    const node = nodes[id];
    const p = jsonPathKey('$.nodes', id);
    if (!/^[A-Za-z][\w-]{0,63}$/.test(id)) err(p, 'An id is a letter, then up to 63 letters, digits, - or _.');
    if (!isObj(node)) err(p, OBJ);
    else if (!has(FLOW_NODE_FIELDS, node.type)) checkValue(node, 'type', 'e/' + Object.keys(FLOW_NODE_FIELDS).join('/'), `${p}.type`);
    else {
      checkFields(node, FLOW_NODE_FIELDS[node.type], p, `a ${node.type} node`, true);
      if (node.type == 'choice') checkChoice(node, p);
      if (node.type == 'request' && !node.handler == !node.url) err(p, 'needs "handler" or "url" (one, not both).');
      if (node.allowHuman === false) warn(`${p}.allowHuman`, 'hides "Talk to a person": people stuck here cannot reach anyone.');
    }
  }
  checkGraph(f, nodes, ids, err);
  return result();
}

const WAITS = /^(choice|input|survey|search|delay|request)$/;

/** Reachability from start, loops that never wait for the user, and chains longer than a turn may run. */
function checkGraph(f: Record<string, any>, nodes: Record<string, any>, ids: string[], err: (path: string, message: string) => void) {
  const exits = (id: string) => flowExits(nodes[id]).map((e) => e[1]).filter((t) => has(nodes, t));
  const seen = new Set<string>();
  const todo = has(nodes, f.start) ? [f.start as string] : [];
  for (let id; (id = todo.pop()) !== undefined; ) if (!seen.has(id)) seen.add(id), todo.push(...exits(id));
  /** 1 while on the path being walked, then the longest run of nodes a turn passes from here. */
  const state = new Map<string, number>();
  const path: string[] = [];
  const walk = (id: string): number => {
    const s = state.get(id);
    if (s !== undefined) return s;
    if (WAITS.test(nodes[id]?.type)) return state.set(id, 1), 1;
    state.set(id, -1);
    path.push(id);
    let longest = 0;
    for (const t of exits(id)) {
      const n = state.get(t) == -1 ? -1 : walk(t);
      if (n == -1) {
        err(jsonPathKey('$.nodes', t), `loops ${[...path.slice(path.indexOf(t)), t].join(' → ')} without waiting for the user; add a choice, input or survey.`);
        state.set(t, 0);
      }
      longest = Math.max(longest, n);
    }
    path.pop();
    state.set(id, longest + 1);
    return longest + 1;
  };
  let longest = '';
  for (const id of ids) {
    if (seen.size && !seen.has(id)) err(jsonPathKey('$.nodes', id), 'cannot be reached from "start"; link to it or remove it.');
    if (walk(id) > (state.get(longest) ?? 0)) longest = id;
  }
  const steps = state.get(longest) ?? 0;
  if (steps > FLOW_LIMITS.steps)
    err(jsonPathKey('$.nodes', longest), `starts a run of ${steps} nodes without waiting for the user, over the limit of ${FLOW_LIMITS.steps} that one turn may pass; add a choice, input or survey on the way.`);
}

/**
 * Checks `flow` nodes across the flows loaded together: each calls a flow that is there, passes
 * and takes back declared variables of matching types, and no flow calls itself, even through others.
 */
export function checkFlowCalls(flows: Flow[]): Problem[] {
  const byId = new Map(flows.map((f) => [f.id, f]));
  const problems: Problem[] = [];
  const typeIn = (f: Flow | undefined, v: string) => ((d) => (isObj(d) ? d.type : d))(f?.variables && has(f.variables, v) ? f.variables[v] : undefined) as string | undefined;
  const calls = (f: Flow) => Object.entries(f.nodes).filter(([, n]) => n.type == 'flow') as Array<[string, Extract<FlowNode, { type: 'flow' }>]>;
  for (const f of flows)
    for (const [id, node] of calls(f)) {
      const p = `${f.id}: ${jsonPathKey('$.nodes', id)}`;
      const sub = byId.get(node.flow);
      if (!sub) {
        problems.push({ path: `${p}.flow`, message: `calls "${node.flow}", which is not among the flows loaded.` });
        continue;
      }
      for (const v of Object.keys(node.in ?? {})) typeIn(sub, v) || problems.push({ path: `${jsonPathKey(`${p}.in`, v)}`, message: `is not a variable of flow "${sub.id}".` });
      for (const [mine, theirs] of Object.entries(node.out ?? {})) {
        const t = typeIn(sub, theirs);
        if (!t) problems.push({ path: jsonPathKey(`${p}.out`, mine), message: `"${theirs}" is not a variable of flow "${sub.id}".` });
        else if (t != typeIn(f, mine)) problems.push({ path: jsonPathKey(`${p}.out`, mine), message: `is a ${typeIn(f, mine)}, but "${theirs}" in flow "${sub.id}" is a ${t}.` });
      }
    }
  /** Depth-first over calls: a flow met again on the way is a recursion. */
  const walk = (f: Flow, path: string[]) => {
    if (path.includes(f.id)) return problems.push({ path: f.id, message: `calls itself: ${[...path.slice(path.indexOf(f.id)), f.id].join(' → ')}.` }), undefined;
    if (path.length > FLOW_LIMITS.calls) return problems.push({ path: f.id, message: `is called ${path.length} flows deep (${[...path, f.id].join(' → ')}), over the limit of ${FLOW_LIMITS.calls}.` }), undefined;
    for (const [, n] of calls(f)) if (byId.has(n.flow)) walk(byId.get(n.flow)!, [...path, f.id]);
  };
  for (const f of flows) walk(f, []);
  problems.push(...checkStepsAcross(byId, calls));
  return [...new Map(problems.map((x) => [x.path + x.message, x])).values()];
}

/** Steps a turn takes, and the places it goes into or back from a sub-flow (`flow "node"`). */
type Run = { n: number; via: string[] };
const NONE: Run = { n: -Infinity, via: [] };
const longer = (a: Run, b: Run) => (b.n > a.n ? b : a);
const run = (n: number, ...parts: Array<string | Run>): Run =>
  parts.reduce<Run>((r, p) => (typeof p == 'string' ? { n: r.n, via: [...r.via, p] } : { n: r.n + p.n, via: [...r.via, ...p.via] }), { n, via: [] });

/**
 * Runs without a wait that go through sub-flows and pass more steps than a turn may (the runner's
 * guard), counted as the runner counts: each node, and each return from a sub-flow that ends
 * without an `end` node. A run starts at a flow's start or after a waiting node, and one inside a
 * sub-flow goes on in the flows that call it.
 */
function checkStepsAcross(byId: Map<string, Flow>, calls: (f: Flow) => Array<[string, Extract<FlowNode, { type: 'flow' }>]>): Problem[] {
  const at = (f: Flow, id: string) => `${f.id} "${id}"`;
  /** Per node: the most steps up to the last node reached before its flow ends, and the most until it ends (then it goes on in the caller). */
  const memo = new Map<string, [Run, Run]>();
  const steps = (f: Flow, id: string): [Run, Run] => {
    const key = `${f.id}\n${id}`;
    let got = memo.get(key);
    if (got || !isObj(f.nodes[id])) return got || [NONE, NONE];
    // A loop (refused on its own) ends here.
    memo.set(key, [NONE, NONE]);
    const node: any = f.nodes[id];
    const sub = node.type == 'flow' ? byId.get(node.flow) : undefined;
    const exits = flowExits(node).map((e) => e[1]).filter((t) => has(f.nodes, t));
    if (WAITS.test(node.type)) got = [run(1), NONE];
    else if (node.type == 'end') got = [run(1), run(1)];
    else if (sub) {
      // Into the sub-flow, then back at `next` once it ends (without one, this flow ends too: one more step).
      const [inside, done] = steps(sub, sub.start);
      const into = at(sub, sub.start);
      const next = exits[0];
      const [stay, out] = next ? steps(f, next) : [NONE, run(1)];
      const back = next ? [at(f, next)] : [];
      got = [longer(run(1, into, inside), run(1, into, done, ...back, stay)), run(1, into, done, ...back, out)];
    } else if (!exits.length) got = [run(1), run(2)];
    else {
      got = [NONE, NONE];
      for (const t of exits) {
        const [stay, out] = steps(f, t);
        got = [longer(got[0], run(1, stay)), longer(got[1], run(1, out))];
      }
    }
    memo.set(key, got);
    return got;
  };
  /** Per flow: the most steps after it ends, up to the last node reached in the flows that call it. */
  const after = new Map<string, Run>();
  const callers = (f: Flow): Run => {
    let got = after.get(f.id);
    if (got) return got;
    after.set(f.id, (got = run(0)));
    for (const a of byId.values())
      for (const [, node] of calls(a))
        if (node.flow == f.id) {
          const up = callers(a);
          const next = node.next !== undefined && has(a.nodes, node.next) ? node.next : undefined;
          if (next) got = longer(longer(got, run(0, at(a, next), steps(a, next)[0])), up.n ? run(0, at(a, next), steps(a, next)[1], up) : NONE);
          else if (up.n) got = longer(got, run(1, up));
        }
    after.set(f.id, got);
    return got;
  };
  const problems: Problem[] = [];
  for (const f of byId.values()) {
    // From the start, and from each exit of a waiting node (the flows calling this one go on after it ends).
    const starts: Array<[string, Run]> = [[f.start, steps(f, f.start)[0]]];
    for (const node of Object.values(f.nodes))
      if (WAITS.test(node.type))
        for (const [, t] of flowExits(node))
          if (has(f.nodes, t)) {
            const [stay, out] = steps(f, t);
            const up = callers(f);
            starts.push([t, longer(stay, up.n ? run(0, out, up) : NONE)]);
          }
    let worst: [string, Run] | undefined;
    for (const s of starts) if (s[1].via.length && s[1].n > FLOW_LIMITS.steps && !(worst && worst[1].n >= s[1].n)) worst = s;
    if (worst)
      problems.push({
        path: `${f.id}: ${jsonPathKey('$.nodes', worst[0])}`,
        message: `starts a run of ${worst[1].n} steps without waiting for the user through sub-flows (${[at(f, worst[0]), ...worst[1].via].join(' → ')}), over the limit of ${FLOW_LIMITS.steps} that one turn may pass; add a choice, input or survey on the way.`,
      });
  }
  return problems;
}
