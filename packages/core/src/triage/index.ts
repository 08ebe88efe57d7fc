import { isObject } from '../guards';
import type { Problem, UserInfo } from '../types';

type Level = 'low' | 'medium' | 'high';

/** How hard a query is to answer, how much harm it means, and how much effort the customer already spent. */
export interface TriageScore {
  complexity: Level;
  severity: Level;
  effort: Level;
}

/** Where a query goes: a help article, a bot flow, a person in chat, e-mail or phone. */
export type Channel = 'article' | 'flow' | 'person' | 'email' | 'phone';

export interface ChannelRoute {
  primary: Channel;
  secondary: Channel;
}

/**
 * One declarative rule: every condition given must hold, then each dimension in `raise` is lifted
 * to at least that level (scores only go up, so rule order does not matter).
 */
export interface TriageRule {
  /** Words or phrases keyed by language (`en`, `ja`, or `*` for any); one match is enough. */
  words?: Record<string, string[]>;
  /** Whether the on-device search found an article. */
  searchFound?: boolean;
  /** The user said an article was not helpful. */
  notHelpful?: boolean;
  /** A user attribute (`user.attributes[attribute]`) and the values that match. */
  attribute?: string;
  values?: unknown[];
  /** A page pattern: a substring of the page URL, `*` matches anything. */
  page?: string;
  /** Message at least this many characters long. */
  minLength?: number;
  raise: Partial<TriageScore>;
  /** Why, in a word or two: ends up in the handoff packet. */
  reason?: string;
}

export interface TriageRules {
  rules: TriageRule[];
}

/**
 * The channel map: keys are `complexity/severity/effort` (e.g. `high/medium/low`, `*` for any
 * level; the most specific key wins), plus an optional VIP rule that puts a person first.
 */
export interface ChannelMap {
  $schema?: string;
  routes: Record<string, ChannelRoute>;
  vip?: { attribute: string; values: unknown[]; primary?: Channel };
}

export interface TriageInput {
  text: string;
  locale: string;
  searchFound?: boolean;
  notHelpful?: boolean;
  flowHints?: Partial<TriageScore>;
  user?: UserInfo;
  page?: string;
}

export const TRIAGE_LEVELS: readonly Level[] = ['low', 'medium', 'high'];
export const CHANNELS: readonly Channel[] = ['article', 'flow', 'person', 'email', 'phone'];
const DIMENSIONS = ['complexity', 'severity', 'effort'] as const;

/** Rules that ship with the SDK: billing, security, outages and frustration, in English and Japanese. */
export const defaultTriageRules: TriageRules = {
  rules: [
    {
      words: { en: ['refund', 'charged twice', 'double charge', 'overcharged'], ja: ['返金', '二重請求', '二重に請求'] },
      raise: { severity: 'high', complexity: 'medium' },
      reason: 'billing',
    },
    {
      words: { en: ['hacked', 'fraud', 'unauthorized', 'locked out'], ja: ['不正', '乗っ取', 'ログインできない'] },
      raise: { severity: 'high', complexity: 'high' },
      reason: 'security',
    },
    {
      words: { en: ['not working', 'error', 'crash', 'outage'], ja: ['動かない', 'エラー', '障害'] },
      raise: { severity: 'medium', complexity: 'medium' },
      reason: 'fault',
    },
    { words: { en: ['again', 'still', 'urgent'], ja: ['まだ', '何度も', '至急'] }, raise: { effort: 'high' }, reason: 'frustration' },
    { searchFound: false, raise: { complexity: 'medium', effort: 'medium' }, reason: 'no article found' },
    { notHelpful: true, raise: { effort: 'high', complexity: 'medium' }, reason: 'article not helpful' },
    { minLength: 280, raise: { complexity: 'medium' }, reason: 'long message' },
  ],
};

const rank = (level: unknown) => TRIAGE_LEVELS.indexOf(level as Level);
const fold = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ');
const isWordChar = (c: string | undefined) => !!c && /[a-z0-9]/.test(c);

/** True when `word` occurs in `text`; Latin words must start at a word boundary ("refund" matches "refunded"). */
function hasWord(text: string, word: string): boolean {
  const w = fold(word);
  for (let i = text.indexOf(w); i >= 0 && w; i = text.indexOf(w, i + 1)) {
    if (!isWordChar(w[0]) || !isWordChar(text[i - 1])) return true;
  }
  return false;
}

