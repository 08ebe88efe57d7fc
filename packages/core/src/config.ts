import type { RedactionOptions } from './context/redact';
import { isObject } from './guards';
import type { TransportAdapter } from './transport/types';
import type { StringOverrides } from './strings';
import type { Locale, LocalizedText, Problem, UserInfo } from './types';

export type Corner = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';
export type ThemeMode = 'auto' | 'light' | 'dark';
export type StorageMode = 'always' | 'after-interaction' | 'none';

/** Built-in transports by name, or any object that implements the adapter interface. */
export type TransportConfig =
  | TransportAdapter
  | { type: 'loopback'; delay?: number; agentName?: string }
  | { type: 'websocket'; url: string }
  | { type: 'http'; url: string }
  | { type: 'webhook'; url: string };

export interface MessengerConfig {
  /** Identifies the product; one IndexedDB database per app id. Required. */
  appId: string;
  /**
   * A language tag (`'en'`, `'ja'`, `'fr-CA'`…); defaults to the page's language (`<html lang>`, then
   * navigator.language). English and Japanese are built in; other languages come from `strings`.
   */
  locale?: Locale | (string & {});
  /**
   * The widget's strings for any locale, or a few of the English or Japanese ones:
   * `{ fr: { open: "Ouvrir l'assistance", send: 'Envoyer' } }`. Checked key by key when the widget
   * loads them (see `validateStrings`).
   */
  strings?: StringOverrides;
  user?: UserInfo;
  /** Help-centre articles: a URL to fetch, an array of articles, or a prebuilt index. */
  faq?: string | unknown[] | Record<string, unknown>;
  /**
   * When the help centre is fetched and indexed: 'open' (default) when the panel first opens or the visitor
   * types; 'idle' also in the first idle period 5 s after boot; 'boot' at once.
   */
  faqLoad?: 'open' | 'idle' | 'boot';
  /**
   * Bot flows: URLs to fetch or flow objects, or the URL of a flow index from `madoguchi flow
   * build` (every trigger in one small file; each flow file is fetched when a flow is about to run).
   */
  flows?: string | Array<string | Record<string, unknown>>;
  transport?: TransportConfig;
  /** When IndexedDB may be written: default 'after-interaction' (open or consent). */
  storage?: StorageMode;
  /** Days a conversation is kept after its last change. Default 90. */
  retentionDays?: number;
  /** Corner of the launcher and panel. Default 'bottom-right'. */
  position?: Corner;
  /** Stacking order of the launcher and panel. Default 2147483000. */
  zIndex?: number;
  /** 'auto' follows prefers-color-scheme (default), or `{ mode, accent }`: the brand colour as #rgb or #rrggbb. */
  theme?: ThemeMode | { mode?: ThemeMode; accent?: string };
  /** The panel's heading (its accessible name stays "Support"). */
  title?: LocalizedText;
  /** The first thing an empty conversation says. */
  greeting?: LocalizedText;
  /** false hides the built-in launcher: open the panel from your own button (`open`, `toggle`). Default true. */
  launcher?: boolean;
  /** Distance in px of the launcher and panel from the page's edges. Default `{ x: 20, y: 20 }`. */
  offset?: { x?: number; y?: number };
  /** Nonce for the widget's style element under a strict CSP (when constructable stylesheets are missing). */
  nonce?: string;
  /** Extra synonyms for the FAQ search: `{ "refund": ["money back"] }`. */
  faqSynonyms?: Record<string, string[]>;
  /** Which URL parameters and text patterns the captured context keeps or masks. */
  redaction?: RedactionOptions;
  /** Triage rules (see Triage); checked when the handoff engine loads, the built-in ones otherwise. */
  triageRules?: unknown;
  /** The channel map (see Triage); checked when the handoff engine loads, the built-in one otherwise. */
  channelMap?: unknown;
  /** Where e-mail follow-ups are filed outside office hours. Default '/relay/http/tickets'. */
  ticketUrl?: string;
  /** Proactive rules: a URL or the rules object (checked when the insights engine loads). */
  proactive?: string | Record<string, unknown>;
  /** Batches insights events to your endpoint; nothing leaves the device without it. */
  analytics?: { url: string };
  /** Proactive messages may play a sound only when true. */
  sound?: boolean;
  /** The https endpoints a flow's `request` node may call, as prefixes (`https://api.example.com/orders/`). */
  flowRequests?: string[];
  /** When a person usually replies, said when a question gets no instant answer: "within a day", or per locale. */
  replyTime?: LocalizedText;
}

