/**
 * A connector's connection status as the setup page shows it, read from what the stack records
 * anyway (no write on the SCIM request path): deployed, the stage access logs (cloudwatch-status.ts);
 * `npm start`, the local gateway's request lines (bin/local/connection-status.ts).
 *
 *  - `waiting`: no SCIM request in the past 24 h;
 *  - `connected`: requests arrived (Entra's and Okta's "Test Connection" is a GET /Users query),
 *    none of them a successful write yet;
 *  - `provisioning`: at least one successful POST/PUT/PATCH/DELETE.
 */
export type ConnectionPhase = 'waiting' | 'connected' | 'provisioning';

export interface RecentFailure {
  readonly at: string;
  readonly status: number;
  /** RFC 7644 §3.12 scimType, when the answer had one. */
  readonly scimType?: string;
  /** The SCIM error's detail or the gateway's message; never request data. */
  readonly detail?: string;
}

export interface ConnectionStatus {
  readonly phase: ConnectionPhase;
  /** SCIM requests of the past 24 h (setup page requests not counted). */
  readonly requests: number;
  readonly failed: number;
  readonly lastSuccessAt?: string;
  /** The latest failures of the past 24 h, newest first (at most MAX_FAILURES). */
  readonly failures: readonly RecentFailure[];
}

export const MAX_FAILURES = 5;
export const STATUS_WINDOW_MS = 24 * 3600 * 1000;

export interface StatusSource {
  status(connector: string): Promise<ConnectionStatus>;
}

/** One observed SCIM request, as either source sees it. */
export interface ObservedRequest {
  readonly at: number;
  readonly method: string;
  readonly status: number;
  readonly scimType?: string | undefined;
  readonly detail?: string | undefined;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The status of a connector from its observed requests (any order); `now` bounds the 24 h window. */
export function summarize(requests: Iterable<ObservedRequest>, now: number): ConnectionStatus {
  let count = 0;
  let failed = 0;
  let lastSuccess = 0;
  let wrote = false;
  const failures: ObservedRequest[] = [];
  for (const r of requests) {
    if (r.at <= now - STATUS_WINDOW_MS) continue;
    count++;
    if (r.status < 400) {
      lastSuccess = Math.max(lastSuccess, r.at);
      // A POST creates only when answered 201: `.search` queries are POSTs answered 200.
      const m = r.method.toUpperCase();
      if (m === 'POST' ? r.status === 201 : WRITES.has(m)) wrote = true;
    } else {
      failed++;
      failures.push(r);
    }
  }
  failures.sort((a, b) => b.at - a.at);
  return {
    phase: count === 0 ? 'waiting' : wrote ? 'provisioning' : 'connected',
    requests: count,
    failed,
    ...(lastSuccess ? { lastSuccessAt: new Date(lastSuccess).toISOString() } : {}),
    failures: failures.slice(0, MAX_FAILURES).map((f) => ({
      at: new Date(f.at).toISOString(),
      status: f.status,
      ...(f.scimType ? { scimType: f.scimType } : {}),
      ...(f.detail ? { detail: f.detail } : {}),
    })),
  };
}
