import { IDBCursor as FakeCursor, IDBDatabase as FakeDB, IDBFactory, IDBIndex as FakeIndex, IDBKeyRange, IDBObjectStore as FakeStore } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../types';
import { checkRecord, createMessengerStorage, MAX_RECORD_CHARS, MESSAGE_RICH_LIMITS, STORAGE_DEADLINE_MS, STORAGE_MIGRATIONS, STORAGE_SCHEMA_VERSION, type MessengerStorage, type MessengerStorageOptions, type StorageWarning } from './index';

(globalThis as { IDBKeyRange?: unknown }).IDBKeyRange ??= IDBKeyRange;

const DAY = 864e5;
const NOW = Date.UTC(2025, 5, 1);
let seq = 0;
const opened: MessengerStorage[] = [];

const setup = (extra: Partial<MessengerStorageOptions> = {}) => {
  const warnings: StorageWarning[] = [];
  const appId = extra.appId || `app${++seq}`;
  const indexedDB = 'indexedDB' in extra ? extra.indexedDB : new IDBFactory();
  const storage = createMessengerStorage({ appId, indexedDB, now: () => NOW, onWarning: (w) => warnings.push(w), ...extra });
  opened.push(storage);
  return { storage, warnings, indexedDB: indexedDB as IDBFactory, appId };
};

const msg = (id: string, conversationId = 'c1', at = NOW): Message => ({ id, conversationId, author: 'user', text: 'hi ' + id, at });
const out = (id: string) => ({ id, conversationId: 'c1', text: 'hi ' + id, at: NOW });
const conv = (id: string, status: 'open' | 'closed', updatedAt = NOW) => ({ id, status, createdAt: updatedAt - 1000, updatedAt });
const names = async (f: IDBFactory) => (await f.databases()).map((d) => d.name);

/** Writes raw records, as an older version of the code would have. */
const seed = (f: IDBFactory, appId: string, records: Record<string, unknown>) =>
  new Promise<void>((ok, fail) => {
    const r = f.open('madoguchi-' + appId);
    r.onupgradeneeded = () => r.result.createObjectStore('records');
    r.onerror = () => fail(r.error);
    r.onsuccess = () => {
      const t = r.result.transaction('records', 'readwrite');
      for (const [k, v] of Object.entries(records)) t.objectStore('records').put(v, k);
      t.oncomplete = () => (r.result.close(), ok());
    };
  });

const rawGet = (f: IDBFactory, appId: string, key: string) =>
  new Promise<unknown>((ok) => {
    const r = f.open('madoguchi-' + appId);
    r.onsuccess = () => {
      const g = r.result.transaction('records').objectStore('records').get(key);
      g.onsuccess = () => (r.result.close(), ok(g.result));
    };
  });

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

describe('consent', () => {
  it('writes nothing before enable() under after-interaction, yet works from memory', async () => {
    const { storage, indexedDB } = setup();
    storage.setSession({ open: true, conversationId: 'c1' });
    storage.putMessage(msg('m1'));
    expect(await storage.getSession()).toEqual({ open: true, conversationId: 'c1' });
    expect(await storage.listMessages('c1')).toHaveLength(1);
    expect(storage.persistent).toBe(false);
    expect(await names(indexedDB)).toEqual([]);
  });

  it('writes what memory held once enabled, and a reload finds it without asking again', async () => {
    const { storage, indexedDB, appId } = setup();
    storage.setSession({ open: true });
    storage.putMessage(msg('m1'));
    await storage.flush();
    storage.enable();
    storage.setSession({ conversationId: 'c1' });
    await storage.flush();
    expect(storage.persistent).toBe(true);
    expect(await names(indexedDB)).toEqual([`madoguchi-${appId}`]);
    await storage.close();

    const reload = setup({ appId, indexedDB }).storage;
    expect(await reload.getSession()).toEqual({ open: true, conversationId: 'c1' });
    expect((await reload.listMessages('c1')).map((m) => m.id)).toEqual(['m1']);
    expect(reload.persistent).toBe(true);
  });

  it("never touches IndexedDB under 'none'", async () => {
    const { storage, indexedDB } = setup({ mode: 'none' });
    const open = vi.spyOn(indexedDB, 'open');
    storage.enable();
    storage.putMessage(msg('m1'));
    expect(await storage.listMessages('c1')).toHaveLength(1);
    expect(open).not.toHaveBeenCalled();
    expect(await names(indexedDB)).toEqual([]);
  });

  it("writes from the start under 'always'", async () => {
    const { storage, indexedDB } = setup({ mode: 'always' });
    storage.putMessage(msg('m1'));
    await storage.flush();
    expect(storage.persistent).toBe(true);
    expect(await names(indexedDB)).toHaveLength(1);
  });

  it('never creates a database to find out whether one exists', async () => {
    const { storage, indexedDB } = setup({ indexedDB: Object.assign(new IDBFactory(), { databases: undefined }) });
    await storage.getSession();
    expect(storage.persistent).toBe(false);
    expect(await IDBFactory.prototype.databases.call(indexedDB)).toEqual([]);
  });
});

