// The client's state machine and write queue, against a stand-in server (node --test).
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';

import { Keepsake, MemoryStore, canonicalize } from '../../../target/classes/META-INF/resources/keepsake/keepsake-client.js';
import { FakeServer } from './fake-server.mjs';

const open = [];

async function client(server, options = {}) {
  const keepsake = await Keepsake.connect({
    fetch: server.fetch, store: 'store' in options ? options.store : new MemoryStore(), notices: 'off', broadcastChannel: null,
    liveTabs: async () => new Set(), debounceMs: 20, backoffMs: 10, maxBackoffMs: 40, ...options,
  });
  open.push(keepsake);
  return keepsake;
}

async function until(predicate, what, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) {
      assert.fail('timed out waiting for ' + what);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function states(handle) {
  const seen = [];
  handle.addEventListener('state', (event) => seen.push(event.detail));
  return seen;
}

afterEach(async () => {
  while (open.length) {
    const keepsake = open.pop();
    keepsake.notices?.stop?.();
    keepsake.queue?.stop?.();
  }
});

describe('canonical JSON', () => {
  test('sorts members by UTF-16 code units and writes numbers as ECMAScript does', () => {
    assert.equal(canonicalize({ b: [1e3, 2.50, 'x'], a: { '\u20ac': 1, '\r': 2 }, c: null }),
      '{"a":{"\\r":2,"€":1},"b":[1000,2.5,"x"],"c":null}');
  });
});

describe('saving', () => {
  test('edits in quick succession are saved once, after the debounce, with If-Match', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', { notes: [] });
    const keepsake = await client(server);
    const session = await keepsake.open(id);
    const seen = states(session);

    session.update({ content: { notes: ['a'] } });
    session.update({ content: { notes: ['a', 'b'] } });
    session.update({ title: 'Board 2' });
    assert.equal(session.state, 'dirty');
    await until(() => session.state === 'saved', 'the save');

    const puts = server.writes('PUT');
    assert.equal(puts.length, 1);
    assert.equal(puts[0].headers.get('If-Match'), '"1-' + canonicalize(['Board', '', { notes: [] }]).length + '"');
    assert.ok(puts[0].headers.get('Idempotency-Key'));
    assert.ok(puts[0].headers.get('Keepsake-Client-Id'));
    assert.deepEqual(server.sessions.get(id).content, { notes: ['a', 'b'] });
    assert.equal(session.server.version, 2);
    assert.deepEqual(seen, ['dirty', 'saving', 'saved']);
  });

  test('a second save follows the first one with the tag the first one got', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 0);
    const keepsake = await client(server);
    const session = await keepsake.open(id);
    session.update({ content: 1 });
    await session.save();
    session.update({ content: 2 });
    await session.save();
    await until(() => session.state === 'saved', 'both saves');
    assert.equal(server.sessions.get(id).version, 3);
    assert.equal(server.writes('PUT').length, 2);
  });
});

