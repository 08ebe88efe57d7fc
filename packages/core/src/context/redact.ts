/** What redaction strips or masks beyond the built-in rules. */
export interface RedactionOptions {
  /** Query parameter names kept even though they look secret (case-insensitive), e.g. `['zipcode']`. */
  allowParams?: string[];
  /** More query parameter names always stripped (case-insensitive), e.g. `['order']`. */
  denyParams?: string[];
  /** More patterns masked as `[redacted]` in captured text (use the `g` flag). */
  patterns?: RegExp[];
}

/**
 * A name is secret when one of its words (split at camelCase, snake_case, kebab-case, dots) is one of these,
 * or ends in one of the first group (`access_token`, `apiKey`, `promo_code`, `userpassword`).
 */
const SECRET_WORD =
  /^(.*(token|secret|key|code|passwd|password|hash)|pwd|pass|sid|auth|authorization|authentication|sig|jwt|otp|pin|ssn|state|ticket|nonce|reset|invite|magic|csrf|xsrf|cvv|cvc)$/;
/** Secret wherever it appears in a name, separators ignored: `jsessionid`, `PHPSESSID`, `SAMLResponse`, `oauth_verifier`. */
const SECRET_PART = /session|sessid|secret|token|passw|passphrase|credential|signature|bearer|verifier|saml|apikey|magiclink/;
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

/** True when a parameter, path parameter or event property of this name would carry a secret. */
export const isSecretName = (name: string, o: RedactionOptions = {}): boolean => {
  const n = name.toLowerCase();
  if (lower(o.allowParams).includes(n)) return false;
  if (lower(o.denyParams).includes(n)) return true;
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return SECRET_PART.test(words.join('')) || words.some((w) => SECRET_WORD.test(w));
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

/** E-mail addresses, card numbers (Luhn-checked) and phone numbers (10 to 15 digits) masked. */
const mask = (s: string) =>
  s
    .replace(EMAIL, '[email]')
    .replace(CARD, (m) => (luhn(digitsOf(m)) ? '[card]' : m))
    .replace(PHONE, (m) => {
      const n = digitsOf(m).length;
      return n >= 10 && n <= 15 ? '[phone]' : m;
    });

const cleanQuery = (query: string, o: RedactionOptions) => {
  const kept = query.split('&').filter((p) => p && !isSecretName(decode(p.split('=')[0]), o));
  return kept.length ? '?' + kept.join('&') : '';
};

/** Each piece between `/ ? & # ; =` is read decoded (`+` and `%20` as spaces), and replaced only when masking changes it. */
const maskPieces = (url: string) =>
  url.replace(/[^/?&#;=]+/g, (piece) => {
    const plain = decode(piece);
    const masked = mask(plain);
    return masked === plain ? piece : masked.replace(/ /g, '+');
  });

/**
 * A URL safe to store and send: query, fragment and path (`;jsessionid=…`) parameters whose names look
 * like secrets are removed, `user:password@` is dropped, and e-mail addresses, card numbers and phone
 * numbers are masked wherever they appear, encoded or not.
 */
export function redactUrl(url: string, options: RedactionOptions = {}): string {
  const text = String(url ?? '').replace(/^([a-z][\w+.-]*:\/\/)[^/?#]*@/i, '$1');
  const cut = text.indexOf('#');
  const main = cut < 0 ? text : text.slice(0, cut);
  const q = main.indexOf('?');
  const path = (q < 0 ? main : main.slice(0, q)).replace(/;([^;/=]*)(=[^;/]*)?/g, (m, n) => (isSecretName(decode(n), options) ? '' : m));
  let out = q < 0 ? path : path + cleanQuery(main.slice(q + 1), options);
  if (cut >= 0) {
    const hash = text.slice(cut + 1);
    const hq = hash.indexOf('?');
    const clean =
      hq >= 0 ? hash.slice(0, hq) + cleanQuery(hash.slice(hq + 1), options) : hash.includes('=') ? cleanQuery(hash, options).slice(1) : hash;
    if (clean) out += '#' + clean;
  }
  return maskPieces(out);
}

/** Free text safe to store and send: e-mail addresses, phone numbers and card numbers (Luhn-checked) masked. */
export function redactText(text: string, options: RedactionOptions = {}): string {
  let out = String(text ?? '');
  for (const p of options.patterns || []) out = out.replace(p, '[redacted]');
  return mask(out);
}
