import { newId } from './browser.js';
import { Http, queryString } from './http.js';
import type { Page, SessionFields, Snapshot, SnapshotMetadata, VisitedSnapshot } from './types.js';

/** Snapshots: frozen copies of a state, shared by link. */
export class Snapshots {
  constructor(private readonly http: Http, private readonly clientId: string) {}

  /**
   * Creates a snapshot of the given state (or of a session: {@code {sessionId, title?}}, with {@code sessionEtag},
   * the ETag a save answered, to freeze exactly that state or fail with 412); its {@code shareUrl} is the link.
   * {@code expiresAt} (RFC 3339) gives it an end, after which it answers 410 Gone.
   */
  async create(from: (SessionFields | { sessionId: string; sessionEtag?: string; title?: string; description?: string })
      & { expiresAt?: string }):
      Promise<SnapshotMetadata> {
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
