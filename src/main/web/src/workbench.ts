/**
 * The workbench page served at `/`: a board of notes kept by Keepsake through its browser client.
 * `?session=<id>` opens a session, `?snapshot=<id>` a shared snapshot (read-only), and
 * `?autosave=<ms>` sets the save debounce (1 s by default).
 */
import {
  HttpError, Keepsake, type Conflict, type QueuedWrite, type SaveState, type SessionFields, type SessionHandle,
  type SessionMetadata,
} from './keepsake-client.js';
import { HistoryPanel } from './history-panel.js';
import { eraseButton } from './erase-account.js';
import { keepPanelLayout } from './panel-layout.js';

interface Note {
  id: string;
  title: string;
  body: string;
  color: string;
}

interface Board {
  notes: Note[];
}

const COLORS = ['yellow', 'blue', 'green', 'pink'];
const STATE_TEXT: Record<SaveState | 'readonly' | 'loading' | 'signed-out', string> = {
  saved: 'Saved', dirty: 'Unsaved changes', saving: 'Saving…', offline: 'Offline: changes queued',
  conflict: 'Conflict', error: 'Not saved', readonly: 'Read-only snapshot', loading: 'Loading…',
  'signed-out': 'Signed out',
};

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);

let keepsake: Keepsake;
let session: SessionHandle | null = null;
let historyPanel: HistoryPanel | null = null;
let pageCursors: (string | undefined)[] = [undefined];
let page = 0;
let nextToken: string | null = null;
let signingOut = false;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {},
    ...children: (Node | string | null)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value as EventListener);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (value !== undefined && value !== null && value !== false) {
      (element as unknown as Record<string, unknown>)[name] = value;
    }
  }
  element.append(...children.filter((c): c is Node | string => c !== null));
  return element;
}

function boardOf(fields: SessionFields | { content: unknown }): Board {
  const content = fields.content as Partial<Board> | null;
  return { notes: Array.isArray(content?.notes) ? content!.notes.map((n) => ({ ...n })) : [] };
}

function showState(state: SaveState | 'readonly' | 'loading' | 'signed-out'): void {
  const badge = $('state');
  badge.dataset.state = state;
  badge.textContent = STATE_TEXT[state];
}

function showMessage(text: string | null): void {
  const message = $('message');
  message.hidden = !text;
  message.textContent = text ?? '';
}

// ---------------------------------------------------------------- account

function showSignIn(): void {
  const here = encodeURIComponent(location.pathname + location.search);
  $('account').replaceChildren(h('a', { id: 'sign-in', href: `/login?redirect=${here}` }, 'Sign in'));
}

function showUser(user: string | null): void {
  // Signing out is a POST (a link could be followed by anyone's page): it ends this user's cookies everywhere.
  $('account').replaceChildren(user ? h('span', { id: 'user' }, user) : '', ' ',
    h('a', { id: 'export', href: '/persistence/me/export', download: 'keepsake-export.ndjson' }, 'Download my data'), ' ',
    eraseButton(() => { forget(); void loadList(); }), ' ',
    h('form', { id: 'sign-out', method: 'post', action: '/logout', onsubmit: signOut }, h('button', { type: 'submit' }, 'Sign out')));
}

/** Before the form posts: the client sends what it can and locks this user's local copy, in every tab. */
function signOut(event: Event): void {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  signingOut = true;
  showState('loading');
  void keepsake.signOut().catch(() => undefined).finally(() => {
    forget();
    form.submit();
  });
}

/** What the page shows of the user, gone: they signed out (here or in another tab), or someone else signed in. */
function forget(): void {
  session = null;
  historyPanel?.show(null);
  $('editor').hidden = true;
  $('board').replaceChildren();
  for (const list of ['session-list', 'queue-list', 'dead-list', 'my-snapshots', 'visited-list']) {
    $(list).replaceChildren();
  }
}

