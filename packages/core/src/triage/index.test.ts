import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  CHANNELS,
  TRIAGE_LEVELS,
  defaultChannelMap,
  routeTriage,
  scoreTriage,
  validateChannelMap,
  validateTriageRules,
  type TriageRules,
} from './index';

describe('scoreTriage', () => {
  it('starts every dimension low for a plain question', () => {
    const s = scoreTriage({ text: 'How do I change my avatar?', locale: 'en', searchFound: true });
    expect(s).toEqual({ complexity: 'low', severity: 'low', effort: 'low', reasons: [] });
  });

  it('finds English billing words and phrases, in any case and inflection', () => {
    const s = scoreTriage({ text: 'I was CHARGED TWICE and want it refunded', locale: 'en-GB' });
    expect(s.severity).toBe('high');
    expect(s.reasons).toEqual(['billing "refund"']);
  });

  it('finds Japanese words, including full-width text', () => {
    const s = scoreTriage({ text: '先月分が二重請求されています', locale: 'ja' });
    expect(s.severity).toBe('high');
    expect(s.reasons[0]).toContain('二重請求');
    expect(scoreTriage({ text: 'ｴﾗｰが出ます', locale: 'ja' }).reasons).toEqual(['fault "エラー"']);
  });

  it('only uses the words listed for the message language (and "*")', () => {
    const rules: TriageRules = { rules: [{ words: { ja: ['refund'], '*': ['sos'] }, raise: { severity: 'high' } }] };
    expect(scoreTriage({ text: 'refund please', locale: 'en' }, rules).severity).toBe('low');
    expect(scoreTriage({ text: 'refund please', locale: 'ja' }, rules).severity).toBe('high');
    expect(scoreTriage({ text: 'SOS', locale: 'en' }, rules).severity).toBe('high');
  });

  it('does not match a Latin word inside another word', () => {
    expect(scoreTriage({ text: 'a terror at the distillery', locale: 'en', searchFound: true }).reasons).toEqual([]);
  });

  it('raises complexity and effort when search found nothing or the article did not help', () => {
    const none = scoreTriage({ text: 'where is the thing', locale: 'en', searchFound: false });
    expect(none).toMatchObject({ complexity: 'medium', effort: 'medium', reasons: ['no article found'] });
    const unhelpful = scoreTriage({ text: 'where is the thing', locale: 'en', searchFound: true, notHelpful: true });
    expect(unhelpful.effort).toBe('high');
  });

  it('takes flow hints, user attributes and page patterns into account', () => {
    const rules: TriageRules = {
      rules: [
        { attribute: 'plan', values: ['enterprise'], raise: { severity: 'medium' }, reason: 'paid plan' },
        { page: '/billing', raise: { severity: 'medium' }, reason: 'billing page' },
        { page: '/admin', raise: { severity: 'high' }, reason: 'admin page' },
      ],
    };
    const input = { text: 'hello', locale: 'en', flowHints: { complexity: 'high' as const }, page: 'https://app.example.com/billing/invoices' };
    expect(scoreTriage({ ...input, user: { attributes: { plan: 'free' } } }, rules).reasons).toEqual(['billing page', 'flow']);
    const s = scoreTriage({ ...input, user: { attributes: { plan: 'enterprise' } } }, rules);
    expect(s).toMatchObject({ complexity: 'high', severity: 'medium' });
    expect(s.reasons).toEqual(['paid plan', 'billing page', 'flow']);
    const glob = { rules: [{ page: '/orders/*/return', raise: { effort: 'high' as const } }] };
    expect(scoreTriage({ text: '', locale: 'en', page: '/orders/42/return' }, glob).effort).toBe('high');
    expect(scoreTriage({ text: '', locale: 'en', page: '/orders/42' }, glob).effort).toBe('low');
  });

  it('never lowers a level once raised', () => {
    const s = scoreTriage({ text: 'refund', locale: 'en', flowHints: { severity: 'low' } });
    expect(s.severity).toBe('high');
  });
});

