/**
 * Keepsake's browser client: what a workbench uses instead of raw HTTP.
 *
 * ```js
 * import { Keepsake } from '/keepsake/keepsake-client.js';
 * const keepsake = await Keepsake.connect();
 * const session = await keepsake.open(id);
 * session.addEventListener('conflict', () => session.resolve('overwrite'));
 * session.update({ content: next });   // saved after a second of quiet, with If-Match
 * ```
 */
import {
  SignedInHere, findAccount, userKey, whoIsSignedIn, type Account, type AccountMessage, type AccountState,
} from './account.js';
import { Http, HttpError, unreachable } from './http.js';
import { IndexedDbStore, MemoryStore, type LocalStore } from './local-store.js';
import { NoticeStream, type NoticeMode, type NoticeStatus } from './notices.js';
import { SessionHandle, sameFields, serverFields, type HandleHost } from './session-handle.js';
import { WriteQueue, type QueueEvent } from './write-queue.js';
import type {
  DeadWrite, Draft, Notice, Page, QueuedWrite, ServerState, SessionFields, SessionFull, SessionMetadata, Snapshot,
  SnapshotMetadata, VisitedSnapshot,
} from './types.js';

export * from './types.js';
export { canonicalize, contentHash, sameJson } from './canonical.js';
export { HttpError, NetworkError, type Problem } from './http.js';
export { MemoryStore, IndexedDbStore, type LocalStore } from './local-store.js';
export { SessionHandle, type ConflictChoice } from './session-handle.js';
export type { NoticeMode, NoticeStatus } from './notices.js';
export type { QueueEvent } from './write-queue.js';
export type { AccountState } from './account.js';

export interface KeepsakeOptions {
  /** Where Keepsake is; the page's own origin by default. */
  baseUrl?: string;
  /** Sent as Keepsake-Client-Id with every write; one per browser (kept in localStorage) by default. */
  clientId?: string;
  /** Quiet time after an edit before it is saved (default 1000 ms). */
  debounceMs?: number;
  /** Unsaved changes older than this are not offered back (default 24 h). */
  draftMaxAgeMs?: number;
  /** Attempts before a queued write is moved to the dead letters (default 8). */
  maxAttempts?: number;
  /** First retry delay of a queued write; it doubles with each attempt (default 1000 ms). */
  backoffMs?: number;
  /** Longest retry delay (default 60 s). */
  maxBackoffMs?: number;
  /** How notices arrive: WebSocket with long polling as fallback ('auto', the default), one of them, or 'off'. */
  notices?: NoticeMode;
  /** Extra headers on every request, e.g. {@code () => ({ Authorization: 'Bearer ' + token })}. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /**
   * Where the queue, drafts and cached sessions live: by default one IndexedDB database per user
   * ('memory' keeps nothing across reloads; a store given here is used for whoever is signed in).
   */
  store?: LocalStore | 'memory';
  /** How the IndexedDB databases' names start (default 'keepsake'): each user's is this, '-' and their key. */
  databaseName?: string;
  fetch?: typeof fetch;
  WebSocket?: ((url: string) => WebSocket) | null;
  /** The channel between this browser's tabs; null for none. */
  broadcastChannel?: ((name: string) => BroadcastChannel) | null;
  /** The tabs of this browser still open (their ids); found with Web Locks by default. */
  liveTabs?: () => Promise<Set<string>>;
  now?: () => number;
}

/** A message between the tabs of one browser. */
type TabMessage = { type: 'queue'; event: QueueEvent; from: string };

/**
 * The client, for the user signed in when it connected: its local state (queue, dead letters,
 * drafts, cached sessions) is that user's alone, and is sent, read and shown only while that user
 * is signed in. Events: {@code queue} (the offline queue changed), {@code connectivity} (detail:
 * online), {@code notices} (detail: the notice connection's status), {@code notice} (detail: a
 * notice from another browser or device), {@code user} (detail: the signed-in user's id), {@code
 * dead} (detail: a write given up on), {@code account} (detail: the {@link AccountState}; once
 * {@code locked}, {@link lockedBy} says what the page should do).
 */
