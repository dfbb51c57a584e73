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
import { SignedInHere, findAccount, userKey, type Account, type AccountState } from './account.js';
import { AccountGuard } from './account-guard.js';
import { browserClientId, channels, exclusively, holdTab, newId, post, sockets, watchPage } from './browser.js';
import { SessionHistory } from './history.js';
import { Http, queryString } from './http.js';
import { IndexedDbStore, storeFor, type LocalStore } from './local-store.js';
import { stateId, type StateOptions } from './keyed-states.js';
import { NoticeStream, type NoticeStatus } from './notices.js';
import { OpenSessions } from './open-sessions.js';
import type { KeepsakeOptions } from './options.js';
import type { SessionHandle } from './session-handle.js';
import { Snapshots } from './snapshots.js';
import { WriteQueue, type QueueEvent } from './write-queue.js';
import type { DeadWrite, Notice, Page, QueuedWrite, SessionFields, SessionMetadata } from './types.js';

export * from './types.js';
export { canonicalize, contentHash, sameJson } from './canonical.js';
export { HttpError, NetworkError, type Problem } from './http.js';
export { MemoryStore, IndexedDbStore, type LocalStore } from './local-store.js';
export { SessionHandle, type ConflictChoice } from './session-handle.js';
export type { NoticeMode, NoticeStatus } from './notices.js';
export type { QueueEvent } from './write-queue.js';
export type { AccountState } from './account.js';
export type { KeepsakeOptions } from './options.js';
export type { StateOptions } from './keyed-states.js';
export { Snapshots } from './snapshots.js';
export { SessionHistory, type PatchOperation, type Revision, type RevisionMetadata } from './history.js';

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
  /** Sessions' revisions: list, read, diff, and restore into an open session. */
  readonly history: SessionHistory;
  /** The signed-in user's id, once the server has said it (null offline and signed out). */
  user: string | null;
  /** The key of the user whose local state this client holds; null when nobody was signed in. */
  readonly userKey: string | null;
  /**
   * Why the client is locked: this browser signed out (a page shows it signed out), or someone
   * signed in since, the same user or another (a page starts afresh, as them).
   */
  lockedBy: 'signed-out' | 'signed-in' | null = null;
  private readonly guard: AccountGuard;
  private readonly queue: WriteQueue;
  private readonly notices: NoticeStream;
  private readonly sessions: OpenSessions;
  private readonly channel: BroadcastChannel | null;
  private readonly cleanup: Array<() => void> = [];

  private constructor(private readonly store: LocalStore, private readonly http: Http, account: Account,
      options: KeepsakeOptions) {
    super();
    const now = options.now ?? Date.now;
    this.clientId = options.clientId ?? browserClientId();
    this.tabId = newId();
    this.debounceMs = options.debounceMs ?? 1000;
    this.user = account.user;
    this.userKey = account.key;
    this.http.onUnauthorized = () => this.guard.refused();
    this.snapshots = new Snapshots(this.http, this.clientId);
    this.history = new SessionHistory(this.http);
    const channelFactory = channels(options.broadcastChannel);
    const scope = this.http.baseUrl || 'same-origin';
    const accountChannel = channelFactory ? channelFactory('keepsake-account:' + scope) : null;
    this.channel = channelFactory && this.userKey ? channelFactory(`keepsake:${scope}:${this.userKey}`) : null;
    if (this.channel) {
      this.channel.onmessage = (event: MessageEvent<TabMessage>) => {
        if (event.data?.type === 'queue' && event.data.from !== this.tabId) {
          this.dispatchQueue(event.data.event);
        }
      };
    }
    const liveTabs = holdTab(this.tabId);
    this.queue = new WriteQueue({
      store,
      http: this.http,
      clientId: this.clientId,
      user: this.userKey ?? '',
      signedInAs: (user) => this.guard.signedInAs(user),
      refused: () => this.guard.refused(),
      now,
      browserOnline: () => globalThis.navigator?.onLine ?? true,
      exclusive: exclusively('keepsake-queue:' + this.userKey),
      emit: (event) => {
        this.dispatchQueue(event);
        post(this.channel, { type: 'queue', event, from: this.tabId } satisfies TabMessage);
      },
    }, {
      maxAttempts: options.maxAttempts ?? 8,
      backoffMs: options.backoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 60_000,
    });
    this.notices = new NoticeStream({
      http: this.http,
      clientId: this.clientId,
      mode: options.notices ?? 'auto',
      socket: sockets(options.WebSocket),
      hidden: () => globalThis.document?.visibilityState === 'hidden',
      onNotice: (notice) => this.onNotice(notice),
      onResync: (user) => this.onResync(user),
      onStatus: (status) => this.dispatchEvent(new CustomEvent('notices', { detail: status })),
    });
    this.sessions = new OpenSessions({
      store,
      http: this.http,
      queue: this.queue,
      tabId: this.tabId,
      debounceMs: this.debounceMs,
      draftMaxAgeMs: options.draftMaxAgeMs ?? 24 * 3600 * 1000,
      liveTabs: options.liveTabs ?? liveTabs,
      now,
    });
    this.guard = new AccountGuard({
      http: this.http,
      account,
      channel: accountChannel,
      queue: this.queue,
      notices: this.notices,
      client: this,
      saveAll: () => this.sessions.saveAll(),
      closeAll: () => this.sessions.closeAll(true),
      release: () => this.release(),
    });
    this.cleanup.push(watchPage({
      online: () => {
        this.guard.recheck();
        this.queue.browserCameOnline();
        this.notices.wake();
      },
      offline: () => this.dispatchQueue({ type: 'connectivity', online: false }),
      visibilityChanged: (visible) => {
        this.notices.visibilityChanged();
        if (visible) {
          this.guard.recheck();
          void this.queue.process();
        }
      },
    }));
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
    const store = await storeFor(account.key, options.store, options.databaseName);
    const client = new Keepsake(store, http, account, options);
    if (account.key) {
      client.notices.start();
      void client.queue.process();
    }
    if (account.state === 'signed-in') {
      client.guard.announce();
    }
    return client;
  }

  /** Where the client stands with its user. */
  get account(): AccountState {
    return this.guard.state;
  }

  /**
   * Asks the server who is signed in. The client's own user again: what was paused by a 401 or 403
   * goes out. Nobody: paused. Someone else: this client is locked. Throws when the server is out of reach.
   */
  checkAccount(): Promise<AccountState> {
    return this.guard.check();
  }

  /**
   * Call before the page signs out (posts to /logout): unsaved edits are queued, what can be sent
   * is sent (for up to {@code timeoutMs}), then the user's local state is locked in every tab of
   * this browser: kept, but not read, shown or sent until the same user signs in again.
   */
  signOut(timeoutMs = 3000): Promise<void> {
    return this.guard.signOut(timeoutMs);
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
    await this.guard.confirmed();
    return this.sessions.open(id);
  }

  /**
   * The state kept under the app's own key (e.g. {@code 'dashboard:42'}), made with {@code
   * options.initial} on first use: a session handle like {@link open}'s, so edits are saved after
   * {@code options.debounceMs} of quiet (1 s by default) with If-Match, a save refused as stale
   * is a {@code conflict}, and what another tab or device saved is a {@code change}. Offline, the
   * state this browser last knew under the key.
   */
  async state(key: string, options: StateOptions = {}): Promise<SessionHandle> {
    await this.guard.confirmed();
    const id = await stateId(key, options, this.http, this.store, this.clientId);
    return this.sessions.open(id, options.debounceMs ?? this.debounceMs);
  }

  /** Creates a session (queued like any write: offline, it gets a local id until the server answers). */
  async create(fields: SessionFields): Promise<SessionHandle> {
    this.guard.mustBeReadable();
    return this.sessions.create(fields);
  }

  /** Deletes a session (queued like any write). */
  async remove(id: string, etag?: string): Promise<void> {
    await this.queue.enqueue({ key: newId(), op: 'delete', session: id, ifMatch: etag ?? null, tab: this.tabId });
  }

  /** A page of the user's sessions: {@code filter_title}, {@code sort_by}, {@code page_size}, {@code cursor}, ... */
  async list(query: Record<string, string | number | undefined> = {}): Promise<Page<SessionMetadata>> {
    await this.guard.confirmed();
    return (await this.http.request<Page<SessionMetadata>>('GET', '/sessions' + queryString(query))).body;
  }

  /** The queued writes, oldest first (none once locked). */
  async queued(): Promise<QueuedWrite[]> {
    return this.guard.readable ? this.queue.items() : [];
  }

  /** The writes given up on (none once locked). */
  async dead(): Promise<DeadWrite[]> {
    return this.guard.readable ? this.queue.dead() : [];
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
    await this.sessions.closeAll(false);
    this.release();
    this.guard.close();
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

  private dispatchQueue(event: QueueEvent): void {
    this.sessions.onQueue(event);
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
    this.sessions.onNotice(notice);
  }

  /** (Re)connected: notices may have been missed, so each open session is checked against the server. */
  private onResync(user: string | null): void {
    if (user) {
      void userKey(user).then((key) => this.guard.signedIn(key, user));
    }
    this.sessions.resync();
  }
}
