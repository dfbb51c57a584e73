/**
 * The workbench's history panel: the open session's revisions (version, time, title), a preview of
 * the one picked, what changed since it, and a Restore button that makes it the next version.
 */
import type { Keepsake, PatchOperation, RevisionMetadata, SessionFields, SessionHandle } from './keepsake-client.js';

export interface HistoryPanelOptions {
  /** The list items the page shows for a session's fields (the conflict dialog's). */
  describe: (fields: SessionFields) => Node[];
  /** A revision was restored into the handle: its fields changed under the editor. */
  restored: (handle: SessionHandle) => void;
}

const PAGE_SIZE = 20;
const OPS: Record<PatchOperation['op'], string> = {
  add: 'added', remove: 'removed', replace: 'changed', move: 'moved', copy: 'copied', test: 'checked',
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { dataset?: Record<string, string> } = {},
    ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const { dataset, ...rest } = props;
  const element = Object.assign(document.createElement(tag), rest);
  Object.assign(element.dataset, dataset ?? {});
  element.append(...children);
  return element;
}

/** A JSON value in a line: strings as they are, the rest as JSON, long ones cut. */
function shortJson(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? 'nothing';
  return text.length > 80 ? text.slice(0, 79) + '…' : text;
}

/** One patch operation as a line: what happened, where, and to what. */
export function describeOperation(op: PatchOperation): Node {
  return el('li', { className: 'patch-op', dataset: { op: op.op, path: op.path } },
    el('span', { className: 'op' }, OPS[op.op] ?? op.op), ' ',
    el('code', {}, op.op === 'move' || op.op === 'copy' ? `${op.from} → ${op.path}` : op.path || '/'),
    ...(op.op === 'remove' || op.op === 'move' ? [] : [' ', el('span', { className: 'value' }, shortJson(op.value))]));
}

/** The panel in {@code root} (a section the page provides): hidden while no session of the user's is open. */
export class HistoryPanel {
  private handle: SessionHandle | null = null;
  private listening: AbortController | null = null;
  private picked: number | null = null;
  private cursor: string | null = null;
  /** Whether the status line says the list could not be read (a later read clears it; nothing else does). */
  private unread = false;
  private readonly details: HTMLDetailsElement;
  private readonly list: HTMLUListElement;
  private readonly more: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly preview: HTMLElement;

  constructor(private readonly root: HTMLElement, private readonly keepsake: Keepsake,
      private readonly options: HistoryPanelOptions) {
    this.list = el('ul', { id: 'history-list', className: 'small-list' });
    this.more = el('button', { id: 'history-more', type: 'button', className: 'quiet', hidden: true }, 'Older versions');
    this.status = el('p', { id: 'history-status', className: 'history-status' });
    this.preview = el('div', { id: 'history-preview', hidden: true });
    this.details = el('details', { id: 'history' },
      el('summary', { id: 'history-toggle' }, el('h2', {}, 'History')), this.status, this.list, this.more, this.preview);
    this.details.addEventListener('toggle', () => this.details.open && void this.load());
    this.more.addEventListener('click', () => void this.load(true));
    root.replaceChildren(this.details);
    root.hidden = true;
  }

  /** The session the page has open now (null: none). */
  show(handle: SessionHandle | null): void {
    if (handle === this.handle) {
      return;
    }
    this.listening?.abort();
    this.listening = null;
    this.handle = handle;
    this.picked = null;
    this.list.replaceChildren();
    this.preview.hidden = true;
    this.unread = false;
    this.say('');
    this.root.hidden = !handle;
    if (!handle) {
      return;
    }
    // Each save keeps the state it replaced: the list grows with every save, here or elsewhere.
    this.listening = new AbortController();
    const reload = () => this.details.open && void this.load();
    handle.addEventListener('saved', reload, { signal: this.listening.signal });
    handle.addEventListener('change', (event) => (event as CustomEvent).detail.remote && reload(),
      { signal: this.listening.signal });
    reload();
  }

  private say(text: string): void {
    this.status.textContent = text;
    this.status.hidden = !text;
  }