export class Keepsake extends EventTarget {
  readonly clientId: string;
  readonly tabId: string;
  readonly debounceMs: number;
  readonly snapshots: Snapshots;
  /** The signed-in user's id, once the server has said it (null offline and signed out). */
  user: string | null;
  /** The key of the user whose local state this client holds; null when nobody was signed in. */
  readonly userKey: string | null;
  private accountState: AccountState;
  /**
   * Why the client is locked: this browser signed out (a page shows it signed out), or someone
   * signed in since, the same user or another (a page starts afresh, as them).
   */
  lockedBy: 'signed-out' | 'signed-in' | null = null;
  private readonly signedInHere: SignedInHere;
  private readonly accountChannel: BroadcastChannel | null;
  private readonly queue: WriteQueue;
  private readonly notices: NoticeStream;
  private readonly handles = new Set<SessionHandle>();
  private readonly channel: BroadcastChannel | null;
  private readonly draftMaxAgeMs: number;
  private readonly liveTabs: () => Promise<Set<string>>;
  private readonly now: () => number;
  private readonly cleanup: Array<() => void> = [];

  private constructor(private readonly store: LocalStore, private readonly http: Http, account: Account,
      options: KeepsakeOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.clientId = options.clientId ?? browserClientId();
    this.tabId = newId();
    this.debounceMs = options.debounceMs ?? 1000;
    this.draftMaxAgeMs = options.draftMaxAgeMs ?? 24 * 3600 * 1000;
    this.user = account.user;
    this.userKey = account.key;
    this.accountState = account.state;
    this.signedInHere = account.here;
    this.http.onUnauthorized = () => this.refused();
    this.snapshots = new Snapshots(this.http, this.clientId);
    const channelFactory = options.broadcastChannel !== undefined ? options.broadcastChannel
      : typeof BroadcastChannel === 'function' ? (name: string) => new BroadcastChannel(name) : null;
    const scope = this.http.baseUrl || 'same-origin';
    this.accountChannel = channelFactory ? channelFactory('keepsake-account:' + scope) : null;
    if (this.accountChannel) {
      this.accountChannel.onmessage = (event: MessageEvent<AccountMessage>) => {
        if (event.data?.type === 'signed-out') {
          void this.lock('signed-out'); // the cookie is gone for every tab of this browser
        } else if (event.data?.type === 'signed-in' && typeof event.data.user === 'string') {
          this.signedIn(event.data.user, null);
        }
      };
    }
    this.channel = channelFactory && this.userKey ? channelFactory(`keepsake:${scope}:${this.userKey}`) : null;
    if (this.channel) {
      this.channel.onmessage = (event: MessageEvent<TabMessage>) => {
        if (event.data?.type === 'queue' && event.data.from !== this.tabId) {
          this.dispatchQueue(event.data.event);
        }
      };
    }
    const locks = globalThis.navigator?.locks;
    this.liveTabs = options.liveTabs ?? (locks
      ? async () => new Set((await locks.query()).held?.map((l) => l.name ?? '').filter((n) => n.startsWith('keepsake-tab:'))
        .map((n) => n.slice('keepsake-tab:'.length)) ?? [])
      : async () => new Set([this.tabId]));
    if (locks) {
      // Held as long as this tab lives: another tab can tell a crashed tab's drafts from a live one's.
      void locks.request('keepsake-tab:' + this.tabId, () => new Promise<void>(() => undefined));
    }
    const browserOnline = () => globalThis.navigator?.onLine ?? true;
    this.queue = new WriteQueue({
      store,
      http: this.http,
      clientId: this.clientId,
      user: this.userKey ?? '',
      signedInAs: async (user) => {
        if (this.accountState === 'unconfirmed') {
          await this.checkAccount();
        }
        return this.accountState === 'signed-in' && user === this.userKey;
      },
      refused: () => this.refused(),
      now: this.now,
      browserOnline,
      exclusive: locks ? (work) => locks.request('keepsake-queue:' + this.userKey, work) as Promise<never>
        : (work) => work(),
      emit: (event) => {
        this.dispatchQueue(event);
        post(this.channel, { type: 'queue', event, from: this.tabId } satisfies TabMessage);
      },
    }, {
      maxAttempts: options.maxAttempts ?? 8,
      backoffMs: options.backoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 60_000,
    });
    const socketFactory = options.WebSocket !== undefined ? options.WebSocket
      : typeof WebSocket === 'function' ? (url: string) => new WebSocket(url) : null;
    const doc = globalThis.document;
    this.notices = new NoticeStream({
      http: this.http,
      clientId: this.clientId,
      mode: options.notices ?? 'auto',
      socket: socketFactory,
      hidden: () => doc?.visibilityState === 'hidden',
      onNotice: (notice) => this.onNotice(notice),
      onResync: (user) => this.onResync(user),
      onStatus: (status) => this.dispatchEvent(new CustomEvent('notices', { detail: status })),
    });
    if (!this.userKey) {
      this.queue.lock(); // nobody's: nothing is kept or sent
    } else if (this.accountState === 'signed-out') {
      this.queue.pause();
    }
    if (typeof window !== 'undefined' && typeof window.addEventListener === 'function') {
      // Signed out by the server: coming back to the page or online is when the user may have signed in again.
      const recheck = () => {
        if (this.accountState === 'signed-out' && this.userKey) {
          void this.checkAccount().catch(() => undefined);
        }
      };
      const online = () => {
        recheck();
        this.queue.browserCameOnline();
        this.notices.wake();
      };
      const offline = () => this.dispatchQueue({ type: 'connectivity', online: false });
      const visibility = () => {
        this.notices.visibilityChanged();
        if (doc?.visibilityState === 'visible') {
          recheck();
          void this.queue.process();
        }
      };
      window.addEventListener('online', online);
      window.addEventListener('offline', offline);
      doc?.addEventListener('visibilitychange', visibility);
      this.cleanup.push(() => {
        window.removeEventListener('online', online);
        window.removeEventListener('offline', offline);
        doc?.removeEventListener('visibilitychange', visibility);
      });
    }
  }

