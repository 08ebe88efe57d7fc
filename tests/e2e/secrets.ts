/**
 * Generated secrets for the redaction fuzz tests (unit and real-Chromium): values that must never
 * leave the page, each written the way it may appear in a URL or in text, with a pattern that
 * also catches it re-spaced or re-encoded.
 */
/** A small seeded generator, so a failure names the seed that reproduces it. */
export function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]) => list[int(list.length)];
  const word = (n: number) => Array.from({ length: n }, () => pick([...'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ'])).join('');
  return { int, pick, word };
}

/** Parameter names the README lists as secret, in the spellings sites use. */
export const SECRET_NAMES = [
  'token', 'access_token', 'refresh-token', 'idToken', 'api_key', 'apiKey', 'X-Api-Key', 'secret', 'client_secret', 'password', 'passwd',
  'pwd', 'pass', 'passphrase', 'session', 'sessionId', 'session_id', 'sid', 'jsessionid', 'JSESSIONID', 'PHPSESSID', 'ASP.NET_SessionId',
  'auth', 'authorization', 'code', 'auth_code', 'state', 'nonce', 'ticket', 'SAMLResponse', 'SAMLRequest', 'oauth_verifier',
  'oauth_token', 'signature', 'sig', 'X-Amz-Signature', 'X-Amz-Credential', 'jwt', 'otp', 'pin', 'hash', 'ssn', 'bearer', 'magic_link',
  'magicLink', 'reset', 'reset_key', 'invite', 'inviteCode', 'csrf', 'xsrf_token', 'credentials', 'cvv', 'cvc',
] as const;

const luhnDigit = (body: string) => {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = +body[body.length - 1 - i];
    if (i % 2 == 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
};

export interface Secret {
  /** What must never come out, as a pattern that also catches it re-spaced or re-encoded. */
  pattern: RegExp;
  label: string;
}

/** Generates values that must be masked, each written the way it may appear in a URL or in text. */
export function secretMaker(seed: number) {
  const r = random(seed);
  const digits = (n: number) => Array.from({ length: n }, () => r.int(10)).join('');
  const loose = (d: string) => new RegExp(d.split('').join('(?:[^0-9a-z]|%[0-9a-f]{2})*'), 'i');
  const spaced = (groups: string[], inUrl: boolean, dots = true) => {
    const sep = r.pick([...(inUrl ? ['+', '%20'] : [' ']), '-', '', ...(dots ? ['.'] : [])]);
    return groups.join(sep);
  };
  return {
    ...r,
    value(): [string, Secret] {
      const v = 'Zk' + r.word(10);
      return [v, { pattern: new RegExp(v), label: v }];
    },
    email(inUrl: boolean): [string, Secret] {
      const user = r.word(6).toLowerCase();
      const text = `${user}.${r.word(3).toLowerCase()}@${r.word(5).toLowerCase()}.example`;
      return [inUrl && r.int(2) ? text.replace('@', '%40') : text, { pattern: new RegExp(user), label: text }];
    },
    phone(inUrl: boolean): [string, Secret] {
      const national = ['0' + digits(2), digits(4), digits(4)];
      const d = national.join('');
      const text = r.int(2) ? spaced(national, inUrl) : (inUrl ? '%2B81' : '+81') + spaced([national[0].slice(1), national[1], national[2]], inUrl);
      return [text, { pattern: loose(d.slice(-8)), label: text }];
    },
    card(inUrl: boolean): [string, Secret] {
      const body = '4' + digits(14);
      const d = body + luhnDigit(body);
      const text = spaced(d.match(/.{4}/g)!, inUrl, false);
      return [text, { pattern: loose(d), label: text }];
    },
  };
}


/** A dirty page: a URL, title and event holding secrets of every kind, and the secrets to look for. */
export function dirtyPage(seed: number, origin = 'https://shop.example') {
  const g = secretMaker(seed);
  const secrets: Secret[] = [];
  const keep = ([text, s]: [string, Secret]) => (secrets.push(s), text);
  const sensitive = (inUrl: boolean) => keep(g.pick([g.email, g.phone, g.card])(inUrl));
  const param = () => `${g.pick(SECRET_NAMES)}=${keep(g.value())}`;
  const url = () => {
    const path = `/${g.word(4)}/${sensitive(true)}${g.int(2) ? `;jsessionid=${keep(g.value())}` : ''}`;
    const query = [param(), `q=${sensitive(true)}`, `page=${g.int(9)}`, param()].sort(() => g.int(3) - 1).join('&');
    const hash = g.pick(['', `#${param()}`, `#/inbox?${param()}`]);
    return `${origin}${path}?${query}${hash}`;
  };
  return {
    url: url(),
    referrer: url(),
    title: `Order for ${sensitive(false)}`,
    event: {
      name: `signup ${sensitive(false)}`,
      properties: { [g.pick(SECRET_NAMES)]: keep(g.value()), [`note ${sensitive(false)}`]: 1, comment: `reach me at ${sensitive(false)}` },
    },
    secrets,
  };
}
