import { sameJson } from './canonical.js';
import type { QueueEvent } from './write-queue.js';
import type { Conflict, Draft, QueuedWrite, Recovery, SaveState, ServerState, SessionFields } from './types.js';

/** What a handle needs of its client (kept small, so that the state machine can be tested alone). */
export interface HandleHost {
  readonly tabId: string;
  readonly debounceMs: number;
  online(): boolean;
  enqueue(write: Omit<QueuedWrite, 'attempts' | 'nextAttemptAt' | 'createdAt' | 'tab' | 'user'>): Promise<QueuedWrite>;
  withdraw(keys: Set<string>): Promise<string[]>;
  queued(): Promise<QueuedWrite[]>;
  /** The server's current state of the session; null when it is gone. */
  fetchServer(id: string): Promise<ServerState | null>;
  putDraft(draft: Draft): Promise<void>;
  removeDraft(key: string): Promise<void>;
  newKey(): string;
  released(handle: SessionHandle): void;
}

export type ConflictChoice = 'reload' | 'overwrite' | ((local: SessionFields, server: SessionFields) => SessionFields);

/**
 * One open session: the local fields the workbench edits, the server state they were made on, and
 * where the two stand ({@link SaveState}). Edits are saved after {@code debounceMs} of quiet, each
 * save a conditional PUT (If-Match) through the write queue; every edit is kept as a draft first.
 *
 * Events: {@code state}, {@code change} (the server's state was applied: another tab or device
 * saved), {@code saved}, {@code conflict}, {@code recovery}, {@code id} (a session created offline
 * got its server id), {@code error}.
 */