  /**
   * Opens the client for the user signed in ({@code GET /persistence/me}; offline, the user last
   * signed in on this browser who has not signed out): that user's local store, the notice
   * connection, and a replay of what an earlier page of theirs left queued. Signed out, it holds
   * nothing of anyone's.
   */
  static async connect(options: KeepsakeOptions = {}): Promise<Keepsake> {
    const baseUrl = (options.baseUrl ?? '').replace(/\/$/, '');
    const http = new Http({ baseUrl, fetch: options.fetch ?? globalThis.fetch.bind(globalThis), headers: options.headers });
    const account = await findAccount(http, new SignedInHere('keepsake.user:' + (baseUrl || 'same-origin')));
    let store: LocalStore;
    if (!account.key || options.store === 'memory') {
      store = new MemoryStore();
    } else if (options.store) {
      store = options.store;
    } else if (typeof indexedDB !== 'undefined') {
      store = await IndexedDbStore.open(`${options.databaseName ?? 'keepsake'}-${account.key}`);
    } else {
      store = new MemoryStore();
    }
    const client = new Keepsake(store, http, account, options);
    if (account.key) {
      client.notices.start();
      void client.queue.process();
    }
    if (account.state === 'signed-in') {
      post(client.accountChannel, { type: 'signed-in', user: account.key! } satisfies AccountMessage);
    }
    return client;
  }

