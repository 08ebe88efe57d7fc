import type { Locale, MadoguchiError, MessengerConfig, StringOverrides, StringValue } from '@madoguchi/core';
// From their own modules, not the package's index: this chunk carries none of the engines.
import { resolveLocale } from '@madoguchi/core/config';
import { STRING_TEMPLATES, validateStrings } from '@madoguchi/core/strings';
// Types only: in the script-tag build this is a file of its own, handed the built-in strings.
import type { Strings } from './i18n-en';

type BuiltIn = Partial<Record<Locale, Strings>> & { en: Strings };

/** Each config's strings as checked: only what passed, keys by lower-case tag. */
const checked = new WeakMap<StringOverrides, Map<string, Record<string, StringValue>>>();
/** The layered strings of each config, by locale chain. */
const layered = new WeakMap<StringOverrides, Map<string, Strings>>();

/**
 * Checks `overrides` once: a value of the wrong kind is left out and reported as an error (path and
 * reason), an unknown key is left out with a console warning; nothing throws.
 */
export function checkOverrides(overrides: StringOverrides, report?: (error: MadoguchiError) => void): Map<string, Record<string, StringValue>> {
  let byTag = checked.get(overrides);
  if (byTag) return byTag;
  const { strings = {}, errors, warnings } = validateStrings(overrides);
  for (const e of errors) report?.({ message: `config ${e.path.slice(2)} ${e.message}`, path: e.path });
  for (const w of warnings) console.warn(`[madoguchi] config ${w.path.slice(2)}: ${w.message}`);
  byTag = new Map(Object.entries(strings).map(([tag, set]) => [tag.toLowerCase(), set]));
  checked.set(overrides, byTag);
  return byTag;
}

/** The built-in strings that have arrived, with the config's strings for its locale layered over them. */
export function withOverrides(builtIn: BuiltIn, locale: Locale, config: MessengerConfig): Strings {
  const overrides = config.strings!;
  // English alone until the built-in strings of the locale (Japanese) have arrived, never a mix.
  const chain = builtIn[locale] ? localeChain(requestedTag(locale, config)) : ['en'];
  // The sets that have arrived, and how whole each is (each is made whole with the panel).
  const key = `${chain.join(' ')} ${Object.entries(builtIn).map(([tag, set]) => `${tag}:${Object.keys(set!).length}`)}`;
  let cache = layered.get(overrides);
  if (!cache) layered.set(overrides, (cache = new Map()));
  let strings = cache.get(key);
  if (!strings) cache.set(key, (strings = layer(chain, checkOverrides(overrides), builtIn)));
  return strings;
}

/** The tag the strings follow: the configured one, else the page's; `locale` when the messenger switched language since. */
function requestedTag(locale: Locale, config: MessengerConfig): string {
  const tag = config.locale || (typeof document !== 'undefined' && document.documentElement.lang) || (typeof navigator !== 'undefined' && navigator.language) || locale;
  return resolveLocale(tag) === locale ? tag : locale;
}

/** `fr-CA` → `fr-ca`, `fr`, `en`; `ja-JP` → `ja-jp`, `ja`, `en`: most specific first, English last. */
export function localeChain(tag: string): string[] {
  const parts = tag.toLowerCase().replace(/_/g, '-').split('-');
  const chain = parts.map((_, i) => parts.slice(0, parts.length - i).join('-'));
  return chain.includes('en') ? chain : [...chain, 'en'];
}

/** English, then each tag of the chain from least to most specific: its built-in strings, then the config's. */
function layer(chain: string[], byTag: Map<string, Record<string, StringValue>>, builtIn: BuiltIn): Strings {
  const strings = { ...builtIn.en } as Record<string, unknown>;
  for (const tag of [...chain].reverse()) {
    Object.assign(strings, builtIn[tag as Locale]);
    for (const [key, value] of Object.entries(byTag.get(tag) || {})) strings[key] = compile(key, value, chain[0]);
  }
  return strings as Strings;
}

/** A text or a scale as given; a template as a function of the values the widget passes. */
function compile(key: string, value: StringValue, tag: string): unknown {
  const params = STRING_TEMPLATES[key];
  if (!params) return value;
  const names = params.replace('#', '').split(' ');
  return (...args: Array<string | number>) => {
    // The place in line is given; the text may say how many people are ahead instead.
    const values: Record<string, string | number> = key === 'queue' ? { ahead: +args[0] - 1, n: args[0] } : Object.fromEntries(names.map((n, i) => [n, args[i]]));
    const text = typeof value === 'string' ? value : pluralForm(value as Record<string, string>, +values[names[0]], tag);
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
  };
}

/** `=N` for exactly N, else the locale's plural category, else `other`. */
function pluralForm(forms: Record<string, string>, count: number, tag: string): string {
  let category = 'other';
  try {
    category = new Intl.PluralRules(tag).select(count);
  } catch {
    // A tag Intl does not know: "other" applies.
  }
  return forms[`=${count}`] ?? forms[category] ?? forms.other;
}