describe('records', () => {
  it('batches every write of one task into one transaction', async () => {
    const { storage } = setup({ mode: 'always' });
    await storage.getSession();
    const tx = vi.spyOn(FakeDB.prototype, 'transaction');
    for (let i = 0; i < 20; i++) storage.putMessage(msg('m' + i, 'c1', NOW + i));
    storage.setSession({ open: true });
    storage.putConversation(conv('c1', 'open'));
    await storage.flush();
    expect(tx.mock.calls.filter((c) => c[1] === 'readwrite')).toHaveLength(1);
    expect(await storage.listMessages('c1')).toHaveLength(20);
  });

  it('replaces a message written twice with the same id', async () => {
    const { storage } = setup({ mode: 'always' });
    storage.putMessage({ ...msg('m1'), status: 'pending' });
    await storage.flush();
    storage.putMessage({ ...msg('m1'), status: 'sent' });
    const list = await storage.listMessages('c1');
    expect(list).toHaveLength(1);
    expect(list[0].status).toBe('sent');
  });

  it('keeps messages per conversation, oldest first', async () => {
    const { storage } = setup({ mode: 'always' });
    storage.putMessage(msg('b', 'c1', NOW + 2));
    storage.putMessage(msg('a', 'c1', NOW + 1));
    storage.putMessage(msg('x', 'c2'));
    expect((await storage.listMessages('c1')).map((m) => m.id)).toEqual(['a', 'b']);
    expect((await storage.listMessages('c2')).map((m) => m.id)).toEqual(['x']);
  });

  it('stores conversations, flow state, the outbox, the context and the user without tokens', async () => {
    const { storage, indexedDB, appId } = setup({ mode: 'always' });
    storage.putConversation(conv('old', 'closed', NOW - 5000));
    storage.putConversation({ ...conv('new', 'open'), handoff: { queue: 3 } });
    storage.setFlowState('new', { node: 'ask', vars: { plan: 'pro' } });
    const outbox = [out('m1'), out('m2')];
    storage.setOutbox(outbox);
    storage.setContext({ visitorId: 'v1', trail: [] });
    storage.setUser({ id: 'u1', name: 'Aiko', jwt: 'JWT', userHash: 'H' });
    expect((await storage.listConversations()).map((c) => c.id)).toEqual(['new', 'old']);
    expect(await storage.getFlowState('new')).toEqual({ node: 'ask', vars: { plan: 'pro' } });
    expect(await storage.getOutbox()).toEqual(outbox);
    expect(await storage.getContext()).toEqual({ visitorId: 'v1', trail: [] });
    expect(await storage.getUser()).toEqual({ id: 'u1', name: 'Aiko' });
    expect(JSON.stringify(await rawGet(indexedDB, appId, 'u'))).not.toMatch(/JWT|"H"/);
    storage.setFlowState('new', null);
    expect(await storage.getFlowState('new')).toBeNull();
  });
});

