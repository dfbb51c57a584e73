/** A problem body (RFC 9457) as Keepsake sends it, with its extensions. */
export interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  field?: string;
  [extension: string]: unknown;
}

/** An HTTP answer: status, headers and the parsed JSON body (null when there is none). */
export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A request that got an answer other than 2xx/304. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly problem: Problem, readonly headers: Headers) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'HttpError';
  }

  /** Seconds the server asked to wait (Retry-After), if it did. */
  get retryAfterMs(): number | undefined {
    const value = this.headers.get('Retry-After');
    const seconds = value === null ? NaN : Number(value);
    return Number.isFinite(seconds) ? seconds * 1000 : undefined;
  }
}

/** The request did not reach the server, or its answer did not come back. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'NetworkError';
  }
}

export interface HttpOptions {
  baseUrl: string;
  fetch: typeof fetch;
  /** Extra headers on every request (a bearer token, say). */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
}

/** Whether a failure may pass by itself: worth a retry later rather than a report now. */
export function transient(error: unknown): boolean {
  if (error instanceof NetworkError) {
    return true;
  }
  return error instanceof HttpError && !overQuota(error)
    && (error.status >= 500 || error.status === 429 || error.status === 409 || error.status === 408);
}

/**
 * A 409 that names the quota it enforces ({@code limit}): the user keeps as many sessions as they
 * may. Trying again does not help until they delete some (other 409s, a retry while the first
 * attempt still runs, do pass).
 */
export function overQuota(error: unknown): boolean {
  return error instanceof HttpError && error.status === 409 && typeof error.problem.limit === 'string';
}

/** The server does not take the request from whoever is signed in now (or from nobody): 401 or 403. */
export function signedOut(error: unknown): boolean {
  return error instanceof HttpError && (error.status === 401 || error.status === 403);
}

/** The server could not be asked: no network, or it failed. */
export function unreachable(error: unknown): boolean {
  return error instanceof NetworkError || (error instanceof HttpError && error.status >= 500);
}

/** Whether the failure says the connection, not the request, is the trouble. */
export function offline(error: unknown): boolean {
  return error instanceof NetworkError || (error instanceof HttpError && (error.status === 503 || error.status === 502
    || error.status === 504));
}

export class Http {
  /** Told of every 401: nobody is signed in any more. */
  onUnauthorized: (() => void) | null = null;

  constructor(private readonly options: HttpOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** Sends a request to {@code /persistence + path}; JSON in and out. Throws HttpError or NetworkError. */
  async request<T = unknown>(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>;
    signal?: AbortSignal; contentType?: string } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { Accept: 'application/json', ...(await this.options.headers?.()),
      ...init.headers };
    if (init.body !== undefined) {
      headers['Content-Type'] = init.contentType ?? 'application/json';
    }
    let response: Response;
    try {
      response = await this.options.fetch(this.options.baseUrl + '/persistence' + path, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        credentials: 'same-origin',
        signal: init.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') {
        throw error;
      }
      throw new NetworkError(error);
    }
    const text = response.status === 204 || response.status === 304 ? '' : await response.text().catch(() => '');
    let body: unknown = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = { detail: text };
      }
    }
    if (response.ok || response.status === 304) {
      return { status: response.status, headers: response.headers, body: body as T };
    }
    if (response.status === 401) {
      this.onUnauthorized?.();
    }
    throw new HttpError(response.status, (body ?? { status: response.status }) as Problem, response.headers);
  }
}

/** {@code ?name=value&...} of the query's set values; empty when none is. */
export function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') {
      params.set(name, String(value));
    }
  }
  const text = params.toString();
  return text ? '?' + text : '';
}