  /** Where the client stands with its user. */
  get account(): AccountState {
    return this.accountState;
  }

  /**
   * Asks the server who is signed in. The client's own user again: what was paused by a 401 or 403
   * goes out. Nobody: paused. Someone else: this client is locked. Throws when the server is out of reach.
   */
  async checkAccount(): Promise<AccountState> {
    if (this.accountState === 'locked') {
      return this.accountState;
    }
    const user = await whoIsSignedIn(this.http);
    if (user === null) {
      this.refused();
      return this.accountState;
    }
    const before = this.accountState;
    const key = await userKey(user);
    this.signedIn(key, user);
    if (before !== 'signed-in' && this.accountState === 'signed-in') {
      post(this.accountChannel, { type: 'signed-in', user: key } satisfies AccountMessage);
    }
    return this.accountState;
  }

  /**
   * Call before the page signs out (posts to /logout): unsaved edits are queued, what can be sent
   * is sent (for up to {@code timeoutMs}), then the user's local state is locked in every tab of
   * this browser: kept, but not read, shown or sent until the same user signs in again.
   */
  async signOut(timeoutMs = 3000): Promise<void> {
    if (this.accountState === 'locked') {
      return;
    }
    for (const handle of [...this.handles]) {
      await handle.save();
    }
    if (this.accountState === 'signed-in' && this.queue.online) {
      await within(timeoutMs, this.queue.wake());
    }
    this.signedInHere.set(null);
    post(this.accountChannel, { type: 'signed-out' } satisfies AccountMessage);
    await this.lock('signed-out');
  }

  /** Whether writes are reaching the server (false while offline or while the server is unreachable). */
  get online(): boolean {
    return this.queue.online;
  }

  get noticeStatus(): NoticeStatus {
    return this.notices.status;
  }

  /**
   * Opens a session: from the server, or, offline, from what this browser last knew of it. Changes
   * an earlier page left unsaved are offered back ({@code handle.recovery}); writes it left queued
   * are this handle's now.
   */
  async open(id: string): Promise<SessionHandle> {
    await this.confirmed();
    if (id.startsWith('local-')) {
      id = (await this.store.resolveId(id)) ?? id;
    }
    const queued = (await this.store.queued()).filter((w) => w.session === id);
    let server: ServerState | null = null;
    if (id.startsWith('local-') && !queued.length) {
      throw notFound();
    }
    if (!id.startsWith('local-')) {
      try {
        server = await this.fetchServer(id);
      } catch (error) {
        if (!unreachable(error)) {
          throw error;
        }
        server = (await this.store.server(id)) ?? null;
        if (!server && !queued.length) {
          throw error;
        }
      }
      if (!server && !queued.length) {
        throw notFound();
      }
    }
    const live = await this.liveTabs();
    const drafts = (await this.store.drafts(id)).filter((d) => d.tab !== this.tabId && !live.has(d.tab))
      .sort((a, b) => b.updatedAt - a.updatedAt);
    const create = queued.find((w) => w.op === 'create');
    const lastQueued = [...queued].reverse().find((w) => w.body)?.body;
    const fields: SessionFields = server ? serverFields(server)
      : create?.body ?? lastQueued ?? { title: 'Untitled', description: '', content: null };
    const handle = new SessionHandle(this.hostFor(), id, server, fields);
    this.handles.add(handle);
    if (queued.length) {
      // An earlier page queued these: its newest state is what this one edits.
      const newest = drafts[0]?.fields ?? lastQueued;
      if (newest) {
        handle.fields = structuredClone(newest);
      }
      for (const draft of drafts) {
        await this.store.removeDraft(draft.key);
      }
      handle.adopt(queued);
    } else {
      let offered = false;
      for (const draft of drafts) {
        const stale = this.now() - draft.updatedAt > this.draftMaxAgeMs;
        const saved = server !== null && sameFields(draft.fields, serverFields(server));
        if (stale || saved || offered) {
          await this.store.removeDraft(draft.key);
        } else {
          handle.offerRecovery(draft);
          offered = true;
        }
      }
    }
    handle.refresh();
    return handle;
  }