function accountChanged(): void {
  const state = keepsake.account;
  if (state === 'locked') {
    forget();
    if (signingOut) {
      return;
    }
    if (keepsake.lockedBy === 'signed-in') {
      location.replace('/'); // start afresh, as whoever is signed in now
    } else {
      showSignIn();
      showState('signed-out');
      showMessage('Signed out.');
    }
  } else if (state === 'signed-out') {
    showSignIn();
    showState('signed-out');
    showMessage('Signed out: your changes are kept in this browser and saved when you sign in again.');
  } else if (state === 'signed-in') {
    showUser(keepsake.user);
    showMessage(null);
    showState(session ? session.state : 'saved');
    void loadList();
  }
}

// ---------------------------------------------------------------- sessions list

async function loadList(): Promise<void> {
  const list = $('session-list');
  const query = ($('search-input') as HTMLInputElement).value.trim();
  let items: SessionMetadata[] = [];
  try {
    const found = await keepsake.list({ filter_title: query || undefined, page_size: 10, cursor: pageCursors[page] });
    items = found.items.filter((item) => !item.key); // states under an app's key (this page's layout) are not boards
    nextToken = found.pageToken ?? null;
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) {
      showState('signed-out');
      showSignIn();
    }
    nextToken = null;
  }
  const queue = await keepsake.queued();
  const pending = queue.filter((w) => w.op === 'create' && page === 0);
  // A session made offline is listed under its latest queued title.
  const titleOf = (local: string) => [...queue].reverse().find((w) => w.session === local && w.body)?.body?.title;
  list.replaceChildren(
    ...pending.map((w) => h('li', { className: session?.id === w.session ? 'current' : '', dataset: { id: w.session },
      onclick: () => void openSession(w.session) }, titleOf(w.session) ?? 'New session',
      h('span', { className: 'meta' }, 'queued'))),
    ...items.map((item) => h('li', { className: session?.id === item.id ? 'current' : '', dataset: { id: item.id },
      onclick: () => void openSession(item.id) }, item.title,
      h('span', { className: 'meta' }, `v${item.version}`))),
  );
  if (!items.length && !pending.length) {
    list.append(h('li', { className: 'meta' }, query ? 'No session matches.' : 'No sessions yet.'));
  }
  ($('page-prev') as HTMLButtonElement).disabled = page === 0;
  ($('page-next') as HTMLButtonElement).disabled = !nextToken;
  $('page-number').textContent = `Page ${page + 1}`;
}

// ---------------------------------------------------------------- editor

function renderEditor(fields: SessionFields, readonly = false): void {
  $('editor').hidden = false;
  $('empty').hidden = true;
  const title = $('title') as HTMLInputElement;
  const description = $('description') as HTMLInputElement;
  title.value = fields.title;
  description.value = fields.description ?? '';
  title.disabled = description.disabled = readonly;
  ($('add-note') as HTMLButtonElement).hidden = readonly;
  ($('delete-session') as HTMLButtonElement).hidden = readonly;
  const board = boardOf(fields);
  $('board').replaceChildren(...board.notes.map((note) => noteCard(note, readonly)));
}

function noteCard(note: Note, readonly: boolean): HTMLElement {
  const change = (patch: Partial<Note>) => editNotes((notes) => notes.map((n) => n.id === note.id ? { ...n, ...patch } : n));
  return h('article', { className: 'note', dataset: { noteId: note.id, color: note.color } },
    h('input', { className: 'note-title', value: note.title, disabled: readonly, placeholder: 'Title',
      oninput: (e: Event) => change({ title: (e.target as HTMLInputElement).value }) }),
    h('textarea', { className: 'note-body', value: note.body, disabled: readonly, placeholder: 'Write here…',
      oninput: (e: Event) => change({ body: (e.target as HTMLTextAreaElement).value }) }),
    h('div', { className: 'row' },
      h('select', { className: 'note-color', disabled: readonly, onchange: (e: Event) => {
        const color = (e.target as HTMLSelectElement).value;
        (e.target as HTMLElement).closest('article')!.dataset.color = color;
        change({ color });
      } }, ...COLORS.map((c) => h('option', { value: c, selected: c === note.color }, c))),
      readonly ? null : h('button', { className: 'note-delete quiet', type: 'button', onclick: () => {
        editNotes((notes) => notes.filter((n) => n.id !== note.id));
        renderEditor(session!.fields);
      } }, 'Remove')));
}

