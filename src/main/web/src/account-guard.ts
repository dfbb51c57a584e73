import { userKey, whoIsSignedIn, type Account, type AccountMessage, type AccountState } from './account.js';
import { post } from './browser.js';
import { Http, HttpError, unreachable } from './http.js';
import type { NoticeStream } from './notices.js';
import type { WriteQueue } from './write-queue.js';

/** Why a client is locked ({@code Keepsake.lockedBy}): signed out here, or someone signed in since. */
export type LockReason = 'signed-out' | 'signed-in';

/** What the guard acts on. */
export interface GuardDeps {
  http: Http;
  /** Who the client was opened for. */
  account: Account;
  /** The channel between the tabs of this origin, whoever their user; null for none. */
  channel: BroadcastChannel | null;
  queue: WriteQueue;
  notices: NoticeStream;
  /** The client: its {@code user} and {@code lockedBy} are kept here, its {@code user} and {@code account} events sent. */
  client: { user: string | null; lockedBy: LockReason | null; dispatchEvent(event: Event): boolean };
  /** Saves the open handles' unsaved edits. */
  saveAll(): Promise<void>;
  /** Closes the open handles (their edits queued), whatever fails. */
  closeAll(): Promise<void>;
  /** Stops all but the account channel. */
  release(): void;
}

/**
 * Where a client stands with the user its local state belongs to ({@link AccountState}), and what
 * changes it: the server refusing the user (401, 403) pauses the queue and the notices, the same
 * user signing in again resumes them, a sign-out here or someone else signing in locks the client
 * for good. Sign-outs and sign-ins are told to the other tabs of this origin, and heard from them.
 */
export class AccountGuard {
  private current: AccountState;

  constructor(private readonly deps: GuardDeps) {
    const { account, channel, queue } = deps;
    this.current = account.state;
    if (channel) {
      channel.onmessage = (event: MessageEvent<AccountMessage>) => {
        if (event.data?.type === 'signed-out') {
          void this.lock('signed-out'); // the cookie is gone for every tab of this browser
        } else if (event.data?.type === 'signed-in' && typeof event.data.user === 'string') {
          this.signedIn(event.data.user, null);
        }
      };
    }
    if (!account.key) {
      queue.lock(); // nobody's: nothing is kept or sent
    } else if (this.current === 'signed-out') {
      queue.pause();
    }
  }

  get state(): AccountState {
    return this.current;
  }

  /** Whether the local state may be read: it is this client's user's, and they have not signed out here. */
  get readable(): boolean {
    return this.deps.account.key !== null && this.current !== 'locked';
  }

  /** Tells the other tabs that the client's user is signed in. */
  announce(): void {
    post(this.deps.channel, { type: 'signed-in', user: this.deps.account.key! } satisfies AccountMessage);
  }

  /**
   * Asks the server who is signed in. The client's own user again: what was paused by a 401 or 403
   * goes out. Nobody: paused. Someone else: the client is locked. Throws when the server is out of reach.
   */
  async check(): Promise<AccountState> {
    if (this.current === 'locked') {
      return this.current;
    }
    const user = await whoIsSignedIn(this.deps.http);
    if (user === null) {
      this.refused();
      return this.current;
    }
    const before = this.current;
    const key = await userKey(user);
    this.signedIn(key, user);
    if (before !== 'signed-in' && this.current === 'signed-in') {
      post(this.deps.channel, { type: 'signed-in', user: key } satisfies AccountMessage);
    }
    return this.current;
  }

  /** Signed out by the server: coming back to the page or online is when the user may have signed in again. */
  recheck(): void {
    if (this.current === 'signed-out' && this.deps.account.key) {
      void this.check().catch(() => undefined);
    }
  }

  /** Whether {@code user} is the one signed in now (for the queue: asked of the server while unconfirmed). */
  async signedInAs(user: string): Promise<boolean> {
    if (this.current === 'unconfirmed') {
      await this.check();
    }
    return this.current === 'signed-in' && user === this.deps.account.key;
  }

  /**
   * Before the page signs out: unsaved edits are queued, what can be sent is sent (for up to
   * {@code timeoutMs}), then the client is locked in every tab of this browser.
   */
  async signOut(timeoutMs: number): Promise<void> {
    if (this.current === 'locked') {
      return;
    }
    await this.deps.saveAll();
    if (this.current === 'signed-in' && this.deps.queue.online) {
      await within(timeoutMs, this.deps.queue.wake());
    }
    this.deps.account.here.set(null);
    post(this.deps.channel, { type: 'signed-out' } satisfies AccountMessage);
    await this.lock('signed-out');
  }

  /** Opened offline: before the server is asked for this user's things, it is asked whether they are still signed in. */
  async confirmed(): Promise<void> {
    if (this.current === 'unconfirmed') {
      await this.check().catch((error) => {
        if (!unreachable(error)) {
          throw error;
        }
      });
    }
    this.mustBeReadable();
  }

  mustBeReadable(): void {
    if (!this.readable) {
      throw new HttpError(401, { title: 'Unauthorized', status: 401, detail: 'Signed out' }, new Headers());
    }
  }

  /** The server refused the user (401, 403): nothing is sent until they sign in again. */
  refused(): void {
    if (this.current !== 'signed-in' && this.current !== 'unconfirmed') {
      return;
    }
    this.deps.queue.pause();
    this.deps.notices.stop();
    this.deps.account.here.set(null); // a page opened offline from now on does not open this user's state
    this.set('signed-out');
  }

  /** The user {@code key} is signed in (the server said, or another tab): resumes if it is ours, locks otherwise. */
  signedIn(key: string, user: string | null): void {
    const { account, client } = this.deps;
    if (key !== account.key || this.current === 'locked') {
      void this.lock('signed-in');
      return;
    }
    if (user && user !== client.user) {
      client.user = user;
      client.dispatchEvent(new CustomEvent('user', { detail: user }));
    }
    const before = this.current;
    if (before === 'signed-in') {
      return;
    }
    account.here.set(key);
    this.set('signed-in');
    if (before === 'signed-out') {
      this.deps.notices.start();
      this.deps.queue.resume();
    }
  }

  /** The client has ended: the account channel too. */
  close(): void {
    this.deps.channel?.close();
  }

  /**
   * Signed out here, or someone signed in since: nothing more is sent, read or shown. Open handles'
   * unsaved edits are queued first, kept for when the user signs in again. A client locked by a
   * sign-out that then hears of a sign-in tells it again, as {@code lockedBy} 'signed-in'.
   */
  private async lock(reason: LockReason): Promise<void> {
    const { client } = this.deps;
    if (this.current === 'locked') {
      if (reason === 'signed-in' && client.lockedBy !== reason) {
        client.lockedBy = reason;
        client.dispatchEvent(new CustomEvent('account', { detail: 'locked' }));
      }
      return;
    }
    client.lockedBy = reason;
    this.deps.queue.lock();
    this.deps.notices.stop();
    this.current = 'locked';
    await this.deps.closeAll();
    this.deps.release();
    client.dispatchEvent(new CustomEvent('account', { detail: 'locked' }));
  }

  private set(state: AccountState): void {
    if (this.current !== state) {
      this.current = state;
      this.deps.client.dispatchEvent(new CustomEvent('account', { detail: state }));
    }
  }
}

/** Waits for {@code work}, or for {@code ms}, whichever ends first. */
async function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([work, new Promise((resolve) => { timer = setTimeout(resolve, ms); })]);
  clearTimeout(timer);
}