  /** Creates a session (queued like any write: offline, it gets a local id until the server answers). */
  async create(fields: SessionFields): Promise<SessionHandle> {
    this.mustBeReadable();
    const localId = 'local-' + newId();
    const handle = new SessionHandle(this.hostFor(), localId, null, fields);
    this.handles.add(handle);
    const created = new Promise<void>((resolve) => {
      const settle = () => resolve();
      handle.addEventListener('id', settle, { once: true });
      handle.addEventListener('state', () => {
        if (handle.state !== 'saving') {
          resolve();
        }
      });
    });
    await handle.sendCreate();
    await created;
    return handle;
  }

  /** Deletes a session (queued like any write). */
  async remove(id: string, etag?: string): Promise<void> {
    await this.queue.enqueue({ key: newId(), op: 'delete', session: id, ifMatch: etag ?? null, tab: this.tabId });
  }

  /** A page of the user's sessions: {@code filter_title}, {@code sort_by}, {@code page_size}, {@code cursor}, ... */
  async list(query: Record<string, string | number | undefined> = {}): Promise<Page<SessionMetadata>> {
    await this.confirmed();
    return (await this.http.request<Page<SessionMetadata>>('GET', '/sessions' + queryString(query))).body;
  }

  /** The queued writes, oldest first (none once locked). */
  async queued(): Promise<QueuedWrite[]> {
    return this.readable ? this.queue.items() : [];
  }

  /** The writes given up on (none once locked). */
  async dead(): Promise<DeadWrite[]> {
    return this.readable ? this.queue.dead() : [];
  }

  retryDead(key: string): Promise<void> {
    return this.queue.retry(key);
  }

  discardDead(key: string): Promise<void> {
    return this.queue.discard(key);
  }

  /** Tries the queued writes now instead of after their backoff. */
  flush(): Promise<void> {
    return this.queue.wake();
  }

  /** Stops the notice connection and the queue's timers; open handles save first. */
  async close(): Promise<void> {
    for (const handle of [...this.handles]) {
      await handle.close();
    }
    this.release();
    this.accountChannel?.close();
  }

  // ------------------------------------------------------------------ inside

  /** Stops all but the account channel, which a locked client keeps to hear of the next sign-in. */
  private release(): void {
    this.notices.stop();
    this.queue.stop();
    this.channel?.close();
    this.cleanup.forEach((undo) => undo());
    if (this.store instanceof IndexedDbStore) {
      this.store.close();
    }
  }

  /** Whether the local state may be read: it is this client's user's, and they have not signed out here. */
  private get readable(): boolean {
    return this.userKey !== null && this.accountState !== 'locked';
  }

  /** Opened offline: before the server is asked for this user's things, it is asked whether they are still signed in. */
  private async confirmed(): Promise<void> {
    if (this.accountState === 'unconfirmed') {
      await this.checkAccount().catch((error) => {
        if (!unreachable(error)) {
          throw error;
        }
      });
    }
    this.mustBeReadable();
  }

  private mustBeReadable(): void {
    if (!this.readable) {
      throw new HttpError(401, { title: 'Unauthorized', status: 401, detail: 'Signed out' }, new Headers());
    }
  }

  private setAccount(state: AccountState): void {
    if (this.accountState !== state) {
      this.accountState = state;
      this.dispatchEvent(new CustomEvent('account', { detail: state }));
    }
  }

  /** The server refused the user (401, 403): nothing is sent until they sign in again. */
  private refused(): void {
    if (this.accountState !== 'signed-in' && this.accountState !== 'unconfirmed') {
      return;
    }
    this.queue.pause();
    this.notices.stop();
    this.signedInHere.set(null); // a page opened offline from now on does not open this user's state
    this.setAccount('signed-out');
  }

