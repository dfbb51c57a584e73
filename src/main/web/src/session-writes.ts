import { Http, HttpError } from './http.js';
import type { LocalStore } from './local-store.js';
import type { QueuedWrite, ServerState, SessionFields, SessionMetadata } from './types.js';

/** A queued write made ready to send: its session's server id, and its If-Match; or why it never can be sent. */
export type Prepared = { write: QueuedWrite; id: string } | { unsendable: string };

/**
 * Readies a write: a session created offline goes by its server id once that create is answered,
 * and a save (or a restore) that follows other queued writes of its session applies to whatever the last one made.
 */
export async function prepare(write: QueuedWrite, store: LocalStore): Promise<Prepared> {
  let id = write.session;
  if (write.op !== 'create' && id.startsWith('local-')) {
    const created = await store.resolveId(id);
    if (!created) {
      return { unsendable: 'The session it belongs to was never created' };
    }
    id = created;
  }
  if ((write.op === 'save' || write.op === 'restore') && write.ifMatch === null) {
    const known = await store.server(id);
    if (!known) {
      return { unsendable: 'No known version of the session to save over' };
    }
    write = { ...write, ifMatch: known.etag };
    await store.updateQueued(write);
  }
  return { write, id };
}

/**
 * Sends a prepared write to the sessions API with its Idempotency-Key and If-Match, and keeps what
 * the server answered in the local store. Returns the session's id and its new state (null once
 * deleted). Throws HttpError or NetworkError.
 */
export async function send(write: QueuedWrite, id: string, http: Http, store: LocalStore,
    clientId: string): Promise<{ id: string; state: ServerState | null }> {
  const headers: Record<string, string> = { 'Idempotency-Key': write.key, 'Keepsake-Client-Id': clientId };
  if (write.ifMatch) {
    headers['If-Match'] = write.ifMatch;
  }
  if (write.op === 'restore') {
    // The server writes the revision's fields again; the body kept with the write is what they are.
    const answer = await http.request<SessionMetadata>('POST',
      `/sessions/${encodeURIComponent(id)}/revisions/${write.revision}/restore`, { headers });
    return keep(write, id, answer.body, answer.headers.get('ETag'), store);
  }
  const { method, path, body } = request(write, id);
  try {
    const answer = await http.request<SessionMetadata>(method, path, { body, headers });
    return keep(write, id, answer.body, answer.headers.get('ETag'), store);
  } catch (error) {
    if (write.op === 'delete' && error instanceof HttpError && error.status === 404) {
      return keep(write, id, null, null, store);
    }
    throw error;
  }
}

/** The request a create, save or delete is: what is sent alone, or as one operation of a batch. */
export function request(write: QueuedWrite, id: string): { method: string; path: string; body?: SessionFields } {
  if (write.op === 'create') {
    return { method: 'POST', path: '/sessions', body: write.body };
  } else if (write.op === 'save') {
    return { method: 'PUT', path: `/sessions/${encodeURIComponent(id)}`, body: write.body };
  }
  return { method: 'DELETE', path: `/sessions/${encodeURIComponent(id)}` };
}

/**
 * Keeps what the server answered to a write (alone or in a batch) in the local store: a created
 * session's server id, the state a save made, the end of a deleted one. Returns the session's id
 * and its new state (null once deleted).
 */
export async function keep(write: QueuedWrite, id: string, metadata: SessionMetadata | null, etag: string | null,
    store: LocalStore): Promise<{ id: string; state: ServerState | null }> {
  if (write.op === 'delete') {
    await store.removeServer(id);
    return { id, state: null };
  }
  if (write.op === 'create') {
    id = metadata!.id;
    await store.mapId(write.session, id);
  }
  const state = serverState(metadata!, etag!, write.body!);
  await store.putServer(state);
  return { id, state };
}

function serverState(metadata: SessionMetadata, etag: string, fields: SessionFields): ServerState {
  return { ...metadata, content: fields.content, etag };
}