describe('pages of history', () => {
  const ids = (page: { messages: Message[] }) => page.messages.map((m) => m.id);

  it('reads the latest page through the time index, then each earlier page before the first one shown', async () => {
    const { storage } = setup({ mode: 'always' });
    // Written out of time order, with two messages in the same millisecond (ordered by id).
    for (const i of [4, 0, 3, 1, 2, 6, 5]) storage.putMessage(msg('m' + i, 'c1', NOW + Math.min(i, 5)));
    storage.putMessage(msg('other', 'c2', NOW + 9));
    await storage.flush();
    const cursor = vi.spyOn(FakeStore.prototype, 'getAll');
    const latest = await storage.listMessagePage('c1', { limit: 3 });
    expect(ids(latest)).toEqual(['m4', 'm5', 'm6']);
    expect(latest.earlier).toBe(true);
    const next = await storage.listMessagePage('c1', { limit: 3, before: latest.messages[0] });
    expect(ids(next)).toEqual(['m1', 'm2', 'm3']);
    const last = await storage.listMessagePage('c1', { limit: 3, before: next.messages[0] });
    expect(ids(last)).toEqual(['m0']);
    expect(last.earlier).toBe(false);
    // The whole conversation is never loaded to read a page of it.
    expect(cursor).not.toHaveBeenCalled();
  });

  it('reads a page in a few requests, not one per message, and pages a long conversation with ties and a bad record whole', async () => {
    const indexedDB = new IDBFactory();
    const records: Record<string, unknown> = { meta: { schema: STORAGE_SCHEMA_VERSION } };
    // 250 messages; every fifth shares its millisecond with the one before; one is malformed.
    for (let i = 0; i < 250; i++) records[`m:c1:m${String(i).padStart(3, '0')}`] = msg('m' + String(i).padStart(3, '0'), 'c1', NOW + i - (i % 5 === 4 ? 1 : 0));
    records['m:c1:m120'] = { id: 'm120', conversationId: 'c1', at: NOW + 120, text: 7 };
    records['m:c2:x'] = msg('x', 'c2', NOW + 100);
    await seed(indexedDB, 'long', records);
    const { storage, warnings } = setup({ appId: 'long', indexedDB });
    const steps = vi.spyOn(FakeCursor.prototype, 'continue');
    const read = vi.spyOn(FakeIndex.prototype, 'getAll');
    const seen: string[] = [];
    let page = await storage.listMessagePage('c1', { limit: 60 });
    for (let pages = 1; ; pages++) {
      expect(page.messages.length).toBeLessThanOrEqual(60);
      seen.unshift(...ids(page));
      if (!page.earlier) break;
      expect(pages).toBeLessThan(10);
      page = await storage.listMessagePage('c1', { limit: 60, before: page.messages[0] });
    }
    const valid = Object.keys(records).filter((k) => k.startsWith('m:c1:') && k !== 'm:c1:m120').map((k) => k.slice(5)).sort((a, b) => (records['m:c1:' + a] as Message).at - (records['m:c1:' + b] as Message).at || (a < b ? -1 : 1));
    expect(seen).toEqual(valid);
    // Each record is read and checked once: the damaged one is reported once.
    expect(warnings.filter((w) => w.message.includes('m:c1:m120'))).toHaveLength(1);
    // No cursor walk, and each read covers about a page (61 asked, plus what was left out), never the conversation.
    expect(steps).not.toHaveBeenCalled();
    expect(read.mock.results.length).toBeGreaterThan(4);
    for (const r of read.mock.results) expect(((await r.value) as { result?: unknown[] }).result?.length ?? 0).toBeLessThanOrEqual(63);
  });

  it('indexes messages stored before the index existed', async () => {
    const indexedDB = new IDBFactory();
    const records: Record<string, unknown> = { meta: { schema: STORAGE_SCHEMA_VERSION } };
    for (let i = 0; i < 10; i++) records[`m:c1:m${i}`] = msg('m' + i, 'c1', NOW + i);
    await seed(indexedDB, 'old', records);
    const { storage } = setup({ appId: 'old', indexedDB });
    const page = await storage.listMessagePage('c1', { limit: 4 });
    expect(ids(page)).toEqual(['m6', 'm7', 'm8', 'm9']);
    expect(page.earlier).toBe(true);
  });

  it('pages what memory holds before consent, and an empty conversation has nothing earlier', async () => {
    const { storage } = setup();
    for (let i = 0; i < 5; i++) storage.putMessage(msg('m' + i, 'c1', NOW + i));
    expect(ids(await storage.listMessagePage('c1', { limit: 2 }))).toEqual(['m3', 'm4']);
    expect(await storage.listMessagePage('c9', { limit: 2 })).toEqual({ messages: [], earlier: false });
  });

  it('skips and reports a malformed message in a page', async () => {
    const indexedDB = new IDBFactory();
    await seed(indexedDB, 'badpage', {
      meta: { schema: STORAGE_SCHEMA_VERSION },
      'm:c1:m1': msg('m1', 'c1', NOW + 1),
      'm:c1:m2': { id: 'm2', conversationId: 'c1', at: NOW + 2, text: 7 },
      'm:c1:m3': msg('m3', 'c1', NOW + 3),
    });
    const { storage, warnings } = setup({ appId: 'badpage', indexedDB });
    expect(ids(await storage.listMessagePage('c1', { limit: 5 }))).toEqual(['m1', 'm3']);
    expect(warnings.map((w) => w.message).join()).toMatch(/m:c1:m2/);
  });
});

