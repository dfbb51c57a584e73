import type { DeadWrite, Draft, QueuedWrite, ServerState } from './types.js';

/**
 * What the client keeps in the browser: the write queue, the dead letters, unsaved drafts, the
 * last known server state of each session opened (to open it offline), and the local ids of
 * sessions created offline. IndexedDB in a browser; in memory where there is none.
 */
export interface LocalStore {
  enqueue(write: QueuedWrite): Promise<QueuedWrite>;
  queued(): Promise<QueuedWrite[]>;
  updateQueued(write: QueuedWrite): Promise<void>;
  removeQueued(seq: number): Promise<void>;
  bury(write: DeadWrite): Promise<void>;
  dead(): Promise<DeadWrite[]>;
  removeDead(key: string): Promise<void>;
  putDraft(draft: Draft): Promise<void>;
  drafts(session: string): Promise<Draft[]>;
  removeDraft(key: string): Promise<void>;
  putServer(state: ServerState): Promise<void>;
  server(id: string): Promise<ServerState | undefined>;
  removeServer(id: string): Promise<void>;
  mapId(localId: string, id: string): Promise<void>;
  resolveId(localId: string): Promise<string | undefined>;
}

const STORES = ['queue', 'dead', 'drafts', 'sessions', 'ids'] as const;

/** The browser's store: one IndexedDB database per origin and database name. */
export class IndexedDbStore implements LocalStore {
  private constructor(private readonly db: IDBDatabase) {}