  /** The first page of revisions (or, for {@code older}, the next one). */
  private async load(older = false): Promise<void> {
    const handle = this.handle;
    if (!handle || handle.id.startsWith('local-')) {
      this.list.replaceChildren(el('li', {}, 'Saved versions show here once the session is saved.'));
      return;
    }
    try {
      const page = await this.keepsake.history.list(handle.id, { page_size: PAGE_SIZE,
        cursor: older ? this.cursor ?? undefined : undefined });
      if (handle !== this.handle) {
        return;
      }
      this.cursor = page.pageToken ?? null;
      this.more.hidden = !this.cursor;
      const rows = page.items.map((revision) => this.row(revision));
      if (older) {
        this.list.append(...rows);
      } else {
        this.list.replaceChildren(this.currentRow(handle),
          ...(rows.length ? rows : [el('li', {}, 'No earlier versions yet: each save keeps the one it replaces.')]));
      }
      if (this.unread) {
        this.unread = false;
        this.say('');
      }
    } catch (error) {
      if (handle === this.handle) {
        this.unread = true;
        this.say('The history could not be read' + (this.keepsake.online ? ': ' + (error as Error).message : ' while offline.'));
      }
    }
  }

  private currentRow(handle: SessionHandle): HTMLLIElement {
    const version = handle.server?.version ?? 0;
    return el('li', { className: 'history-current', dataset: { version: String(version) } },
      el('span', { className: 'version' }, `v${version}`),
      el('span', { className: 'title' }, handle.fields.title),
      el('span', { className: 'when' }, 'current'));
  }

  private row(revision: RevisionMetadata): HTMLLIElement {
    const item = el('li', { className: revision.version === this.picked ? 'picked' : '',
      dataset: { version: String(revision.version) } },
      el('span', { className: 'version' }, `v${revision.version}`),
      el('span', { className: 'title' }, revision.title),
      el('time', { className: 'when', dateTime: revision.savedAt, title: `Saved by ${revision.author}` },
        new Date(revision.savedAt).toLocaleString()));
    item.addEventListener('click', () => void this.pick(revision.version));
    return item;
  }

  /** Shows a revision: its fields, what changed since, and Restore. */
  private async pick(version: number): Promise<void> {
    const handle = this.handle;
    if (!handle?.server) {
      return;
    }
    this.picked = version;
    for (const item of this.list.querySelectorAll<HTMLElement>('li[data-version]')) {
      item.classList.toggle('picked', item.dataset.version === String(version));
    }
    const current = handle.server.version;
    try {
      const [revision, changes] = await Promise.all([this.keepsake.history.get(handle.id, version),
        this.keepsake.history.diff(handle.id, version, current)]);
      if (handle !== this.handle || this.picked !== version) {
        return;
      }
      const restore = el('button', { id: 'history-restore', type: 'button' }, `Restore v${version}`);
      restore.addEventListener('click', () => void this.restore(handle, version, restore));
      this.preview.replaceChildren(
        el('h3', {}, `v${version}, saved ${new Date(revision.savedAt).toLocaleString()} by ${revision.author}`),
        el('ul', { id: 'history-fields', className: 'history-fields' }, ...this.options.describe(revision)),
        el('h3', {}, `Changed since, up to v${current}`),
        el('ul', { id: 'history-diff', className: 'small-list' },
          ...(changes.length ? changes.map(describeOperation) : [el('li', {}, 'Nothing: it is the same as now.')])),
        restore);
      this.preview.hidden = false;
    } catch (error) {
      if (handle === this.handle) {
        this.say(`v${version} could not be read: ${(error as Error).message}`);
      }
    }
  }

  private async restore(handle: SessionHandle, version: number, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    this.say(`Restoring v${version}…`);
    try {
      await this.keepsake.history.restore(handle, version);
      this.options.restored(handle);
      this.picked = null;
      this.preview.hidden = true;
      // Queued like a save: written when the handle says saved, or refused as a conflict the page shows.
      const signal = this.listening?.signal;
      handle.addEventListener('saved', () => this.say(`v${version} restored as v${handle.server?.version}.`),
        { once: true, signal });
      handle.addEventListener('conflict', () => this.say(''), { once: true, signal });
    } catch (error) {
      button.disabled = false;
      this.say(`v${version} could not be restored: ${(error as Error).message}`);
    }
  }
}
