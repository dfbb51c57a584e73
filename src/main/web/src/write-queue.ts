import { Http, HttpError, NetworkError, offline as connectionTrouble, signedOut, transient, unreachable, type Problem } from './http.js';
import type { LocalStore } from './local-store.js';
import { keep, prepare, send } from './session-writes.js';
import { MAX_OPERATIONS, prepareBatch, type Entry, type OperationResult } from './write-batch.js';
import type { DeadWrite, QueuedWrite, ServerState, SessionMetadata } from './types.js';

export interface QueueOptions {
  /** Attempts before a write is moved to the dead letters (default 8). */
  maxAttempts: number;
  /** First retry delay; each further one doubles (default 1 s). */
  backoffMs: number;
  /** Longest retry delay (default 60 s). */
  maxBackoffMs: number;
}

/** What the queue tells its client; also sent to the other tabs, since any tab may replay any write. */
export type QueueEvent =
  | { type: 'written'; write: QueuedWrite; id: string; state: ServerState | null }
  | { type: 'refused'; write: QueuedWrite; id: string; problem: Problem; dropped: string[] }
  | { type: 'dead'; write: DeadWrite }
  | { type: 'changed' }
  | { type: 'connectivity'; online: boolean };

export interface QueueDeps {
  store: LocalStore;
  http: Http;
  clientId: string;
  /** The key of the user the queue writes as: every write carries it. */
  user: string;
  /**
   * Whether the user signed in now is {@code user} (asked of the server when not known yet). False
   * stops the queue: the client has paused or locked it. Throws NetworkError when the server is out of reach.
   */
  signedInAs: (user: string) => Promise<boolean>;
  /** The server refused the user (401, 403): the queue has paused until they sign in again. */
  refused: () => void;
  now: () => number;
  /** The browser's own idea of being online (navigator.onLine). */
  browserOnline: () => boolean;
  /** Runs work under a lock shared by the tabs of this browser (Web Locks), so one tab replays at a time. */
  exclusive: <T>(work: () => Promise<T>) => Promise<T>;
  emit: (event: QueueEvent) => void;
  random?: () => number;
}

/**
 * The write queue: every save, create and delete goes through it, kept in the local store first,
 * then sent in order with its Idempotency-Key, several due together as one batch. A write that
 * meets a network error or a 5xx stays and is tried again with exponential backoff (at once when
 * the browser comes back online), and after {@code maxAttempts} goes to the dead letters; a write
 * refused for good (400, 413, 422, a 409 at a quota...) goes there at once. A 412 is a conflict: the write and the later ones of its
 * session are dropped and the client decides. A write is only ever sent as the user it was queued
 * by; a 401 or 403 pauses the queue, without a request, until {@link resume}; {@link lock} stops it for good.
 */
export class WriteQueue {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly inFlight = new Set<string>();
  /** Operations per batch: {@link MAX_OPERATIONS}, fewer after a batch too big, 1 against a server without batches. */
  private batchSize = MAX_OPERATIONS;
  private isOnline = true;
  private paused = false;
  private locked = false;
  private unconfirmed = 0;

  constructor(private readonly deps: QueueDeps, private readonly options: QueueOptions) {
    this.isOnline = deps.browserOnline();
  }

  get online(): boolean {
    return this.isOnline && this.deps.browserOnline();
  }

  async enqueue(write: Omit<QueuedWrite, 'attempts' | 'nextAttemptAt' | 'createdAt' | 'user'>): Promise<QueuedWrite> {
    const stored = await this.deps.store.enqueue({ ...write, user: this.deps.user, attempts: 0, nextAttemptAt: 0,
      createdAt: this.deps.now() });
    this.deps.emit({ type: 'changed' });
    void this.process();
    return stored;
  }

  items(): Promise<QueuedWrite[]> {
    return this.deps.store.queued();
  }

  dead(): Promise<DeadWrite[]> {
    return this.deps.store.dead();
  }

  /** Puts a dead write back at the end of the queue, with its attempts counted afresh. */
  async retry(key: string): Promise<void> {
    const found = (await this.deps.store.dead()).find((w) => w.key === key);
    if (!found) {
      return;
    }
    const { deadAt: _, seq: __, ...write } = found;
    await this.deps.store.enqueue({ ...write, attempts: 0, nextAttemptAt: 0, lastError: undefined });
    await this.deps.store.removeDead(key);
    this.deps.emit({ type: 'changed' });
    void this.process();
  }

  async discard(key: string): Promise<void> {
    await this.deps.store.removeDead(key);
    this.deps.emit({ type: 'changed' });
  }

  /** Takes back queued writes that were not sent yet (a conflict supersedes them). Returns those taken. */
  async withdraw(keys: Set<string>): Promise<string[]> {
    const taken: string[] = [];
    for (const write of await this.deps.store.queued()) {
      if (keys.has(write.key) && !this.inFlight.has(write.key)) {
        await this.deps.store.removeQueued(write.seq!);
        taken.push(write.key);
      }
    }
    if (taken.length) {
      this.deps.emit({ type: 'changed' });
    }
    return taken;
  }

