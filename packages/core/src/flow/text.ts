import type { LocalizedText } from '../types';
import type { FlowCondition, FlowHours } from './types';
import { matchFlowPattern, type FlowMatchBudget } from './pattern';
import { readFlowPath } from './read';

export { has, hashFlowText, readFlowPath } from './read';

export { matchFlowPattern } from './pattern';
export { checkFlowPattern, flowPatternSize } from './pattern-check';

/** Levels of all / any / not in one condition (the validator refuses deeper ones). */
export const FLOW_CONDITION_DEPTH = 20;

/** A plain JSON object (not null, not a list). */
export const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v == 'object' && !Array.isArray(v);
/** A JSON value's type, with arrays called "list" as flow variables do. */
export const typeOf = (v: unknown) => (Array.isArray(v) ? 'list' : typeof v);
/** `$.nodes.ask` or `$.nodes["odd key"]`. */
export const jsonPathKey = (p: string, k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `${p}.${k}` : `${p}[${JSON.stringify(k)}]`);

/** Picks the text for a locale: exact, then the base language, then English, then the first. */
export function pickFlowText(text: LocalizedText | undefined, locale: string): string {
  if (text == null || typeof text == 'string') return text ?? '';
  return text[locale] ?? text[locale.split('-')[0]] ?? text.en ?? Object.values(text)[0] ?? '';
}

/**
 * Backslash-escapes every character the Markdown subset gives meaning to; lines are joined. `/` is
 * escaped too, so a URL in a value (`https://…`) stays literal text instead of becoming a link.
 */
export function escapeFlowMarkdown(s: string): string {
  return s.replace(/[\\`*_[\]()<>#!|~&{}+\-.=/]/g, '\\$&').replace(/\s*\n\s*/g, ' ');
}

/**
 * Replaces `{{vars.x}}`, `{{user.name}}`, `{{context.page.title}}`. Unknown paths give "".
 * With `markdown`, values are escaped so a user's name is only ever literal text.
 */
export function fillFlowTemplate(s: string, scope: unknown, markdown?: boolean | ((value: string) => string)): string {
  return s.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, p: string) => {
    const v = readFlowPath(scope, p);
    const t = v == null || typeof v == 'object' && !Array.isArray(v) ? '' : Array.isArray(v) ? v.join(', ') : String(v);
    return typeof markdown == 'function' ? markdown(t) : markdown ? escapeFlowMarkdown(t) : t;
  });
}

/** JSON with sorted keys, so equal content hashes equally. */
export function canonicalJson(v: unknown): string {
  return Array.isArray(v)
    ? `[${v.map(canonicalJson).join()}]`
    : v && typeof v == 'object'
      ? `{${Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonicalJson((v as Record<string, unknown>)[k])).join()}}`
      : JSON.stringify(v) ?? 'null';
}

/**
 * Evaluates a condition tree over `{ vars, user, context }`. Never throws. Its patterns take
 * their steps from `budget`; `at` is the tree's place, named when the budget runs out.
 */
export function testFlowCondition(c: FlowCondition, scope: unknown, depth = 0, budget?: FlowMatchBudget, at = ''): boolean {
  if (!c || typeof c != 'object' || depth > FLOW_CONDITION_DEPTH) return false;
  const t = (x: FlowCondition, k: string) => testFlowCondition(x, scope, depth + 1, budget, at + k);
  if ('all' in c) return Array.isArray(c.all) && c.all.every((x, i) => t(x, `.all[${i}]`));
  if ('any' in c) return Array.isArray(c.any) && c.any.some((x, i) => t(x, `.any[${i}]`));
  if ('not' in c) return !t(c.not, '.not');
  const v = readFlowPath(scope, String(c.var));
  const num = typeof v == 'number';
  if ('eq' in c) return v === c.eq;
  if ('ne' in c) return v !== c.ne;
  if ('gt' in c) return num && v > (c.gt as number);
  if ('gte' in c) return num && v >= (c.gte as number);
  if ('lt' in c) return num && v < (c.lt as number);
  if ('lte' in c) return num && v <= (c.lte as number);
  if ('contains' in c)
    return Array.isArray(v) ? v.includes(c.contains) : typeof v == 'string' && typeof c.contains == 'string' && v.includes(c.contains);
  if ('matches' in c) return matchFlowPattern(c.matches as string, v, budget, at + '.matches');
  if ('exists' in c) return (v != null && v !== '') === c.exists;
  if ('in' in c) return Array.isArray(c.in) && c.in.includes(v);
  if ('withinDays' in c) {
    const at = timeOf(v);
    const now = readFlowPath(scope, 'now');
    return at != null && typeof now == 'number' && Math.abs(now - at) <= (c.withinDays as number) * 86_400_000;
  }
  if ('hours' in c) return typeof v == 'number' && inHours(c.hours as FlowHours, v);
  return false;
}

/** Epoch ms of a date (`2024-05-01`), a date and time with its zone, or epoch ms; null for anything else. */
export function timeOf(v: unknown): number | null {
  if (typeof v == 'number') return isFinite(v) ? v : null;
  if (typeof v != 'string' || !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v)) return null;
  const t = Date.parse(v);
  return isNaN(t) ? null : t;
}

const clocks = new Map<string, Intl.DateTimeFormat>();
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** Minutes of `HH:MM`. */
const minutes = (s: string | undefined, fallback: number) => (s ? +s.slice(0, 2) * 60 + +s.slice(3) : fallback);

/** The weekday (`mon`…) and minutes since midnight at a moment in a time zone; undefined for an unknown zone. */
export function clockIn(zone: string, at: number): { day: string; minutes: number } | undefined {
  let f = clocks.get(zone);
  try {
    if (!f) clocks.set(zone, (f = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
    const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
    return { day: parts.weekday.slice(0, 3).toLowerCase(), minutes: +parts.hour * 60 + +parts.minute };
  } catch {
    return undefined;
  }
}

/** True when the moment falls on one of the days, between from (inclusive) and to, in the zone; to before from runs overnight. */
export function inHours(h: FlowHours, at: number): boolean {
  const c = h && typeof h.zone == 'string' ? clockIn(h.zone, at) : undefined;
  if (!c || (h.days && !h.days.includes(c.day as never))) return false;
  const from = minutes(h.from, 0);
  const to = minutes(h.to, 1440);
  return from <= to ? c.minutes >= from && c.minutes < to : c.minutes >= from || c.minutes < to;
}
export { DAYS as FLOW_DAYS };
