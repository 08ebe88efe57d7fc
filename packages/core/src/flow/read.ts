// What both the trigger check (loaded at boot) and the flow engine need: kept apart from the rest
// of text.ts so the trigger check stays small.

/** Own property lookup, so names like "constructor" never pass as keys. */
export const has = (o: unknown, k: unknown): boolean => !!o && typeof o == 'object' && typeof k == 'string' && Object.prototype.hasOwnProperty.call(o, k);

/** Reads `a.b.c` from plain data, own properties only (no prototype walking). */
export function readFlowPath(root: unknown, path: string): unknown {
  let v = root;
  for (const k of path.split('.')) {
    if (!has(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** FNV-1a with a final mix: a short stable hash as 8 hex digits. */
export function hashFlowText(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return ((h ^ (h >>> 13)) >>> 0).toString(16).padStart(8, '0');
}

/**
 * The rules a stamp vouches for: this release of the validator. A flow stamped under other rules
 * (a widget upgraded, its flows not rebuilt) is validated again in the page.
 */
export const FLOW_RULES = '0.1.0';

/**
 * What `madoguchi flow build` writes into the index beside each flow it validated: a hash of the
 * rules and of the file's exact text. The widget runs a file whose stamp still fits without
 * validating it again, so pages with built flows never download the validator.
 */
export const flowStamp = (text: string): string => hashFlowText(`${FLOW_RULES}\u0000${text}`);