describe('offline queue', () => {
  test('writes made without a network wait in the queue and are replayed in order, once each', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 0);
    const store = new MemoryStore();
    const keepsake = await client(server, { store });
    const session = await keepsake.open(id);
    server.down = true;

    session.update({ content: 1 });
    await session.save();
    await until(() => session.state === 'offline', 'offline');
    session.update({ content: 2 });
    await session.save();
    const created = await keepsake.create({ title: 'Made offline', description: '', content: [1] });
    assert.ok(created.id.startsWith('local-'));
    assert.equal(created.state, 'offline');
    assert.deepEqual((await keepsake.queued()).map((w) => w.op), ['save', 'save', 'create']);

    server.down = false;
    await keepsake.flush();
    await until(async () => (await keepsake.queued()).length === 0, 'the replay');
    await until(() => session.state === 'saved' && created.state === 'saved', 'saved states');

    assert.equal(server.sessions.get(id).version, 3, 'one version per save');
    assert.equal(server.sessions.get(id).content, 2);
    assert.equal([...server.sessions.values()].filter((s) => s.title === 'Made offline').length, 1);
    assert.ok(!created.id.startsWith('local-'), 'the new session got its server id');
  });

  test('a save whose answer was lost is replayed under its key and written once', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 0);
    const keepsake = await client(server);
    const session = await keepsake.open(id);
    server.loseAnswers = 1;

    session.update({ content: 'once' });
    await session.save();
    await until(() => session.state === 'saved', 'the replay');

    const puts = server.writes('PUT');
    assert.equal(puts.length, 2);
    assert.equal(puts[0].headers.get('Idempotency-Key'), puts[1].headers.get('Idempotency-Key'));
    assert.equal(server.sessions.get(id).version, 2);
  });

  test('a write refused with 503 too often goes to the dead letters, and can be tried again', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 0);
    const keepsake = await client(server, { maxAttempts: 3 });
    const session = await keepsake.open(id);
    server.unavailable = true;
    const dead = new Promise((resolve) => keepsake.addEventListener('dead', (e) => resolve(e.detail), { once: true }));

    session.update({ content: 'later' });
    await session.save();
    const write = await dead;
    assert.equal(write.attempts, 3);
    assert.equal(server.writes('PUT').length, 3);
    assert.equal(session.state, 'error');
    assert.equal((await keepsake.queued()).length, 0);

    server.unavailable = false;
    await keepsake.retryDead(write.key);
    await until(() => session.state === 'saved', 'the retried save');
    assert.equal(server.sessions.get(id).content, 'later');
    assert.equal((await keepsake.dead()).length, 0);
  });

  test('a write refused for good goes to the dead letters at once', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 0);
    const keepsake = await client(server);
    const session = await keepsake.open(id);
    session.update({ title: 'x'.repeat(60) });
    await session.save();
    await until(() => session.state === 'error', 'the error');
    const [dead] = await keepsake.dead();
    assert.equal(dead.lastStatus, 400);
    assert.equal(server.writes('PUT').length, 1);
  });

  test('a create refused at the session quota goes to the dead letters at once, with the reason', async () => {
    const server = new FakeServer();
    server.seed('The one allowed', 0);
    server.maxSessions = 1;
    const keepsake = await client(server);
    const made = await keepsake.create({ title: 'One too many', description: '', content: 0 });
    assert.equal(made.state, 'error');
    const [dead] = await keepsake.dead();
    assert.equal(dead.lastStatus, 409);
    assert.match(dead.lastError, /1 sessions, the most allowed/);
    assert.equal(made.error, dead.lastError, 'the reason is what the page shows');
    assert.equal(server.writes('POST').length, 1, 'not tried again');
    assert.equal((await keepsake.queued()).length, 0);
  });
});

