// A Keepsake stand-in for the client's unit tests: sessions with versions, entity tags and owners,
// conditional writes, Idempotency-Key replays, batches (POST /batch) and states under a key,
// revisions (list, read, diff, restore), a session quota, who is signed in (the cookie's user:
// null answers 401), and switches to play a lost network or a 503.
import { canonicalize } from '../../../target/classes/META-INF/resources/keepsake/canonical.js';

export class FakeServer {
  constructor() {
    this.sessions = new Map();
    this.revisions = new Map(); // session id -> the states its changes replaced, oldest first
    this.keys = new Map();
    this.requests = [];
    this.down = false; // fetch throws, as with no network
    this.unavailable = false; // 503 with Retry-After
    this.loseAnswers = 0; // the write happens, its answer is lost
    this.nextId = 1;
    this.user = 'alice'; // who the browser's cookie signs in; null: nobody
    this.maxSessions = Infinity; // per user; a create past it is 409 naming the setting
    this.statesMade = 0;
    this.batches = true; // false: POST /batch is 404, as on a server without it
    this.maxOperations = 100; // a batch of more is 413
    this.batched = []; // the operations of each batch taken
    this.operations = []; // each operation run in a batch, its references resolved
    this.failOperation = null; // (operation, index) => an answer that stands in for running it
    this.fetch = this.fetch.bind(this);
  }

  seed(title, content, owner = 'alice') {
    const id = 'S' + String(this.nextId++).padStart(11, '0');
    this.sessions.set(id, { id, ownerId: owner, title, description: '', content, version: 1,
      createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() });
    return id;
  }

  etag(session) {
    return `"${session.version}-${canonicalize([session.title, session.description, session.content]).length}"`;
  }

  writes(method) {
    return this.requests.filter((r) => r.method === method);
  }

  titled(title) {
    return [...this.sessions.values()].filter((s) => s.title === title);
  }

  async fetch(url, init = {}) {
    if (this.down) {
      throw new TypeError('Failed to fetch');
    }
    const method = init.method ?? 'GET';
    const path = new URL(url, 'http://keepsake.test').pathname.replace('/persistence', '');
    const headers = new Headers(init.headers);
    const body = init.body ? JSON.parse(init.body) : undefined;
    this.requests.push({ method, path, headers, body, user: this.user });
    if (!this.user) {
      return json(401, { title: 'Unauthorized', status: 401 });
    }
    if (path === '/me') {
      return json(200, { user: this.user });
    }
    if (this.unavailable) {
      return json(503, { title: 'Service Unavailable', detail: 'store down' }, { 'Retry-After': '0' });
    }
    if (path === '/batch' && method === 'POST') {
      return this.deliver(this.batches ? this.batch(body, headers) : { status: 404, body: { detail: 'no such path' } });
    }
    return this.deliver(this.perform(method, path, headers, body));
  }

  /** One write or read, with its Idempotency-Key honoured: alone, or as an operation of a batch. */
  perform(method, path, headers, body) {
    const key = headers.get('Idempotency-Key');
    if (key && method !== 'GET') {
      const fingerprint = method + path + (headers.get('If-Match') ?? '') + canonicalize(body ?? null);
      const seen = this.keys.get(key);
      if (seen) {
        if (seen.fingerprint !== fingerprint) {
          return { status: 422, body: { detail: 'This Idempotency-Key was already used for a different request' } };
        }
        return seen;
      }
      const answer = this.handle(method, path, headers, body);
      if (answer.status < 300) {
        this.keys.set(key, { fingerprint, ...answer });
      }
      return answer;
    }
    return this.handle(method, path, headers, body);
  }

  /** {@code POST /batch}: the operations in order, {@code $n} standing for operation n's created id or ETag. */
  batch(request, headers) {
    if (request.operations.length > this.maxOperations) {
      return { status: 413, body: { title: 'Payload Too Large', status: 413, limit: 'keepsake.batch.max-operations' } };
    }
    const results = [];
    this.batched.push(request.operations);
    for (const operation of request.operations) {
      let failed = null;
      const resolve = (text, what) => text?.replace(/\$(\d+)/, (_, n) => {
        const earlier = results[Number(n) - 1];
        if (!earlier || earlier.status >= 300) {
          failed = Number(n);
          return '';
        }
        return what === 'id' ? earlier.body.id : earlier.headers.ETag;
      });
      const path = resolve(operation.path, 'id');
      const ifMatch = resolve(operation.headers?.['If-Match'], 'etag');
      if (failed) {
        results.push({ status: 424, headers: {}, body: { title: 'Failed Dependency', status: 424, dependsOn: failed } });
        continue;
      }
      const opHeaders = new Headers({ ...operation.headers, 'Keepsake-Client-Id': headers.get('Keepsake-Client-Id') ?? '' });
      if (ifMatch !== undefined) {
        opHeaders.set('If-Match', ifMatch);
      }
      this.operations.push({ method: operation.method, path, headers: opHeaders, body: operation.body });
      const forced = this.failOperation?.(operation, results.length);
      const answer = forced ?? this.perform(operation.method, path, opHeaders, operation.body);
      results.push({ status: answer.status, headers: answer.headers ?? {}, body: answer.body ?? null });
    }
    return { status: 200, body: { results } };
  }

