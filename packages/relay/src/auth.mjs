// @ts-check
/**
 * Who may do what: agent accounts (scrypt-hashed passwords) and OIDC sign-in issue short-lived
 * console tokens; conversations carry a secret token; a user's identity (userHash or JWT) is
 * checked against the configured secret or key.
 */
import { createHash, createHmac, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { SignJWT, jwtVerify, createRemoteJWKSet, importSPKI } from 'jose';

const scrypt = /** @type {(password: string, salt: Buffer, length: number) => Promise<Buffer>} */ (promisify(scryptCallback));

/** A fresh random secret, URL-safe. */
export const secret = (bytes = 32) => randomBytes(bytes).toString('base64url');
/** What is stored of a secret: its SHA-256. @param {string} value */
export const digest = (value) => createHash('sha256').update(value).digest('hex');

/** @param {string} a @param {string} b */
export function sameText(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `scrypt$<salt>$<hash>` for a password. @param {string} password */
export async function hashPassword(password) {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64url')}$${(await scrypt(password, salt, 32)).toString('base64url')}`;
}

/** @param {string} password @param {string | null | undefined} stored */
export async function checkPassword(password, stored) {
  const [kind, salt, hash] = String(stored ?? '').split('$');
  if (kind !== 'scrypt' || !salt || !hash) {
    await scrypt(password, randomBytes(16), 32); // the same time for an unknown account
    return false;
  }
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), 32);
  return timingSafeEqual(actual, Buffer.from(hash, 'base64url'));
}

/**
 * Parses `name:password,name2:scrypt$…` (a password in clear, or a hash from `madoguchi-relay hash`).
 * @param {string | undefined} spec @returns {{ name: string; password: string }[]}
 */
export function parseAccounts(spec) {
  return String(spec ?? '')
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf(':');
      if (at < 1) throw new Error(`agent account "${pair.slice(0, 40)}" must be name:password`);
      return { name: pair.slice(0, at), password: pair.slice(at + 1) };
    });
}

/**
 * Console tokens signed with the relay's secret (shared by every instance through the store).
 * @param {string} key @param {number} ttlSeconds
 */
export function consoleTokens(key, ttlSeconds) {
  const k = new TextEncoder().encode(key);
  return {
    /** @param {string} agent */
    issue: (agent) => new SignJWT({ name: agent }).setProtectedHeader({ alg: 'HS256' }).setSubject(agent).setAudience('madoguchi-console').setIssuedAt().setExpirationTime(`${ttlSeconds}s`).sign(k),
    /** The agent's name, or undefined when the token is not good. @param {string} token */
    async verify(token) {
      return (await this.check(token))?.name;
    },
    /** The agent's name and when the token ends (epoch ms), or undefined. @param {string} token */
    async check(token) {
      try {
        const { payload } = await jwtVerify(token, k, { audience: 'madoguchi-console', algorithms: ['HS256'] });
        return typeof payload.sub === 'string' ? { name: payload.sub, expiresAt: Number(payload.exp) * 1000 } : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Sign-in with a team's identity provider: an ID token from `issuer`, for `audience`, signed by a
 * key from the issuer's JWKS. @param {{ issuer: string; audience: string; jwksUrl?: string }} oidc
 */
export function oidcVerifier(oidc) {
  /** @type {ReturnType<typeof createRemoteJWKSet> | undefined} */
  let keys;
  const keySet = async () => {
    if (keys) return keys;
    let url = oidc.jwksUrl;
    if (!url) {
      const res = await fetch(oidc.issuer.replace(/\/$/, '') + '/.well-known/openid-configuration');
      url = /** @type {{ jwks_uri?: string }} */ (await res.json()).jwks_uri;
      if (!url) throw new Error('the issuer names no jwks_uri');
    }
    return (keys = createRemoteJWKSet(new URL(url)));
  };
  /** The agent's name from a good ID token, else undefined. @param {string} idToken */
  return async (idToken) => {
    try {
      const { payload } = await jwtVerify(idToken, await keySet(), { issuer: oidc.issuer, audience: oidc.audience });
      const name = payload.name ?? payload.preferred_username ?? payload.email ?? payload.sub;
      return typeof name === 'string' && name ? name.slice(0, 60) : undefined;
    } catch {
      return undefined;
    }
  };
}

/**
 * Checks a user's identity. `secret` signs userHash (HMAC-SHA256 of the user id, hex) and HS256
 * JWTs; `publicKey` (PEM) verifies RS256/ES256 JWTs. Returns 'none' (nothing claimed),
 * 'unverified' (claimed, nothing configured to check it), 'verified', or 'failed'.
 * @param {{ id?: string }} user @param {{ userHash?: string; jwt?: string }} claim
 * @param {{ secret?: string; publicKey?: string }} keys
 */
export async function checkIdentity(user, claim, keys) {
  if (!claim.userHash && !claim.jwt) return 'none';
  if (!keys.secret && !keys.publicKey) return 'unverified';
  if (claim.jwt) {
    try {
      const key = keys.publicKey ? await importSPKI(keys.publicKey, guessAlg(claim.jwt)) : new TextEncoder().encode(keys.secret);
      const { payload } = await jwtVerify(claim.jwt, key);
      return !user.id || payload.sub === user.id ? 'verified' : 'failed';
    } catch {
      return 'failed';
    }
  }
  if (!keys.secret || !user.id) return 'failed';
  const expected = createHmac('sha256', keys.secret).update(user.id).digest('hex');
  return sameText(expected, String(claim.userHash).toLowerCase()) ? 'verified' : 'failed';
}

/** @param {string} jwt */
function guessAlg(jwt) {
  try {
    const alg = JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).alg;
    return typeof alg === 'string' && /^(RS|PS|ES)\d{3}$|^EdDSA$/.test(alg) ? alg : 'RS256';
  } catch {
    return 'RS256';
  }
}
