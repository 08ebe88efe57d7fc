/**
 * The regular expressions of flows (`matches`, an input's `pattern`), compiled to a small
 * automaton and run without backtracking: matching takes time proportional to the text's length
 * times the pattern's size, whatever the pattern, so no pattern can freeze a visitor's tab.
 * Syntax: literals, `.`, classes `[a-z]` `[^…]`, `\d \w \s` (and capitals), `\p{…}`, `\b \B`,
 * `^ $`, groups `(…)` `(?:…)` `(?<name>…)`, `|`, and `* + ? {n} {n,} {n,m}` (lazy forms too).
 * Any punctuation may be escaped with `\`. No back references or lookaround.
 *
 * A pattern's size is the most work one character of text can cost it: a step for each
 * instruction of its automaton (counted repeats written out) and for each member of each class
 * tested. A budget of steps, shared by the patterns of a turn, is charged that size for each
 * character a pattern reads, so it bounds their work together whatever the text.
 */

export const MAX_PATTERN = 200;
/** The largest size a pattern may have, in steps per character of text; also the most all the patterns of one flow may add up to. */
export const MAX_PATTERN_STEPS = 1000;
/** Characters of text a pattern is tested against; the rest is ignored. */
export const MAX_MATCH_TEXT = 1000;
/**
 * Steps of matching one turn may take, across all its patterns: what a flow's own patterns cost
 * at most, each tested once on the longest text (some 20 ms on a laptop at the slowest steps).
 */
export const MAX_MATCH_STEPS = MAX_PATTERN_STEPS * (MAX_MATCH_TEXT + 1);

/** Steps a `\p{…}` test costs: a regular expression run, some four times a plain comparison. */
const PROPERTY = 4;

/** Steps of matching left to the patterns of one turn; `at` names where they ran out. */
export type FlowMatchBudget = { left: number; at?: string };

type Test = (c: string) => boolean;
/** c: one character, its test costing w steps; s: split to x and y; j: jump to x; a: zero-width assertion; m: match. */
type Op = { o: 'c'; t: Test; w: number } | { o: 's'; x: number; y: number } | { o: 'j'; x: number } | { o: 'a'; k: string } | { o: 'm' };
type Ast =
  | { k: 'c'; t: Test; ch?: string; w?: number }
  | { k: 'a'; a: string }
  | { k: 'seq'; xs: Ast[] }
  | { k: 'alt'; xs: Ast[] }
  | { k: 'rep'; x: Ast; min: number; max: number };

/** Why a pattern cannot be used: a reason's key (worded by ./pattern-check, which the matcher does not need), where, and what it names. */
export class PatternError {
  constructor(
    readonly why: string,
    readonly at?: number,
    readonly arg = '',
  ) {}
}

const one = (re: RegExp): Test => (c) => re.test(c);
const CLASS: Record<string, Test> = { d: one(/\d/), w: one(/\w/), s: one(/\s/u) };
const CONTROL: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v', '0': '\0' };
const LINE_END = /[\n\r\u2028\u2029]/;
const isWord = (c: string | undefined) => !!c && CLASS.w(c);

