import { promisifyRequest as req } from 'idb-keyval';
import type { Message, UserInfo } from '../types';

/** The record of the current browser session. */
export interface StoredSession {
  /** The conversation shown in the panel. */
  conversationId?: string;
  /** Whether the panel was open. */
  open?: boolean;
  /** Stable random id of an anonymous visitor. */
  visitorId?: string;
  sessionId?: string;
  /** The relay's secret token for `conversationId`. */
  token?: string;
}

export interface StoredConversation {
  id: string;
  status: 'open' | 'closed';
  createdAt: number;
  updatedAt: number;
  /** Whatever the handoff needs to resume (queue position, agent, ticket id…). */
  handoff?: unknown;
}

/** A change another tab made; `wipe` means another tab ended the session and deleted everything. */
export interface StorageChange {
  kind: 'message' | 'conversation' | 'session' | 'flow' | 'outbox' | 'wipe';
  /** The record; for `flow` it is `{ conversationId, state }` (state null when cleared). */
  value: unknown;
}

export interface StorageWarning {
  code: 'storage-unavailable' | 'storage-write' | 'storage-read' | 'storage-quota' | 'storage-pruned' | 'storage-corrupt' | 'storage-wipe';
  message: string;
}

export interface MessengerStorageOptions {
  appId: string;
  /** 'always': write from the start; 'after-interaction' (default): keep in memory until enable(); 'none': memory only. */
  mode?: 'always' | 'after-interaction' | 'none';
  /** Conversations not updated for this many days are deleted at startup. Default 90. */
  retentionDays?: number;
  onWarning?: (warning: StorageWarning) => void;
  /** Defaults to the global indexedDB. */
  indexedDB?: IDBFactory;
  /** Tell other tabs about changes through a BroadcastChannel. Default true. */
  broadcast?: boolean;
  now?: () => number;
}

export interface MessengerStorage {
  /** True while writes reach IndexedDB. */
  readonly persistent: boolean;
  /** Consent or first interaction: from now on writes reach IndexedDB, and what was kept in memory is written. */
  enable(): void;
  getSession(): Promise<StoredSession>;
  /** Merges into the session record (atomically, so two tabs' patches both land). */
  setSession(patch: StoredSession): void;
  getUser(): Promise<UserInfo | undefined>;
  /** Identity tokens (userHash, jwt) are never stored. */
  setUser(user: UserInfo): void;
  /** The context tracker's saved state, opaque here. */
  getContext(): Promise<object | undefined>;
  setContext(saved: object): void;
  putConversation(conversation: StoredConversation): void;
  /** Most recently updated first. */
  listConversations(): Promise<StoredConversation[]>;
  /** Keyed by client message id: writing the same id again replaces it. */
  putMessage(message: Message): void;
  /** Oldest first. */
  listMessages(conversationId: string): Promise<Message[]>;
  /**
   * One page of a conversation, read through its time index: the latest `limit` messages (before `before`, a
   * message already shown, when given), oldest first, and whether earlier ones remain.
   */
  listMessagePage(conversationId: string, page: MessagePageRequest): Promise<MessagePage>;
  getFlowState(conversationId: string): Promise<unknown>;
  /** `null` clears it. */
  setFlowState(conversationId: string, state: unknown): void;
  getOutbox(): Promise<unknown[]>;
  setOutbox(items: unknown[]): void;
  /** Changes made in other tabs. Returns the unsubscribe function. */
  subscribe(listener: (change: StorageChange) => void): () => void;
  /** Resolves when every write made so far has landed. */
  flush(): Promise<void>;
  /** Deletes every record of the app and the database itself; other tabs are told. */
  wipe(): Promise<void>;
  /** Writes what is pending and lets go of the database and the channel. */
  close(): Promise<void>;
}

export interface MessagePageRequest {
  limit: number;
  /** The earliest message already read: the page ends just before it. */
  before?: Pick<Message, 'at' | 'id'>;
}

export interface MessagePage {
  /** Oldest first. */
  messages: Message[];
  /** Earlier messages remain in storage. */
  earlier: boolean;
}

type Migration = (key: string, value: any) => Array<[string, unknown]>;

/** Version of the record layout written by this code. */
export const STORAGE_SCHEMA_VERSION = 3;

