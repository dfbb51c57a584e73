/** What a workbench edits: a session's title, description and content (any JSON value). */
export interface SessionFields {
  title: string;
  description: string;
  content: unknown;
}

/** A session's metadata as the server returns it. */
export interface SessionMetadata {
  id: string;
  /** The app's key, for a state kept under one ({@code keepsake.state(key)}). */
  key?: string;
  ownerId: string;
  title: string;
  description: string;
  contentHash: string;
  metadataHash: string;
  version: number;
  contentSize?: number;
  createdAt: string;
  updatedAt: string;
}

/** A session with its content. */
export interface SessionFull extends SessionMetadata {
  content: unknown;
}

/** A session as last acknowledged by the server, with its entity tag. */
export interface ServerState extends SessionFull {
  etag: string;
}

export interface Page<T> {
  items: T[];
  pageToken?: string | null;
}

export interface SnapshotMetadata {
  id: string;
  ownerId: string;
  title: string;
  description: string;
  contentHash: string;
  contentSize?: number;
  sourceSessionId?: string;
  /** The version of the session it froze (made from a session only). */
  sessionVersion?: number;
  createdAt: string;
  /** Its end, if it has one: from then on it answers 410 Gone. */
  expiresAt?: string;
  shareUrl: string;
  /** Only for the owner. */
  visits?: number;
  uniqueVisitors?: number;
}

export interface Snapshot extends SnapshotMetadata {
  content: unknown;
}

/** A snapshot I visited. */
export interface VisitedSnapshot {
  snapshotId: string;
  snapshotTitle: string;
  snapshotOwnerId: string;
  visits: number;
  firstVisitedAt: string;
  lastVisitedAt: string;
  snapshotDeleted: boolean;
  snapshotDeletedAt?: string;
}

/** A change told by the server, pushed or polled. */
export interface Notice {
  type: 'session.updated' | 'session.deleted' | 'session.expired' | 'session.conflict' | 'snapshot.created' | 'snapshot.deleted';
  id: string;
  resourceId: string;
  hash?: string;
  version?: number;
  at: string;
  origin?: string;
  own?: boolean;
}

/** Where a session handle stands, as a workbench shows it. */
export type SaveState = 'saved' | 'dirty' | 'saving' | 'offline' | 'conflict' | 'error';

/** A write waiting in the offline queue (kept in IndexedDB, so it survives a reload). */
export interface QueuedWrite {
  /** Order of replay. */
  seq?: number;
  /** The Idempotency-Key it is sent with, on every attempt. */
  key: string;
  op: 'create' | 'save' | 'delete' | 'restore';
  /** The session's id, or for one created offline its local id ({@code local-...}) until the create is answered. */
  session: string;
  /** If-Match: fixed at queue time, or at the first attempt when it follows another queued write of the session. */
  ifMatch: string | null;
  body?: SessionFields;
  /** For a restore: the version written again ({@code body} holds what it had, as a save's body does). */
  revision?: number;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  lastStatus?: number;
  createdAt: number;
  /** The tab that queued it. */
  tab: string;
  /** The key of the user who queued it ({@code Keepsake.userKey}): it is sent as that user or not at all. */
  user: string;
}

/** A write given up on: after too many attempts, or refused for good (400, 413, 422, 409 at a quota, ...). */
export interface DeadWrite extends QueuedWrite {
  deadAt: number;
}

/** Unsaved local changes of one tab, kept so that a crash or a closed tab loses nothing. */
export interface Draft {
  /** session + '|' + tab */
  key: string;
  session: string;
  tab: string;
  fields: SessionFields;
  /** The server state the changes were made on (null for a session not yet created). */
  baseEtag: string | null;
  baseVersion: number;
  updatedAt: number;
}

/** Changes found from an earlier page that ended without saving them. */
export interface Recovery {
  fields: SessionFields;
  savedAt: Date;
  baseVersion: number;
}

/** A conflict: the server's state and ours, waiting for the user's choice. */
export interface Conflict {
  server: ServerState | null;
  local: SessionFields;
  /**
   * Why: a refused save (412), a change seen elsewhere while we had unsaved edits, a deletion, or
   * the end of the session's idle lifetime (it went unchanged that long and was deleted).
   */
  reason: 'refused' | 'changed-elsewhere' | 'deleted' | 'expired';
}