function parse(src: string): Ast {
  const cs = [...src];
  let i = 0;
  const fail = (why: string, arg?: string): never => {
    throw new PatternError(why, Math.min(i, cs.length) + 1, arg);
  };
  const peek = () => cs[i];
  const eat = (c: string) => cs[i] == c && ++i > 0;

  const hex = (n: number) => {
    const h = cs.slice(i, i + n).join('');
    if (h.length < n || !/^[\da-f]+$/i.test(h)) fail('hex');
    i += n;
    return String.fromCodePoint(parseInt(h, 16));
  };
  /** After a backslash: one character's test, or an assertion (outside classes). */
  const escape = (inClass: boolean): Ast => {
    const c = cs[i++];
    if (c === undefined) fail('lone');
    const lower = c.toLowerCase();
    if (CLASS[lower]) return { k: 'c', t: c == lower ? CLASS[c] : (x) => !CLASS[lower](x) };
    if (c == 'b' || c == 'B') return inClass ? lit('\b') : { k: 'a', a: c };
    if (c in CONTROL) return lit(CONTROL[c]);
    if (c == 'x') return lit(hex(2));
    if (c == 'u') {
      if (!eat('{')) return lit(hex(4));
      const end = cs.indexOf('}', i);
      if (end < 0) fail('brace');
      const h = cs.slice(i, end).join('');
      i = end + 1;
      if (!/^[\da-f]{1,6}$/i.test(h) || parseInt(h, 16) > 0x10ffff) fail('point');
      return lit(String.fromCodePoint(parseInt(h, 16)));
    }
    if (lower == 'p') {
      const end = cs.indexOf('}', i);
      if (peek() != '{' || end < 0) fail('prop', c);
      const prop = cs.slice(i, end + 1).join('');
      i = end + 1;
      try {
        return { k: 'c', t: one(new RegExp(`^\\${c}${prop}$`, 'u')), w: PROPERTY };
      } catch {
        return fail('unknownProp', c + prop);
      }
    }
    if (/[1-9]/.test(c) || c == 'k') fail('backref');
    if (/[\p{L}\p{N}]/u.test(c)) fail('escape', c);
    return lit(c);
  };
  const lit = (c: string): Ast => ({ k: 'c', t: (x) => x == c, ch: c });

  const klass = (): Ast => {
    const negate = eat('^');
    const items: Test[] = [];
    let first = true;
    let w = 0;
    while (peek() != ']' || first) {
      first = false;
      if (peek() === undefined) fail('class');
      w += cs[i] == '\\' && /p/i.test(cs[i + 1]) ? PROPERTY : 1;
      const lo = classAtom();
      if (peek() == '-' && cs[i + 1] != ']' && cs[i + 1] !== undefined) {
        i++;
        const hi = classAtom();
        if (typeof lo != 'string' || typeof hi != 'string') fail('range');
        const [a, b] = [(lo as string).codePointAt(0)!, (hi as string).codePointAt(0)!];
        if (a > b) fail('backwards', `${lo}-${hi}`);
        items.push((x) => x.codePointAt(0)! >= a && x.codePointAt(0)! <= b);
      } else items.push(typeof lo == 'string' ? (x) => x == lo : lo);
    }
    i++;
    return { k: 'c', t: (x) => items.some((t) => t(x)) != negate, w };
  };
  /** A class member: a character (string) or a test. */
  const classAtom = (): string | Test => {
    const c = cs[i++];
    if (c != '\\') return c;
    const e = escape(true) as { k: 'c'; t: Test; ch?: string };
    return e.ch ?? e.t;
  };

  const count = (): [number, number] | undefined => {
    const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(cs.slice(i, i + 12).join(''));
    if (!m) return;
    i += m[0].length;
    const min = +m[1];
    const max = m[2] ? (m[3] ? +m[3] : Infinity) : min;
    if (max < min) fail('counts', `{${min},${max}}`);
    return [min, max];
  };
  const atom = (): Ast => {
    const c = cs[i++];
    if (c == '(') {
      if (eat('?')) {
        if (eat(':')) void 0;
        else if (peek() == '<' && cs[i + 1] != '=' && cs[i + 1] != '!') {
          const end = cs.indexOf('>', i);
          if (end < 0 || !/^<[A-Za-z_$][\w$]*$/.test(cs.slice(i, end).join(''))) fail('named');
          i = end + 1;
        } else fail('look');
      }
      const x = alt();
      if (!eat(')')) fail('open');
      return x;
    }
    if (c == '[') return klass();
    if (c == '\\') return escape(false);
    if (c == '.') return { k: 'c', t: (x) => !LINE_END.test(x) };
    if (c == '^' || c == '$') return { k: 'a', a: c };
    if (/[*+?]/.test(c)) fail('nothing', c);
    if (c == '{') i == 1 || /[|(]/.test(cs[i - 2]) ? fail('nothing', c) : fail('count');
    if (c == ')') fail('close');
    return lit(c);
  };
  const seq = (): Ast => {
    const xs: Ast[] = [];
    while (i < cs.length && peek() != '|' && peek() != ')') {
      let x = atom();
      for (;;) {
        const q = peek();
        let r: [number, number] | undefined;
        if (q == '*') r = [0, Infinity];
        else if (q == '+') r = [1, Infinity];
        else if (q == '?') r = [0, 1];
        else if (q == '{') r = count() ?? fail('count');
        else break;
        if (q != '{') i++;
        if (x.k == 'a') fail('assertion', q);
        eat('?');
        if (/[*+?{]/.test(peek() ?? '')) fail('repeat');
        x = { k: 'rep', x, min: r[0], max: r[1] };
      }
      xs.push(x);
    }
    return { k: 'seq', xs };
  };
  const alt = (): Ast => {
    const xs = [seq()];
    while (eat('|')) xs.push(seq());
    return xs.length == 1 ? xs[0] : { k: 'alt', xs };
  };
  const ast = alt();
  if (i < cs.length) fail('close');
  return ast;
}

/** A compiled pattern and its size. */
type Program = Op[] & { size: number };

function compile(ast: Ast): Program {
  const prog = Object.assign([] as Op[], { size: 0 });
  const emit = (op: Op) => {
    if ((prog.size += op.o == 'c' ? 1 + op.w : 1) > MAX_PATTERN_STEPS) throw new PatternError('size');
    return prog.push(op) - 1;
  };
  const gen = (a: Ast): void => {
    if (a.k == 'c') emit({ o: 'c', t: a.t, w: a.w ?? 1 });
    else if (a.k == 'a') emit({ o: 'a', k: a.a });
    else if (a.k == 'seq') a.xs.forEach(gen);
    else if (a.k == 'alt') {
      const jumps: number[] = [];
      a.xs.forEach((x, n) => {
        if (n == a.xs.length - 1) return gen(x);
        const s = emit({ o: 's', x: 0, y: 0 });
        (prog[s] as { x: number }).x = prog.length;
        gen(x);
        jumps.push(emit({ o: 'j', x: 0 }));
        (prog[s] as { y: number }).y = prog.length;
      });
      for (const j of jumps) (prog[j] as { x: number }).x = prog.length;
    } else {
      for (let n = 0; n < a.min; n++) gen(a.x);
      if (a.max == Infinity) {
        const s = emit({ o: 's', x: 0, y: 0 });
        (prog[s] as { x: number }).x = prog.length;
        gen(a.x);
        emit({ o: 'j', x: s });
        (prog[s] as { y: number }).y = prog.length;
      } else {
        const splits: number[] = [];
        for (let n = a.min; n < a.max; n++) {
          const s = emit({ o: 's', x: 0, y: 0 });
          splits.push(s);
          (prog[s] as { x: number }).x = prog.length;
          gen(a.x);
        }
        for (const s of splits) (prog[s] as { y: number }).y = prog.length;
      }
    }
  };
  gen(ast);
  emit({ o: 'm' });
  return prog;
}

const cache = new Map<string, Program | PatternError>();

/** Compiles a pattern, or says why it cannot be used. */
export function program(p: string): Program | PatternError {
  let got = cache.get(p);
  if (got === undefined) {
    try {
      if ([...p].length > MAX_PATTERN) throw new PatternError('long');
      got = compile(parse(p));
    } catch (e) {
      if (!(e instanceof PatternError)) throw e;
      got = e;
    }
    if (cache.size > 200) cache.clear();
    cache.set(p, got);
  }
  return got;
}

/**
 * True when the pattern matches somewhere in the text (its first 1000 characters). Never throws.
 * With a budget, each character read costs the pattern's size; once it runs out, no pattern
 * matches, and `at` is set to `where` of the first that went without.
 */
export function matchFlowPattern(p: string, s: unknown, budget?: FlowMatchBudget, where?: string): boolean {
  const prog = typeof p == 'string' ? program(p) : undefined;
  if (typeof s != 'string' || !Array.isArray(prog)) return false;
  const text = [...s.slice(0, MAX_MATCH_TEXT)];
  let list: number[] = [];
  const mark = new Int32Array(prog.length).fill(-1);
  /** Adds a thread at pc, following jumps, splits and assertions that hold at position `at`. */
  const add = (into: number[], pc: number, at: number, gen: number): boolean => {
    if (mark[pc] == gen) return false;
    mark[pc] = gen;
    const op = prog[pc];
    if (op.o == 'j') return add(into, op.x, at, gen);
    if (op.o == 's') return add(into, op.x, at, gen) || add(into, op.y, at, gen);
    if (op.o == 'a') {
      const before = text[at - 1];
      const after = text[at];
      const holds = op.k == '^' ? at == 0 : op.k == '$' ? at == text.length : (isWord(before) != isWord(after)) == (op.k == 'b');
      return holds && add(into, pc + 1, at, gen);
    }
    if (op.o == 'm') return true;
    into.push(pc);
    return false;
  };
  let gen = 0;
  for (let at = 0; ; at++) {
    if (budget && (budget.left -= prog.size) < 0) return (budget.at ??= where), false;
    if (add(list, 0, at, gen)) return true;
    if (at == text.length) return false;
    const next: number[] = [];
    gen++;
    for (const pc of list) {
      const op = prog[pc] as { o: 'c'; t: Test };
      if (op.t(text[at]) && add(next, pc + 1, at + 1, gen)) return true;
    }
    list = next;
  }
}
