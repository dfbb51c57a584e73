import { Http, queryString } from './http.js';
import type { SessionHandle } from './session-handle.js';
import type { Page } from './types.js';

/** A state of a session that a later change replaced (or, with {@code replacedAt} null, its current state). */
export interface RevisionMetadata {
  sessionId: string;
  version: number;
  /** Who saved it. */
  author: string;
  title: string;
  description: string;
  contentHash: string;
  metadataHash: string;
  contentSize: number;
  savedAt: string;
  replacedAt: string | null;
}

/** A revision with its content. */
export interface Revision extends RevisionMetadata {
  content: unknown;
}

/** One operation of an RFC 6902 JSON Patch. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  /** A JSON Pointer into {@code {title, description, content}}. */
  path: string;
  from?: string;
  value?: unknown;
}

/**
 * A session's history ({@code /persistence/sessions/{id}/revisions}): each change keeps the state it
 * replaced, for a while. Reads go straight to the server; a restore is a write of the open session's.
 */
export class SessionHistory {
  constructor(private readonly http: Http) {}

  /** A page of a session's revisions, newest first, without content: {@code page_size}, {@code cursor}. */
  async list(sessionId: string, query: { page_size?: number; cursor?: string } = {}): Promise<Page<RevisionMetadata>> {
    return (await this.http.request<Page<RevisionMetadata>>('GET', `${revisions(sessionId)}${queryString(query)}`)).body;
  }

  /** The session as it was at {@code version} (a revision, or its current version), content included. */
  async get(sessionId: string, version: number): Promise<Revision> {
    return (await this.http.request<Revision>('GET', `${revisions(sessionId)}/${version}`)).body;
  }

  /** What changed from one version to another: a JSON Patch that turns {@code {title, description, content}} at {@code from} into the one at {@code to}. */
  async diff(sessionId: string, from: number, to: number): Promise<PatchOperation[]> {
    return (await this.http.request<PatchOperation[]>('GET', `${revisions(sessionId)}/${from}/diff/${to}`,
      { headers: { Accept: 'application/json-patch+json' } })).body;
  }

  /**
   * Makes {@code version} the open session's next version. It goes the way a save does (the write
   * queue, with If-Match and an Idempotency-Key): the handle's state and entity tag follow, the
   * other tabs show it, and a stale tag (412) is a {@code conflict} on the handle. Unsaved edits are
   * given up. Resolves once the restore is queued; the handle's {@code saved} event tells when it is written.
   */
  async restore(session: SessionHandle, version: number): Promise<void> {
    const revision = await this.get(session.id, version);
    await session.restoreVersion(version, {
      title: revision.title, description: revision.description ?? '', content: revision.content,
    });
  }
}

function revisions(sessionId: string): string {
  return `/sessions/${encodeURIComponent(sessionId)}/revisions`;
}
