/**
 * "Delete all my data": a confirmation that names what goes, then DELETE /persistence/me, and the
 * erase followed at /persistence/me/erasure until it is done. The page's own module (not part of
 * the client package).
 */

/** Where an erase stands, as /persistence/me/erasure answers. */
interface ErasureStatus {
  status: 'pending' | 'running' | 'done';
  deleted?: Record<string, number>;
}

const POLL_MS = 1000;

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) {
    throw new Error(`#${id} is missing from the page`);
  }
  return found;
}

function show(text: string): void {
  const status = element('erase-status');
  status.hidden = false;
  status.textContent = text;
}

async function erasure(): Promise<ErasureStatus> {
  const answer = await fetch('/persistence/me/erasure', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!answer.ok) {
    throw new Error(`the erase's status answered ${answer.status}`);
  }
  return await answer.json() as ErasureStatus;
}

/** Asks for the erase and follows it; {@code erased} runs once it is done. */
async function erase(erased: () => void): Promise<void> {
  show('Deleting all your data…');
  const asked = await fetch('/persistence/me', { method: 'DELETE', credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (asked.status !== 202) {
    show(`Your data could not be deleted (${asked.status}); try again later.`);
    return;
  }
  for (;;) {
    const now = await erasure();
    if (now.status === 'done') {
      const deleted = now.deleted ?? {};
      show(`All your data was deleted: ${deleted.sessions ?? 0} sessions, ${deleted.revisions ?? 0} earlier versions, `
        + `${deleted.snapshots ?? 0} snapshots.`);
      erased();
      return;
    }
    show(now.status === 'pending' ? 'Your data will be deleted in a few seconds…' : 'Deleting all your data…');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The button that opens the confirmation, for the account area. */
export function eraseButton(erased: () => void): HTMLButtonElement {
  const button = document.createElement('button');
  button.id = 'erase-all';
  button.type = 'button';
  button.textContent = 'Delete all my data';
  button.addEventListener('click', () => {
    const dialog = element('erase-dialog') as HTMLDialogElement;
    dialog.returnValue = '';
    dialog.addEventListener('close', () => {
      if (dialog.returnValue === 'erase') {
        void erase(erased).catch((error: unknown) => show(`Deleting your data failed: ${String(error)}`));
      }
    }, { once: true });
    dialog.showModal();
  });
  return button;
}