function editNotes(change: (notes: Note[]) => Note[]): void {
  if (!session) {
    return;
  }
  const board = boardOf(session.fields);
  session.update({ content: { ...(session.fields.content as object ?? {}), notes: change(board.notes) } });
}

async function openSession(id: string): Promise<void> {
  if (session?.id === id) {
    return;
  }
  const previous = session;
  session = null;
  await previous?.close();
  showMessage(null);
  $('readonly').hidden = true;
  showState('loading');
  try {
    session = await keepsake.open(id);
  } catch (error) {
    showMessage(error instanceof HttpError && error.status === 404 ? 'That session does not exist (or is not yours).'
      : 'The session could not be opened: ' + (error as Error).message);
    $('editor').hidden = true;
    $('empty').hidden = false;
    setUrl({});
    return;
  }
  bind(session);
  setUrl({ session: session.id });
  renderEditor(session.fields);
  void loadList();
}

function bind(handle: SessionHandle): void {
  showState(handle.state);
  historyPanel?.show(handle);
  ($('share') as HTMLButtonElement).disabled = false;
  handle.addEventListener('state', () => {
    if (handle === session) {
      showState(handle.state);
      if (handle.state === 'error' && handle.error) {
        showMessage('Not saved: ' + handle.error);
      } else if (handle.state === 'saved') {
        showMessage(null);
      }
    }
  });
  handle.addEventListener('change', (event) => {
    if (handle === session && (event as CustomEvent).detail.remote) {
      renderEditor(handle.fields);
      void loadList();
    }
  });
  handle.addEventListener('saved', () => void loadList());
  handle.addEventListener('id', (event) => {
    if (handle === session) {
      setUrl({ session: (event as CustomEvent).detail.to });
      void loadList();
    }
  });
  handle.addEventListener('conflict', () => handle === session && showConflict(handle.conflict!));
  handle.addEventListener('recovery', () => handle === session && showRecovery());
  if (handle.conflict) {
    showConflict(handle.conflict);
  }
  showRecovery();
}

function showRecovery(): void {
  const recovery = session?.recovery;
  $('recovery').hidden = !recovery;
  if (recovery) {
    $('recovery-text').textContent = `Unsaved changes from ${recovery.savedAt.toLocaleString()} were found.`;
  }
}

function describe(fields: SessionFields | null): Node[] {
  if (!fields) {
    return [h('li', {}, '(deleted)')];
  }
  const notes = boardOf(fields).notes;
  return [h('li', {}, `Title: ${fields.title}`), ...notes.map((n) => h('li', {}, `${n.title || '(untitled)'}: ${n.body}`))];
}

function showConflict(conflict: Conflict): void {
  const dialog = $('conflict') as HTMLDialogElement;
  $('conflict-text').textContent = conflict.reason === 'expired'
    ? 'This session expired: it went unchanged for its idle lifetime and was deleted.'
    : conflict.reason === 'deleted'
      ? 'This session was deleted elsewhere while you had unsaved changes.'
      : 'Another tab or device saved this session while you had unsaved changes.';
  $('conflict-theirs').replaceChildren(...describe(conflict.server));
  $('conflict-mine').replaceChildren(...describe(conflict.local));
  if (!dialog.open) {
    dialog.showModal();
  }
}

/** Both sides' notes: theirs as saved, with our edits of the same notes and our new notes added. */
function merge(local: SessionFields, theirs: SessionFields): SessionFields {
  const ours = boardOf(local).notes;
  const merged = boardOf(theirs).notes.map((note) => ours.find((n) => n.id === note.id) ?? note);
  for (const note of ours) {
    if (!merged.some((n) => n.id === note.id)) {
      merged.push(note);
    }
  }
  return { title: local.title, description: local.description, content: { ...(theirs.content as object), notes: merged } };
}

