// Keeps the workbench page and the Keepsake client in the browser, so that the page opens offline
// (its unsaved work and queued writes are in IndexedDB). Network first, the cached copy when the
// network fails; the API itself is never cached here.
const CACHE = 'keepsake-workbench-v7';
const SHELL = [
  '/',
  '/workbench.css',
  '/keepsake/workbench.js',
  '/keepsake/keepsake-client.js',
  '/keepsake/account.js',
  '/keepsake/account-guard.js',
  '/keepsake/browser.js',
  '/keepsake/canonical.js',
  '/keepsake/history.js',
  '/keepsake/history-panel.js',
  '/keepsake/erase-account.js',
  '/keepsake/http.js',
  '/keepsake/keyed-states.js',
  '/keepsake/local-store.js',
  '/keepsake/notices.js',
  '/keepsake/open-sessions.js',
  '/keepsake/panel-layout.js',
  '/keepsake/session-handle.js',
  '/keepsake/session-writes.js',
  '/keepsake/snapshots.js',
  '/keepsake/types.js',
  '/keepsake/write-batch.js',
  '/keepsake/write-queue.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) {
    return;
  }
  const page = event.request.mode === 'navigate' && url.pathname === '/';
  if (!page && !SHELL.includes(url.pathname)) {
    return; // the API, share links, everything else: straight to the network
  }
  const key = page ? '/' : url.pathname;
  event.respondWith(fetch(event.request)
    .then((response) => {
      if (response.ok) {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
      }
      return response;
    })
    .catch(() => caches.match(key).then((cached) => cached ?? Response.error())));
});