describe('migrations', () => {
  // One fixture per older schema version, written the way that version wrote its records.
  const fixtures: Record<number, Record<string, unknown>> = {
    1: {
      s: { conversationId: 'c1', open: true, user: { id: 'u1', name: 'Aiko' } },
      'c:c1': conv('c1', 'open'),
      'm:c1:m1': { id: 'm1', convId: 'c1', author: 'user', text: 'hello', ts: NOW },
    },
    2: {
      meta: { schema: 2 },
      s: { conversationId: 'c1', open: true, user: { id: 'u1', name: 'Aiko' } },
      'c:c1': conv('c1', 'open'),
      'm:c1:m1': { id: 'm1', conversationId: 'c1', author: 'user', text: 'hello', at: NOW },
    },
  };

  it('has a fixture for every older version', () => {
    expect(STORAGE_MIGRATIONS).toHaveLength(STORAGE_SCHEMA_VERSION - 1);
    for (let v = 1; v < STORAGE_SCHEMA_VERSION; v++) expect(fixtures[v], `fixture for v${v}`).toBeDefined();
  });

  for (let v = 1; v < STORAGE_SCHEMA_VERSION; v++)
    it(`upgrades version ${v} to ${STORAGE_SCHEMA_VERSION}`, async () => {
      const indexedDB = new IDBFactory();
      const appId = `mig${v}`;
      await seed(indexedDB, appId, fixtures[v]);
      const { storage, warnings } = setup({ appId, indexedDB });
      expect(await storage.getSession()).toEqual({ conversationId: 'c1', open: true });
      expect(await storage.getUser()).toEqual({ id: 'u1', name: 'Aiko' });
      expect(await storage.listMessages('c1')).toEqual([{ id: 'm1', conversationId: 'c1', author: 'user', text: 'hello', at: NOW }]);
      expect(await storage.listConversations()).toHaveLength(1);
      expect(await rawGet(indexedDB, appId, 'meta')).toEqual({ schema: STORAGE_SCHEMA_VERSION });
      expect(warnings).toEqual([]);
    });

  it('leaves data from a newer version alone and works from memory', async () => {
    const indexedDB = new IDBFactory();
    await seed(indexedDB, 'future', { meta: { schema: 99 }, s: { open: true } });
    const { storage, warnings } = setup({ appId: 'future', indexedDB });
    storage.setSession({ conversationId: 'c9' });
    expect(await storage.getSession()).toEqual({ conversationId: 'c9' });
    expect(warnings.map((w) => w.code)).toEqual(['storage-unavailable']);
    expect(await rawGet(indexedDB, 'future', 's')).toEqual({ open: true });
  });
});

