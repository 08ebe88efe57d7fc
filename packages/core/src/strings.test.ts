import { describe, expect, it } from 'vitest';
import { validateStrings } from './strings';

describe('validateStrings', () => {
  it('keeps texts, templates, plural forms and scales of any locale', () => {
    const input = {
      fr: { open: "Ouvrir l'assistance", joined: '{name} a rejoint la conversation.', queue: { '=0': 'Vous êtes le prochain.', one: '{ahead} personne avant vous.', other: '{ahead} personnes avant vous.' } },
      'fr-CA': { send: 'Envoyer' },
      ko: { csatScale: ['1', '2', '3', '4', '5'] },
    };
    expect(validateStrings(input)).toEqual({ strings: input, errors: [], warnings: [] });
  });

  it('warns about unknown keys and placeholders with their path, and leaves the key out', () => {
    const { strings, errors, warnings } = validateStrings({ fr: { sned: 'Envoyer', send: 'Envoyer', typing: '{nom} écrit…' } });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      { path: '$.strings.fr.sned', message: `"sned" is not one of the widget's strings; it is ignored` },
      { path: '$.strings.fr.typing', message: '{nom} is not a placeholder of this string (it has {name}); it is shown as written' },
    ]);
    expect(strings).toEqual({ fr: { send: 'Envoyer', typing: '{nom} écrit…' } });
  });

  it('refuses values of the wrong kind with a clear error, keeping the rest', () => {
    const { strings, errors } = validateStrings({
      fr: { send: 42, open: 'Ouvrir', cesScale: ['a', 'b'], joined: { one: 'x', other: 'y' }, unread: { few: 'x' }, wait: { other: 5 } },
      'not a tag': { send: 'x' },
      de: 'Senden',
    });
    expect(strings).toEqual({ fr: { open: 'Ouvrir' } });
    expect(errors).toEqual([
      { path: '$.strings.fr.send', message: 'expected a string, got 42' },
      { path: '$.strings.fr.cesScale', message: 'expected a list of 7 strings, lowest first, got 2 item(s)' },
      { path: '$.strings.fr.joined', message: 'expected a string, got an object' },
      { path: '$.strings.fr.unread', message: 'plural forms need "other"' },
      { path: '$.strings.fr.wait', message: expect.stringContaining('"other": expected plural forms') },
      { path: '$.strings.not a tag', message: 'expected a locale tag such as "fr" or "fr-CA" as the key' },
      { path: '$.strings.de', message: 'expected the de strings by key, like { "send": "…" }, got "Senden"' },
    ]);
  });

  it('never throws, whatever it is given', () => {
    for (const input of [null, 'fr', [], 3, { fr: null }, { fr: [] }, { fr: { queue: null, csatScale: 'x' } }, Object.create(null)])
      expect(() => validateStrings(input)).not.toThrow();
    expect(validateStrings(null).errors[0]).toEqual({ path: '$.strings', message: expect.stringContaining('got null') });
  });
});