function pageMatches(page: string, pattern: string): boolean {
  const parts = pattern.split('*');
  let at = page.indexOf(parts[0]!);
  for (let i = 1; at >= 0 && i < parts.length; i++) {
    const next = page.indexOf(parts[i]!, at + parts[i - 1]!.length);
    at = next;
  }
  return at >= 0;
}

/** Scores a query from declarative rules; `reasons` says which rules fired, in rule order. */
export function scoreTriage(input: TriageInput, rules: TriageRules = defaultTriageRules): TriageScore & { reasons: string[] } {
  const score: TriageScore & { reasons: string[] } = { complexity: 'low', severity: 'low', effort: 'low', reasons: [] };
  const text = fold(String(input.text || ''));
  const lang = String(input.locale || 'en').toLowerCase().split('-')[0]!;
  const attrs = input.user?.attributes || {};
  const raise = (by: Partial<TriageScore> | undefined, reason: string) => {
    for (const d of DIMENSIONS) if (rank(by?.[d]) > rank(score[d])) score[d] = by![d]!;
    if (!score.reasons.includes(reason)) score.reasons.push(reason);
  };
  for (const rule of rules.rules || []) {
    let matched: string | undefined;
    if (rule.words) {
      const list = [...(rule.words[lang] || []), ...(rule.words['*'] || [])];
      matched = list.find((w) => hasWord(text, w));
      if (!matched) continue;
    }
    if (rule.searchFound !== undefined && input.searchFound !== rule.searchFound) continue;
    if (rule.notHelpful !== undefined && !!input.notHelpful !== rule.notHelpful) continue;
    if (rule.attribute && !(rule.values || []).includes(attrs[rule.attribute])) continue;
    if (rule.page !== undefined && !pageMatches(input.page || '', rule.page)) continue;
    if (rule.minLength && text.length < rule.minLength) continue;
    raise(rule.raise, (rule.reason || 'rule') + (matched ? ` "${matched}"` : ''));
  }
  if (input.flowHints) raise(input.flowHints, 'flow');
  return score;
}

const to = (primary: Channel, secondary: Channel): ChannelRoute => ({ primary, secondary });

/** The route the default map gives a score (0 low, 1 medium, 2 high): simple things to self-service, serious ones to people. */
function defaultRoute(c: number, s: number, e: number): ChannelRoute {
  if (s === 2) return to('person', c === 2 || e === 2 ? 'phone' : 'email');
  if (c === 2) return s || e === 2 ? to('person', 'email') : to('email', 'person');
  if (e === 2) return to('person', c ? 'email' : 'flow');
  if (c === 1) return to('flow', s ? 'person' : 'article');
  return to('article', s || e ? 'flow' : 'person');
}

/** The map that ships with the SDK, all 27 scores spelled out; paid tiers go straight to a person. */
export const defaultChannelMap: ChannelMap = (() => {
  const routes: Record<string, ChannelRoute> = {};
  for (let i = 0; i < 27; i++) {
    const [c, s, e] = [(i / 9) | 0, ((i / 3) | 0) % 3, i % 3];
    routes[`${TRIAGE_LEVELS[c]}/${TRIAGE_LEVELS[s]}/${TRIAGE_LEVELS[e]}`] = defaultRoute(c, s, e);
  }
  return { routes, vip: { attribute: 'tier', values: ['vip', 'enterprise'], primary: 'person' } };
})();

/** Finds the most specific route for a score (exact keys beat `*`), or undefined. */
function findRoute(map: ChannelMap, score: TriageScore): ChannelRoute | undefined {
  let best: ChannelRoute | undefined;
  let bestStars = 4;
  for (const key in map.routes) {
    const parts = key.split('/');
    if (parts.length !== 3 || !DIMENSIONS.every((d, i) => parts[i] === '*' || parts[i] === score[d])) continue;
    const stars = parts.filter((p) => p === '*').length;
    if (stars < bestStars) (best = map.routes[key]), (bestStars = stars);
  }
  return best;
}

