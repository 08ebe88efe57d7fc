#!/usr/bin/env node
// @ts-check
/**
 * `madoguchi-relay`: runs the relay on its own. Every setting is a flag or an environment
 * variable (flags win); `madoguchi-relay --help` lists them. `madoguchi-relay hash <password>`
 * prints a scrypt hash to use in RELAY_AGENTS instead of the password.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createRelay } from './relay.mjs';
import { hashPassword, parseAccounts } from './auth.mjs';

const HELP = `madoguchi-relay [options]
  --port <n>              PORT               port to listen on (default 8787; 0 = any free port)
  --host <address>        HOST               address to bind (default 0.0.0.0)
  --database-url <url>    DATABASE_URL       Postgres server (postgres://…); without it, embedded PGlite
  --data-dir <dir>        RELAY_DATA_DIR     PGlite data directory (default ./relay-data)
  --schema <name>         RELAY_SCHEMA       Postgres schema to use (created when missing)
  --public-url <url>      RELAY_PUBLIC_URL   the relay's own address (origin of the agent console)
  --allowed-origins <l>   ALLOWED_ORIGINS    comma-separated pages whose widgets may connect
  --identity-secret <s>   IDENTITY_SECRET    verifies userHash (HMAC-SHA256 of the user id) and HS256 user JWTs
  --identity-public-key <file> IDENTITY_PUBLIC_KEY_FILE  PEM key verifying RS256/ES256 user JWTs
  --agents <list>         RELAY_AGENTS       agent accounts: name:password or name:scrypt$… (comma-separated)
  --oidc-issuer <url>     OIDC_ISSUER        agents may sign in with an ID token from this issuer…
  --oidc-audience <id>    OIDC_AUDIENCE      …issued for this client id
  --secret <s>            RELAY_SECRET       signs console tokens (default: generated once, kept in the database)
  --token-ttl <seconds>   RELAY_TOKEN_TTL    console token lifetime (default 3600)
  --leave-after <seconds> RELAY_LEAVE_AFTER  a waiting visitor gone this long leaves the line (default 300)
  --limits <json>         RELAY_LIMITS       rate limits and caps, e.g. {"connectionsPerIp":200}
  --trust-proxy           RELAY_TRUST_PROXY  take the client IP from X-Forwarded-For
  --sign-in-link <agent>  RELAY_SIGN_IN_LINK print a one-time console sign-in link for this agent
  --office-hours <json>   RELAY_OFFICE_HOURS e.g. {"timeZone":"Asia/Tokyo","days":[1,2,3,4,5],"open":"09:00","close":"18:00"}
  --faq <list>            RELAY_FAQ          help centre for the console's suggested articles: en=/srv/faq/en.json,ja=…
  --saved-replies <file>  RELAY_SAVED_REPLIES JSON file: [{ "title", "text" }] to start the console's saved replies with
madoguchi-relay hash <password>   prints a scrypt hash for RELAY_AGENTS`;

/** @param {string[]} argv @param {NodeJS.ProcessEnv} env */
export function readConfig(argv, env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' }, host: { type: 'string' }, 'database-url': { type: 'string' }, 'data-dir': { type: 'string' }, schema: { type: 'string' },
      'public-url': { type: 'string' }, 'allowed-origins': { type: 'string' }, 'identity-secret': { type: 'string' }, 'identity-public-key': { type: 'string' },
      agents: { type: 'string' }, 'oidc-issuer': { type: 'string' }, 'oidc-audience': { type: 'string' }, secret: { type: 'string' }, 'token-ttl': { type: 'string' },
      'leave-after': { type: 'string' }, limits: { type: 'string' }, 'trust-proxy': { type: 'boolean' }, 'sign-in-link': { type: 'string' }, help: { type: 'boolean' },
      'office-hours': { type: 'string' }, faq: { type: 'string' }, 'saved-replies': { type: 'string' },
    },
  });
  const list = (/** @type {string | undefined} */ v) => v?.split(',').map((s) => s.trim()).filter(Boolean);
  const number = (/** @type {string | undefined} */ v, /** @type {string} */ name) => {
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number, got "${v}"`);
    return n;
  };
  const keyFile = values['identity-public-key'] ?? env.IDENTITY_PUBLIC_KEY_FILE;
  const limits = values.limits ?? env.RELAY_LIMITS;
  const issuer = values['oidc-issuer'] ?? env.OIDC_ISSUER;
  const hours = values['office-hours'] ?? env.RELAY_OFFICE_HOURS;
  const replies = values['saved-replies'] ?? env.RELAY_SAVED_REPLIES;
  const faq = list(values.faq ?? env.RELAY_FAQ)?.map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`faq "${pair.slice(0, 40)}" must be language=file`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  });
  return {
    help: !!values.help,
    port: number(values.port ?? env.PORT, 'port') ?? 8787,
    host: values.host ?? env.HOST ?? '0.0.0.0',
    publicUrl: values['public-url'] ?? env.RELAY_PUBLIC_URL,
    signInLink: values['sign-in-link'] ?? env.RELAY_SIGN_IN_LINK,
    relay: {
      databaseUrl: values['database-url'] ?? env.DATABASE_URL,
      dataDir: values['data-dir'] ?? env.RELAY_DATA_DIR ?? 'relay-data',
      schema: values.schema ?? env.RELAY_SCHEMA,
      allowedOrigins: list(values['allowed-origins'] ?? env.ALLOWED_ORIGINS),
      identitySecret: values['identity-secret'] ?? env.IDENTITY_SECRET,
      identityPublicKey: keyFile ? readFileSync(keyFile, 'utf8') : undefined,
      agents: parseAccounts(values.agents ?? env.RELAY_AGENTS),
      oidc: issuer ? { issuer, audience: String(values['oidc-audience'] ?? env.OIDC_AUDIENCE ?? '') } : undefined,
      secret: values.secret ?? env.RELAY_SECRET,
      tokenTtlSeconds: number(values['token-ttl'] ?? env.RELAY_TOKEN_TTL, 'token-ttl'),
      leaveAfterSeconds: number(values['leave-after'] ?? env.RELAY_LEAVE_AFTER, 'leave-after'),
      limits: limits ? JSON.parse(limits) : undefined,
      trustProxy: !!(values['trust-proxy'] ?? (env.RELAY_TRUST_PROXY === '1' || env.RELAY_TRUST_PROXY === 'true')),
      officeHours: hours ? JSON.parse(hours) : null,
      faq: faq?.length ? Object.fromEntries(faq) : undefined,
      savedReplies: replies ? JSON.parse(readFileSync(replies, 'utf8')) : undefined,
    },
  };
}

/** One JSON line per event on stdout: what log collectors read. @param {Record<string, unknown>} fields */
const log = (fields) => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', ...fields }) + '\n');

async function main() {
  if (process.argv[2] === 'hash') {
    if (!process.argv[3]) throw new Error('usage: madoguchi-relay hash <password>');
    console.log(await hashPassword(process.argv[3]));
    return;
  }
  const config = readConfig(process.argv.slice(2), process.env);
  if (config.help) return void console.log(HELP);
  const relay = await createRelay({ ...config.relay, log });
  const server = createServer((req, res) => {
    if (!relay.handleRequest(req, res)) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  server.on('upgrade', (req, socket, head) => {
    if (!relay.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const own = config.publicUrl ? [new URL(config.publicUrl).origin] : [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
  relay.allowOrigins({ console: own });
  const base = config.publicUrl?.replace(/\/$/, '') ?? own[0];
  log({ msg: 'listening', port, instance: relay.instance, store: config.relay.databaseUrl ? 'postgres' : `pglite:${config.relay.dataDir}`, console: `${base}/agent`, allowedOrigins: config.relay.allowedOrigins ?? own });
  if (config.signInLink) log({ msg: 'one-time console sign-in', url: `${base}/agent#signin=${await relay.signInLink(config.signInLink)}` });

  let stopping = false;
  const stop = async (/** @type {string} */ signal) => {
    if (stopping) return;
    stopping = true;
    log({ msg: 'draining', signal });
    server.close();
    await relay.close();
    server.closeAllConnections();
    log({ msg: 'stopped' });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  log({ level: 'error', msg: 'relay failed to start', error: String(error?.message ?? error) });
  process.exit(1);
});
