import { describe, expect, it } from 'vitest';
import { resolveLocale, validateConfig } from './config';

describe('validateConfig', () => {
  it('accepts a full config as given', () => {
    const input = { appId: 'acme', locale: 'ja' as const, position: 'top-left' as const, zIndex: 10, theme: 'dark' as const, storage: 'always' as const };
    expect(validateConfig(input)).toEqual({ config: input, problems: [] });
  });

  it('names the field and the reason, and drops only that field', () => {
    const { config, problems } = validateConfig({ appId: 'acme', position: 'middle', zIndex: 'high', transport: { type: 'websocket' } });
    expect(config).toEqual({ appId: 'acme' });
    expect(problems.map((p) => p.path)).toEqual(['$.position', '$.zIndex', '$.transport']);
    expect(problems[0]!.message).toContain('"bottom-right"');
    expect(problems[0]!.message).toContain('got "middle"');
    expect(problems[2]!.message).toBe('expected a "url" for the websocket transport, got an object');
  });

  it('refuses a config without a usable appId', () => {
    expect(validateConfig({}).config).toBeUndefined();
    expect(validateConfig({}).problems).toEqual([{ path: '$.appId', message: expect.stringContaining('required') }]);
    expect(validateConfig({ appId: 'has spaces' }).config).toBeUndefined();
    expect(validateConfig(null).problems[0]!.path).toBe('$');
  });

  it('accepts any locale tag and strings by locale, and refuses strings that are not an object', () => {
    const input = { appId: 'a', locale: 'fr-CA', strings: { fr: { send: 'Envoyer' } } };
    expect(validateConfig(input)).toEqual({ config: input, problems: [] });
    const { config, problems } = validateConfig({ appId: 'a', strings: 'fr' });
    expect(config).toEqual({ appId: 'a' });
    expect(problems).toEqual([{ path: '$.strings', message: 'expected strings by locale, like { "fr": { "send": "Envoyer" } }, got "fr"' }]);
  });

  it('accepts any object with connect() as a transport adapter', () => {
    const adapter = { connect() {}, send: async () => {}, handoff: async () => {}, close() {} };
    expect(validateConfig({ appId: 'a', transport: adapter }).problems).toEqual([]);
  });
});

describe('resolveLocale', () => {
  it('uses the config, then the page language; anything but Japanese is English', () => {
    expect(resolveLocale('ja')).toBe('ja');
    expect(resolveLocale('ja-JP')).toBe('ja');
    expect(resolveLocale('fr')).toBe('en');
    expect(resolveLocale(undefined, { documentElement: { lang: 'ja' } } as unknown as Document)).toBe('ja');
  });
});