async function resolveConflict(choice: 'reload' | 'overwrite' | 'merge'): Promise<void> {
  ($('conflict') as HTMLDialogElement).close();
  if (!session) {
    return;
  }
  await session.resolve(choice === 'merge' ? merge : choice);
  renderEditor(session.fields);
}

// ---------------------------------------------------------------- snapshots

async function openSnapshot(id: string): Promise<void> {
  session = null;
  showState('loading');
  try {
    const snapshot = await keepsake.snapshots.get(id);
    renderEditor(snapshot, true);
    showState('readonly');
    $('readonly').hidden = false;
    $('readonly-text').textContent = `“${snapshot.title}”, a snapshot shared by ${snapshot.ownerId} (read-only).`;
    $('readonly-copy').onclick = async () => {
      const copy = await keepsake.create({ title: snapshot.title, description: snapshot.description, content: snapshot.content });
      $('readonly').hidden = true;
      session = copy;
      bind(copy);
      setUrl({ session: copy.id });
      renderEditor(copy.fields);
      void loadList();
    };
  } catch (error) {
    showMessage(error instanceof HttpError && error.status === 404 ? 'This snapshot does not exist or was deleted.'
      : error instanceof HttpError && error.status === 410 ? 'This snapshot has expired.'
      : 'The snapshot could not be opened: ' + (error as Error).message);
    showState('error');
  }
  void loadVisited();
}

async function share(): Promise<void> {
  if (!session) {
    return;
  }
  try {
    const expiresAt = shareEnd();
    const snapshot = await keepsake.snapshots.create({ ...session.fields, title: session.fields.title, expiresAt });
    $('share-result').hidden = false;
    $('share-ends').textContent = snapshot.expiresAt ? `Expires ${new Date(snapshot.expiresAt).toLocaleString()}.` : '';
    ($('share-url') as HTMLInputElement).value = snapshot.shareUrl;
    void loadSnapshots();
  } catch (error) {
    showMessage('The snapshot could not be made' + (keepsake.online ? ': ' + (error as Error).message : ' while offline.'));
  }
}

/** The end chosen for the next snapshot: the end of the picked day, local time; none if no day is picked. */
function shareEnd(): string | undefined {
  const day = ($('share-expires') as HTMLInputElement).value;
  return day ? new Date(`${day}T23:59:59.999`).toISOString() : undefined;
}

async function loadSnapshots(): Promise<void> {
  try {
    const mine = await keepsake.snapshots.list({ page_size: 5 });
    const withVisits = await Promise.all(mine.items.map((s) => keepsake.snapshots.metadata(s.id).catch(() => s)));
    $('my-snapshots').replaceChildren(...withVisits.map((s) => h('li', { dataset: { id: s.id } },
      h('a', { href: s.shareUrl, target: '_blank', rel: 'noopener' }, s.title),
      h('span', { className: 'visits', title: s.expiresAt ? `Expires ${new Date(s.expiresAt).toLocaleString()}` : '' },
        `${s.visits ?? 0} visit${s.visits === 1 ? '' : 's'}${s.expiresAt ? ', ends ' + new Date(s.expiresAt).toLocaleDateString() : ''}`))));
  } catch {
    // offline: the list stays as it was
  }
}

async function loadVisited(): Promise<void> {
  try {
    const visited = await keepsake.snapshots.visited({ page_size: 10 });
    $('visited-list').replaceChildren(...visited.items.map((log) => h('li', { dataset: { id: log.snapshotId } },
      h('a', { href: `/?snapshot=${encodeURIComponent(log.snapshotId)}` }, log.snapshotTitle),
      h('span', {}, `${log.snapshotOwnerId}, ${log.visits}×`),
      h('button', { className: 'quiet forget', type: 'button', onclick: async () => {
        await keepsake.snapshots.forget(log.snapshotId);
        void loadVisited();
      } }, 'Forget'))));
    if (!visited.items.length) {
      $('visited-list').append(h('li', {}, 'None yet.'));
    }
  } catch {
    // offline
  }
}

