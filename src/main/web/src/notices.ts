import { Http, HttpError } from './http.js';
import type { Notice } from './types.js';

export type NoticeMode = 'auto' | 'websocket' | 'poll' | 'off';

export interface NoticeDeps {
  http: Http;
  clientId: string;
  mode: NoticeMode;
  /** Builds a WebSocket (the browser's by default); null where there is none. */
  socket: ((url: string) => WebSocket) | null;
  /** Whether the page is hidden: long polling pauses then. */
  hidden: () => boolean;
  onNotice: (notice: Notice) => void;
  /** Connected (again), or told that notices were missed: whoever holds state should check it. */
  onResync: (user: string | null) => void;
  onStatus: (status: NoticeStatus) => void;
}

export type NoticeStatus = 'connecting' | 'socket' | 'polling' | 'paused' | 'offline' | 'off';

/**
 * The user's notices, as they happen: over the WebSocket (ticket, then {@code after=} the last
 * notice seen, so a reconnect misses nothing), or by long polling when a socket cannot be held.
 * Long polling pauses while the page is hidden and catches up when it is shown.
 */
export class NoticeStream {
  private cursor: string | null = null;
  private ws: WebSocket | null = null;
  private poll: AbortController | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private socketFailures = 0;
  private usePolling: boolean;
  private stopped = false;
  private current: NoticeStatus = 'off';

  constructor(private readonly deps: NoticeDeps) {
    this.usePolling = deps.mode === 'poll' || !deps.socket;
  }

  get status(): NoticeStatus {
    return this.current;
  }

  start(): void {
    if (this.deps.mode === 'off') {
      this.status_('off');
      return;
    }
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearRetry();
    this.poll?.abort();
    this.poll = null;
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close(1000);
      this.ws = null;
    }
    this.status_('off');
  }

  /** The connection came back (or the page was shown): reconnect now rather than after the backoff. */
  wake(): void {
    if (this.stopped || this.deps.mode === 'off') {
      return;
    }
    if (this.ws || (this.poll && !this.deps.hidden())) {
      return;
    }
    this.clearRetry();
    this.failures = 0;
    this.connect();
  }

  /** The page was hidden or shown. */
  visibilityChanged(): void {
    if (!this.usePolling || this.stopped) {
      return;
    }
    if (this.deps.hidden()) {
      this.poll?.abort();
      this.poll = null;
      this.clearRetry();
      this.status_('paused');
    } else if (!this.poll) {
      this.connect();
    }
  }

  private connect(): void {
    if (this.stopped) {
      return;
    }
    this.status_('connecting');
    if (this.usePolling) {
      void this.longPoll();
    } else {
      void this.openSocket();
    }
  }

  private async openSocket(): Promise<void> {
    let ticket: string;
    try {
      const answer = await this.deps.http.request<{ ticket: string }>('POST', '/notices/tickets');
      ticket = answer.body.ticket;
    } catch (error) {
      this.lost(error);
      return;
    }
    if (this.stopped) {
      return;
    }
    const base = new URL(this.deps.http.baseUrl || globalThis.location.origin, globalThis.location?.href);
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = new URLSearchParams({ ticket, client_id: this.deps.clientId });
    if (this.cursor) {
      query.set('after', this.cursor);
    }
    const url = `${base.origin}${base.pathname.replace(/\/$/, '')}/persistence/notices/ws?${query}`;
    let ready = false;
    const ws = this.deps.socket!(url);
    this.ws = ws;
    ws.onmessage = (event) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (message.type === 'ready') {
        ready = true;
        this.failures = 0;
        this.socketFailures = 0;
        if (!this.cursor) {
          this.cursor = String(message.cursor);
        }
        this.status_('socket');
        this.deps.onResync(typeof message.user === 'string' ? message.user : null);
      } else if (message.type === 'resync') {
        this.deps.onResync(null);
      } else if (typeof message.id === 'string' && typeof message.resourceId === 'string') {
        this.cursor = message.id;
        this.deps.onNotice(message as unknown as Notice);
      }
    };
    ws.onclose = (event) => {
      this.ws = null;
      if (this.stopped) {
        return;
      }
      if (!ready) {
        this.socketFailures++;
        // A socket that never opens (a proxy that will not upgrade, say): long polling instead.
        if (this.socketFailures >= 3 && this.deps.mode === 'auto') {
          this.usePolling = true;
        }
      }
      this.lost(event.code === 1001 ? null : new Error(`socket closed (${event.code})`));
    };
  }

  private async longPoll(): Promise<void> {
    if (this.deps.hidden()) {
      this.status_('paused');
      return;
    }
    const controller = new AbortController();
    this.poll = controller;
    try {
      const first = this.cursor === null;
      const query = new URLSearchParams({ wait: first ? '0' : '25' });
      if (this.cursor) {
        query.set('after', this.cursor);
      }
      const answer = await this.deps.http.request<{ items: Notice[]; cursor: string; resync?: boolean }>(
        'GET', `/notices?${query}`, { signal: controller.signal });
      if (this.poll !== controller) {
        return;
      }
      this.failures = 0;
      this.status_('polling');
      this.cursor = answer.body.cursor;
      if (first || answer.body.resync) {
        this.deps.onResync(null);
      }
      for (const notice of answer.body.items) {
        this.deps.onNotice({ ...notice, own: notice.origin === this.deps.clientId });
      }
      this.poll = null;
      this.connect();
    } catch (error) {
      if (this.poll !== controller) {
        return; // aborted: hidden or stopped
      }
      this.poll = null;
      this.lost(error);
    }
  }

  private lost(error: unknown): void {
    if (this.stopped) {
      return;
    }
    this.failures++;
    this.status_(error instanceof HttpError ? 'connecting' : 'offline');
    const delay = error === null ? 200 : Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6));
    this.clearRetry();
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retry) {
      clearTimeout(this.retry);
      this.retry = null;
    }
  }

  private status_(status: NoticeStatus): void {
    if (this.current !== status) {
      this.current = status;
      this.deps.onStatus(status);
    }
  }
}
