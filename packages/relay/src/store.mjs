// @ts-check
/**
 * Where the relay keeps everything: Postgres, through node-postgres for a server
 * (`postgres://…`) or PGlite embedded in a data directory. Both get the same versioned
 * migrations, and both carry the fan-out between relay processes on one LISTEN/NOTIFY channel.
 */
import { mkdir } from 'node:fs/promises';

export const CHANNEL = 'madoguchi_relay';

/** Versioned migrations: each runs once, in order, inside one transaction. */
export const MIGRATIONS = [
  `create table relay_settings (key text primary key, value text not null);
   create table conversations (
     id text primary key,
     visitor_id text not null,
     token_hash text not null,
     app_id text not null default '',
     locale text not null default '',
     user_info jsonb not null default '{}',
     identity text not null default 'none',
     phase text not null default 'bot',
     queued_at bigint,
     left_at bigint,
     agent_name text,
     packet jsonb,
     message_count integer not null default 0,
     created_at bigint not null,
     updated_at bigint not null,
     seen_at bigint not null
   );
   create index conversations_waiting on conversations (queued_at, id) where phase = 'waiting' and left_at is null;
   create index conversations_visitor on conversations (visitor_id, created_at);
   create index conversations_recent on conversations (updated_at);
   create table messages (
     conversation_id text not null references conversations (id) on delete cascade,
     id text not null,
     seq bigserial not null,
     author text not null,
     author_name text,
     text text not null,
     at bigint not null,
     primary key (conversation_id, id)
   );
   create index messages_order on messages (conversation_id, seq);
   create table tickets (id text primary key, packet jsonb not null, received_at bigint not null);
   create table agents (name text primary key, password_hash text, created_at bigint not null);
   create table agent_links (token_hash text primary key, agent text not null, expires_at bigint not null);
   create table agent_presence (instance text not null, agent text not null, seen_at bigint not null, primary key (instance, agent));
   create table relay_events (seq bigserial primary key, at bigint not null, kind text not null, conversation_id text, detail jsonb);`,
  // The console: internal notes, saved replies, tags, where the customer is now, articles offered, agents away.
  `create table notes (
     conversation_id text not null references conversations (id) on delete cascade,
     id text not null,
     author_name text not null,
     text text not null,
     at bigint not null,
     primary key (conversation_id, id)
   );
   create table saved_replies (id text primary key, title text not null, text text not null, created_by text, created_at bigint not null);
   alter table conversations add column tags jsonb not null default '[]';
   alter table conversations add column live_context jsonb;
   alter table messages add column articles jsonb;
   alter table agent_presence add column status text not null default 'online';
   create index relay_events_day on relay_events (at);`,
];

/**
 * @typedef {{
 *   kind: 'postgres' | 'pglite';
 *   query(sql: string, params?: unknown[]): Promise<any[]>;
 *   tx<T>(fn: (query: (sql: string, params?: unknown[]) => Promise<any[]>) => Promise<T>): Promise<T>;
 *   notify(payload: string): Promise<void>;
 *   listen(onPayload: (payload: string) => void): Promise<void>;
 *   close(): Promise<void>;
 * }} Database
 */

/**
 * Opens the database: `databaseUrl` (postgres://…) or PGlite in `dataDir` (`memory://` for none).
 * @param {{ databaseUrl?: string; dataDir?: string; schema?: string; log?: (fields: object) => void }} options
 * @returns {Promise<Database>}
 */
export async function openDatabase({ databaseUrl, dataDir, schema, log = () => {} }) {
  const db = databaseUrl ? await openPostgres(databaseUrl, schema, log) : await openPglite(dataDir ?? 'memory://');
  await migrate(db);
  return db;
}

/** @type {Promise<Blob> | undefined} */
let memoryTemplate;