// ---------------------------------------------------------------- queue

function describeWrite(write: QueuedWrite): string {
  const what = write.op === 'create' ? `Create “${write.body?.title}”` : write.op === 'delete' ? 'Delete'
    : write.op === 'restore' ? `Restore v${write.revision}` : `Save “${write.body?.title}”`;
  return write.attempts ? `${what} (${write.attempts} attempt${write.attempts > 1 ? 's' : ''})` : what;
}

async function loadQueue(): Promise<void> {
  const [queued, dead] = await Promise.all([keepsake.queued(), keepsake.dead()]);
  $('queue-count').textContent = String(queued.length);
  $('dead-count').textContent = String(dead.length);
  $('queue-list').replaceChildren(...queued.map((w) => h('li', { dataset: { key: w.key, op: w.op } }, describeWrite(w))));
  $('dead-list').replaceChildren(...dead.map((w) => h('li', { className: 'dead', dataset: { key: w.key } },
    h('span', {}, `${describeWrite(w)}: ${w.lastError ?? ''}`),
    h('button', { className: 'quiet', type: 'button', onclick: () => void keepsake.retryDead(w.key) }, 'Retry'),
    h('button', { className: 'quiet', type: 'button', onclick: () => void keepsake.discardDead(w.key) }, 'Discard'))));
}

// ---------------------------------------------------------------- page

function setUrl(query: Record<string, string>): void {
  const next = new URLSearchParams(query);
  if (params.get('autosave')) {
    next.set('autosave', params.get('autosave')!);
  }
  history.replaceState(null, '', next.toString() ? '?' + next : location.pathname);
}

function wire(): void {
  ($('title') as HTMLInputElement).addEventListener('input', (e) => session?.update({ title: (e.target as HTMLInputElement).value }));
  ($('description') as HTMLInputElement).addEventListener('input',
    (e) => session?.update({ description: (e.target as HTMLInputElement).value }));
  $('add-note').addEventListener('click', () => {
    editNotes((notes) => [...notes, { id: crypto.randomUUID().slice(0, 8), title: '', body: '', color: COLORS[notes.length % 4] }]);
    renderEditor(session!.fields);
    ($('board').lastElementChild?.querySelector('.note-title') as HTMLInputElement | null)?.focus();
  });
  $('delete-session').addEventListener('click', async () => {
    if (session && confirm(`Delete “${session.fields.title}”?`)) {
      await session.delete();
      session = null;
      historyPanel?.show(null);
      $('editor').hidden = true;
      $('empty').hidden = false;
      setUrl({});
      void loadList();
    }
  });
  $('new-session').addEventListener('click', async () => {
    const previous = session;
    session = null;
    await previous?.close();
    $('readonly').hidden = true;
    const created = await keepsake.create({ title: 'Untitled board', description: '',
      content: { notes: [{ id: crypto.randomUUID().slice(0, 8), title: 'First note', body: '', color: 'yellow' }] } });
    session = created;
    bind(created);
    setUrl({ session: created.id });
    renderEditor(created.fields);
    void loadList();
  });
  $('search').addEventListener('submit', (e) => {
    e.preventDefault();
    pageCursors = [undefined];
    page = 0;
    void loadList();
  });
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  $('search-input').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => $('search').dispatchEvent(new Event('submit', { cancelable: true })), 300);
  });
  $('page-next').addEventListener('click', () => {
    if (nextToken) {
      pageCursors[page + 1] = nextToken;
      page++;
      void loadList();
    }
  });
  $('page-prev').addEventListener('click', () => {
    if (page > 0) {
      page--;
      void loadList();
    }
  });
  $('recovery-restore').addEventListener('click', async () => {
    await session?.restore();
    $('recovery').hidden = true;
    if (session) {
      renderEditor(session.fields);
    }
  });
  $('recovery-discard').addEventListener('click', async () => {
    await session?.discardRecovery();
    $('recovery').hidden = true;
  });
  $('conflict-reload').addEventListener('click', () => void resolveConflict('reload'));
  $('conflict-overwrite').addEventListener('click', () => void resolveConflict('overwrite'));
  $('conflict-merge').addEventListener('click', () => void resolveConflict('merge'));
  $('conflict').addEventListener('cancel', (e) => e.preventDefault()); // a choice is needed
  $('share').addEventListener('click', () => void share());
  ($('share-expires') as HTMLInputElement).min = new Date().toLocaleDateString('en-CA'); // YYYY-MM-DD, local
  $('share-copy').addEventListener('click', () => void navigator.clipboard?.writeText(($('share-url') as HTMLInputElement).value));
  $('flush').addEventListener('click', () => void keepsake.flush());
  // Leaving with unsaved edits: save them now (the draft keeps them if that does not get through).
  addEventListener('pagehide', () => void session?.save());
}