/** STORAGE_MIGRATIONS[i] turns one record of version i+1 into the records of version i+2. */
export const STORAGE_MIGRATIONS: Migration[] = [
  // v2: messages name their fields like `Message` does (were `convId` and `ts`); newer names win.
  (k, v) => [[k, k.startsWith('m:') ? (({ convId, ts, ...m }) => ({ conversationId: convId, at: ts, ...m }))(v) : v]],
  // v3: the user left the session record for a record of its own.
  (k, v) => (k === 's' && v.user ? [[k, (({ user, ...s }) => s)(v)], ['u', v.user]] : [[k, v]]),
];

const STORE = 'records';
/** Database version: 2 added the index of messages by conversation and time. */
const DB_VERSION = 2;
const BY_TIME = 'conversation-time';
const META = 'meta';
const DAY = 864e5;
const KINDS: Record<string, StorageChange['kind']> = { m: 'message', c: 'conversation', s: 'session', f: 'flow', o: 'outbox' };

/** A queued write: a value (merged into the stored one when `merge`), or null to delete. */
type Op = { v: any; merge?: boolean } | null;

/** The longest any IndexedDB call may take; past it, storage keeps to memory. */
export const STORAGE_DEADLINE_MS = 900;
/** How long a database that has begun its version upgrade (adding the time index to a long history) may take. */
const UPGRADE_DEADLINE_MS = 15_000;
/** The largest record read back, in characters of its JSON form; a bigger one is dropped. */
export const MAX_RECORD_CHARS = 256e3;

const isNum = (v: unknown) => typeof v === 'number' && isFinite(v);
const isObj = (v: any) => !!v && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown) => typeof v === 'string';
const isId = (v: unknown) => isStr(v) && !!v && (v as string).length <= 200;
const isConversation = (v: any) => isObj(v) && isId(v.id) && /^(open|closed)$/.test(v.status) && isNum(v.createdAt) && isNum(v.updatedAt);
const isOutgoing = (v: any) => isObj(v) && isId(v.id) && isId(v.conversationId) && isStr(v.text) && isNum(v.at);
const isMessage = (v: any) => isOutgoing(v) && /^(user|bot|agent|system)$/.test(v.author) && /^(pending|queued|sent|failed|)$/.test(v.status ?? '');
const small = (v: unknown) => {
  try {
    return (JSON.stringify(v) || '').length <= MAX_RECORD_CHARS;
  } catch {
    return false;
  }
};

/** A bot message's rich parts (`image`, `links`, `cards`), as the flow engine makes them: at most this many items, and strings this long. */
export const MESSAGE_RICH_LIMITS = { items: 10, chars: 2000 };
/** An image, or a list of links or cards: objects of strings within the limits. */
const isRich = (v: unknown) => {
  const items = [v].flat();
  return items.length <= MESSAGE_RICH_LIMITS.items && items.every((x: any) => isObj(x) && Object.values(x).every((s) => isStr(s) && s.length <= MESSAGE_RICH_LIMITS.chars));
};
const RICH = ['image', 'links', 'cards'];

/** Fields a record may hold, each with its check; a field that fails is removed, the rest is kept (the context tracker checks its own record). */
const SHAPES: Record<string, Record<string, (v: any) => boolean>> = {
  s: { conversationId: isId, visitorId: isId, sessionId: isId, token: isStr, open: (v) => typeof v === 'boolean' },
  u: { id: isStr, name: isStr, email: isStr, attributes: isObj },
};

/**
 * A stored record as it may be used: itself when sound, a repaired copy, or undefined when it must be dropped.
 * Nothing read back is trusted: another version, an extension or a hand in devtools may have written it.
 */
export function checkRecord(key: string, v: any): any {
  const kind = key[0];
  if (kind === 'o') {
    const kept = Array.isArray(v) ? v.filter((m) => isOutgoing(m) && small(m)) : undefined;
    return kept && kept.length < v.length ? kept : kept && v;
  }
  if (kind === 'c' || kind === 'm' || kind === 'f') {
    if (!small(v) || !(kind === 'c' ? isConversation : kind === 'm' ? isMessage : isObj)(v)) return;
    // A message keeps its rich parts only while they are sound; the message itself stays.
    const bad = kind === 'm' ? RICH.filter((f) => v[f] !== undefined && !isRich(v[f])) : [];
    if (!bad.length) return v;
    const out = { ...v };
    for (const f of bad) delete out[f];
    return out;
  }
  if (!isObj(v)) return;
  // Session, user, context: a known field that fails its check goes, and so does any field too big on its own.
  const shape = SHAPES[kind] || {};
  const bad = Object.keys(v).filter((f) => (shape[f] ? v[f] !== undefined && !shape[f](v[f]) : !small(v[f])));
  const out = bad.length ? { ...v } : v;
  for (const f of bad) delete out[f];
  return small(out) ? out : undefined;
}

