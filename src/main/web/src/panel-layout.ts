/**
 * The workbench's own layout, kept with {@code keepsake.state()} under a key of the user's: which
 * side panels are collapsed, the same after a reload, in the other tabs and on other devices. An
 * example of a state under an app's own key in a few lines: load, debounced saves, changes from
 * elsewhere, and a conflict settled by taking the state saved elsewhere.
 */
import type { Keepsake, SessionHandle } from './keepsake-client.js';

const KEY = 'workbench:layout';

/** Adds a collapse button to each titled panel of {@code panels} and keeps which ones are collapsed. */
export async function keepPanelLayout(keepsake: Keepsake, panels: HTMLElement): Promise<void> {
  // A panel with a heading of its own (the History panel folds as a <details> already).
  const sections = [...panels.querySelectorAll<HTMLElement>(':scope > section[id]')]
    .filter((s) => s.querySelector(':scope > h2'));
  let collapsed = new Set<string>();
  let layout: SessionHandle | null = null;
  let touched = false;
  const show = () => {
    for (const section of sections) {
      const closed = collapsed.has(section.id);
      section.classList.toggle('collapsed', closed);
      section.querySelector('button.collapse')?.setAttribute('aria-expanded', String(!closed));
    }
  };
  const save = () => layout?.update({ content: { collapsed: [...collapsed].sort() } });
  for (const section of sections) {
    const toggle = document.createElement('button');
    Object.assign(toggle, { type: 'button', className: 'quiet collapse', title: 'Collapse or expand' });
    toggle.setAttribute('aria-controls', section.id);
    toggle.addEventListener('click', () => {
      collapsed.has(section.id) ? collapsed.delete(section.id) : collapsed.add(section.id);
      touched = true;
      show();
      save();
    });
    section.querySelector(':scope > h2')!.prepend(toggle);
  }
  show();
  try {
    layout = await keepsake.state(KEY, { title: 'Workbench layout', initial: { collapsed: [] } });
  } catch {
    return; // offline before this browser ever kept it: the panels stay as they are, unsaved
  }
  const handle = layout;
  const apply = () => {
    collapsed = new Set(collapsedIn(handle.fields.content));
    show();
  };
  handle.addEventListener('change', apply);
  handle.addEventListener('conflict', () => void handle.resolve('reload'));
  if (touched) {
    save(); // toggled while it loaded: this tab's choice is the newest
  } else {
    apply();
  }
  panels.dataset.layout = 'kept';
}

function collapsedIn(content: unknown): string[] {
  const list = (content as { collapsed?: unknown } | null)?.collapsed;
  return Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string') : [];
}