describe('conflicts', () => {
  test('a 412 is a conflict with the server state; overwrite writes over its tag', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 'base');
    const keepsake = await client(server);
    const session = await keepsake.open(id);
    server.changeElsewhere(id, 'theirs');
    const conflict = new Promise((resolve) => session.addEventListener('conflict', (e) => resolve(e.detail), { once: true }));

    session.update({ content: 'mine' });
    const found = await conflict;
    assert.equal(session.state, 'conflict');
    assert.equal(found.server.content, 'theirs');
    assert.equal(found.local.content, 'mine');

    await session.resolve('overwrite');
    await until(() => session.state === 'saved', 'the overwrite');
    assert.equal(server.sessions.get(id).content, 'mine');
    assert.equal(server.sessions.get(id).version, 3);
    assert.equal(server.writes('PUT').at(-1).headers.get('If-Match'), found.server.etag);
  });

  test('a merge writes what the caller merged; reload takes the server state', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', ['a']);
    const keepsake = await client(server);
    const session = await keepsake.open(id);
    server.changeElsewhere(id, ['a', 'theirs']);
    session.update({ content: ['a', 'mine'] });
    await until(() => session.state === 'conflict', 'the conflict');
    await session.resolve((local, theirs) => ({ ...local, content: [...new Set([...theirs.content, ...local.content])] }));
    await until(() => session.state === 'saved', 'the merge');
    assert.deepEqual(server.sessions.get(id).content, ['a', 'theirs', 'mine']);

    server.changeElsewhere(id, ['server']);
    session.update({ content: ['local'] });
    await until(() => session.state === 'conflict', 'the second conflict');
    await session.resolve('reload');
    assert.equal(session.state, 'saved');
    assert.deepEqual(session.fields.content, ['server']);
  });

  test('a change elsewhere is applied when nothing is unsaved, and is a conflict otherwise', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 1);
    const keepsake = await client(server);
    const session = await keepsake.open(id);
    const changed = new Promise((resolve) => session.addEventListener('change', (e) => resolve(e.detail), { once: true }));

    session.remoteChange(server.changeElsewhere(id, 2));
    assert.equal((await changed).remote, true);
    assert.equal(session.fields.content, 2);
    assert.equal(session.state, 'saved');

    session.update({ content: 'mine' });
    session.remoteChange(server.changeElsewhere(id, 3));
    await until(() => session.state === 'conflict', 'the conflict');
    assert.equal(session.conflict.server.content, 3);
    assert.equal(session.conflict.reason, 'changed-elsewhere');
    assert.equal(server.writes('PUT').length, 0, 'the pending save was withdrawn');
  });

  test('tabs of one browser hear each other on the BroadcastChannel', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 'v1');
    const store = new MemoryStore();
    const name = 'channel-' + Math.random();
    const channel = () => new BroadcastChannel(name);
    const tabA = await client(server, { store, broadcastChannel: channel });
    const tabB = await client(server, { store, broadcastChannel: channel });
    const a = await tabA.open(id);
    const b = await tabB.open(id);
    const heard = new Promise((resolve) => b.addEventListener('change', (e) => resolve(e.detail), { once: true }));

    a.update({ content: 'from A' });
    assert.equal((await heard).fields.content, 'from A');
    assert.equal(b.server.version, 2);

    b.update({ content: 'B unsaved' });
    a.update({ content: 'A again' });
    await a.save();
    await until(() => b.state === 'conflict', 'B sees the conflict');
    await b.resolve('overwrite');
    await until(() => b.state === 'saved', 'B saved');
    assert.equal(server.sessions.get(id).content, 'B unsaved');
    assert.equal(server.sessions.get(id).version, 4);
    await tabA.close();
    await tabB.close();
  });
});

describe('crash recovery', () => {
  test('changes a closed tab left unsaved are offered back, and saved when restored', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 'saved');
    const store = new MemoryStore();
    const crashed = await client(server, { store, debounceMs: 60_000 });
    const before = await crashed.open(id);
    before.update({ content: 'unsaved' });
    await before.drafted();

    const next = await client(server, { store });
    const session = await next.open(id);
    assert.equal(session.recovery.fields.content, 'unsaved');
    assert.equal(session.fields.content, 'saved');
    await session.restore();
    await until(() => session.state === 'saved', 'the restored save');
    assert.equal(server.sessions.get(id).content, 'unsaved');
    assert.equal((await store.drafts(id)).length, 0, 'the restored draft is not offered again');
    await before.close().catch(() => undefined); // ends the crashed tab's debounce timer with the test
  });

  test('stale drafts and drafts the server already has are dropped, not offered', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 'same');
    const store = new MemoryStore();
    await store.putDraft({ key: id + '|old', session: id, tab: 'old', baseEtag: null, baseVersion: 1,
      fields: { title: 'Board', description: '', content: 'ancient' }, updatedAt: Date.now() - 25 * 3600 * 1000 });
    await store.putDraft({ key: id + '|done', session: id, tab: 'done', baseEtag: null, baseVersion: 1,
      fields: { title: 'Board', description: '', content: 'same' }, updatedAt: Date.now() });
    const keepsake = await client(server, { store });
    const session = await keepsake.open(id);
    assert.equal(session.recovery, null);
    assert.equal((await store.drafts(id)).length, 0);
  });

  test('a draft of a tab that is still open is not offered to another tab', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 'x');
    const store = new MemoryStore();
    await store.putDraft({ key: id + '|alive', session: id, tab: 'alive', baseEtag: null, baseVersion: 1,
      fields: { title: 'Board', description: '', content: 'typing' }, updatedAt: Date.now() });
    const keepsake = await client(server, { store, liveTabs: async () => new Set(['alive']) });
    assert.equal((await keepsake.open(id)).recovery, null);
  });
});