/** Rejects when the call has not settled in time (a hung IndexedDB must not hold the widget). */
const within = <T>(p: Promise<T>): Promise<T> =>
  new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new DOMException('no answer', 'TimeoutError')), STORAGE_DEADLINE_MS);
    p.then(
      (v) => (clearTimeout(timer), ok(v)),
      (e) => (clearTimeout(timer), fail(e)),
    );
  });
const range = (prefix: string) => IDBKeyRange.bound(prefix, prefix + '\uffff');

/** [key, value] pairs whose key starts with prefix. */
const entriesIn = async (s: IDBObjectStore, prefix: string) => {
  const [keys, values] = await Promise.all([req(s.getAllKeys(range(prefix))), req(s.getAll(range(prefix)))]);
  return keys.map((k, i) => [k as string, values[i]] as [string, any]);
};

/** Deletes conversations with their messages and flow state. */
const dropConversations = (s: IDBObjectStore, ids: string[]) => {
  for (const id of ids) {
    s.delete('c:' + id);
    s.delete('f:' + id);
    s.delete(range(`m:${id}:`));
  }
};

/** Creates the store (a new database) and the time index of messages (a new one, or one from before the index). */
const upgrade = (d: IDBDatabase, t: IDBTransaction) => {
  const s = d.objectStoreNames.contains(STORE) ? t.objectStore(STORE) : d.createObjectStore(STORE);
  // Only records with both fields are indexed: messages (other kinds have no `conversationId` and `at`).
  if (!s.indexNames.contains(BY_TIME)) s.createIndex(BY_TIME, ['conversationId', 'at']);
};

/** Sorts messages by time, then id: the order of the time index. */
const byTime = (a: Message, b: Message) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const isBefore = (m: Message, before?: Pick<Message, 'at' | 'id'>) => !before || m.at < before.at || (m.at === before.at && m.id < before.id);

/**
 * At least n (where there are) of a conversation's newest messages before `before`, as [key,
 * value] pairs, read through the time index in three requests rather than one per message (each
 * step of a cursor is a round trip to the browser's storage process: 61 of them took 45-95 ms at
 * 4x CPU, on the way to the launcher). A key cursor from the newest end jumps to the n-th entry, and
 * one getAll reads from there on. Entries that do not `fit` (`before` itself, a record that fails
 * its check) leave the page short: the same is done for what is missing, below what was read.
 */
const newestIn = (s: IDBObjectStore, id: string, n: number, before: Pick<Message, 'at' | 'id'> | undefined, fits: (k: string, v: any) => boolean) =>
  new Promise<Array<[string, any]>>((done, fail) => {
    const index = s.index(BY_TIME);
    const read = (need: number, range: IDBKeyRange, got: Array<[string, any]>) => {
      const walk = index.openKeyCursor(range, 'prev');
      let jumped = need < 2;
      walk.onerror = () => fail(walk.error);
      walk.onsuccess = () => {
        const c = walk.result;
        if (c && !jumped) return void ((jumped = true), c.advance(need - 1));
        // From the entry jumped to (with any that share its time) up to the range's end.
        const from = c ? IDBKeyRange.bound(c.key, range.upper, false, range.upperOpen) : range;
        const keys = index.getAllKeys(from);
        const values = index.getAll(from);
        values.onerror = () => fail(values.error);
        values.onsuccess = () => {
          got = keys.result.map((k, i) => [String(k), values.result[i]] as [string, any]).filter(([k, v]) => fits(k, v)).concat(got);
          if (c && got.length < n) read(n - got.length, IDBKeyRange.bound(range.lower, c.key, false, true), got);
          else done(got);
        };
      };
    };
    read(n, IDBKeyRange.bound([id, -Infinity], [id, before ? before.at : Infinity]), []);
  });

/** Runs fn in one transaction and resolves once it has committed. */
const run = async <T>(d: IDBDatabase, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => Promise<T> | T): Promise<T> => {
  const t = d.transaction(STORE, mode);
  const done = req(t);
  done.catch(() => {});
  try {
    const result = await within(Promise.resolve(fn(t.objectStore(STORE))));
    await within(done);
    return result;
  } catch (e) {
    try {
      t.abort();
    } catch {}
    throw t.error || e;
  }
};

