/**
 * A webhook receiver for tests: a real HTTP server on 127.0.0.1 (ephemeral port unless given) that
 * records every request (raw body, headers, arrival time) and answers what the test says — a
 * status, or a hang (past the sender's timeout, or until `release`). `close()` then `listen(port)` again simulates a
 * receiver that is down and comes back on the same URL.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: Buffer;
  readonly at: number;
  /** What the receiver answered (0: hung up without answering). */
  status: number;
}

/** Per request: a status to answer (with headers, e.g. a redirect's Location), or 'hang' (never answer until closed). */
export type Answer = number | { readonly status: number; readonly headers?: Readonly<Record<string, string>> } | 'hang';

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  answer: (r: ReceivedRequest) => Answer = () => 200;
  private server: Server | undefined;
  private readonly hanging = new Map<ServerResponse, ReceivedRequest>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async listen(port = this.port): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks), at: Date.now(), status: 0 };
        this.requests.push(r);
        const a = this.answer(r);
        if (a === 'hang') {
          this.hanging.set(res, r);
          return;
        }
        const { status, headers } = typeof a === 'number' ? { status: a, headers: {} } : a;
        r.status = status;
        res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(status < 300 ? 'ok' : 'nope');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hanging.keys()) res.destroy();
    this.hanging.clear();
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Answers the requests left hanging so far with `status`. */
  release(status: number): void {
    for (const [res, r] of this.hanging) {
      r.status = status;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    }
    this.hanging.clear();
  }

  /** Requests answered 2xx. */
  accepted(): ReceivedRequest[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300);
  }

  json<T = Record<string, unknown>>(r: ReceivedRequest): T {
    return JSON.parse(r.raw.toString('utf8')) as T;
  }

  /** Resolves once `predicate` holds (polling), or fails after `timeoutMs`. */
  async until(predicate: () => boolean, timeoutMs = 20_000, what = 'the expected requests'): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what} (${this.requests.length} requests so far)`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export async function startReceiver(port = 0): Promise<WebhookReceiver> {
  return new WebhookReceiver().listen(port);
}
