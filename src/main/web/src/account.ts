import { Http, HttpError, unreachable } from './http.js';

/**
 * Where the client stands with the user its local state belongs to: {@code signed-in} (the server
 * said so), {@code unconfirmed} (opened offline as the user last signed in here; the server is asked
 * before anything is sent), {@code signed-out} (the server refused the user: nothing is sent until
 * they sign in again) and {@code locked} (signed out here, or someone else signed in: this client is
 * done, the page should start afresh).
 */
export type AccountState = 'signed-in' | 'unconfirmed' | 'signed-out' | 'locked';

/** Who a client is opened for: the user (when the server said), their key (null: nobody's state), where it stands. */
export interface Account {
  user: string | null;
  key: string | null;
  state: AccountState;
  here: SignedInHere;
}

/** Between the tabs of one origin, whoever their user: a sign-out locks them all, a sign-in resumes its user's. */
export type AccountMessage = { type: 'signed-out' } | { type: 'signed-in'; user: string };

/**
 * The name a user's local state goes by (database, channel, locks): SHA-256 of their id, so that
 * names in the browser do not show who used it.
 */
export async function userKey(user: string): Promise<string> {
  const bytes = new TextEncoder().encode(user);
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    const digest = new Uint8Array(await subtle.digest('SHA-256', bytes));
    return [...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  // Pages served over plain HTTP from another host have no crypto.subtle: FNV-1a, 64 bits.
  let hash = 0xcbf29ce484222325n;
  for (const b of bytes) {
    hash = BigInt.asUintN(64, (hash ^ BigInt(b)) * 0x100000001b3n);
  }
  return hash.toString(16).padStart(16, '0');
}

/** The user the server says is signed in; null when nobody is (401). Throws NetworkError or HttpError otherwise. */
export async function whoIsSignedIn(http: Http): Promise<string | null> {
  try {
    return (await http.request<{ user: string }>('GET', '/me')).body.user;
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) {
      return null;
    }
    throw error;
  }
}

/**
 * Who is signed in, by the server; offline, the user last signed in on this browser who has not
 * signed out ({@code unconfirmed}). Signed out: nobody's key.
 */
export async function findAccount(http: Http, here: SignedInHere): Promise<Account> {
  try {
    const user = await whoIsSignedIn(http);
    const key = user === null ? null : await userKey(user);
    here.set(key);
    return { user, key, state: user === null ? 'signed-out' : 'signed-in', here };
  } catch (error) {
    if (!unreachable(error)) {
      throw error;
    }
    const key = here.get();
    return { user: null, key, state: key ? 'unconfirmed' : 'signed-out', here };
  }
}

/**
 * The user signed in on this browser (their key), kept while they are, so that the page opens
 * their state offline; forgotten when they sign out or the server refuses them.
 */
export class SignedInHere {
  private memory: string | null = null;

  constructor(private readonly name: string) {}

  get(): string | null {
    return this.storage ? this.storage.getItem(this.name) : this.memory;
  }

  set(key: string | null): void {
    if (!this.storage) {
      this.memory = key;
    } else if (key) {
      this.storage.setItem(this.name, key);
    } else {
      this.storage.removeItem(this.name);
    }
  }

  private get storage(): Storage | undefined {
    return globalThis.localStorage;
  }
}
