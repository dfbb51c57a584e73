import { newId } from './browser.js';
import { Http, HttpError, unreachable } from './http.js';
import type { LocalStore } from './local-store.js';
import type { SessionMetadata } from './types.js';

/** How {@code keepsake.state(key, options)} makes and saves a state under an app's key. */
export interface StateOptions {
  /** The content a state not made yet starts with (null by default). */
  initial?: unknown;
  /** Its title when made (the key by default). */
  title?: string;
  /** Quiet time after an edit before it is saved (the client's {@code debounceMs}, 1 s by default). */
  debounceMs?: number;
}

/**
 * The id of the session kept under an app's key: read ({@code GET /states/{key}}), made with
 * {@code initial} when there is none ({@code PUT} with {@code If-None-Match: *}, which another tab
 * or device may have won: then it is read again), or, out of reach, the one this browser last knew.
 * Everything after is the session's: saves, conflicts, notices, history.
 */
export async function stateId(key: string, options: StateOptions, http: Http, store: LocalStore,
    clientId: string): Promise<string> {
  const alias = 'state:' + key;
  const path = `/states/${encodeURIComponent(key)}`;
  let id: string;
  try {
    id = await read(http, path) ?? await make(key, options, http, path, clientId) ?? await read(http, path) ?? '';
    if (!id) {
      throw new HttpError(404, { title: 'Not Found', status: 404, detail: 'The state was deleted as it was made' },
        new Headers());
    }
  } catch (error) {
    const known = unreachable(error) ? await store.resolveId(alias) : undefined;
    if (!known) {
      throw error;
    }
    id = known;
  }
  await store.mapId(alias, id);
  return id;
}

async function read(http: Http, path: string): Promise<string | null> {
  try {
    return (await http.request<SessionMetadata>('GET', path)).body.id;
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) {
      return null;
    }
    throw error;
  }
}

/** Makes the state; null when another tab or device made it first (412). */
async function make(key: string, options: StateOptions, http: Http, path: string, clientId: string): Promise<string | null> {
  try {
    const made = await http.request<SessionMetadata>('PUT', path, {
      body: { title: options.title ?? key, description: '', content: options.initial ?? null },
      headers: { 'If-None-Match': '*', 'Idempotency-Key': newId(), 'Keepsake-Client-Id': clientId },
    });
    return made.body.id;
  } catch (error) {
    if (error instanceof HttpError && error.status === 412) {
      return null;
    }
    throw error;
  }
}