/** Applies a batch to any key-value target; returns what each key now holds (null when deleted). */
const apply = async (batch: Array<[string, Op]>, get: (k: string) => unknown, put: (k: string, v: unknown) => unknown, del: (k: string) => unknown) => {
  const out: Array<[string, unknown]> = [];
  for (const [k, op] of batch) {
    const v = op && (op.merge ? { ...((await get(k)) as object), ...op.v } : op.v);
    v == null ? del(k) : put(k, v);
    out.push([k, v]);
  }
  return out;
};

/**
 * The messenger's records for one app, in IndexedDB database `madoguchi-<appId>` once allowed, in memory until then
 * (and for good when IndexedDB is missing, failing or too slow). Nothing here throws: problems become warnings.
 */
export function createMessengerStorage(options: MessengerStorageOptions): MessengerStorage {
  const name = 'madoguchi-' + options.appId;
  const mode = options.mode || 'after-interaction';
  const now = options.now || Date.now;
  const listeners = new Set<(change: StorageChange) => void>();
  const mem = new Map<string, unknown>();
  const pending = new Map<string, Op>();
  let enabled = mode === 'always';
  let persistent = false;
  /** After a wipe or close: nothing is written or opened again, so no tab brings a deleted database back. */
  let dead = false;
  let db: Promise<IDBDatabase | undefined> | undefined;
  let chain = Promise.resolve();
  let scheduled = false;

  /** Told a microtask later, so a listener added right after a synchronous failure at creation still hears it. */
  const warn = (code: StorageWarning['code'], message: string) =>
    queueMicrotask(() => {
      try {
        options.onWarning?.({ code, message });
      } catch {}
    });

  /** The factory; a sandbox or policy may make merely reading it throw. */
  const factory = () => {
    try {
      return options.indexedDB || (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    } catch {}
  };

  /**
   * Is there a database from an earlier visit (so consent was given then)? Opening would create one, so list instead;
   * where listing is missing (Firefox before 126) or fails, the answer is no, and the data waits for enable().
   */
  const exists = async (f: IDBFactory) => {
    try {
      return (await within(f.databases())).some((x) => x.name === name);
    } catch {
      return false;
    }
  };

  /** Opens (creating when enabled), migrates, applies retention. Undefined means: memory. */
  const start = async (): Promise<IDBDatabase | undefined> => {
    if (mode === 'none' || dead) return;
    try {
      const idb = factory();
      if (!idb) throw new Error('IndexedDB is not available');
      if (!enabled && !(await exists(idb))) return;
      enabled = true;
      let late = false;
      const d = await new Promise<IDBDatabase>((ok, fail) => {
        const r = idb.open(name, DB_VERSION);
        const expire = (ms: number) =>
          setTimeout(() => {
            late = true;
            fail(new DOMException('no answer', 'TimeoutError'));
          }, ms);
        let timer = expire(STORAGE_DEADLINE_MS);
        r.onupgradeneeded = (e) => {
          // An existing database answers and upgrades: indexing a long history may take longer than a plain open.
          if (e.oldVersion > 0) {
            clearTimeout(timer);
            timer = expire(UPGRADE_DEADLINE_MS);
          }
          upgrade(r.result, r.transaction!);
        };
        r.onsuccess = () => {
          clearTimeout(timer);
          // An answer after the deadline is let go at once, so it blocks no other tab's deletion.
          if (late) r.result.close();
          else ok(r.result);
        };
        r.onerror = () => (clearTimeout(timer), fail(r.error));
      });
      // Another tab deleting the database (shutdown) must not be blocked by us, nor see us bring it back.
      d.onversionchange = d.onclose = () => {
        d.close();
        db = Promise.resolve(undefined);
        persistent = false;
      };
      await run(d, 'readwrite', async (s) => {
        if (s.keyPath !== null || s.autoIncrement) throw new Error('bad store layout');
        const meta = await req(s.get(META));
        const known = isObj(meta) && Number.isInteger(meta.schema) && meta.schema > 0;
        // Counting, not listing keys: a long history costs nothing at startup.
        const version = known ? meta.schema : (await req(s.count())) ? 1 : STORAGE_SCHEMA_VERSION;
        if (version > STORAGE_SCHEMA_VERSION) throw new Error(`unknown schema ${version}`);
        if (version < STORAGE_SCHEMA_VERSION) {
          const [keys, values] = await Promise.all([req(s.getAllKeys()), req(s.getAll())]);
          let records = keys.map((k, i) => [k as string, values[i]] as [string, unknown]).filter(([k]) => k !== META);
          for (const migrate of STORAGE_MIGRATIONS.slice(version - 1))
            records = records.flatMap(([k, v]) => {
              try {
                return migrate(k, v);
              } catch {
                warn('storage-corrupt', `dropped record ${String(k)}: upgrade failed`);
                return [];
              }
            });
          s.clear();
          for (const [k, v] of records) s.put(v, k);
        }
        s.put({ schema: STORAGE_SCHEMA_VERSION }, META);
        const cutoff = now() - (options.retentionDays || 90) * DAY;
        const stale = (await entriesIn(s, 'c:')).filter(([, c]) => isConversation(c) && c.updatedAt < cutoff);
        dropConversations(s, stale.map(([k]) => k.slice(2)));
      });
      persistent = true;
      return d;
    } catch (e) {
      warn('storage-unavailable', `IndexedDB unusable, memory only (${e})`);
    }
  };

  const connect = () => (db ||= start());

  /** A call that timed out leaves IndexedDB for memory: the next one would hang as well. */
  const giveUp = (e: any) => {
    if (e?.name !== 'TimeoutError') return;
    const old = db;
    db = Promise.resolve(undefined);
    persistent = false;
    old?.then((d) => d?.close());
  };

  const write = (d: IDBDatabase, batch: Array<[string, Op]>) =>
    run(d, 'readwrite', (s) =>
      apply(
        batch,
        (k) => req(s.get(k)),
        (k, v) => s.put(v, k),
        (k) => s.delete(k),
      ),
    );

  /** Oldest closed conversations go first: half of them, at least one. */
  const prune = (d: IDBDatabase) =>
    run(d, 'readwrite', async (s) => {
      const closed = (await entriesIn(s, 'c:')).filter(([, c]) => isConversation(c) && c.status === 'closed').sort(([, a], [, b]) => a.updatedAt - b.updatedAt);
      const n = Math.ceil(closed.length / 2);
      dropConversations(s, closed.slice(0, n).map(([k]) => k.slice(2)));
      return n;
    });

  const toMemory = (batch: Array<[string, Op]>) =>
    apply(
      batch,
      (k) => mem.get(k),
      (k, v) => mem.set(k, v),
      (k) => mem.delete(k),
    );

  const post = (changes: Array<[string, unknown]>) => {
    for (const [key, value] of changes)
      if (KINDS[key[0]])
        try {
          channel?.postMessage({ key, value });
        } catch {}
  };

  const flush = (): Promise<void> =>
    (chain = chain.then(async () => {
      if (!pending.size) return;
      const batch = [...pending];
      pending.clear();
      const d = await connect();
      let changes: Array<[string, unknown]> | undefined;
      if (d) {
        try {
          changes = await write(d, batch);
        } catch (e: any) {
          let error = e;
          if (e?.name === 'QuotaExceededError') {
            try {
              const pruned = await prune(d);
              changes = await write(d, batch);
              warn('storage-pruned', `storage full: pruned ${pruned} closed conversation(s)`);
            } catch (e2) {
              error = e2;
            }
          }
          if (!changes) {
            giveUp(error);
            warn(
              error?.name === 'QuotaExceededError' ? 'storage-quota' : 'storage-write',
              `write failed, kept in memory (${error})`,
            );
          }
        }
      }
      post(changes || (await toMemory(batch)));
    }));

  /** Everything written in the same task lands in one transaction. */
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      flush();
    });
  };

  const queue = (k: string, v: unknown, merge?: boolean) => {
    if (dead) return;
    const prev = pending.get(k);
    pending.set(k, v === null ? null : merge && prev ? { v: { ...prev.v, ...(v as object) }, merge: prev.merge } : { v, merge });
    schedule();
  };

  /** Own writes first, so a read always sees them. */
  const read = async <T>(fn: (s: IDBObjectStore) => Promise<T>, fallback: T): Promise<T> => {
    await flush();
    const d = await connect();
    try {
      return d ? await run(d, 'readonly', fn) : fallback;
    } catch (e) {
      giveUp(e);
      warn('storage-read', `read failed (${e})`);
      return fallback;
    }
  };

  /** A record read back, checked: a repaired copy is used, one beyond repair is deleted; both with a warning. */
  const checked = (k: string, v: unknown) => {
    if (v === undefined) return v;
    const out = checkRecord(k, v);
    if (out !== v) {
      warn('storage-corrupt', `${out === undefined ? 'dropped' : 'repaired'} malformed record ${k}`);
      if (out === undefined) queue(k, null);
    }
    return out;
  };

  const get = async (k: string) => {
    const v = await read((s) => req(s.get(k)), undefined);
    return checked(k, mem.has(k) ? mem.get(k) : v);
  };

  const list = async (prefix: string) => {
    const out = new Map(await read((s) => entriesIn(s, prefix), []));
    for (const [k, v] of mem) if (k.startsWith(prefix)) out.set(k, v);
    return [...out].map(([k, v]) => checked(k, v)).filter((v) => v !== undefined);
  };

  const reset = () => {
    const old = db;
    db = undefined;
    dead = true;
    persistent = false;
    pending.clear();
    mem.clear();
    return old?.then((d) => d?.close());
  };

  const notify = (change: StorageChange) => {
    for (const l of listeners)
      try {
        l(change);
      } catch {}
  };

  let channel: BroadcastChannel | undefined;
  try {
    if (options.broadcast !== false) channel = new BroadcastChannel(name);
  } catch {}
  if (channel)
    channel.onmessage = ({ data }) => {
      if (!isObj(data) || dead) return;
      if (data.wipe) {
        reset();
        return notify({ kind: 'wipe', value: null });
      }
      const { key, value } = data;
      const kind = typeof key === 'string' && KINDS[key[0]];
      if (!kind) return;
      if (!persistent) value == null ? mem.delete(key) : mem.set(key, value);
      // Another tab has written, so consent was given there: look for its database again.
      if (!enabled && mode !== 'none') db = db?.then((d) => d || start());
      notify({ kind, value: kind === 'flow' ? { conversationId: key.slice(2), state: value ?? null } : value });
    };

  if (mode !== 'none') connect();

  const api: MessengerStorage = {
    get persistent() {
      return persistent;
    },
    enable() {
      if (enabled || mode === 'none' || dead) return;
      enabled = true;
      if (db) db = db.then((d) => d || start());
      // What memory held is older than anything pending: pending wins, the session merges.
      for (const [k, v] of mem) {
        const op = pending.get(k);
        if (k === 's') pending.set(k, { v: { ...(v as object), ...op?.v }, merge: true });
        else if (op === undefined) pending.set(k, { v });
      }
      mem.clear();
      schedule();
    },
    getSession: async () => (await get('s')) || {},
    setSession: (patch) => queue('s', patch, true),
    getUser: () => get('u'),
    setUser: (user) => {
      const { userHash, jwt, ...rest } = user || {};
      queue('u', rest);
    },
    getContext: () => get('x'),
    setContext: (saved) => queue('x', saved),
    putConversation: (c) => queue('c:' + c.id, c),
    listConversations: async () => ((await list('c:')) as StoredConversation[]).sort((a, b) => b.updatedAt - a.updatedAt),
    putMessage: (m) => queue(`m:${m.conversationId}:${m.id}`, m),
    listMessages: async (id) =>
      ((await list(`m:${id}:`)) as Message[]).filter((m) => m.conversationId === id).sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1)),
    async listMessagePage(id, { limit, before }) {
      const n = Math.max(1, limit) || 1;
      const fits = (k: string, v: any) => k.startsWith(`m:${id}:`) && checked(k, v) !== undefined && v.conversationId === id && isBefore(v, before);
      // One more than asked says whether earlier ones remain; memory (before consent) may hold newer copies.
      const found = new Map(await read((s) => newestIn(s, id, n + 1, before, fits), []));
      for (const [k, v] of mem) if (fits(k, v)) found.set(k, v);
      const all = ([...found.values()] as Message[]).sort(byTime);
      return { messages: all.slice(-n), earlier: all.length > n };
    },
    getFlowState: async (id) => (await get('f:' + id)) ?? null,
    setFlowState: (id, state) => queue('f:' + id, state ?? null),
    getOutbox: async () => (await get('o')) || [],
    setOutbox: (items) => queue('o', items),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush,
    wipe: () =>
      (chain = chain.then(async () => {
        await reset();
        const idb = factory();
        if (idb)
          try {
            await within(req(idb.deleteDatabase(name)));
          } catch (e) {
            warn('storage-wipe', `delete failed (${e})`);
          }
        try {
          channel?.postMessage({ wipe: true });
        } catch {}
      })),
    close: async () => {
      await flush();
      dead = true;
      channel?.close();
      listeners.clear();
      (await db)?.close();
    },
  };
  return api;
}
