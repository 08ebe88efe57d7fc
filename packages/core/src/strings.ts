import type { Problem } from './types';

/** One string of the widget as a config may give it: a text, plural forms, or the labels of a scale. */
export type StringValue = string | string[] | Partial<Record<string, string>>;

/** Strings by locale tag (`fr`, `fr-CA`, `en`…), each a partial set of the widget's strings by key. */
export type StringOverrides = Record<string, Record<string, StringValue>>;

/** The widget's plain texts. */
const TEXTS =
  'open close title minimize message placeholder send human greeting thread failure retry earlier you back suggestions newTab helpful yes no thanks nextStep waiting browse closed away queued failed flowChoose flowRate flowWorking flowDone helpCentre notHelpful notHelpfulLater emailOffer email emailMe emailInvalid emailFailed survey csatAsk cesAsk comment commentHint submitFeedback skip dismiss greetingPlain forPage ackThanks ackSoon ackOffer ackOfferEmail noteAsked noteLost sending sent read resend unreachable today yesterday earlierChats newChat ended ongoing';

/**
 * Texts with `{placeholders}`, by key: their names in the order the widget passes them. A leading
 * `#` marks a count, which may pick a plural form (`{ "one": …, "other": … }`).
 */
export const STRING_TEMPLATES: Record<string, string> = {
  queue: '#ahead n',
  wait: '#min',
  unread: '#n',
  found: '#n',
  flowScore: '#n of',
  joined: 'name',
  typing: 'name',
  awayUntil: 'when',
  emailSent: 'to',
  ackReply: 'time',
  ackEmail: 'to',
  noteEmail: 'to',
  noteSurvey: 'label',
  replyFrom: 'name',
  emailTo: 'to',
};

/** Scales, by key: how many labels, lowest first. */
export const STRING_SCALES: Record<string, number> = { csatScale: 5, cesScale: 7 };

const PLURAL_FORM = /^(zero|one|two|few|many|other|=\d+)$/;
const LOCALE_TAG = /^[a-z]{2,3}(-[a-z\d]{1,8})*$/i;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'an array' : isRecord(v) ? 'an object' : String(v));

/**
 * Checks `config.strings`. A value of the wrong kind is an error and left out; an unknown locale
 * key or string key is a warning and left out; everything else is kept.
 */
export function validateStrings(input: unknown, path = '$.strings'): { strings?: StringOverrides; errors: Problem[]; warnings: Problem[] } {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  if (!isRecord(input)) return { errors: [{ path, message: `expected strings by locale, like { "fr": { "send": "Envoyer" } }, got ${shown(input)}` }], warnings };
  const strings: StringOverrides = {};
  for (const [tag, set] of Object.entries(input)) {
    const at = `${path}.${tag}`;
    if (!LOCALE_TAG.test(tag)) errors.push({ path: at, message: `expected a locale tag such as "fr" or "fr-CA" as the key` });
    else if (!isRecord(set)) errors.push({ path: at, message: `expected the ${tag} strings by key, like { "send": "…" }, got ${shown(set)}` });
    else strings[tag] = checkSet(set, at, errors, warnings);
  }
  return { strings, errors, warnings };
}

function checkSet(set: Record<string, unknown>, path: string, errors: Problem[], warnings: Problem[]): Record<string, StringValue> {
  const kept: Record<string, StringValue> = {};
  for (const [key, value] of Object.entries(set)) {
    const at = `${path}.${key}`;
    const reason = Object.hasOwn(STRING_SCALES, key)
      ? checkScale(value, STRING_SCALES[key])
      : Object.hasOwn(STRING_TEMPLATES, key)
        ? checkTemplate(value, STRING_TEMPLATES[key], at, warnings)
        : TEXTS.split(' ').includes(key)
          ? typeof value === 'string' ? '' : `expected a string, got ${shown(value)}`
          : undefined;
    if (reason === undefined) warnings.push({ path: at, message: `"${key}" is not one of the widget's strings; it is ignored` });
    else if (reason) errors.push({ path: at, message: reason });
    else kept[key] = value as StringValue;
  }
  return kept;
}

function checkScale(value: unknown, size: number): string {
  return Array.isArray(value) && value.length === size && value.every((v) => typeof v === 'string')
    ? ''
    : `expected a list of ${size} strings, lowest first, got ${Array.isArray(value) ? `${value.length} item(s)` : shown(value)}`;
}

function checkTemplate(value: unknown, params: string, path: string, warnings: Problem[]): string {
  const counted = params.startsWith('#');
  const names = params.replace('#', '').split(' ');
  const texts = typeof value === 'string' ? [value] : counted && isRecord(value) ? Object.values(value) : [];
  if (!texts.length) return `expected a string${counted ? ' or plural forms like { "one": "…", "other": "…" }' : ''}, got ${shown(value)}`;
  if (isRecord(value)) {
    const bad = Object.keys(value).find((k) => !PLURAL_FORM.test(k)) ?? Object.keys(value).find((k) => typeof value[k] !== 'string');
    if (bad) return `"${bad}": expected plural forms ("zero", "one", "two", "few", "many", "other" or "=2") with string values`;
    if (typeof value.other !== 'string') return 'plural forms need "other"';
  }
  for (const text of texts as string[])
    for (const [, name] of text.matchAll(/\{(\w+)\}/g))
      if (!names.includes(name)) warnings.push({ path, message: `{${name}} is not a placeholder of this string (it has ${names.map((n) => `{${n}}`).join(', ')}); it is shown as written` });
  return '';
}