describe('local store', () => {
  test('IndexedDB keeps the queue in order and the drafts by session', async () => {
    // fake-indexeddb is installed with the client's build tools, beside its package.json.
    await import('../../main/web/node_modules/fake-indexeddb/auto/index.mjs');
    const { IndexedDbStore } = await import('../../../target/classes/META-INF/resources/keepsake/keepsake-client.js');
    const store = await IndexedDbStore.open('test-' + Math.random());
    const first = await store.enqueue({ key: 'k1', op: 'save', session: 's', ifMatch: '"1"', attempts: 0, nextAttemptAt: 0, createdAt: 1, tab: 't' });
    await store.enqueue({ key: 'k2', op: 'create', session: 'local-1', ifMatch: null, attempts: 0, nextAttemptAt: 0, createdAt: 2, tab: 't' });
    assert.deepEqual((await store.queued()).map((w) => w.key), ['k1', 'k2']);
    await store.removeQueued(first.seq);
    assert.deepEqual((await store.queued()).map((w) => w.key), ['k2']);
    await store.putDraft({ key: 's|t', session: 's', tab: 't', fields: { title: 't', description: '', content: 1 }, baseEtag: null, baseVersion: 0, updatedAt: 1 });
    assert.equal((await store.drafts('s')).length, 1);
    assert.equal((await store.drafts('other')).length, 0);
    await store.mapId('local-1', 'S1');
    assert.equal(await store.resolveId('local-1'), 'S1');
    store.close();
  });
});

