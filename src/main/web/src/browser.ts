/** What the client uses of the browser: ids, the channels and Web Locks between its tabs, the page's events. */

export function newId(): string {
  return globalThis.crypto.randomUUID();
}

/** One id per browser profile: notices of this browser's own writes are its tabs' business, not the socket's. */
export function browserClientId(): string {
  const storage = globalThis.localStorage;
  if (!storage) {
    return newId();
  }
  let id = storage.getItem('keepsake.client-id');
  if (!id) {
    id = newId();
    storage.setItem('keepsake.client-id', id);
  }
  return id;
}

/** How channels between tabs are opened: as given (null for none), else BroadcastChannel where there is one. */
export function channels(given?: ((name: string) => BroadcastChannel) | null): ((name: string) => BroadcastChannel) | null {
  return given !== undefined ? given
    : typeof BroadcastChannel === 'function' ? (name: string) => new BroadcastChannel(name) : null;
}

/** How WebSockets are opened: as given (null for none), else the browser's WebSocket where there is one. */
export function sockets(given?: ((url: string) => WebSocket) | null): ((url: string) => WebSocket) | null {
  return given !== undefined ? given : typeof WebSocket === 'function' ? (url: string) => new WebSocket(url) : null;
}

/** Tells the other tabs; once the client has ended (its channels closed), nobody. */
export function post<T>(channel: BroadcastChannel | null, message: T): void {
  try {
    channel?.postMessage(message);
  } catch {
    // closed: a write that was under way when the client locked still ends normally
  }
}

/**
 * Holds a Web Lock for as long as this tab lives, so that another tab can tell a crashed tab's
 * drafts from a live one's. Returns how the tabs still open are found (just this one without Web Locks).
 */
export function holdTab(tabId: string): () => Promise<Set<string>> {
  const locks = globalThis.navigator?.locks;
  if (!locks) {
    return async () => new Set([tabId]);
  }
  void locks.request('keepsake-tab:' + tabId, () => new Promise<void>(() => undefined));
  return async () => new Set((await locks.query()).held?.map((l) => l.name ?? '').filter((n) => n.startsWith('keepsake-tab:'))
    .map((n) => n.slice('keepsake-tab:'.length)) ?? []);
}

/** Runs work under the Web Lock {@code name}, shared by the tabs of this browser (without Web Locks, at once). */
export function exclusively(name: string): <T>(work: () => Promise<T>) => Promise<T> {
  const locks = globalThis.navigator?.locks;
  return locks ? (work) => locks.request(name, work) as Promise<never> : (work) => work();
}

/** What a client does when the browser goes online or offline, or the page is shown or hidden. */
export interface PageEvents {
  online(): void;
  offline(): void;
  visibilityChanged(visible: boolean): void;
}

/** Listens to the page's events (none outside a page); returns how to stop. */
export function watchPage(on: PageEvents): () => void {
  if (typeof window === 'undefined' || typeof window.addEventListener !== 'function') {
    return () => undefined;
  }
  const doc = globalThis.document;
  const online = () => on.online();
  const offline = () => on.offline();
  const visibility = () => on.visibilityChanged(doc?.visibilityState === 'visible');
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  doc?.addEventListener('visibilitychange', visibility);
  return () => {
    window.removeEventListener('online', online);
    window.removeEventListener('offline', offline);
    doc?.removeEventListener('visibilitychange', visibility);
  };
}