  /** The user {@code key} is signed in (the server said, or another tab): resumes if it is ours, locks otherwise. */
  private signedIn(key: string, user: string | null): void {
    if (key !== this.userKey || this.accountState === 'locked') {
      void this.lock('signed-in');
      return;
    }
    if (user && user !== this.user) {
      this.user = user;
      this.dispatchEvent(new CustomEvent('user', { detail: user }));
    }
    const before = this.accountState;
    if (before === 'signed-in') {
      return;
    }
    this.signedInHere.set(key);
    this.setAccount('signed-in');
    if (before === 'signed-out') {
      this.notices.start();
      this.queue.resume();
    }
  }

  /**
   * Signed out here, or someone signed in since: nothing more is sent, read or shown. Open handles'
   * unsaved edits are queued first, kept for when the user signs in again. A client locked by a
   * sign-out that then hears of a sign-in tells it again, as {@code lockedBy} 'signed-in'.
   */
  private async lock(reason: 'signed-out' | 'signed-in'): Promise<void> {
    if (this.accountState === 'locked') {
      if (reason === 'signed-in' && this.lockedBy !== reason) {
        this.lockedBy = reason;
        this.dispatchEvent(new CustomEvent('account', { detail: 'locked' }));
      }
      return;
    }
    this.lockedBy = reason;
    this.queue.lock();
    this.notices.stop();
    this.accountState = 'locked';
    for (const handle of [...this.handles]) {
      await handle.close().catch(() => undefined);
    }
    this.release();
    this.dispatchEvent(new CustomEvent('account', { detail: 'locked' }));
  }

  private async fetchServer(id: string): Promise<ServerState | null> {
    try {
      const answer = await this.http.request<SessionFull>('GET', `/sessions/${encodeURIComponent(id)}`);
      const state: ServerState = { ...answer.body, etag: answer.headers.get('ETag') ?? '' };
      await this.store.putServer(state);
      return state;
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) {
        await this.store.removeServer(id);
        return null;
      }
      throw error;
    }
  }

  private hostFor(): HandleHost {
    return {
      tabId: this.tabId,
      debounceMs: this.debounceMs,
      online: () => this.queue.online,
      enqueue: (write) => this.queue.enqueue({ ...write, tab: this.tabId }),
      withdraw: (keys) => this.queue.withdraw(keys),
      queued: () => this.store.queued(),
      fetchServer: (id) => this.fetchServer(id),
      putDraft: (draft: Draft) => this.store.putDraft(draft),
      removeDraft: (key) => this.store.removeDraft(key),
      newKey: newId,
      released: (handle) => this.handles.delete(handle),
    };
  }

  private dispatchQueue(event: QueueEvent): void {
    for (const handle of this.handles) {
      handle.onQueue(event);
    }
    if (event.type === 'connectivity') {
      this.dispatchEvent(new CustomEvent('connectivity', { detail: event.online }));
    } else if (event.type === 'dead') {
      this.dispatchEvent(new CustomEvent('dead', { detail: event.write }));
    } else {
      this.dispatchEvent(new CustomEvent('queue', { detail: event }));
    }
  }

  private onNotice(notice: Notice): void {
    if (notice.own || notice.origin === this.clientId) {
      return; // this browser's own write: its tabs hear of it on the BroadcastChannel
    }
    this.dispatchEvent(new CustomEvent('notice', { detail: notice }));
    for (const handle of this.handles) {
      if (handle.id !== notice.resourceId) {
        continue;
      }
      if (notice.type === 'session.deleted') {
        handle.remoteDeleted();
      } else if ((notice.type === 'session.updated' || notice.type === 'session.conflict') && notice.version) {
        handle.remoteChange(notice.version);
      }
    }
  }

  /** (Re)connected: notices may have been missed, so each open session is checked against the server. */
  private onResync(user: string | null): void {
    if (user) {
      void userKey(user).then((key) => this.signedIn(key, user));
    }
    for (const handle of this.handles) {
      if (handle.id.startsWith('local-')) {
        continue;
      }
      void this.http.request<SessionMetadata>('GET', `/sessions/metadata/${encodeURIComponent(handle.id)}`)
        .then((answer) => handle.remoteChange(answer.body.version))
        .catch((error) => {
          if (error instanceof HttpError && error.status === 404) {
            handle.remoteDeleted();
          }
        });
    }
  }
}