  static open(name = 'keepsake', factory: IDBFactory = indexedDB): Promise<IndexedDbStore> {
    return new Promise((resolve, reject) => {
      const request = factory.open(name, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore('queue', { keyPath: 'seq', autoIncrement: true });
        db.createObjectStore('dead', { keyPath: 'key' });
        db.createObjectStore('drafts', { keyPath: 'key' }).createIndex('session', 'session');
        db.createObjectStore('sessions', { keyPath: 'id' });
        db.createObjectStore('ids', { keyPath: 'localId' });
      };
      request.onsuccess = () => resolve(new IndexedDbStore(request.result));
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('IndexedDB upgrade blocked by another tab'));
    });
  }

  close(): void {
    this.db.close();
  }

  private run<T>(store: (typeof STORES)[number], mode: IDBTransactionMode,
      work: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T> {
    return new Promise((resolve, reject) => {
      const tx = this.db.transaction(store, mode);
      const request = work(tx.objectStore(store));
      // Resolve on commit, not on the request: a write is only kept once its transaction is.
      tx.oncomplete = () => resolve(request ? request.result : (undefined as T));
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  }

  async enqueue(write: QueuedWrite): Promise<QueuedWrite> {
    const copy = { ...write };
    delete copy.seq;
    const seq = await this.run('queue', 'readwrite', (s) => s.add(copy));
    return { ...copy, seq: seq as number };
  }

  queued(): Promise<QueuedWrite[]> {
    return this.run('queue', 'readonly', (s) => s.getAll() as IDBRequest<QueuedWrite[]>);
  }

  async updateQueued(write: QueuedWrite): Promise<void> {
    await this.run('queue', 'readwrite', (s) => s.put(write));
  }

  async removeQueued(seq: number): Promise<void> {
    await this.run('queue', 'readwrite', (s) => s.delete(seq));
  }

  async bury(write: DeadWrite): Promise<void> {
    await this.run('dead', 'readwrite', (s) => s.put(write));
  }

  dead(): Promise<DeadWrite[]> {
    return this.run('dead', 'readonly', (s) => s.getAll() as IDBRequest<DeadWrite[]>);
  }

  async removeDead(key: string): Promise<void> {
    await this.run('dead', 'readwrite', (s) => s.delete(key));
  }

  async putDraft(draft: Draft): Promise<void> {
    await this.run('drafts', 'readwrite', (s) => s.put(draft));
  }

  drafts(session: string): Promise<Draft[]> {
    return this.run('drafts', 'readonly', (s) => s.index('session').getAll(session) as IDBRequest<Draft[]>);
  }

  async removeDraft(key: string): Promise<void> {
    await this.run('drafts', 'readwrite', (s) => s.delete(key));
  }

  async putServer(state: ServerState): Promise<void> {
    await this.run('sessions', 'readwrite', (s) => s.put(state));
  }

  server(id: string): Promise<ServerState | undefined> {
    return this.run('sessions', 'readonly', (s) => s.get(id) as IDBRequest<ServerState | undefined>);
  }

  async removeServer(id: string): Promise<void> {
    await this.run('sessions', 'readwrite', (s) => s.delete(id));
  }

  async mapId(localId: string, id: string): Promise<void> {
    await this.run('ids', 'readwrite', (s) => s.put({ localId, id }));
  }

  async resolveId(localId: string): Promise<string | undefined> {
    const found = await this.run('ids', 'readonly', (s) => s.get(localId) as IDBRequest<{ id: string } | undefined>);
    return found?.id;
  }
}

/** The same in memory: for tests, and where IndexedDB is unavailable (nothing survives a reload). */
export class MemoryStore implements LocalStore {
  private seq = 0;
  private readonly queue = new Map<number, QueuedWrite>();
  private readonly deadWrites = new Map<string, DeadWrite>();
  private readonly draftMap = new Map<string, Draft>();
  private readonly sessions = new Map<string, ServerState>();
  private readonly ids = new Map<string, string>();

  async enqueue(write: QueuedWrite): Promise<QueuedWrite> {
    const stored = structuredClone({ ...write, seq: ++this.seq });
    this.queue.set(stored.seq, stored);
    return structuredClone(stored);
  }

  async queued(): Promise<QueuedWrite[]> {
    return [...this.queue.values()].sort((a, b) => a.seq! - b.seq!).map((w) => structuredClone(w));
  }

  async updateQueued(write: QueuedWrite): Promise<void> {
    if (this.queue.has(write.seq!)) {
      this.queue.set(write.seq!, structuredClone(write));
    }
  }

  async removeQueued(seq: number): Promise<void> {
    this.queue.delete(seq);
  }

  async bury(write: DeadWrite): Promise<void> {
    this.deadWrites.set(write.key, structuredClone(write));
  }

  async dead(): Promise<DeadWrite[]> {
    return [...this.deadWrites.values()].map((w) => structuredClone(w));
  }

  async removeDead(key: string): Promise<void> {
    this.deadWrites.delete(key);
  }

  async putDraft(draft: Draft): Promise<void> {
    this.draftMap.set(draft.key, structuredClone(draft));
  }

  async drafts(session: string): Promise<Draft[]> {
    return [...this.draftMap.values()].filter((d) => d.session === session).map((d) => structuredClone(d));
  }

  async removeDraft(key: string): Promise<void> {
    this.draftMap.delete(key);
  }

  async putServer(state: ServerState): Promise<void> {
    this.sessions.set(state.id, structuredClone(state));
  }

  async server(id: string): Promise<ServerState | undefined> {
    const found = this.sessions.get(id);
    return found && structuredClone(found);
  }

  async removeServer(id: string): Promise<void> {
    this.sessions.delete(id);
  }

  async mapId(localId: string, id: string): Promise<void> {
    this.ids.set(localId, id);
  }

  async resolveId(localId: string): Promise<string | undefined> {
    return this.ids.get(localId);
  }
}

/**
 * Where the user {@code key}'s state is kept: nowhere lasting for nobody ({@code key} null) or when
 * {@code given} is 'memory', the store given, else their IndexedDB database ({@code databaseName}
 * ('keepsake' by default), '-' and their key), in memory where there is no IndexedDB.
 */
export async function storeFor(key: string | null, given: LocalStore | 'memory' | undefined,
    databaseName: string | undefined): Promise<LocalStore> {
  if (!key || given === 'memory') {
    return new MemoryStore();
  } else if (given) {
    return given;
  } else if (typeof indexedDB !== 'undefined') {
    return IndexedDbStore.open(`${databaseName ?? 'keepsake'}-${key}`);
  }
  return new MemoryStore();
}