describe('one browser, several users', () => {
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  test('a 401 stops the queue: no request while signed out, and the write goes out when the same user signs in again', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 0);
    const keepsake = await client(server);
    const session = await keepsake.open(id);
    server.user = null; // the cookie ended

    session.update({ content: 'while signed out' });
    await until(() => keepsake.account === 'signed-out', 'the 401');
    const seen = server.requests.length;
    await sleep(200); // twenty backoffs of 10 ms
    assert.equal(server.requests.length, seen, 'no request at all while signed out');
    assert.equal((await keepsake.queued()).length, 1, 'the write is kept');
    assert.equal(session.state, 'offline', 'shown as waiting');

    server.user = 'alice';
    assert.equal(await keepsake.checkAccount(), 'signed-in');
    await until(() => session.state === 'saved', 'the save');
    assert.equal(server.sessions.get(id).content, 'while signed out');
    assert.deepEqual(server.writes('PUT').map((r) => r.user), [null, 'alice']);
  });

  test('while someone else is signed in nothing of the first user is sent; it goes out as them when they are back', async () => {
    const server = new FakeServer();
    const store = new MemoryStore();
    const keepsake = await client(server, { store });
    server.user = null;
    await keepsake.create({ title: "Alice's", description: '', content: 'hers' });
    await until(() => keepsake.account === 'signed-out', 'the 401');

    server.user = 'bob'; // signed in in another tab
    assert.equal(await keepsake.checkAccount(), 'locked');
    assert.deepEqual(await keepsake.queued(), [], 'nothing of hers is read once locked');
    assert.equal(server.requests.filter((r) => r.user === 'bob' && r.method !== 'GET').length, 0);
    assert.equal((await store.queued()).length, 1, 'her write is kept');

    server.user = 'alice';
    await client(server, { store });
    await until(async () => (await store.queued()).length === 0, 'the replay');
    assert.equal(server.titled("Alice's")[0].ownerId, 'alice');
    assert.deepEqual(server.writes('POST').map((r) => r.user), [null, 'alice']);
  });

  test('each user has a database of their own; signing out locks it until that user signs in again', async () => {
    await import('../../main/web/node_modules/fake-indexeddb/auto/index.mjs');
    const server = new FakeServer();
    const board = server.seed('Board', 'hers');
    const databaseName = 'shared-' + Math.random();
    const alice = await client(server, { store: undefined, databaseName });
    const hers = await alice.open(board); // cached for her, to open offline
    server.down = true;
    hers.update({ content: 'hers, offline' });
    await hers.save();
    const made = await alice.create({ title: 'Made by Alice offline', description: '', content: 'secret' });
    assert.equal((await alice.queued()).length, 2);
    await alice.signOut();
    assert.equal(alice.account, 'locked');
    assert.deepEqual(await alice.queued(), []);
    await assert.rejects(alice.open(board));

    server.down = false;
    server.user = 'bob';
    const bob = await client(server, { store: undefined, databaseName });
    assert.equal(bob.account, 'signed-in');
    assert.deepEqual(await bob.queued(), []);
    assert.deepEqual(await bob.dead(), []);
    await assert.rejects(bob.open(board), (e) => e.status === 404);
    await assert.rejects(bob.open(made.id), (e) => e.status === 404);
    server.down = true;
    await assert.rejects(bob.open(board), 'offline, nothing of hers is cached for him');
    server.down = false;
    await sleep(50);
    assert.equal(server.requests.filter((r) => r.user === 'bob' && r.method !== 'GET').length, 0);
    await bob.signOut();

    server.user = 'alice';
    const back = await client(server, { store: undefined, databaseName });
    await until(async () => (await back.queued()).length === 0, 'her replay');
    assert.equal(server.sessions.get(board).content, 'hers, offline');
    assert.equal(server.titled('Made by Alice offline').length, 1);
    assert.equal(server.titled('Made by Alice offline')[0].ownerId, 'alice');
    await back.close();
  });

  /** A page's localStorage, where the client keeps who is signed in on this browser. */
  async function withLocalStorage(work) {
    const items = new Map();
    globalThis.localStorage = { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)),
      removeItem: (k) => items.delete(k) };
    try {
      await work();
    } finally {
      delete globalThis.localStorage;
    }
  }

  test('opened offline it is the user last signed in here, who is asked for before anything is sent', () => withLocalStorage(async () => {
    const server = new FakeServer();
    const store = new MemoryStore();
    await client(server, { store }); // Alice, online
    server.down = true;
    const offline = await client(server, { store });
    assert.equal(offline.account, 'unconfirmed');
    await offline.create({ title: 'Made offline', description: '', content: 0 });

    server.down = false;
    server.user = 'bob'; // her cookie was replaced without this page knowing
    await offline.flush();
    await until(() => offline.account === 'locked', 'the lock');
    assert.deepEqual(server.requests.map((r) => r.path), ['/me', '/me'], 'only who is signed in was asked');
    assert.equal((await store.queued()).length, 1, 'her write is kept');
  }));

  test('after a sign-out, a page opened offline holds nobody\'s state', () => withLocalStorage(async () => {
    const server = new FakeServer();
    const store = new MemoryStore();
    await (await client(server, { store })).signOut();
    server.down = true;
    const offline = await client(server, { store });
    assert.equal(offline.account, 'signed-out');
    assert.equal(offline.userKey, null);
    assert.deepEqual(await offline.queued(), []);
  }));

  test('a sign-out in one tab locks the other tabs', async () => {
    const server = new FakeServer();
    const store = new MemoryStore();
    const suffix = Math.random();
    const channel = (name) => new BroadcastChannel(name + suffix);
    const tabA = await client(server, { store, broadcastChannel: channel });
    const tabB = await client(server, { store, broadcastChannel: channel });
    await tabA.signOut();
    await until(() => tabB.account === 'locked', 'tab B locked');
    assert.equal(tabB.lockedBy, 'signed-out');
    assert.deepEqual(await tabB.queued(), []);

    server.user = 'bob';
    const tabC = await client(server, { broadcastChannel: channel });
    await until(() => tabB.lockedBy === 'signed-in', 'tab B told of the sign-in, to start afresh');
    for (const tab of [tabA, tabB, tabC]) {
      await tab.close();
    }
  });
});

