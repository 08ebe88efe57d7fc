import type { Locale, MadoguchiError, MessengerConfig } from '@madoguchi/core';
import { atom } from 'nanostores';
import { FIRST, jaFirst } from './i18n-first';
import type { Strings } from './i18n-en';
import { loadCustomStrings, loadEnglish, loadJapanese } from './i18n-loader';

/** Every string of the widget (the English set, `i18n-en.ts`, defines them). */
export type { Strings };

/**
 * Strings by locale. Each set starts with what shows before the first open (`i18n-first.ts`) and is
 * made whole with the panel's views (`loadPanelStrings`), before any view shows.
 */
export const STRINGS: Partial<Record<Locale, Strings>> & { en: Strings } = { en: FIRST as Strings, ja: jaFirst as Strings };
/** Counts arrivals of strings; the launcher re-renders on each (`useStore($stringsArrived)`). */
export const $stringsArrived = atom(0);
/** What layers `config.strings` over the built-in sets; a file of its own, fetched only when a config has strings. */
let custom: typeof import('./i18n-custom') | undefined;

/**
 * The strings for the configured locale. With `config.strings`, those are layered over the built-in
 * sets along the locale's fallback chain (`fr-CA`, `fr`, English) once they have arrived. A
 * component that shows them subscribes to `$stringsArrived` to re-render then.
 */
export function stringsFor(locale: Locale, config?: MessengerConfig): Strings {
  // A set still waiting for its panel strings gives way to a whole English one (a locale switched
  // to after the views came), so a view never shows a missing string.
  const own = STRINGS[locale];
  const builtIn = own && (whole(own) || !whole(STRINGS.en)) ? own : STRINGS.en;
  return (config?.strings && custom?.withOverrides(STRINGS, locale, config)) || builtIn;
}

const bump = () => $stringsArrived.set($stringsArrived.get() + 1);
/** A set with the panel's strings too, not only the launcher's. */
const whole = (set: Strings | undefined) => !!set && 'send' in set;

/** The views have been asked for: from then on, a locale's set is made whole as soon as it is used. */
let panelWanted = false;

/**
 * Makes the built-in set of `locale` whole (the panel's strings beside the launcher's): called
 * with the panel's views, which show them, and for a locale switched to after they came.
 */
export function loadPanelStrings(locale: Locale): Promise<void> {
  panelWanted = true;
  const tag = locale == 'ja' ? 'ja' : 'en';
  return whole(STRINGS[tag])
    ? Promise.resolve()
    : (tag == 'ja' ? loadJapanese() : loadEnglish()).then((set) => {
        STRINGS[tag] = (set as Record<string, Strings>)[tag];
        bump();
      });
}

/**
 * Fetches what the strings of `locale` and `config` need if it is not here yet. Problems in
 * `config.strings` are reported once: errors through `report`, unknown keys as console warnings.
 */
export function loadStrings(locale: Locale, config?: MessengerConfig, report?: (error: MadoguchiError) => void): Promise<void> {
  const overrides = config?.strings;
  return Promise.all([
    panelWanted && loadPanelStrings(locale),
    overrides &&
      (custom ? Promise.resolve(custom) : loadCustomStrings()).then((loaded) => {
        custom = loaded;
        loaded.checkOverrides(overrides, report);
        bump();
      }),
  ]).then(() => {});
}