const oneOf =
  <T extends string>(...values: T[]) =>
  (v: unknown) =>
    values.includes(v as T) ? '' : `expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;

const localizedText = (v: unknown) =>
  typeof v === 'string' || (isObject(v) && Object.values(v).every((x) => typeof x === 'string')) ? '' : 'expected a string or { "en": "…", "ja": "…" }';

const RULES: Partial<Record<string, (v: unknown) => string>> = {
  appId: (v) => (typeof v === 'string' && /^[\w.-]{1,64}$/.test(v) ? '' : 'expected a string of 1–64 letters, digits, ".", "_" or "-"'),
  locale: (v) => (typeof v === 'string' ? '' : 'expected a locale such as "en" or "ja"'),
  user: (v) => (isObject(v) ? '' : 'expected an object like { id, name, email, attributes }'),
  faq: (v) => (typeof v === 'string' || Array.isArray(v) || isObject(v) ? '' : 'expected a URL, an array of articles or a prebuilt index'),
  faqLoad: oneOf('open', 'idle', 'boot'),
  flows: (v) =>
    typeof v === 'string' || (Array.isArray(v) && v.every((f) => typeof f === 'string' || isObject(f)))
      ? ''
      : 'expected a flow index URL, or an array of flow URLs or flow objects',
  transport: (v) => {
    if (isObject(v) && typeof v.connect === 'function') return '';
    if (!isObject(v) || !['loopback', 'websocket', 'http', 'webhook'].includes(v.type as string))
      return 'expected { type: "loopback" | "websocket" | "http" | "webhook", url } or an adapter object';
    return v.type !== 'loopback' && typeof v.url !== 'string' ? `expected a "url" for the ${v.type} transport` : '';
  },
  storage: oneOf('always', 'after-interaction', 'none'),
  retentionDays: (v) => (typeof v === 'number' && v > 0 ? '' : 'expected a positive number of days'),
  position: oneOf('bottom-right', 'bottom-left', 'top-right', 'top-left'),
  zIndex: (v) => (Number.isInteger(v) ? '' : 'expected an integer'),
  theme: (v) =>
    typeof v === 'string' ? oneOf('auto', 'light', 'dark')(v) : isObject(v) && [undefined, 'auto', 'light', 'dark'].includes(v.mode as string) && (v.accent === undefined || /^#([0-9a-f]{3}){1,2}$/i.test(v.accent as string))
      ? ''
      : 'expected "auto", "light", "dark" or { mode, accent: "#0a7d5a" }',
  title: localizedText,
  greeting: localizedText,
  replyTime: localizedText,
  launcher: (v) => (typeof v === 'boolean' ? '' : 'expected true or false'),
  offset: (v) => (isObject(v) && Object.values(v).every((n) => typeof n === 'number' && n >= 0) ? '' : 'expected { x, y } in px'),
  nonce: (v) => (typeof v === 'string' ? '' : 'expected a string'),
  strings: (v) => (isObject(v) ? '' : 'expected strings by locale, like { "fr": { "send": "Envoyer" } }'),
};

/**
 * Checks a config object field by field. Fields with a problem are dropped (the defaults apply),
 * so one typo never stops the widget; `appId` is the only field whose problem is fatal.
 */
export function validateConfig(input: unknown): { config?: MessengerConfig; problems: Problem[] } {
  if (!isObject(input)) return { problems: [{ path: '$', message: 'expected a config object like { appId: "acme" }' }] };
  const problems: Problem[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const rule = RULES[key];
    const reason = rule && value !== undefined ? rule(value) : '';
    if (reason) problems.push({ path: `$.${key}`, message: `${reason}, got ${describe(value)}` });
    else config[key] = value;
  }
  if (input.appId === undefined) problems.push({ path: '$.appId', message: 'is required (a string naming your product, e.g. "acme")' });
  return { config: typeof config.appId === 'string' ? (config as unknown as MessengerConfig) : undefined, problems };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}

/** The locale to use: the configured one, else the page's language; anything but Japanese is English. */
export function resolveLocale(locale: string | undefined, doc?: Document): Locale {
  const tag = locale || doc?.documentElement.lang || (typeof navigator !== 'undefined' ? navigator.language : '') || 'en';
  return tag.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}
