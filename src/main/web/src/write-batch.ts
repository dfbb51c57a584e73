import type { LocalStore } from './local-store.js';
import { request } from './session-writes.js';
import type { QueuedWrite, SessionFields } from './types.js';

/** The most operations the server takes in one batch ({@code keepsake.batch.max-operations}). */
export const MAX_OPERATIONS = 100;

/** One operation of {@code POST /persistence/batch}: a write as it would be sent alone. */
export interface Operation {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: SessionFields;
}

/** The server's answer to one operation. */
export interface OperationResult {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A queued write in a batch: the session id it applies to (its local id until its create is answered) and its operation. */
export interface Entry {
  write: QueuedWrite;
  id: string;
  operation: Operation;
}

/**
 * Readies the run of writes at the head of the queue as one batch, in order. A save of a session
 * created or saved earlier in the same batch names that operation instead of an id or a tag it
 * cannot know yet ({@code /sessions/$n}, {@code If-Match: $m}). The batch ends before a write that
 * cannot go in one (a restore, another user's, one without a known session or version): that one
 * goes alone, as before.
 */
export async function prepareBatch(run: QueuedWrite[], user: string, store: LocalStore, limit: number): Promise<Entry[]> {
  const entries: Entry[] = [];
  const created = new Map<string, number>(); // local id -> the operation that creates it
  const tagged = new Map<string, number>(); // session -> the last operation whose answer carries its ETag
  for (const queued of run) {
    if (entries.length >= limit || queued.op === 'restore' || queued.user !== user) {
      break;
    }
    let write = queued;
    let id = write.session;
    let path: string | null = null;
    if (write.op !== 'create' && id.startsWith('local-')) {
      const resolved = await store.resolveId(id);
      if (resolved) {
        id = resolved;
      } else if (created.has(id)) {
        path = `/sessions/$${created.get(id)}`;
      } else {
        break;
      }
    }
    const n = entries.length + 1;
    const headers: Record<string, string> = { 'Idempotency-Key': write.key };
    if (write.op === 'save' && write.ifMatch === null) {
      if (tagged.has(id)) {
        headers['If-Match'] = `$${tagged.get(id)}`;
      } else {
        const known = await store.server(id);
        if (!known) {
          break;
        }
        write = { ...write, ifMatch: known.etag };
        await store.updateQueued(write);
      }
    }
    if (write.ifMatch) {
      headers['If-Match'] = write.ifMatch;
    }
    const operation: Operation = { ...request(write, id), headers };
    if (path) {
      operation.path = path;
    }
    if (operation.body === undefined) {
      delete operation.body;
    }
    entries.push({ write, id, operation });
    if (write.op === 'create') {
      created.set(write.session, n);
      tagged.set(write.session, n);
    } else if (write.op === 'save') {
      tagged.set(id, n);
    } else {
      tagged.delete(id);
    }
  }
  return entries;
}