  deliver(answer) {
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      throw new TypeError('network connection lost');
    }
    return json(answer.status, answer.body, answer.headers);
  }

  handle(method, path, headers, body) {
    const [, kind, id, sub, ...rest] = path.split('/');
    if (kind === 'states' && id) {
      return this.state(method, decodeURIComponent(id), headers, body);
    }
    if (kind !== 'sessions') {
      return { status: 404, body: { detail: 'no such path' } };
    }
    if (method === 'POST' && !id) {
      if (!body?.title) {
        return { status: 400, body: { detail: 'title is required', field: 'title' } };
      }
      if ([...this.sessions.values()].filter((s) => s.ownerId === this.user).length >= this.maxSessions) {
        return { status: 409, body: { title: 'Conflict', status: 409, limit: 'keepsake.quotas.max-sessions-per-user',
          detail: `This user already has ${this.maxSessions} sessions, the most allowed; delete some first` } };
      }
      const created = this.seed(body.title, body.content, this.user);
      const session = this.sessions.get(created);
      session.description = body.description ?? '';
      return { status: 201, body: meta(session), headers: { ETag: this.etag(session), Location: '/persistence/sessions/' + created } };
    }
    const session = this.sessions.get(id);
    if (!session || session.ownerId !== this.user) {
      return { status: 404, body: { detail: 'Session not found' } };
    }
    if (sub === 'revisions') {
      return this.history(method, session, headers, rest);
    }
    if (method === 'GET') {
      return { status: 200, body: { ...meta(session), content: session.content }, headers: { ETag: this.etag(session) } };
    }
    const ifMatch = headers.get('If-Match');
    if (method === 'DELETE') {
      this.sessions.delete(id);
      return { status: 204, body: null };
    }
    if (!ifMatch) {
      return { status: 428, body: { detail: 'If-Match required' } };
    }
    if (ifMatch !== '*' && ifMatch !== this.etag(session)) {
      return { status: 412, body: { detail: 'stale', version: session.version, etag: this.etag(session) },
        headers: { ETag: this.etag(session) } };
    }
    if (body.title.length > 50) {
      return { status: 400, body: { detail: 'title too long', field: 'title' } };
    }
    this.keep(session);
    Object.assign(session, { title: body.title, description: body.description ?? '', content: body.content,
      version: session.version + 1, updatedAt: new Date().toISOString() });
    return { status: 200, body: meta(session), headers: { ETag: this.etag(session) } };
  }

  /** {@code /states/{key}}: a session found by the app's key; PUT with If-None-Match: * makes it (412 when it is there). */
  state(method, key, headers, body) {
    const found = [...this.sessions.values()].find((s) => s.key === key && s.ownerId === this.user);
    if (method === 'PUT' && (headers.get('If-None-Match') === '*' || !found)) {
      if (found) {
        return { status: 412, body: { detail: 'A state is kept under this key already' }, headers: { ETag: this.etag(found) } };
      }
      this.statesMade++;
      const answer = this.handle('POST', '/sessions', new Headers(), body);
      this.sessions.get(answer.body.id).key = key;
      return { ...answer, body: { ...answer.body, key } };
    }
    if (!found) {
      return { status: 404, body: { detail: 'No state under this key' } };
    }
    return this.handle(method, '/sessions/' + found.id, headers, body);
  }

  /** {@code /sessions/{id}/revisions[/{version}[/diff/{to} | /restore]]}. */
  history(method, session, headers, [version, action, to]) {
    const states = this.revisions.get(session.id) ?? [];
    const at = (v) => Number(v) === session.version ? { ...revision(session), replacedAt: null }
      : states.find((s) => s.version === Number(v));
    if (method === 'GET' && version === undefined) {
      return { status: 200, body: { items: [...states].reverse().map(({ content: _, ...rest }) => rest), pageToken: null } };
    }
    const from = at(version);
    if (!from) {
      return { status: 404, body: { detail: 'No such version' } };
    }
    if (method === 'GET' && action === undefined) {
      return { status: 200, body: from };
    }
    if (method === 'GET' && action === 'diff') {
      const target = at(to);
      if (!target) {
        return { status: 404, body: { detail: 'No such version' } };
      }
      const ops = ['title', 'description', 'content'].filter((field) => canonicalize(from[field]) !== canonicalize(target[field]))
        .map((field) => ({ op: 'replace', path: '/' + field, value: target[field] }));
      return { status: 200, body: ops, headers: { 'Content-Type': 'application/json-patch+json' } };
    }
    if (method === 'POST' && action === 'restore') {
      const ifMatch = headers.get('If-Match');
      if (!ifMatch) {
        return { status: 428, body: { detail: 'If-Match required' } };
      }
      if (ifMatch !== this.etag(session)) {
        return { status: 412, body: { detail: 'stale' }, headers: { ETag: this.etag(session) } };
      }
      this.keep(session);
      Object.assign(session, { title: from.title, description: from.description, content: structuredClone(from.content),
        version: session.version + 1, updatedAt: new Date().toISOString() });
      return { status: 200, body: meta(session), headers: { ETag: this.etag(session) } };
    }
    return { status: 405, body: { detail: 'not allowed' } };
  }

  /** Keeps the state a change is about to replace. */
  keep(session) {
    const states = this.revisions.get(session.id) ?? [];
    states.push({ ...revision(session), replacedAt: new Date().toISOString() });
    this.revisions.set(session.id, states);
  }

  /** Another client's write, straight into the store. */
  changeElsewhere(id, content) {
    const session = this.sessions.get(id);
    this.keep(session);
    Object.assign(session, { content, version: session.version + 1 });
    return session.version;
  }
}

function meta(session) {
  const { content: _, ...rest } = session;
  return { ...rest, contentHash: canonicalize(session.content), metadataHash: '' };
}

function revision(session) {
  return { sessionId: session.id, version: session.version, author: session.ownerId, title: session.title,
    description: session.description, content: structuredClone(session.content), savedAt: session.updatedAt };
}

function json(status, body, headers = {}) {
  return new Response(body === null || status === 204 ? null : JSON.stringify(body),
    { status, headers: { 'Content-Type': 'application/json', ...headers } });
}
