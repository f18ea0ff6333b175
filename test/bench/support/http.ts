/**
 * A lean SCIM client for load generation: node:http with a keep-alive agent (the load generator
 * shares the 2 cores with the endpoint and DynamoDB Local, so it should cost little), loopback only.
 */
import { Agent, request } from 'node:http';
import { KIND_HEADER } from './probe.js';

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export interface Reply {
  status: number;
  ms: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  bytes: number;
}

export class BenchClient {
  private readonly url: URL;
  private readonly agent: Agent;

  constructor(
    tenantUrl: string,
    private readonly token: string,
    sockets = 32,
  ) {
    this.url = new URL(tenantUrl);
    if (this.url.hostname !== '127.0.0.1') throw new Error(`bench client: loopback only, got ${tenantUrl}`);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  /** `kind` labels the request in the tables (sent as a header the handler ignores). */
  req(kind: string, method: string, path: string, body?: unknown): Promise<Reply> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { Authorization: `Bearer ${this.token}`, [KIND_HEADER]: encodeURIComponent(kind), Accept: 'application/scim+json' };
    if (payload) {
      headers['Content-Type'] = 'application/scim+json';
      headers['Content-Length'] = payload.length;
    }
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const r = request(
        { host: '127.0.0.1', port: this.url.port, path: this.url.pathname + path, method, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const buf = Buffer.concat(chunks);
            let parsed: unknown;
            try {
              parsed = buf.length ? JSON.parse(buf.toString('utf8')) : undefined;
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body: parsed, bytes: buf.length });
          });
          res.on('error', reject);
        },
      );
      r.setTimeout(60_000, () => r.destroy(new Error(`timeout ${method} ${path}`)));
      r.on('error', reject);
      if (payload) r.write(payload);
      r.end();
    });
  }

  patchOps(kind: string, path: string, ops: unknown[]): Promise<Reply> {
    return this.req(kind, 'PATCH', path, { schemas: [PATCH_OP], Operations: ops });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Runs `count` jobs with `concurrency` workers; stops early (and says so) past `maxMs`.
 * Returns the number of jobs done and the elapsed time.
 */
export async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>, maxMs = 30 * 60_000): Promise<{ done: number; ms: number; truncated: boolean }> {
  let next = 0;
  let done = 0;
  const started = performance.now();
  const deadline = started + maxMs;
  const worker = async (): Promise<void> => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      await job(i);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { done, ms: performance.now() - started, truncated: done < count };
}

/** Collects client-side latencies and errors per request kind. */
export class Recorder {
  readonly byKind = new Map<string, { ms: number[]; errors: number; statuses: Record<string, number> }>();

  add(kind: string, rep: Reply, ok: (status: number) => boolean): Reply {
    const k = this.byKind.get(kind) ?? { ms: [], errors: 0, statuses: {} };
    k.ms.push(rep.ms);
    if (!ok(rep.status)) {
      k.errors++;
      k.statuses[rep.status] = (k.statuses[rep.status] ?? 0) + 1;
    }
    this.byKind.set(kind, k);
    return rep;
  }

  fail(kind: string): void {
    const k = this.byKind.get(kind) ?? { ms: [], errors: 0, statuses: {} };
    k.errors++;
    k.statuses.exception = (k.statuses.exception ?? 0) + 1;
    this.byKind.set(kind, k);
  }

  get total(): number {
    let n = 0;
    for (const k of this.byKind.values()) n += k.ms.length;
    return n;
  }

  get errors(): number {
    let n = 0;
    for (const k of this.byKind.values()) n += k.errors;
    return n;
  }
}
