import type { LocalStore } from './local-store.js';
import type { NoticeMode } from './notices.js';

/** How a client is set up: where the server is, timings, and what it uses of the browser. */
export interface KeepsakeOptions {
  /** Where Keepsake is; the page's own origin by default. */
  baseUrl?: string;
  /** Sent as Keepsake-Client-Id with every write; one per browser (kept in localStorage) by default. */
  clientId?: string;
  /** Quiet time after an edit before it is saved (default 1000 ms). */
  debounceMs?: number;
  /** Unsaved changes older than this are not offered back (default 24 h). */
  draftMaxAgeMs?: number;
  /** Attempts before a queued write is moved to the dead letters (default 8). */
  maxAttempts?: number;
  /** First retry delay of a queued write; it doubles with each attempt (default 1000 ms). */
  backoffMs?: number;
  /** Longest retry delay (default 60 s). */
  maxBackoffMs?: number;
  /** How notices arrive: WebSocket with long polling as fallback ('auto', the default), one of them, or 'off'. */
  notices?: NoticeMode;
  /** Extra headers on every request, e.g. {@code () => ({ Authorization: 'Bearer ' + token })}. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /**
   * Where the queue, drafts and cached sessions live: by default one IndexedDB database per user
   * ('memory' keeps nothing across reloads; a store given here is used for whoever is signed in).
   */
  store?: LocalStore | 'memory';
  /** How the IndexedDB databases' names start (default 'keepsake'): each user's is this, '-' and their key. */
  databaseName?: string;
  fetch?: typeof fetch;
  WebSocket?: ((url: string) => WebSocket) | null;
  /** The channel between this browser's tabs; null for none. */
  broadcastChannel?: ((name: string) => BroadcastChannel) | null;
  /** The tabs of this browser still open (their ids); found with Web Locks by default. */
  liveTabs?: () => Promise<Set<string>>;
  now?: () => number;
}