  /** Tries the due writes now: the browser is back online, or the user asked. */
  async wake(): Promise<void> {
    if (!this.sending) {
      return;
    }
    for (const write of await this.deps.store.queued()) {
      if (write.nextAttemptAt > this.deps.now()) {
        await this.deps.store.updateQueued({ ...write, nextAttemptAt: 0 });
      }
    }
    await this.process();
  }

  /**
   * Sends what is due, in order, until the queue is empty or its head must wait: several writes
   * due together go as one batch (at most {@link MAX_OPERATIONS}), a lone one as its own request.
   */
  process(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.deps.exclusive(() => this.drain());
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  stop(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /** Nothing is sent until {@link resume}: the user is signed out. Writes are still kept, and shown as waiting. */
  pause(): void {
    this.paused = true;
    this.stop();
    this.connectivity(false);
  }

  /** The user signed in again: what they queued goes out. */
  resume(): void {
    if (this.paused && !this.locked) {
      this.paused = false;
      this.connectivity(this.deps.browserOnline());
      void this.wake();
    }
  }

  /** Nothing is sent any more by this queue (its user signed out here, or someone else signed in); writes are kept. */
  lock(): void {
    this.locked = true;
    this.stop();
  }

  /** Whether the queue is sending (not paused for a sign-in, not locked). */
  get sending(): boolean {
    return !this.paused && !this.locked;
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (!this.sending) {
        return;
      }
      const [head] = await this.deps.store.queued();
      if (!head) {
        return;
      }
      if (!this.deps.browserOnline()) {
        this.connectivity(false);
        return;
      }
      const wait = head.nextAttemptAt - this.deps.now();
      if (wait > 0) {
        this.schedule(wait);
        return;
      }
      if (!(await this.mayBeSent(head))) {
        return;
      }
      const entries = this.batchSize > 1 ? await this.batchable() : [];
      const keys = entries.length > 1 ? entries.map((e) => e.write.key) : [head.key];
      keys.forEach((key) => this.inFlight.add(key));
      try {
        const sent = entries.length > 1 ? await this.attemptBatch(entries) : null;
        if (sent === false || (sent === null && !(await this.attempt(head)))) {
          return;
        }
      } finally {
        keys.forEach((key) => this.inFlight.delete(key));
      }
    }
  }

  /** The due writes at the head of the queue that may go together in one batch, in order. */
  private async batchable(): Promise<Entry[]> {
    const now = this.deps.now();
    const run: QueuedWrite[] = [];
    for (const write of await this.deps.store.queued()) {
      if (write.nextAttemptAt > now || run.length >= this.batchSize) {
        break;
      }
      run.push(write);
    }
    return run.length > 1 ? prepareBatch(run, this.deps.user, this.deps.store, this.batchSize) : [];
  }

  /**
   * Sends several writes in one {@code POST /batch}, each with its own Idempotency-Key, and applies
   * each result as its single answer would be applied. Null when the batch was not taken and the
   * head must go alone (a server without batches, a batch too big); false when the queue must wait.
   */
  private async attemptBatch(entries: Entry[]): Promise<boolean | null> {
    let results: OperationResult[];
    try {
      const answer = await this.deps.http.request<{ results: OperationResult[] }>('POST', '/batch', {
        body: { operations: entries.map((e) => e.operation), stopOnError: false },
        headers: { 'Keepsake-Client-Id': this.deps.clientId },
      });
      results = answer.body.results;
    } catch (error) {
      if (error instanceof HttpError && !transient(error) && !signedOut(error)) {
        // Not taken as a batch: a server without batches (404, 405) gets one request per write from
        // now on, one that refused this batch (too big, say) smaller ones. No write is blamed for it.
        const without = error.status === 404 || error.status === 405;
        this.batchSize = without ? 1 : Math.max(1, Math.floor(entries.length / 2));
        return null;
      }
      return this.failed(entries[0].write, entries[0].id, error);
    }
    this.connectivity(true);
    let goOn = true;
    const superseded = new Set<string>();
    for (const [i, { write, id }] of entries.entries()) {
      const result = results[i];
      if (superseded.has(write.key) || !result) {
        continue;
      }
      const headers = new Headers(result.headers ?? {});
      const deleted = write.op === 'delete' && result.status === 404;
      if (result.status >= 200 && result.status < 300 || deleted) {
        const session = write.op === 'create' || deleted ? id : (await this.deps.store.resolveId(id)) ?? id;
        const kept = await keep(write, session, deleted ? null : result.body as SessionMetadata, headers.get('ETag'),
          this.deps.store);
        await this.deps.store.removeQueued(write.seq!);
        this.deps.emit({ type: 'written', write, id: kept.id, state: kept.state });
      } else if (result.status === 424) {
        // An earlier write of its session did not go: this one waits for it, not counted as an attempt.
      } else if (this.sending) { // once paused (401, 403), the writes not done wait as they are
        const problem = (result.body ?? { status: result.status }) as Problem;
        if (result.status === 412) {
          (await this.sessionWrites(write)).forEach((key) => superseded.add(key));
        }
        goOn = await this.failed(write, id, new HttpError(result.status, problem, headers)) && goOn;
      }
    }
    this.deps.emit({ type: 'changed' });
    return goOn;
  }

  /** The keys of the queued writes of a write's session. */
  private async sessionWrites(write: QueuedWrite): Promise<string[]> {
    return (await this.deps.store.queued()).filter((w) => w.session === write.session).map((w) => w.key);
  }

  /** Whether the head may go out now: the user signed in is the one who queued it. */
  private async mayBeSent(write: QueuedWrite): Promise<boolean> {
    try {
      const mine = write.user === this.deps.user && await this.deps.signedInAs(write.user);
      this.unconfirmed = 0;
      return mine && this.sending;
    } catch (error) {
      if (!unreachable(error)) {
        return false; // not known who is signed in: nothing is sent
      }
      // Who is signed in could not be asked: the server is out of reach, so nothing could be sent anyway.
      this.connectivity(false);
      this.schedule(Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** this.unconfirmed++));
      return false;
    }
  }