async function main(): Promise<void> {
  wire();
  if ('serviceWorker' in navigator) {
    // Keeps the page and the client in the browser's cache, so that the workbench opens offline.
    navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready).then(() => {
      document.body.dataset.offlineReady = String(!!navigator.serviceWorker.controller);
      navigator.serviceWorker.addEventListener('controllerchange', () => { document.body.dataset.offlineReady = 'true'; });
    }).catch(() => undefined);
  }
  const autosave = Number(params.get('autosave'));
  keepsake = await Keepsake.connect({ debounceMs: Number.isFinite(autosave) && autosave > 0 ? autosave : 1000 });
  keepsake.addEventListener('account', accountChanged);
  historyPanel = new HistoryPanel($('history-panel'), keepsake,
    { describe, restored: (handle) => handle === session && renderEditor(handle.fields) });
  if (keepsake.account === 'signed-out') {
    showSignIn();
  } else {
    showUser(keepsake.user); // opened offline: the name comes with the notice socket
  }
  keepsake.addEventListener('user', (e) => {
    if (!document.getElementById('user')) {
      showUser((e as CustomEvent<string>).detail);
    }
  });
  keepsake.addEventListener('notices', (e) => {
    const status = (e as CustomEvent<string>).detail;
    $('connection').textContent = status === 'socket' ? 'Live' : status === 'polling' ? 'Live (polling)'
      : status === 'paused' ? 'Paused' : status === 'offline' ? 'Offline' : status === 'connecting' ? 'Connecting…' : '';
  });
  keepsake.addEventListener('queue', () => void loadQueue());
  keepsake.addEventListener('dead', () => void loadQueue());
  keepsake.addEventListener('connectivity', () => {
    if (session) {
      showState(session.state);
    }
    void loadQueue();
  });
  keepsake.addEventListener('notice', (e) => {
    const type = (e as CustomEvent<{ type: string }>).detail.type;
    if (type.startsWith('session.')) {
      void loadList();
    } else if (type.startsWith('snapshot.')) {
      void loadSnapshots();
    }
  });
  void loadQueue();
  if (keepsake.account === 'signed-out') {
    showState('signed-out');
    showMessage('Sign in to see your sessions.');
    document.body.dataset.ready = 'true';
    return;
  }
  void loadList();
  void loadSnapshots();
  void loadVisited();
  void keepPanelLayout(keepsake, document.querySelector<HTMLElement>('aside.panels')!);
  const snapshot = params.get('snapshot');
  const id = params.get('session');
  if (snapshot) {
    await openSnapshot(snapshot);
  } else if (id) {
    await openSession(id);
  } else {
    showState('saved');
    $('state').textContent = 'No session open';
  }
  document.body.dataset.ready = 'true';
}

void main();