describe('faults', () => {
  it('falls back to memory with a warning when opening throws (private mode)', async () => {
    const indexedDB = new IDBFactory();
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
    });
    const { storage, warnings } = setup({ indexedDB, mode: 'always' });
    storage.putMessage(msg('m1'));
    expect(await storage.listMessages('c1')).toHaveLength(1);
    expect(storage.persistent).toBe(false);
    expect(warnings.map((w) => w.code)).toEqual(['storage-unavailable']);
  });

  it('falls back to memory when there is no IndexedDB at all', async () => {
    const { storage, warnings } = setup({ indexedDB: undefined, mode: 'always' });
    (globalThis as { indexedDB?: unknown }).indexedDB === undefined || expect.fail('test needs no global indexedDB');
    storage.setSession({ open: true });
    expect(await storage.getSession()).toEqual({ open: true });
    expect(warnings[0].code).toBe('storage-unavailable');
    await expect(storage.wipe()).resolves.toBeUndefined();
  });

  it('prunes the oldest closed conversations when the quota is exceeded, then retries', async () => {
    const { storage, warnings } = setup({ mode: 'always' });
    storage.putConversation(conv('closed-old', 'closed', NOW - 3 * DAY));
    storage.putConversation(conv('closed-new', 'closed', NOW - 2 * DAY));
    storage.putConversation(conv('open-old', 'open', NOW - 9 * DAY));
    storage.putMessage(msg('m1', 'closed-old'));
    storage.setFlowState('closed-old', { node: 'x' });
    await storage.flush();
    const put = FakeStore.prototype.put;
    let failures = 1;
    vi.spyOn(FakeStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
      if (failures-- > 0) throw new DOMException('full', 'QuotaExceededError');
      return put.apply(this, args);
    });
    storage.putMessage(msg('m2', 'open-old'));
    expect((await storage.listConversations()).map((c) => c.id)).toEqual(['closed-new', 'open-old']);
    expect(await storage.listMessages('closed-old')).toEqual([]);
    expect(await storage.getFlowState('closed-old')).toBeNull();
    expect((await storage.listMessages('open-old')).map((m) => m.id)).toEqual(['m2']);
    expect(warnings.map((w) => w.code)).toEqual(['storage-pruned']);
  });

  it('keeps the write in memory and warns when the quota stays exceeded', async () => {
    const { storage, warnings } = setup({ mode: 'always' });
    await storage.getSession();
    vi.spyOn(FakeStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    storage.putMessage(msg('m1'));
    expect((await storage.listMessages('c1')).map((m) => m.id)).toEqual(['m1']);
    expect(warnings.map((w) => w.code)).toEqual(['storage-quota']);
  });

  it('skips and reports corrupt records, the others stay readable', async () => {
    const indexedDB = new IDBFactory();
    await seed(indexedDB, 'bad', {
      meta: { schema: STORAGE_SCHEMA_VERSION },
      s: 'not an object',
      o: { not: 'a list' },
      'c:c1': conv('c1', 'open'),
      'c:c2': { id: 'c2', status: 'weird' },
      'm:c1:m1': msg('m1'),
      'm:c1:m2': { id: 'm2', text: 7 },
    });
    const { storage, warnings } = setup({ appId: 'bad', indexedDB });
    expect(await storage.getSession()).toEqual({});
    expect(await storage.getOutbox()).toEqual([]);
    expect((await storage.listConversations()).map((c) => c.id)).toEqual(['c1']);
    expect((await storage.listMessages('c1')).map((m) => m.id)).toEqual(['m1']);
    expect(warnings.map((w) => w.code)).toEqual(Array(4).fill('storage-corrupt'));
    expect(warnings.map((w) => w.message).join()).toMatch(/c:c2.*m:c1:m2|m:c1:m2.*c:c2/);
  });

  it('deletes conversations not updated within the retention period at startup', async () => {
    const indexedDB = new IDBFactory();
    await seed(indexedDB, 'ret', {
      meta: { schema: STORAGE_SCHEMA_VERSION },
      'c:stale': conv('stale', 'open', NOW - 31 * DAY),
      'm:stale:m1': msg('m1', 'stale'),
      'f:stale': { node: 'x' },
      'c:fresh': conv('fresh', 'closed', NOW - 29 * DAY),
      'm:fresh:m2': msg('m2', 'fresh'),
    });
    const { storage } = setup({ appId: 'ret', indexedDB, retentionDays: 30 });
    expect((await storage.listConversations()).map((c) => c.id)).toEqual(['fresh']);
    expect(await storage.listMessages('stale')).toEqual([]);
    expect(await storage.getFlowState('stale')).toBeNull();
    expect(await storage.listMessages('fresh')).toHaveLength(1);
  });
});

describe('wipe', () => {
  it('deletes the database; the next boot starts clean and asks for consent again', async () => {
    const { storage, indexedDB, appId } = setup();
    storage.enable();
    storage.setSession({ open: true });
    storage.putMessage(msg('m1'));
    await storage.flush();
    await storage.wipe();
    expect(await names(indexedDB)).toEqual([]);
    expect(await storage.getSession()).toEqual({});
    expect(storage.persistent).toBe(false);
    await storage.close();

    const next = setup({ appId, indexedDB }).storage;
    expect(await next.listMessages('c1')).toEqual([]);
    expect(await names(indexedDB)).toEqual([]);
  });
});

