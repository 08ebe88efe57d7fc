/** What redaction strips or masks beyond the built-in rules. */
export interface RedactionOptions {
  /** Query parameter names kept even though they look secret (case-insensitive), e.g. `['zipcode']`. */
  allowParams?: string[];
  /** More query parameter names always stripped (case-insensitive), e.g. `['order']`. */
  denyParams?: string[];
  /** More patterns masked as `[redacted]` in captured text (use the `g` flag). */
  patterns?: RegExp[];
}

/** A parameter is secret when one of its words (camelCase, snake_case, kebab-case) looks like a credential. */
const SECRET_WORD =
  /^(.*(token|secret|key|code|passwd|password)|pwd|pass|session.*|sid|auth|authorization|authentication|sig|signature|jwt|otp|pin|hash|credentials?|ssn)$/;
const EMAIL = /[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+/gi;
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g;
const PHONE = /(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\b\d{2,4}(?:[ .-]?\d{2,5}){1,4}\b/g;

const lower = (list?: string[]) => (list || []).map((s) => s.toLowerCase());

const decode = (s: string) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

const isSecretParam = (name: string, o: RedactionOptions): boolean => {
  const n = name.toLowerCase();
  if (lower(o.allowParams).includes(n)) return false;
  if (lower(o.denyParams).includes(n)) return true;
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .some((w) => SECRET_WORD.test(w));
};

/** True when the digits pass the Luhn checksum that payment card numbers carry. */
const luhn = (digits: string): boolean => {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = +digits[digits.length - 1 - i];
    if (i % 2) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
};

const digitsOf = (s: string) => s.replace(/\D/g, '');

const maskCards = (s: string) => s.replace(CARD, (m) => (luhn(digitsOf(m)) ? '[card]' : m));

const cleanQuery = (query: string, o: RedactionOptions) => {
  const kept = query.split('&').filter((p) => p && !isSecretParam(decode(p.split('=')[0]), o));
  return kept.length ? '?' + kept.join('&') : '';
};

/**
 * A URL safe to store and send: query (and fragment) parameters that look like secrets are removed,
 * `user:password@` is dropped, e-mail addresses and card numbers are masked.
 */
export function redactUrl(url: string, options: RedactionOptions = {}): string {
  const text = String(url ?? '').replace(/^([a-z][\w+.-]*:\/\/)[^/?#]*@/i, '$1');
  const cut = text.indexOf('#');
  const main = cut < 0 ? text : text.slice(0, cut);
  const q = main.indexOf('?');
  let out = q < 0 ? main : main.slice(0, q) + cleanQuery(main.slice(q + 1), options);
  if (cut >= 0) {
    const hash = text.slice(cut + 1);
    const hq = hash.indexOf('?');
    const clean =
      hq >= 0 ? hash.slice(0, hq) + cleanQuery(hash.slice(hq + 1), options) : hash.includes('=') ? cleanQuery(hash, options).slice(1) : hash;
    if (clean) out += '#' + clean;
  }
  return maskCards(out.replace(EMAIL, '[email]'));
}

/** Free text safe to store and send: e-mail addresses, phone numbers and card numbers (Luhn-checked) masked. */
export function redactText(text: string, options: RedactionOptions = {}): string {
  let out = String(text ?? '');
  for (const p of options.patterns || []) out = out.replace(p, '[redacted]');
  out = maskCards(out.replace(EMAIL, '[email]'));
  return out.replace(PHONE, (m) => {
    const n = digitsOf(m).length;
    return n >= 10 && n <= 15 ? '[phone]' : m;
  });
}