describe('channel map', () => {
  const all = TRIAGE_LEVELS.flatMap((c) => TRIAGE_LEVELS.flatMap((s) => TRIAGE_LEVELS.map((e) => ({ complexity: c, severity: s, effort: e }))));

  it('the default map has all 27 scores, each with two different known channels', () => {
    expect(Object.keys(defaultChannelMap.routes)).toHaveLength(27);
    for (const score of all) {
      const r = routeTriage(score);
      expect(CHANNELS).toContain(r.primary);
      expect(CHANNELS).toContain(r.secondary);
      expect(r.primary).not.toBe(r.secondary);
    }
    expect(validateChannelMap(defaultChannelMap)).toEqual([]);
  });

  it('sends simple questions to articles and severe ones to a person', () => {
    expect(routeTriage({ complexity: 'low', severity: 'low', effort: 'low' }).primary).toBe('article');
    expect(routeTriage({ complexity: 'medium', severity: 'low', effort: 'low' }).primary).toBe('flow');
    expect(routeTriage({ complexity: 'low', severity: 'high', effort: 'low' }).primary).toBe('person');
  });

  it('routes a VIP straight to a person, keeping the usual channel second', () => {
    const low = { complexity: 'low', severity: 'low', effort: 'low' } as const;
    expect(routeTriage(low, defaultChannelMap, { attributes: { tier: 'vip' } })).toEqual({ primary: 'person', secondary: 'article' });
    expect(routeTriage(low, defaultChannelMap, { attributes: { tier: 'free' } }).primary).toBe('article');
  });

  it('accepts wildcards, the most specific key winning', () => {
    const map = { routes: { '*/*/*': { primary: 'article', secondary: 'email' }, 'high/*/*': { primary: 'phone', secondary: 'email' }, 'high/high/high': { primary: 'person', secondary: 'phone' } } } as const;
    expect(validateChannelMap(map)).toEqual([]);
    expect(routeTriage({ complexity: 'high', severity: 'low', effort: 'low' }, map as never).primary).toBe('phone');
    expect(routeTriage({ complexity: 'high', severity: 'high', effort: 'high' }, map as never).primary).toBe('person');
    expect(routeTriage({ complexity: 'low', severity: 'high', effort: 'high' }, map as never).primary).toBe('article');
  });

  it('reports missing scores, bad keys and unknown channels with their paths', () => {
    const problems = validateChannelMap({
      routes: { 'low/low/low': { primary: 'fax', secondary: 'email' }, 'huge/low/low': { primary: 'person', secondary: 'email' } },
      vip: { attribute: 'tier' },
    });
    expect(problems).toContainEqual({ path: '$.routes["low/low/low"].primary', message: expect.stringContaining('article') });
    expect(problems.map((p) => p.path)).toContain('$.routes["huge/low/low"]');
    expect(problems.map((p) => p.path)).toContain('$.vip');
    const missing = validateChannelMap({ routes: { 'low/low/low': { primary: 'article', secondary: 'flow' } } });
    expect(missing).toHaveLength(26);
    expect(missing[0]!.message).toBe('no route for low/low/medium');
    expect(validateChannelMap('nope')).toEqual([{ path: '$', message: expect.any(String) }]);
  });

  it('the shipped schemas parse and name the channel values', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schema/channel-map.schema.json', import.meta.url), 'utf8'));
    expect(JSON.stringify(schema)).toContain('"phone"');
    JSON.parse(readFileSync(new URL('../../schema/triage-rules.schema.json', import.meta.url), 'utf8'));
  });
});

describe('validateTriageRules', () => {
  it('accepts the rules it ships and reports bad ones by path', () => {
    expect(validateTriageRules({ rules: [{ words: { en: ['x'] }, raise: { severity: 'high' } }] })).toEqual([]);
    const problems = validateTriageRules({ rules: [{ words: { en: [''] }, raise: { speed: 'high' } }, {}] });
    expect(problems.map((p) => p.path)).toEqual(['$.rules[0].raise.speed', '$.rules[0].words.en', '$.rules[1].raise']);
  });
});