/** @param {string} url @param {string | undefined} schema @param {(fields: object) => void} log @returns {Promise<Database>} */
async function openPostgres(url, schema, log) {
  const { default: pg } = await import('pg');
  const options = schema ? `-c search_path=${schema}` : undefined;
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`schema "${schema}" must be a plain lower-case name`);
  if (schema) {
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    await setup.query(`create schema if not exists ${schema}`);
    await setup.end();
  }
  const pool = new pg.Pool({ connectionString: url, max: 10, options });
  // NOTIFY holds a cluster-wide lock through its commit: sent on their own, without waiting for the
  // disk (the change they announce is already durable), they no longer queue every write behind fsync.
  const notifier = new pg.Pool({ connectionString: url, max: 4, options: `${options ?? ''} -c synchronous_commit=off`.trim() });
  for (const p of [pool, notifier]) p.on('error', (error) => log({ level: 'warn', msg: 'database connection lost', error: error.message }));
  /** @type {import('pg').Client | undefined} */
  let listener;
  let closed = false;
  return {
    kind: 'postgres',
    query: async (sql, params) => (await pool.query(sql, /** @type {any[]} */ (params))).rows,
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn(async (sql, params) => (await client.query(sql, /** @type {any[]} */ (params))).rows);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async notify(payload) {
      await notifier.query(`select pg_notify('${CHANNEL}', $1)`, [payload]);
    },
    async listen(onPayload) {
      const connect = async () => {
        const client = new pg.Client({ connectionString: url, options });
        client.on('notification', (n) => n.payload !== undefined && onPayload(n.payload));
        client.on('error', () => {});
        client.on('end', () => {
          if (closed) return;
          log({ level: 'warn', msg: 'notification connection lost; reconnecting' });
          // The reconnect answers with a resync so nothing missed meanwhile stays missed.
          setTimeout(() => connect().then(() => onPayload(JSON.stringify({ k: 'resync' })), () => client.emit('end')), 1000);
        });
        await client.connect();
        await client.query(`listen ${CHANNEL}`);
        listener = client;
      };
      await connect();
    },
    async close() {
      closed = true;
      await listener?.end().catch(() => {});
      await Promise.all([pool.end(), notifier.end()]);
    },
  };
}

/** @param {string} dataDir @returns {Promise<Database>} */
async function openPglite(dataDir) {
  const { PGlite } = await import('@electric-sql/pglite');
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  // A database in memory starts as a copy of the first one made in this process: creating a
  // cluster takes seconds, copying one a fraction of that.
  const template = inMemory ? memoryTemplate : undefined;
  const pg = template ? new PGlite({ loadDataDir: await template }) : new PGlite(dataDir);
  await pg.waitReady;
  if (inMemory && !template) {
    memoryTemplate = pg.dumpDataDir('none');
    await memoryTemplate.catch(() => (memoryTemplate = undefined));
  }
  return {
    kind: 'pglite',
    query: async (sql, params) => (await pg.query(sql, params)).rows,
    tx: (fn) => pg.transaction((t) => fn(async (sql, params) => (await t.query(sql, params)).rows)),
    async notify(payload) {
      await pg.query(`select pg_notify('${CHANNEL}', $1)`, [payload]);
    },
    async listen(onPayload) {
      await pg.listen(CHANNEL, onPayload);
    },
    close: () => pg.close(),
  };
}

/** Runs the migrations not yet applied; several processes starting at once take turns. @param {Database} db */
async function migrate(db) {
  await db.tx(async (q) => {
    if (db.kind === 'postgres') await q('select pg_advisory_xact_lock(7235001)');
    await q('create table if not exists schema_migrations (version integer primary key, applied_at bigint not null)');
    const done = new Set((await q('select version from schema_migrations')).map((r) => Number(r.version)));
    for (const [i, sql] of MIGRATIONS.entries()) {
      if (done.has(i + 1)) continue;
      for (const statement of sql.split(';').map((s) => s.trim()).filter(Boolean)) await q(statement);
      await q('insert into schema_migrations (version, applied_at) values ($1, $2)', [i + 1, Date.now()]);
    }
  });
}