describe('history', () => {
  test('revisions are listed newest first, read with their content, and compared as a JSON Patch', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 'one');
    const keepsake = await client(server);
    const session = await keepsake.open(id);
    session.update({ content: 'two' });
    await session.save();
    await until(() => session.state === 'saved', 'the first save');
    session.update({ title: 'Board 3', content: 'three' });
    await session.save();
    await until(() => session.state === 'saved', 'the second save');

    const page = await keepsake.history.list(id, { page_size: 10 });
    assert.deepEqual(page.items.map((r) => r.version), [2, 1]);
    assert.equal(page.items[0].content, undefined, 'listed without content');
    assert.equal(server.requests.at(-1).path, `/sessions/${id}/revisions`);

    const first = await keepsake.history.get(id, 1);
    assert.equal(first.content, 'one');
    assert.deepEqual(await keepsake.history.diff(id, 1, 3), [
      { op: 'replace', path: '/title', value: 'Board 3' }, { op: 'replace', path: '/content', value: 'three' }]);
    assert.equal(server.requests.at(-1).headers.get('Accept'), 'application/json-patch+json');
  });

  test('a restore is written like a save: If-Match and a key, the new version and tag on the handle, the other tabs told', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 'one');
    const store = new MemoryStore();
    const name = 'channel-' + Math.random();
    const channel = () => new BroadcastChannel(name);
    const tabA = await client(server, { store, broadcastChannel: channel, debounceMs: 60_000 }); // saves when told
    const tabB = await client(server, { store, broadcastChannel: channel });
    const a = await tabA.open(id);
    a.update({ content: 'two' });
    await a.save();
    await until(() => a.state === 'saved', 'the save');
    const b = await tabB.open(id);
    const etag = a.server.etag;
    const heard = new Promise((resolve) => b.addEventListener('change', (e) => resolve(e.detail), { once: true }));
    const saved = new Promise((resolve) => a.addEventListener('saved', (e) => resolve(e.detail), { once: true }));

    a.update({ content: 'unsaved, given up' });
    await tabA.history.restore(a, 1);
    assert.equal(a.fields.content, 'one');
    assert.equal((await saved).version, 3);
    assert.equal(a.state, 'saved');

    const [restore] = server.writes('POST');
    assert.equal(restore.path, `/sessions/${id}/revisions/1/restore`);
    assert.equal(restore.headers.get('If-Match'), etag);
    assert.ok(restore.headers.get('Idempotency-Key'));
    assert.equal(server.writes('PUT').length, 1, 'the unsaved edit was never sent');
    assert.equal(server.sessions.get(id).content, 'one');
    assert.equal(a.server.etag, server.etag(server.sessions.get(id)));
    assert.equal((await heard).fields.content, 'one');
    assert.equal(b.server.version, 3);
    await tabA.close();
    await tabB.close();
  });

  test('a restore over a version changed elsewhere is a conflict, as a refused save is', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 'one');
    const keepsake = await client(server);
    const session = await keepsake.open(id);
    session.update({ content: 'two' });
    await session.save();
    await until(() => session.state === 'saved', 'the save');
    server.changeElsewhere(id, 'theirs');

    await keepsake.history.restore(session, 1);
    await until(() => session.state === 'conflict', 'the conflict');
    assert.equal(session.conflict.reason, 'refused');
    assert.equal(session.conflict.server.content, 'theirs');
    assert.equal(session.conflict.local.content, 'one');
    assert.equal(server.sessions.get(id).version, 3, 'nothing written over theirs');

    await session.resolve('overwrite');
    await until(() => session.state === 'saved', 'the overwrite');
    assert.equal(server.sessions.get(id).content, 'one');
  });
});