  private schedule(delay: number): void {
    this.stop();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.process();
    }, delay);
  }

  /** One attempt at the head of the queue; false when the queue must wait before the next one. */
  private async attempt(head: QueuedWrite): Promise<boolean> {
    const prepared = await prepare(head, this.deps.store);
    if ('unsendable' in prepared) {
      await this.bury(head, prepared.unsendable);
      return true;
    }
    const { write, id } = prepared;
    try {
      const sent = await send(write, id, this.deps.http, this.deps.store, this.deps.clientId);
      await this.deps.store.removeQueued(write.seq!);
      this.connectivity(true);
      this.deps.emit({ type: 'written', write, id: sent.id, state: sent.state });
      this.deps.emit({ type: 'changed' });
      return true;
    } catch (error) {
      return this.failed(write, id, error);
    }
  }

  private async failed(write: QueuedWrite, id: string, error: unknown): Promise<boolean> {
    const { store } = this.deps;
    if (error instanceof HttpError && error.status === 412) {
      this.connectivity(true);
      // The session moved on: this write and the later ones of the session are superseded.
      const dropped: string[] = [];
      for (const later of await store.queued()) {
        if (later.session === write.session) {
          await store.removeQueued(later.seq!);
          dropped.push(later.key);
        }
      }
      this.deps.emit({ type: 'refused', write, id, problem: error.problem, dropped });
      this.deps.emit({ type: 'changed' });
      return true;
    }
    if (error instanceof NetworkError && !this.deps.browserOnline()) {
      this.connectivity(false); // not an attempt: the 'online' event wakes the queue
      return false;
    }
    if (signedOut(error)) {
      // Signed out: the write waits, unsent and not counted, until the user signs in again.
      this.pause();
      this.deps.refused();
      return false;
    }
    if (transient(error)) {
      this.connectivity(!connectionTrouble(error));
      await this.retryLater(write, error, true);
      return false;
    }
    this.connectivity(true);
    await this.bury(write, error instanceof Error ? error.message : String(error),
      error instanceof HttpError ? error.status : undefined);
    return true;
  }

  private async retryLater(write: QueuedWrite, error: unknown, counts: boolean): Promise<void> {
    const attempts = write.attempts + (counts ? 1 : 0);
    const status = error instanceof HttpError ? error.status : undefined;
    const message = error instanceof Error ? error.message : String(error);
    if (attempts >= this.options.maxAttempts) {
      await this.bury({ ...write, attempts }, message, status);
      void this.process();
      return;
    }
    const exponential = this.options.backoffMs * 2 ** Math.max(0, attempts - 1);
    const jitter = 0.8 + 0.4 * (this.deps.random ?? Math.random)();
    let delay = Math.min(this.options.maxBackoffMs, exponential * jitter);
    const asked = error instanceof HttpError ? error.retryAfterMs : undefined;
    if (asked !== undefined) {
      delay = Math.max(delay, asked);
    }
    const updated = { ...write, attempts, nextAttemptAt: this.deps.now() + delay, lastError: message, lastStatus: status };
    await this.deps.store.updateQueued(updated);
    this.deps.emit({ type: 'changed' });
    this.schedule(delay);
  }

  private async bury(write: QueuedWrite, message: string, status?: number): Promise<void> {
    const dead: DeadWrite = { ...write, lastError: message, lastStatus: status, deadAt: this.deps.now() };
    await this.deps.store.bury(dead);
    await this.deps.store.removeQueued(write.seq!);
    this.deps.emit({ type: 'dead', write: dead });
    this.deps.emit({ type: 'changed' });
  }

  private connectivity(online: boolean): void {
    if (this.isOnline !== online) {
      this.isOnline = online;
      this.deps.emit({ type: 'connectivity', online });
    }
  }

  /** The browser says it is back online. */
  browserCameOnline(): void {
    if (!this.sending) {
      return;
    }
    this.isOnline = true;
    this.deps.emit({ type: 'connectivity', online: true });
    void this.wake();
  }
}
