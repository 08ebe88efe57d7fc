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