export class SessionHandle extends EventTarget {
  fields: SessionFields;
  conflict: Conflict | null = null;
  recovery: Recovery | null = null;
  error: string | null = null;
  private dirty = false;
  private readonly pending = new Set<string>();
  private readonly mine = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private current: SaveState = 'saved';
  private remote: Promise<void> = Promise.resolve();
  private draftWrite: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly host: HandleHost, public id: string, public server: ServerState | null,
      fields: SessionFields) {
    super();
    this.fields = clone(fields);
  }

  get state(): SaveState {
    return this.current;
  }

  /** Keys of this handle's writes still queued. */
  get pendingWrites(): number {
    return this.pending.size;
  }

  /** Changes the local fields; they are kept as a draft at once and saved after the debounce. */
  update(changes: Partial<SessionFields>): void {
    this.fields = { ...this.fields, ...clone(changes) };
    this.dirty = true;
    this.keepDraft();
    if (!this.conflict) {
      this.schedule();
    }
    this.refresh();
  }

  /** Saves now what the debounce would save later. */
  async save(): Promise<void> {
    this.clearTimer();
    if (!this.dirty || this.conflict || this.closed) {
      return;
    }
    await this.enqueueSave(this.pending.size ? null : this.server?.etag ?? null);
  }

  /** Resolves the conflict: take the server's state, write ours over it, or write a merge of the two. */
  async resolve(choice: ConflictChoice): Promise<void> {
    const conflict = this.conflict;
    if (!conflict) {
      return;
    }
    this.conflict = null;
    if (!conflict.server) {
      if (choice === 'reload') {
        this.error = 'This session was deleted';
        this.dirty = false;
        await this.dropDraft();
        this.refresh();
        return;
      }
      // Deleted elsewhere, kept here: it is created anew.
      const fields = typeof choice === 'function' ? choice(conflict.local, conflict.local) : conflict.local;
      this.fields = clone(fields);
      const localId = 'local-' + this.host.newKey();
      this.id = localId;
      this.server = null;
      await this.track({ key: this.host.newKey(), op: 'create', session: localId, ifMatch: null, body: clone(fields) });
      this.refresh();
      return;
    }
    this.server = conflict.server;
    if (choice === 'reload') {
      this.fields = serverFields(conflict.server);
      this.dirty = false;
      await this.dropDraft();
      this.refresh();
      this.dispatchEvent(new CustomEvent('change', { detail: { fields: this.fields, remote: true } }));
      return;
    }
    this.fields = choice === 'overwrite' ? conflict.local : clone(choice(conflict.local, serverFields(conflict.server)));
    this.dirty = true;
    this.keepDraft();
    await this.enqueueSave(conflict.server.etag);
    this.dispatchEvent(new CustomEvent('change', { detail: { fields: this.fields, remote: false } }));
  }

  /** Takes back the changes an earlier page left unsaved; they are saved over the state they were made on. */
  async restore(): Promise<void> {
    const recovery = this.recovery;
    if (!recovery) {
      return;
    }
    this.recovery = null;
    this.fields = clone(recovery.fields);
    this.dirty = true;
    this.keepDraft();
    await this.host.removeDraft(this.draftKey(this.recoveredFrom));
    this.recoveredFrom = null;
    this.dispatchEvent(new CustomEvent('change', { detail: { fields: this.fields, remote: false } }));
    // Made on an older version: saving over it would be a conflict, so show it as one now.
    if (this.server && recovery.baseVersion > 0 && recovery.baseVersion < this.server.version) {
      this.conflict = { server: this.server, local: clone(this.fields), reason: 'changed-elsewhere' };
      this.refresh();
      this.dispatchEvent(new CustomEvent('conflict', { detail: this.conflict }));
      return;
    }
    await this.save();
  }

  /**
   * Makes a past version (its {@code fields}, read from the history) the session's next version:
   * unsaved edits are given up, and the restore is sent through the queue like a save, with
   * If-Match, so that this handle, the other tabs and a 412 (a conflict) follow as after any save.
   */
  async restoreVersion(version: number, fields: SessionFields): Promise<void> {
    if (this.closed || this.conflict || !this.server || this.id.startsWith('local-')) {
      throw new Error(this.conflict ? 'Resolve the conflict first' : 'This session has no saved versions to restore');
    }
    this.clearTimer();
    this.fields = clone(fields);
    this.dirty = false;
    this.error = null;
    this.keepDraft();
    this.dispatchEvent(new CustomEvent('change', { detail: { fields: this.fields, remote: false } }));
    await this.track({ key: this.host.newKey(), op: 'restore', session: this.id, revision: version,
      ifMatch: this.pending.size ? null : this.server.etag, body: clone(fields) });
  }

  /** Forgets the changes an earlier page left unsaved. */
  async discardRecovery(): Promise<void> {
    this.recovery = null;
    await this.host.removeDraft(this.draftKey(this.recoveredFrom));
    this.recoveredFrom = null;
    this.refresh();
  }

  /** Set by the client when it offers an earlier page's draft: that draft's tab. */
  recoveredFrom: string | null = null;

  /** Queues the create of a session made here (the client does, once). */
  async sendCreate(): Promise<void> {
    await this.track({ key: this.host.newKey(), op: 'create', session: this.id, ifMatch: null, body: clone(this.fields) });
  }

  /** Deletes the session (through the queue, like every write). */
  async delete(): Promise<void> {
    this.clearTimer();
    this.dirty = false;
    await this.track({ key: this.host.newKey(), op: 'delete', session: this.id,
      ifMatch: this.pending.size ? null : this.server?.etag ?? null });
    await this.dropDraft();
  }

  /** Stops the handle; unsaved edits are saved first. */
  async close(): Promise<void> {
    await this.save();
    this.closed = true;
    this.clearTimer();
    this.host.released(this);
  }

  // ------------------------------------------------------------------ driven by the client

  /** A queue event, from this tab or another one. */
  onQueue(event: QueueEvent): void {
    if (event.type === 'written') {
      if (event.write.session !== this.id && event.id !== this.id) {
        return;
      }
      if (this.pending.delete(event.write.key) || this.mine.has(event.write.key)) {
        if (event.write.op === 'create' && event.id !== this.id) {
          const from = this.id;
          this.id = event.id;
          this.dispatchEvent(new CustomEvent('id', { detail: { from, to: event.id } }));
        }
        if (event.state && (!this.server || event.state.version > this.server.version)) {
          this.server = event.state;
        }
        this.error = null;
        if (!this.pending.size && !this.dirty) {
          void this.dropDraft();
          this.dispatchEvent(new CustomEvent('saved', { detail: this.server }));
        }
        this.refresh();
      } else if (event.write.op === 'delete') {
        this.remoteDeleted();
      } else if (event.state) {
        this.remoteChange(event.state.version, event.state);
      }
    } else if (event.type === 'refused') {
      const ours = [event.write.key, ...event.dropped].filter((key) => this.pending.delete(key) || this.mine.has(key));
      if (ours.length) {
        this.enterConflict('refused');
      }
    } else if (event.type === 'dead') {
      if (this.pending.delete(event.write.key)) {
        this.error = event.write.lastError ?? 'The save failed';
        this.refresh();
        this.dispatchEvent(new CustomEvent('error', { detail: event.write }));
      }
    } else if (event.type === 'changed') {
      void this.rescan();
    } else if (event.type === 'connectivity') {
      this.refresh();
    }
  }

  /** Another browser or device changed the session (a notice), or the client found it changed. */
  remoteChange(version: number, state?: ServerState): void {
    this.remote = this.remote.then(async () => {
      if (this.closed) {
        return;
      }
      if (this.conflict) {
        if (this.conflict.server && version > this.conflict.server.version) {
          this.conflict = { ...this.conflict, server: state ?? await this.host.fetchServer(this.id) };
          this.dispatchEvent(new CustomEvent('conflict', { detail: this.conflict }));
        }
        return;
      }
      if (this.server && version <= this.server.version) {
        return;
      }
      if (this.dirty || this.pending.size) {
        await this.enterConflictNow('changed-elsewhere');
        return;
      }
      const fresh = state ?? await this.host.fetchServer(this.id);
      if (!fresh) {
        this.remoteDeleted();
        return;
      }
      if (this.dirty || this.pending.size) { // edited while it was fetched
        await this.enterConflictNow('changed-elsewhere', fresh);
        return;
      }
      this.server = fresh;
      this.fields = serverFields(fresh);
      this.refresh();
      this.dispatchEvent(new CustomEvent('change', { detail: { fields: this.fields, remote: true } }));
    }).catch((error) => this.fail(error));
  }

  remoteDeleted(reason: 'deleted' | 'expired' = 'deleted'): void {
    this.remote = this.remote.then(() => this.enterConflictNow(reason, null)).catch((error) => this.fail(error));
  }

  /** Adopts writes left queued by an earlier page of this session (they are this handle's now). */
  adopt(writes: QueuedWrite[]): void {
    for (const write of writes) {
      this.mine.add(write.key);
      this.pending.add(write.key);
    }
    this.refresh();
  }

  offerRecovery(draft: Draft): void {
    this.recovery = { fields: clone(draft.fields), savedAt: new Date(draft.updatedAt), baseVersion: draft.baseVersion };
    this.recoveredFrom = draft.tab;
    this.dispatchEvent(new CustomEvent('recovery', { detail: this.recovery }));
  }

  refresh(): void {
    let state: SaveState;
    if (this.conflict) {
      state = 'conflict';
    } else if (this.error && !this.dirty && !this.pending.size) {
      state = 'error';
    } else if ((this.pending.size || this.dirty) && !this.host.online()) {
      state = 'offline';
    } else if (this.dirty) {
      state = 'dirty';
    } else if (this.pending.size) {
      state = 'saving';
    } else {
      state = 'saved';
    }
    if (state !== this.current) {
      this.current = state;
      this.dispatchEvent(new CustomEvent('state', { detail: state }));
    }
  }

  // ------------------------------------------------------------------ inside

  private enterConflict(reason: Conflict['reason']): void {
    this.remote = this.remote.then(() => this.enterConflictNow(reason)).catch((error) => this.fail(error));
  }

  private async enterConflictNow(reason: Conflict['reason'], known?: ServerState | null): Promise<void> {
    this.clearTimer();
    await this.host.withdraw(new Set(this.pending));
    this.pending.clear();
    const server = known !== undefined ? known : await this.host.fetchServer(this.id);
    this.conflict = { server, local: clone(this.fields), reason: server || reason === 'expired' ? reason : 'deleted' };
    this.dirty = true;
    this.keepDraft();
    this.refresh();
    this.dispatchEvent(new CustomEvent('conflict', { detail: this.conflict }));
  }

  private async enqueueSave(ifMatch: string | null): Promise<void> {
    this.dirty = false;
    this.error = null;
    const body = clone(this.fields);
    await this.track({ key: this.host.newKey(), op: 'save', session: this.id, ifMatch, body });
  }

  private async track(write: Omit<QueuedWrite, 'attempts' | 'nextAttemptAt' | 'createdAt' | 'tab' | 'user'>): Promise<void> {
    // Counted as pending before the queue can answer, so that the answer finds it.
    this.mine.add(write.key);
    this.pending.add(write.key);
    this.refresh();
    try {
      await this.host.enqueue(write);
    } catch (error) {
      this.pending.delete(write.key);
      this.fail(error);
    }
  }

  private async rescan(): Promise<void> {
    const queued = await this.host.queued();
    for (const write of queued) {
      if (this.mine.has(write.key)) {
        this.pending.add(write.key);
      }
    }
    const keys = new Set(queued.map((w) => w.key));
    for (const key of [...this.pending]) {
      if (!keys.has(key)) {
        this.pending.delete(key);
      }
    }
    if (!this.pending.size && !this.dirty && !this.conflict && this.current !== 'saved') {
      void this.dropDraft();
    }
    this.refresh();
  }

  private schedule(): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.save();
    }, this.host.debounceMs);
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private draftKey(tab = this.host.tabId as string | null): string {
    return `${this.id}|${tab}`;
  }

  private keepDraft(): void {
    const draft: Draft = {
      key: this.draftKey(),
      session: this.id,
      tab: this.host.tabId,
      fields: clone(this.fields),
      baseEtag: this.server?.etag ?? null,
      baseVersion: this.server?.version ?? 0,
      updatedAt: Date.now(),
    };
    this.draftWrite = this.draftWrite.then(() => this.host.putDraft(draft)).catch(() => undefined);
  }

  private async dropDraft(): Promise<void> {
    const key = this.draftKey();
    this.draftWrite = this.draftWrite.then(() => this.host.removeDraft(key)).catch(() => undefined);
    await this.draftWrite;
  }

  /** Resolves once the latest draft is stored (tests and a page's unload wait for it). */
  drafted(): Promise<void> {
    return this.draftWrite;
  }

  private fail(error: unknown): void {
    this.error = error instanceof Error ? error.message : String(error);
    this.refresh();
    this.dispatchEvent(new CustomEvent('error', { detail: error }));
  }
}

export function serverFields(state: ServerState): SessionFields {
  return { title: state.title, description: state.description ?? '', content: clone(state.content) };
}

export function sameFields(a: SessionFields, b: SessionFields): boolean {
  return a.title === b.title && (a.description ?? '') === (b.description ?? '') && sameJson(a.content, b.content);
}

function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}
