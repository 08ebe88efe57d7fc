import type { Locale, MadoguchiError, MessengerConfig } from '@madoguchi/core';
import { atom } from 'nanostores';
import { FIRST } from './i18n-first';
import type { Strings } from './i18n-en';
import { loadCustomStrings, loadEnglish, loadJapanese } from './i18n-loader';

/** Every string of the widget (the English set, `i18n-en.ts`, defines them). */
export type { Strings };

/**
 * Strings by locale. English starts with what shows before the first open and is made whole with
 * the panel's views (`loadPanelStrings`), before any view shows; Japanese arrives whole, as a small
 * file of its own, when used.
 */
export const STRINGS: Partial<Record<Locale, Strings>> & { en: Strings } = { en: FIRST as Strings };
/** Counts arrivals of strings; the launcher re-renders on each (`useStore($stringsArrived)`). */
export const $stringsArrived = atom(0);
/** What layers `config.strings` over the built-in sets; a file of its own, fetched only when a config has strings. */
let custom: typeof import('./i18n-custom') | undefined;

/**
 * The strings for the configured locale, English until Japanese has arrived. With `config.strings`, those are layered over the built-in sets along the
 * locale's fallback chain (`fr-CA`, `fr`, English) once they have arrived. A component that
 * shows them subscribes to `$stringsArrived` to re-render then.
 */
export function stringsFor(locale: Locale, config?: MessengerConfig): Strings {
  const builtIn = STRINGS[locale] || STRINGS.en;
  return (config?.strings && custom?.withOverrides(STRINGS, locale, config)) || builtIn;
}

const bump = () => $stringsArrived.set($stringsArrived.get() + 1);

/** Makes the English strings whole: called with the panel's views, which show them. */
export const loadPanelStrings = (): Promise<void> =>
  'send' in STRINGS.en
    ? Promise.resolve()
    : loadEnglish().then(({ en }) => {
        STRINGS.en = en;
        bump();
      });

/**
 * Fetches what the strings of `locale` and `config` need if it is not here yet. Problems in
 * `config.strings` are reported once: errors through `report`, unknown keys as console warnings.
 */
export function loadStrings(locale: Locale, config?: MessengerConfig, report?: (error: MadoguchiError) => void): Promise<void> {
  const arrived = bump;
  const overrides = config?.strings;
  return Promise.all([
    STRINGS[locale] || loadJapanese().then(({ ja }) => ((STRINGS.ja = ja), arrived())),
    overrides &&
      (custom ? Promise.resolve(custom) : loadCustomStrings()).then((loaded) => {
        custom = loaded;
        loaded.checkOverrides(overrides, report);
        arrived();
      }),
  ]).then(() => {});
}