/** Snapshots: frozen copies of a state, shared by link. */
export class Snapshots {
  constructor(private readonly http: Http, private readonly clientId: string) {}

  /** Creates a snapshot of the given state (or of a session: {@code {sessionId, title?}}); its {@code shareUrl} is the link. */
  async create(from: SessionFields | { sessionId: string; title?: string; description?: string }): Promise<SnapshotMetadata> {
    return (await this.http.request<SnapshotMetadata>('POST', '/snapshots', {
      body: from, headers: { 'Idempotency-Key': newId(), 'Keepsake-Client-Id': this.clientId },
    })).body;
  }

  /** Reads a snapshot (a visit is counted for the reader). */
  async get(id: string): Promise<Snapshot> {
    return (await this.http.request<Snapshot>('GET', `/snapshots/${encodeURIComponent(id)}`)).body;
  }

  /** A snapshot's metadata; the owner also gets its visits. */
  async metadata(id: string): Promise<SnapshotMetadata> {
    return (await this.http.request<SnapshotMetadata>('GET', `/snapshots/metadata/${encodeURIComponent(id)}`)).body;
  }

  /** My snapshots. */
  async list(query: Record<string, string | number | undefined> = {}): Promise<Page<SnapshotMetadata>> {
    return (await this.http.request<Page<SnapshotMetadata>>('GET', '/snapshots' + queryString(query))).body;
  }

  async remove(id: string): Promise<void> {
    await this.http.request('DELETE', `/snapshots/${encodeURIComponent(id)}`);
  }

  /** Snapshots I visited (deleted ones hidden unless {@code filter_snapshot_deleted} says otherwise). */
  async visited(query: Record<string, string | number | undefined> = {}): Promise<Page<VisitedSnapshot>> {
    return (await this.http.request<Page<VisitedSnapshot>>('GET', '/snapshot_access_logs' + queryString(query))).body;
  }

  /** Forgets my visit log of a snapshot. */
  async forget(snapshotId: string): Promise<void> {
    await this.http.request('DELETE', `/snapshot_access_logs/${encodeURIComponent(snapshotId)}`);
  }
}

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') {
      params.set(name, String(value));
    }
  }
  const text = params.toString();
  return text ? '?' + text : '';
}

/** Tells the other tabs; once the client has ended (its channels closed), nobody. */
function post(channel: BroadcastChannel | null, message: TabMessage | AccountMessage): void {
  try {
    channel?.postMessage(message);
  } catch {
    // closed: a write that was under way when the client locked still ends normally
  }
}

function notFound(): HttpError {
  return new HttpError(404, { title: 'Not Found', status: 404, detail: 'Session not found' }, new Headers());
}

/** Waits for {@code work}, or for {@code ms}, whichever ends first. */
async function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([work, new Promise((resolve) => { timer = setTimeout(resolve, ms); })]);
  clearTimeout(timer);
}

function newId(): string {
  return globalThis.crypto.randomUUID();
}

/** One id per browser profile: notices of this browser's own writes are its tabs' business, not the socket's. */
function browserClientId(): string {
  const storage = globalThis.localStorage;
  if (!storage) {
    return newId();
  }
  let id = storage.getItem('keepsake.client-id');
  if (!id) {
    id = newId();
    storage.setItem('keepsake.client-id', id);
  }
  return id;
}