describe('catching up in batches', () => {
  /** A client whose queued writes wait for flush() rather than retrying on their own while the server is out of reach. */
  async function patient(server, options = {}) {
    return client(server, { backoffMs: 60_000, maxBackoffMs: 60_000, maxAttempts: 100, ...options });
  }

  async function queueSaves(session, values) {
    for (const value of values) {
      session.update({ content: value });
      await session.save();
    }
  }

  const batches = (server) => server.requests.filter((r) => r.path === '/batch');

  test('writes queued offline go in one batch, in order, a new session and its saves chained by references', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 0);
    const keepsake = await patient(server);
    const board = await keepsake.open(id);
    server.down = true;
    await queueSaves(board, [1, 2]);
    const made = await keepsake.create({ title: 'Made offline', description: '', content: 'a' });
    await queueSaves(made, ['b', 'c']);
    await queueSaves(board, [3]);
    const queued = await keepsake.queued();
    assert.deepEqual(queued.map((w) => w.op), ['save', 'save', 'create', 'save', 'save', 'save']);

    server.down = false;
    await keepsake.flush();
    await until(async () => (await keepsake.queued()).length === 0, 'the catch-up');
    await until(() => board.state === 'saved' && made.state === 'saved', 'saved states');

    assert.equal(batches(server).length, 1, 'one request');
    assert.equal(server.writes('PUT').length + server.writes('POST').length, 1);
    const [operations] = server.batched;
    assert.deepEqual(operations.map((o) => `${o.method} ${o.path} ${o.headers['If-Match'] ?? '-'}`), [
      `PUT /sessions/${id} ${queued[0].ifMatch}`, `PUT /sessions/${id} $1`, 'POST /sessions -',
      'PUT /sessions/$3 $3', 'PUT /sessions/$3 $4', `PUT /sessions/${id} $2`]);
    assert.deepEqual(operations.map((o) => o.headers['Idempotency-Key']), queued.map((w) => w.key), 'each its own key');
    assert.equal(server.sessions.get(id).content, 3);
    assert.equal(server.sessions.get(id).version, 4, 'one version per save: saves are not folded');
    assert.deepEqual(server.revisions.get(id).map((r) => r.content), [0, 1, 2]);
    assert.ok(!made.id.startsWith('local-'), 'the new session got its server id');
    assert.equal(server.sessions.get(made.id).content, 'c');
    assert.equal(made.server.version, 3);
    assert.equal(board.server.version, 4);
    assert.equal(board.server.etag, server.etag(server.sessions.get(id)), 'the handle holds the last tag');
  });

  test('a long queue goes 100 writes at a time', async () => {
    const server = new FakeServer();
    const id = server.seed('Board', 0);
    const keepsake = await patient(server);
    const board = await keepsake.open(id);
    server.down = true;
    await queueSaves(board, Array.from({ length: 250 }, (_, i) => i + 1));
    server.down = false;
    await keepsake.flush();
    await until(() => board.state === 'saved', 'the catch-up', 10_000);
    assert.deepEqual(server.batched.map((b) => b.length), [100, 100, 50]);
    assert.equal(server.sessions.get(id).version, 251);
    assert.equal(server.sessions.get(id).content, 250);
  });

  test('a batch refused as too large goes again in smaller ones, no write blamed for it', async () => {
    const server = new FakeServer();
    server.maxOperations = 30;
    const id = server.seed('Board', 0);
    const keepsake = await patient(server);
    const board = await keepsake.open(id);
    server.down = true;
    await queueSaves(board, Array.from({ length: 100 }, (_, i) => i + 1));
    server.down = false;
    await keepsake.flush();
    await until(() => board.state === 'saved', 'the catch-up', 10_000);
    assert.ok(server.batched.every((b) => b.length <= 30));
    assert.equal(server.sessions.get(id).version, 101);
    assert.equal(server.sessions.get(id).content, 100);
    assert.equal((await keepsake.dead()).length, 0);
    assert.ok((await keepsake.queued()).length === 0);
  });

  test('against a server without batches, the queue falls back to one request per write', async () => {
    const server = new FakeServer();
    server.batches = false;
    const id = server.seed('Board', 0);
    const keepsake = await patient(server);
    const board = await keepsake.open(id);
    server.down = true;
    await queueSaves(board, [1, 2, 3]);
    server.down = false;
    await keepsake.flush();
    await until(() => board.state === 'saved', 'the catch-up');
    assert.equal(server.writes('PUT').length, 3);
    assert.equal(server.sessions.get(id).version, 4);

    server.down = true;
    await queueSaves(board, [4, 5]);
    server.down = false;
    await keepsake.flush();
    await until(() => board.state === 'saved', 'the second catch-up');
    assert.equal(batches(server).length, 1, 'asked once');
    assert.equal(server.writes('PUT').length, 5);
    assert.equal(server.sessions.get(id).content, 5);
  });

  test('each result is applied as its single answer: a 412 is that session\'s conflict, a 429 is tried again', async () => {
    const server = new FakeServer();
    const stale = server.seed('Stale', 0);
    const busy = server.seed('Busy', 0);
    const keepsake = await patient(server, { backoffMs: 10, maxBackoffMs: 10 });
    const a = await keepsake.open(stale);
    const b = await keepsake.open(busy);
    server.down = true;
    await queueSaves(a, [1, 2]);
    await queueSaves(b, [1, 2]);
    server.changeElsewhere(stale, 'theirs');
    let refusals = 1;
    server.failOperation = (operation) => operation.path === `/sessions/${busy}` && operation.headers['If-Match'] !== '$3'
      && refusals-- > 0 ? { status: 429, headers: { 'Retry-After': '0' }, body: { title: 'Too Many Requests', status: 429 } }
      : null;

    server.down = false;
    await keepsake.flush();
    await until(() => a.state === 'conflict', 'the conflict');
    await until(() => b.state === 'saved', 'the retried saves');
    assert.equal(a.conflict.server.content, 'theirs');
    assert.equal(a.conflict.local.content, 2);
    assert.equal(server.sessions.get(stale).version, 2, 'neither save of the stale session was written');
    assert.equal(server.sessions.get(busy).content, 2);
    assert.equal(server.sessions.get(busy).version, 3, 'each save once');
    assert.deepEqual(server.batched.map((b) => b.map((o) => o.headers['If-Match'].startsWith('$'))),
      [[false, true, false, true], [false, true]], 'the busy session\'s two saves went again, the stale one\'s did not');
    assert.equal((await keepsake.dead()).length, 0);
    assert.equal((await keepsake.queued()).length, 0);
  });
});

