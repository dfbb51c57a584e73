import { newId } from './browser.js';
import { Http, HttpError, unreachable } from './http.js';
import type { LocalStore } from './local-store.js';
import { SessionHandle, sameFields, serverFields, type HandleHost } from './session-handle.js';
import type { QueueEvent, WriteQueue } from './write-queue.js';
import type { Draft, Notice, ServerState, SessionFields, SessionFull, SessionMetadata } from './types.js';

/** What the open sessions need of their client. */
export interface SessionsDeps {
  store: LocalStore;
  http: Http;
  queue: WriteQueue;
  tabId: string;
  debounceMs: number;
  /** Unsaved changes older than this are not offered back. */
  draftMaxAgeMs: number;
  /** The tabs of this browser still open (their ids). */
  liveTabs: () => Promise<Set<string>>;
  now: () => number;
}

/**
 * The sessions a client has open: how one is opened (from the server, or offline from what this
 * browser last knew, with an earlier page's queued writes and unsaved changes) or created, and how
 * what the queue, the notices and a resync tell reaches the handles it concerns.
 */
export class OpenSessions {
  private readonly handles = new Set<SessionHandle>();

  constructor(private readonly deps: SessionsDeps) {}

  /**
   * Opens a session: from the server, or, offline, from what this browser last knew of it. Changes
   * an earlier page left unsaved are offered back ({@code handle.recovery}); writes it left queued
   * are this handle's now.
   */
  async open(id: string, debounceMs = this.deps.debounceMs): Promise<SessionHandle> {
    const { store } = this.deps;
    if (id.startsWith('local-')) {
      id = (await store.resolveId(id)) ?? id;
    }
    const queued = (await store.queued()).filter((w) => w.session === id);
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
        server = (await store.server(id)) ?? null;
        if (!server && !queued.length) {
          throw error;
        }
      }
      if (!server && !queued.length) {
        throw notFound();
      }
    }
    const live = await this.deps.liveTabs();
    const drafts = (await store.drafts(id)).filter((d) => d.tab !== this.deps.tabId && !live.has(d.tab))
      .sort((a, b) => b.updatedAt - a.updatedAt);
    const create = queued.find((w) => w.op === 'create');
    const lastQueued = [...queued].reverse().find((w) => w.body)?.body;
    const fields: SessionFields = server ? serverFields(server)
      : create?.body ?? lastQueued ?? { title: 'Untitled', description: '', content: null };
    const handle = new SessionHandle(this.hostFor(debounceMs), id, server, fields);
    this.handles.add(handle);
    if (queued.length) {
      // An earlier page queued these: its newest state is what this one edits.
      const newest = drafts[0]?.fields ?? lastQueued;
      if (newest) {
        handle.fields = structuredClone(newest);
      }
      for (const draft of drafts) {
        await store.removeDraft(draft.key);
      }
      handle.adopt(queued);
    } else {
      let offered = false;
      for (const draft of drafts) {
        const stale = this.deps.now() - draft.updatedAt > this.deps.draftMaxAgeMs;
        const saved = server !== null && sameFields(draft.fields, serverFields(server));
        if (stale || saved || offered) {
          await store.removeDraft(draft.key);
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

  /** Saves what each open handle has unsaved. */
  async saveAll(): Promise<void> {
    for (const handle of [...this.handles]) {
      await handle.save();
    }
  }

  /** Closes every open handle (each saves first); a failed save stops the rest unless {@code despiteErrors}. */
  async closeAll(despiteErrors: boolean): Promise<void> {
    for (const handle of [...this.handles]) {
      if (despiteErrors) {
        await handle.close().catch(() => undefined);
      } else {
        await handle.close();
      }
    }
  }

  onQueue(event: QueueEvent): void {
    for (const handle of this.handles) {
      handle.onQueue(event);
    }
  }

  /** A notice from another browser or device. */
  onNotice(notice: Notice): void {
    for (const handle of this.handles) {
      if (handle.id !== notice.resourceId) {
        continue;
      }
      if (notice.type === 'session.deleted' || notice.type === 'session.expired') {
        handle.remoteDeleted(notice.type === 'session.expired' ? 'expired' : 'deleted');
      } else if ((notice.type === 'session.updated' || notice.type === 'session.conflict') && notice.version) {
        handle.remoteChange(notice.version);
      }
    }
  }

  /** Notices may have been missed: each open session is checked against the server. */
  resync(): void {
    for (const handle of this.handles) {
      if (handle.id.startsWith('local-')) {
        continue;
      }
      void this.deps.http.request<SessionMetadata>('GET', `/sessions/metadata/${encodeURIComponent(handle.id)}`)
        .then((answer) => handle.remoteChange(answer.body.version))
        .catch((error) => {
          if (error instanceof HttpError && error.status === 404) {
            handle.remoteDeleted();
          }
        });
    }
  }

  private async fetchServer(id: string): Promise<ServerState | null> {
    try {
      const answer = await this.deps.http.request<SessionFull>('GET', `/sessions/${encodeURIComponent(id)}`);
      const state: ServerState = { ...answer.body, etag: answer.headers.get('ETag') ?? '' };
      await this.deps.store.putServer(state);
      return state;
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) {
        await this.deps.store.removeServer(id);
        return null;
      }
      throw error;
    }
  }

  private hostFor(debounceMs = this.deps.debounceMs): HandleHost {
    const { store, queue, tabId } = this.deps;
    return {
      tabId,
      debounceMs,
      online: () => queue.online,
      enqueue: (write) => queue.enqueue({ ...write, tab: tabId }),
      withdraw: (keys) => queue.withdraw(keys),
      queued: () => store.queued(),
      fetchServer: (id) => this.fetchServer(id),
      putDraft: (draft: Draft) => store.putDraft(draft),
      removeDraft: (key) => store.removeDraft(key),
      newKey: newId,
      released: (handle) => this.handles.delete(handle),
    };
  }
}

function notFound(): HttpError {
  return new HttpError(404, { title: 'Not Found', status: 404, detail: 'Session not found' }, new Headers());
}
