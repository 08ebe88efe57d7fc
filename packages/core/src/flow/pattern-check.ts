import { MAX_PATTERN, MAX_PATTERN_STEPS, PatternError, program } from './pattern';

/** The parser's reasons, worded: only the validator says why a pattern cannot be used, so the matcher carries none of this. */
const WHY: Record<string, (arg: string) => string> = {
  hex: () => '\\x and \\u need hexadecimal digits',
  lone: () => 'the pattern ends with a lone \\',
  brace: () => '\\u{ needs a closing }',
  point: () => '\\u{…} needs a code point in hexadecimal',
  prop: (c) => `\\${c} needs a property in braces, like \\p{Script=Han}`,
  unknownProp: (p) => `\\${p} is not a known Unicode property`,
  backref: () => 'back references are not supported',
  escape: (c) => `\\${c} is not a known escape`,
  class: () => 'a [ class is never closed with ]',
  range: () => 'a range needs a single character at each end',
  backwards: (r) => `the range ${r} runs backwards`,
  counts: (r) => `${r} counts backwards`,
  named: () => 'a named group is (?<name>…)',
  look: () => 'lookahead and lookbehind are not supported',
  open: () => 'a ( is never closed with )',
  close: () => 'a ) has no matching (',
  nothing: (c) => `${c} has nothing to repeat`,
  count: () => '{ starts a count like {2,4}; write \\{ for the character',
  assertion: (q) => `${q} cannot repeat ^, $, \\b or \\B`,
  repeat: () => 'a repeat cannot be repeated directly; use a group',
  size: () => `has a size over ${MAX_PATTERN_STEPS} steps per character (the limit); use smaller counts in {n,m}`,
  long: () => `is over ${MAX_PATTERN} characters (the limit)`,
};

/** Why a pattern cannot be used ("is over 200 characters…", "at character 3: …"), or "" when it is fine. */
export function checkFlowPattern(p: unknown): string {
  if (typeof p != 'string') return 'must be a string';
  const got = program(p);
  if (!(got instanceof PatternError)) return '';
  const why = WHY[got.why](got.arg);
  return got.at ? `at character ${got.at}: ${why}` : why;
}

/** A usable pattern's size: the most steps one character of text can cost it (0 for one that cannot be used). */
export function flowPatternSize(p: string): number {
  const got = program(p);
  return got instanceof PatternError ? 0 : got.size;
}