describe('state under the app\'s own key', () => {
  test('made with its initial content on first use, then loaded, on this browser and another', async () => {
    const server = new FakeServer();
    const first = await client(server);
    const layout = await first.state('layout:workbench', { initial: { collapsed: [] } });
    assert.deepEqual(layout.fields.content, { collapsed: [] });
    assert.equal(layout.fields.title, 'layout:workbench');
    assert.equal(layout.state, 'saved');
    assert.equal(server.statesMade, 1);
    const made = server.writes('PUT').find((r) => r.path === '/states/layout%3Aworkbench');
    assert.equal(made.headers.get('If-None-Match'), '*');

    layout.update({ content: { collapsed: ['share-panel'] } });
    await until(() => layout.state === 'saved', 'the save');
    const other = await client(server);
    const again = await other.state('layout:workbench', { initial: { collapsed: ['ignored'] } });
    assert.equal(again.id, layout.id, 'the same state');
    assert.deepEqual(again.fields.content, { collapsed: ['share-panel'] });
    assert.equal(server.statesMade, 1, 'made once');
  });

  test('edits are saved once after the debounce, with If-Match, and one made elsewhere first is read, not made again', async () => {
    const server = new FakeServer();
    const elsewhere = server.seed('Dashboard 42', { panels: ['map'] });
    server.sessions.get(elsewhere).key = 'dashboard:42';
    const keepsake = await client(server, { debounceMs: 5000 });
    const dashboard = await keepsake.state('dashboard:42', { debounceMs: 60 });
    assert.equal(dashboard.id, elsewhere);
    assert.equal(server.statesMade, 0);

    dashboard.update({ content: { panels: ['map', 'wells'] } });
    dashboard.update({ content: { panels: ['map', 'wells', 'logs'] } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(server.writes('PUT').length, 0, 'not before the debounce');
    await until(() => dashboard.state === 'saved', 'the save');
    const puts = server.writes('PUT');
    assert.equal(puts.length, 1);
    assert.equal(puts[0].path, '/sessions/' + elsewhere);
    assert.ok(puts[0].headers.get('If-Match'));
    assert.equal(server.sessions.get(elsewhere).version, 2);
    assert.equal(server.sessions.get(elsewhere).key, 'dashboard:42');
  });

  test('a save over a state changed elsewhere is a conflict; offline, the state last known here opens', async () => {
    const server = new FakeServer();
    const keepsake = await client(server);
    const prefs = await keepsake.state('prefs', { initial: { theme: 'light' } });
    server.changeElsewhere(prefs.id, { theme: 'dark' });
    const conflict = new Promise((resolve) => prefs.addEventListener('conflict', (e) => resolve(e.detail), { once: true }));
    prefs.update({ content: { theme: 'blue' } });
    const found = await conflict;
    assert.deepEqual(found.server.content, { theme: 'dark' });
    await prefs.resolve('reload');
    assert.deepEqual(prefs.fields.content, { theme: 'dark' });

    server.down = true;
    const offline = await keepsake.state('prefs');
    assert.equal(offline.id, prefs.id);
    assert.deepEqual(offline.fields.content, { theme: 'dark' });
    await assert.rejects(keepsake.state('never-seen'), /fetch/i);
  });
});