describe('two tabs', () => {
  const until = async (check: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('tells the other tab about a message, and concurrent writes all land once', async () => {
    const indexedDB = new IDBFactory();
    const a = setup({ appId: 'tabs', indexedDB, mode: 'always' }).storage;
    const b = setup({ appId: 'tabs', indexedDB, mode: 'always' }).storage;
    const seen: unknown[] = [];
    b.subscribe((c) => seen.push(c));
    await Promise.all([a.getSession(), b.getSession()]);

    a.putMessage(msg('from-a'));
    a.setSession({ open: true });
    b.putMessage(msg('from-b'));
    b.setSession({ conversationId: 'c1' });
    a.putMessage(msg('same'));
    b.putMessage(msg('same'));
    await Promise.all([a.flush(), b.flush()]);

    await until(() => seen.length >= 3);
    expect(seen).toContainEqual({ kind: 'message', value: msg('from-a') });
    expect(seen).toContainEqual({ kind: 'session', value: { open: true } });
    expect((await b.listMessages('c1')).map((m) => m.id).sort()).toEqual(['from-a', 'from-b', 'same']);
    expect(await a.getSession()).toEqual({ open: true, conversationId: 'c1' });
  });

  it('joins the database once another tab was given consent', async () => {
    const indexedDB = new IDBFactory();
    const a = setup({ appId: 'tabconsent', indexedDB }).storage;
    const b = setup({ appId: 'tabconsent', indexedDB }).storage;
    await Promise.all([a.getSession(), b.getSession()]);
    a.enable();
    a.putMessage(msg('m1'));
    await a.flush();
    await until(async () => (await b.listMessages('c1')).length > 0 && b.persistent);
    expect(b.persistent).toBe(true);
    b.putMessage(msg('m2'));
    await b.flush();
    expect((await a.listMessages('c1')).map((m) => m.id)).toEqual(['m1', 'm2']);
  });

  it('tells the other tab about a wipe and lets the deletion through', async () => {
    const indexedDB = new IDBFactory();
    const a = setup({ appId: 'tabwipe', indexedDB }).storage;
    const b = setup({ appId: 'tabwipe', indexedDB }).storage;
    a.enable();
    b.enable();
    a.putMessage(msg('m1'));
    await a.flush();
    expect(await b.listMessages('c1')).toHaveLength(1);
    const kinds: string[] = [];
    b.subscribe((c) => kinds.push(c.kind));
    await a.wipe();
    await until(() => kinds.includes('wipe'));
    expect(kinds).toContain('wipe');
    expect(await b.listMessages('c1')).toEqual([]);
    expect(await names(indexedDB)).toEqual([]);
  });
});

describe('hostile environments', () => {
  it('falls back to memory within the deadline when opening never answers, and lets the late answer go', async () => {
    const indexedDB = new IDBFactory();
    const open = indexedDB.open.bind(indexedDB);
    vi.spyOn(indexedDB, 'open').mockImplementation((name: string) => {
      const r = open(name);
      // The page hears back only after 1.2 seconds.
      let handler: ((e: Event) => void) | null = null;
      Object.defineProperty(r, 'onsuccess', { set: (fn) => setTimeout(() => fn?.call(r, new Event('success')), 1200), get: () => handler });
      return r;
    });
    const started = Date.now();
    const { storage, warnings } = setup({ indexedDB, mode: 'always' });
    storage.setSession({ open: true });
    expect(await storage.getSession()).toEqual({ open: true });
    expect(Date.now() - started).toBeLessThan(STORAGE_DEADLINE_MS + 300);
    expect(warnings.map((w) => w.code)).toEqual(['storage-unavailable']);
    expect(warnings[0].message).toMatch(/TimeoutError/);
    // The late connection is closed at once: deleting the database is not blocked by it.
    await new Promise((r) => setTimeout(r, 500));
    const blocked = await new Promise((ok) => {
      const d = indexedDB.deleteDatabase('madoguchi-' + 'app' + seq);
      d.onblocked = () => ok(true);
      d.onsuccess = () => ok(false);
    });
    expect(blocked).toBe(false);
  });

  it('gives an existing database that is upgrading (indexing a long history) more than the deadline', async () => {
    const indexedDB = new IDBFactory();
    // A database from before the time index.
    await new Promise<void>((ok) => {
      const r = indexedDB.open('madoguchi-' + 'app' + (seq + 1), 1);
      r.onupgradeneeded = () => r.result.createObjectStore('records');
      r.onsuccess = () => (r.result.close(), ok());
    });
    const open = indexedDB.open.bind(indexedDB);
    vi.spyOn(indexedDB, 'open').mockImplementation((name: string, version?: number) => {
      const r = open(name, version);
      // The upgrade runs at once; its success is heard only after 1.2 seconds.
      let handler: ((e: Event) => void) | null = null;
      Object.defineProperty(r, 'onsuccess', { set: (fn) => setTimeout(() => fn?.call(r, new Event('success')), 1200), get: () => handler });
      return r;
    });
    const { storage, warnings } = setup({ indexedDB, mode: 'always' });
    storage.setSession({ open: true });
    await storage.flush();
    expect(warnings).toEqual([]);
    expect(storage.persistent).toBe(true);
  });

  it('falls back to memory when reading the indexedDB global throws', async () => {
    const before = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB');
    Object.defineProperty(globalThis, 'indexedDB', { configurable: true, get: () => { throw new DOMException('denied by policy', 'SecurityError'); } });
    try {
      const { storage, warnings } = setup({ indexedDB: undefined, mode: 'always' });
      storage.putMessage(msg('m1'));
      expect((await storage.listMessages('c1')).map((m) => m.id)).toEqual(['m1']);
      expect(warnings.map((w) => w.code)).toEqual(['storage-unavailable']);
      await expect(storage.wipe()).resolves.toBeUndefined();
    } finally {
      if (before) Object.defineProperty(globalThis, 'indexedDB', before);
      else delete (globalThis as { indexedDB?: unknown }).indexedDB;
    }
  });

  it('keeps to memory once a transaction hangs past the deadline', async () => {
    const { storage, warnings } = setup({ mode: 'always' });
    storage.putMessage(msg('m1'));
    await storage.flush();
    vi.spyOn(FakeDB.prototype, 'transaction').mockImplementation(function (this: IDBDatabase) {
      // A transaction whose requests never answer.
      const never = () => ({}) as IDBRequest;
      return { objectStore: () => ({ get: never, getAll: never, getAllKeys: never, put: never, delete: never }), abort() {} } as unknown as IDBTransaction;
    });
    storage.putMessage(msg('m2'));
    const started = Date.now();
    expect((await storage.listMessages('c1')).map((m) => m.id)).toEqual(['m2']);
    expect(Date.now() - started).toBeLessThan(2 * STORAGE_DEADLINE_MS + 300);
    expect(storage.persistent).toBe(false);
    expect(warnings.map((w) => w.code)).toEqual(['storage-write']);
  });
});

describe('damaged records', () => {
  const good = {
    s: { conversationId: 'c1', visitorId: 'v1', open: true },
    u: { id: 'u1', name: 'Aiko' },
    x: { visitorId: 'v1', trail: [], visitCount: 2, firstSeen: NOW, lastSeen: NOW },
    'c:c1': conv('c1', 'open'),
    'm:c1:m1': msg('m1'),
    'm:c1:m2': {
      ...msg('m2'),
      image: { src: 'https://cdn.example.com/a.png', alt: 'A' },
      links: [{ label: 'Track', url: 'https://shop.example.com/t/1' }],
      cards: [{ title: 'Returns', article: 'returns', text: 'Within 30 days.' }, { title: 'Policy', url: '/policy' }],
    },
    'f:c1': { flowId: 'returns', cursor: 'ask', vars: {} },
    o: [out('m1')],
  };

  it('passes sound records through untouched', () => {
    for (const [k, v] of Object.entries(good)) expect(checkRecord(k, v)).toBe(v);
  });

  it.each([
    ['s', { conversationId: 7, visitorId: { id: 1 }, open: true }, { open: true }],
    ['s', { conversationId: '', visitorId: 'v1', flowsSeen: {} }, { visitorId: 'v1', flowsSeen: {} }],
    ['u', { id: 1, name: 'Aiko', attributes: [] }, { name: 'Aiko' }],
    ['o', [1, null, { id: 7 }, out('m2'), 'x'], [out('m2')]],
    ['s', { conversationId: 'c1', junk: 'j'.repeat(MAX_RECORD_CHARS) }, { conversationId: 'c1' }],
    ['x', { visitorId: 'v1', trail: ['y'.repeat(5e6)] }, { visitorId: 'v1' }],
    // A message keeps its text whatever happened to its image, links or cards: each unsound one goes on its own.
    ['m:c1:m1', { ...msg('m1'), image: 'https://x.example/a.png', links: [{ label: 'ok', url: '/ok' }] }, { ...msg('m1'), links: [{ label: 'ok', url: '/ok' }] }],
    ['m:c1:m1', { ...msg('m1'), links: Array.from({ length: MESSAGE_RICH_LIMITS.items + 1 }, () => ({ label: 'l', url: '/l' })) }, msg('m1')],
    ['m:c1:m1', { ...msg('m1'), cards: [{ title: 't'.repeat(MESSAGE_RICH_LIMITS.chars + 1), url: '/a' }] }, msg('m1')],
    ['m:c1:m1', { ...msg('m1'), cards: [{ title: { en: 'nested' }, url: '/a' }], links: 'none' }, msg('m1')],
  ])('repairs %s %j', (k, v, expected) => {
    expect(checkRecord(k, v)).toEqual(expected);
  });

  it.each([
    ['s', 'session'],
    ['s', null],
    ['s', [1]],
    ['u', 42],
    ['x', 'context'],
    ['c:c1', { ...conv('c1', 'open'), status: 'weird' }],
    ['c:c1', { ...conv('c1', 'open'), updatedAt: 'yesterday' }],
    ['m:c1:m1', { ...msg('m1'), text: 7 }],
    ['m:c1:m1', { ...msg('m1'), conversationId: null }],
    ['m:c1:m1', { ...msg('m1'), author: 'admin' }],
    ['m:c1:m1', { ...msg('m1'), status: 'done' }],
    ['f:c1', 'state'],
    ['o', { not: 'a list' }],
    ['m:c1:m1', { ...msg('m1'), text: 'x'.repeat(MAX_RECORD_CHARS) }],
    ['u', Object.fromEntries(Array.from({ length: 30 }, (_, i) => ['a' + i, 'z'.repeat(MAX_RECORD_CHARS / 20)]))],
  ])('drops %s %j', (k, v) => {
    expect(checkRecord(k, v)).toBeUndefined();
  });

  it('reads damaged records as repaired or absent, warns, and deletes what cannot be used', async () => {
    const indexedDB = new IDBFactory();
    await seed(indexedDB, 'damaged', {
      meta: { schema: STORAGE_SCHEMA_VERSION },
      s: { conversationId: 12, visitorId: 'v1' },
      o: [null, 1, { id: 7 }, out('m3')],
      'c:c1': conv('c1', 'open'),
      'm:c1:m1': msg('m1'),
      'm:c1:m2': { ...msg('m2'), text: 'z'.repeat(5e6) },
    });
    const { storage, warnings } = setup({ appId: 'damaged', indexedDB });
    expect(await storage.getSession()).toEqual({ visitorId: 'v1' });
    expect(await storage.getOutbox()).toEqual([out('m3')]);
    expect((await storage.listMessages('c1')).map((m) => m.id)).toEqual(['m1']);
    expect(warnings.map((w) => w.message)).toEqual(['repaired malformed record s', 'repaired malformed record o', 'dropped malformed record m:c1:m2']);
    await storage.flush();
    expect(await rawGet(indexedDB, 'damaged', 'm:c1:m2')).toBeUndefined();
  });

  it('keeps current records when the schema marker is lost or nonsense', async () => {
    for (const meta of [undefined, { schema: 'three' }, { schema: 0 }, { schema: 2.5 }]) {
      const indexedDB = new IDBFactory();
      await seed(indexedDB, 'meta', { ...(meta ? { meta } : {}), s: { conversationId: 'c1' }, 'm:c1:m1': msg('m1') });
      const { storage } = setup({ appId: 'meta', indexedDB });
      expect(await storage.getSession()).toEqual({ conversationId: 'c1' });
      expect((await storage.listMessages('c1')).map((m) => m.id)).toEqual(['m1']);
    }
  });

  it('works from memory when the store has another layout', async () => {
    const indexedDB = new IDBFactory();
    await new Promise<void>((ok) => {
      const r = indexedDB.open('madoguchi-layout');
      r.onupgradeneeded = () => r.result.createObjectStore('records', { keyPath: 'id' });
      r.onsuccess = () => (r.result.close(), ok());
    });
    const { storage, warnings } = setup({ appId: 'layout', indexedDB, mode: 'always' });
    storage.setSession({ open: true });
    expect(await storage.getSession()).toEqual({ open: true });
    expect(warnings.map((w) => w.code)).toEqual(['storage-unavailable']);
  });
});

describe('after a wipe', () => {
  it('writes nothing more, so no late write brings the database back', async () => {
    const { storage, indexedDB } = setup({ mode: 'always' });
    storage.putMessage(msg('m1'));
    await storage.flush();
    await storage.wipe();
    storage.putMessage(msg('m2'));
    storage.setSession({ open: true });
    await storage.flush();
    expect(await names(indexedDB)).toEqual([]);
  });

  it('the other tab stops writing too, even with pending writes', async () => {
    const indexedDB = new IDBFactory();
    const a = setup({ appId: 'late', indexedDB, mode: 'always' }).storage;
    const b = setup({ appId: 'late', indexedDB, mode: 'always' }).storage;
    a.putMessage(msg('m1'));
    await a.flush();
    await b.getSession();
    const kinds: string[] = [];
    b.subscribe((c) => kinds.push(c.kind));
    await a.wipe();
    b.putConversation(conv('c1', 'open'));
    for (let i = 0; i < 100 && !kinds.includes('wipe'); i++) await new Promise((r) => setTimeout(r, 10));
    b.putMessage(msg('m2'));
    await b.flush();
    await b.close();
    expect(kinds).toContain('wipe');
    expect(await names(indexedDB)).toEqual([]);
  });
});