/** Sends a score to a primary and a secondary channel; a VIP user gets the VIP channel first. */
export function routeTriage(score: TriageScore, map: ChannelMap = defaultChannelMap, user?: UserInfo): ChannelRoute {
  const route = findRoute(map, score) || findRoute(defaultChannelMap, score)!;
  const vip = map.vip;
  if (vip && user?.attributes && vip.values.includes(user.attributes[vip.attribute])) {
    const primary = vip.primary || 'person';
    if (route.primary !== primary) return to(primary, route.primary);
  }
  return to(route.primary, route.secondary);
}

const channelProblem = (path: string, v: unknown): Problem[] =>
  CHANNELS.includes(v as Channel) ? [] : [{ path, message: `expected one of ${CHANNELS.join(', ')}` }];

/** Checks a channel map written as JSON: shape, channel names, and that each of the 27 scores has a route. */
export function validateChannelMap(json: unknown): Problem[] {
  if (!isObject(json)) return [{ path: '$', message: 'expected an object with "routes"' }];
  const problems: Problem[] = [];
  const routes = json.routes;
  if (!isObject(routes)) return [{ path: '$.routes', message: 'expected an object keyed by "complexity/severity/effort"' }];
  for (const key in routes) {
    const path = `$.routes["${key}"]`;
    const parts = key.split('/');
    if (parts.length !== 3 || parts.some((p) => p !== '*' && rank(p) < 0)) {
      problems.push({ path, message: 'key must be "complexity/severity/effort", each low, medium, high or *' });
    }
    const route = routes[key];
    if (!isObject(route)) {
      problems.push({ path, message: 'expected { "primary": …, "secondary": … }' });
      continue;
    }
    problems.push(...channelProblem(path + '.primary', route.primary), ...channelProblem(path + '.secondary', route.secondary));
  }
  if (!problems.length) {
    const map = json as unknown as ChannelMap;
    for (let i = 0; i < 27; i++) {
      const score = { complexity: TRIAGE_LEVELS[(i / 9) | 0]!, severity: TRIAGE_LEVELS[((i / 3) | 0) % 3]!, effort: TRIAGE_LEVELS[i % 3]! };
      if (!findRoute({ routes: map.routes }, score)) {
        problems.push({ path: '$.routes', message: `no route for ${score.complexity}/${score.severity}/${score.effort}` });
      }
    }
  }
  const vip = json.vip;
  if (vip !== undefined) {
    if (!isObject(vip) || typeof vip.attribute !== 'string' || !Array.isArray(vip.values)) {
      problems.push({ path: '$.vip', message: 'expected { "attribute": string, "values": [...], "primary"?: channel }' });
    } else if (vip.primary !== undefined) problems.push(...channelProblem('$.vip.primary', vip.primary));
  }
  return problems;
}

/** Checks triage rules written as JSON. */
export function validateTriageRules(json: unknown): Problem[] {
  if (!isObject(json) || !Array.isArray(json.rules)) return [{ path: '$.rules', message: 'expected an array of rules' }];
  const problems: Problem[] = [];
  json.rules.forEach((rule: unknown, i: number) => {
    const path = `$.rules[${i}]`;
    if (!isObject(rule) || !isObject(rule.raise)) return void problems.push({ path: path + '.raise', message: 'expected an object with "raise"' });
    for (const d in rule.raise) {
      if (!DIMENSIONS.includes(d as 'effort') || rank(rule.raise[d]) < 0) {
        problems.push({ path: `${path}.raise.${d}`, message: 'expected complexity, severity or effort set to low, medium or high' });
      }
    }
    const words = rule.words;
    if (words !== undefined) {
      if (!isObject(words)) problems.push({ path: path + '.words', message: 'expected words keyed by language, e.g. { "en": ["refund"] }' });
      else for (const l in words) {
        const list = words[l];
        if (!Array.isArray(list) || list.some((w) => typeof w !== 'string' || !w.trim())) {
          problems.push({ path: `${path}.words.${l}`, message: 'expected a list of non-empty strings' });
        }
      }
    }
    if (rule.attribute !== undefined && (typeof rule.attribute !== 'string' || !Array.isArray(rule.values))) {
      problems.push({ path: path + '.values', message: 'an attribute rule needs "attribute" (a string) and "values" (a list)' });
    }
    if (rule.page !== undefined && typeof rule.page !== 'string') problems.push({ path: path + '.page', message: 'expected a string' });
  });
  return problems;
}
