import { STRING_SCALES, STRING_TEMPLATES, validateStrings, type MessengerConfig } from '@madoguchi/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { en } from './i18n-en';
import { FIRST } from './i18n-first';
import { ja } from './i18n-ja';
import { checkOverrides, localeChain, withOverrides } from './i18n-custom';

const fr = {
  open: "Ouvrir l'assistance",
  send: 'Envoyer',
  queue: { '=0': 'Vous êtes le prochain.', one: '{ahead} personne avant vous.', other: '{ahead} personnes avant vous.' },
  joined: '{name} a rejoint la conversation.',
  flowScore: '{n} sur {of}',
  csatScale: ['Très insatisfait', 'Insatisfait', 'Neutre', 'Satisfait', 'Très satisfait'],
};
const config = (locale: string, strings: MessengerConfig['strings']): MessengerConfig => ({ appId: 'a', locale, strings });

afterEach(() => vi.restoreAllMocks());

describe('strings for any language', () => {
  it('follows the chain fr-CA → fr → English', () => {
    expect(localeChain('fr-CA')).toEqual(['fr-ca', 'fr', 'en']);
    expect(localeChain('zh_Hant_TW')).toEqual(['zh-hant-tw', 'zh-hant', 'zh', 'en']);
    expect(localeChain('en-GB')).toEqual(['en-gb', 'en']);
    const t = withOverrides({ en }, 'en', config('fr-CA', { fr, 'fr-CA': { send: 'Soumettre' } }));
    expect([t.open, t.send, t.title]).toEqual(["Ouvrir l'assistance", 'Soumettre', 'Support']);
  });

  it('fills templates, picks plural forms by the locale and keeps scales', () => {
    const t = withOverrides({ en }, 'en', config('fr', { fr }));
    expect([t.queue(1), t.queue(2), t.queue(4)]).toEqual(['Vous êtes le prochain.', '1 personne avant vous.', '3 personnes avant vous.']);
    expect(t.joined('Sam')).toBe('Sam a rejoint la conversation.');
    expect(t.flowScore(3, 5)).toBe('3 sur 5');
    expect(t.csatScale[4]).toBe('Très satisfait');
    expect(t.wait(5)).toBe('Expected wait: about 5 min.');
  });

  it('overrides single English or Japanese strings, over the built-in set', () => {
    const strings = { en: { human: 'Chat with us' }, ja: { human: 'スタッフに相談' } };
    expect(withOverrides({ en }, 'en', config('en-US', strings)).human).toBe('Chat with us');
    const t = withOverrides({ en, ja }, 'ja', config('ja', strings));
    expect([t.human, t.send]).toEqual(['スタッフに相談', '送信']);
    // Before the Japanese file has arrived: English, with the English overrides.
    expect(withOverrides({ en }, 'ja', config('ja', strings)).human).toBe('Chat with us');
  });

  it('follows the messenger when it switched language after boot', () => {
    const t = withOverrides({ en, ja }, 'ja', config('fr', { fr }));
    expect(t.open).toBe('サポートを開く');
  });

  it('reports bad values once and warns about unknown keys, using only what passed', () => {
    const report = vi.fn();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const strings = { fr: { open: 7, sned: 'Envoyer', send: 'Envoyer' } } as unknown as MessengerConfig['strings'];
    checkOverrides(strings!, report);
    checkOverrides(strings!, report);
    expect(report).toHaveBeenCalledTimes(1);
    expect(report).toHaveBeenCalledWith({ message: 'config strings.fr.open expected a string, got 7', path: '$.strings.fr.open' });
    expect(warn).toHaveBeenCalledWith(`[madoguchi] config strings.fr.sned: "sned" is not one of the widget's strings; it is ignored`);
    const t = withOverrides({ en }, 'en', config('fr', strings));
    expect([t.open, t.send]).toEqual(['Open support', 'Envoyer']);
  });

  it("layers anew once English is whole: the launcher's strings first, the panel's with the views", () => {
    const c = config('fr', { fr });
    const early = withOverrides({ en: FIRST as typeof en }, 'en', c);
    expect([early.open, early.send]).toEqual(["Ouvrir l'assistance", 'Envoyer']);
    expect(early.placeholder).toBeUndefined();
    const whole = withOverrides({ en }, 'en', c);
    expect([whole.open, whole.send, whole.placeholder]).toEqual(["Ouvrir l'assistance", 'Envoyer', 'Ask a question…']);
  });

  it('knows every string of the widget, each of its own kind', () => {
    const sample = Object.fromEntries(
      Object.entries(en).map(([key, value]) => [key, Array.isArray(value) ? value : typeof value === 'function' ? '{x}' : 'text']),
    );
    const { strings, errors } = validateStrings({ en: sample });
    expect(errors).toEqual([]);
    expect(Object.keys(strings!.en).sort()).toEqual(Object.keys(en).sort());
    const functions = Object.keys(en).filter((k) => typeof en[k as keyof typeof en] === 'function');
    expect(Object.keys(STRING_TEMPLATES).sort()).toEqual(functions.sort());
    for (const [key, size] of Object.entries(STRING_SCALES)) expect(en[key as keyof typeof en]).toHaveLength(size);
  });
});
