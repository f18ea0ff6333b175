/**
 * Per-HTTP-request DynamoDB accounting inside the local endpoint. The handlers run in-process, so a
 * handler wrapper opens an AsyncLocalStorage context and a middleware on the handlers' DynamoDB
 * client records every call (API, consumed RCU/WCU) and the time DynamoDB calls were in flight
 * into it. Handler time minus in-flight time is the handler's own time. Attached through the
 * endpoint's `instrument` hooks (bin/local/endpoint.ts); the store and handlers are untouched.
 *
 * For the CPU measure (handler-cpu.bench.ts) it also records, per request kind, the first
 * request's handler, event and DynamoDB outputs, and can answer a handler's DynamoDB calls from
 * such a recording without calling DynamoDB at all (`replay`).
 *
 * The probe keeps its own cost out of the handler's own time: the in-flight clock starts before
 * its bookkeeping, and with `solo` (one request at a time, the concurrency-1 run) requests are
 * tracked without AsyncLocalStorage, whose promise hooks (Node 20) slow every promise of the
 * handler and do not exist in a Lambda container.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ProxyHandler } from '../../../bin/local/gateway.js';
import { operationName } from '../../../lambdas/store/metering.js';

/** Request header naming the request kind (the bench client sets it; the handler ignores it). */
export const KIND_HEADER = 'x-bench-kind';

export interface CallCount {
  calls: number;
  rcu: number;
  wcu: number;
}

export interface RequestRecord {
  kind: string;
  handler: string;
  status: number;
  /** Handler wall time (ms). */
  handlerMs: number;
  /** Time at least one DynamoDB call of this request was in flight (ms), SDK work included. */
  ddbMs: number;
  byOp: Record<string, CallCount>;
}

interface Live extends RequestRecord {
  inFlight: number;
  since: number;
  /** Outputs of this request's DynamoDB calls, in order (only while capturing). */
  outputs?: unknown[];
}

/** One request kind as recorded for the CPU measure. */
export interface Captured {
  readonly handler: ProxyHandler;
  readonly event: APIGatewayProxyEvent;
  readonly outputs: readonly unknown[];
  readonly status: number;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const CAPACITY = new Set([...READS, 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

export function totalCalls(r: Pick<RequestRecord, 'byOp'>): CallCount {
  const t = { calls: 0, rcu: 0, wcu: 0 };
  for (const c of Object.values(r.byOp)) {
    t.calls += c.calls;
    t.rcu += c.rcu;
    t.wcu += c.wcu;
  }
  return t;
}

export class Probe {
  private readonly als = new AsyncLocalStorage<Live>();
  /** Finished requests, in completion order (bounded: oldest dropped past `max`). */
  records: RequestRecord[] = [];
  /** Requests the handlers answered since the start (through the instrumented handlers). */
  handled = 0;
  /** DynamoDB calls made outside any handler (the authorizer must make none). */
  outside: Record<string, CallCount> = {};
  /** Capacity reporting costs a few response bytes; the cost tables need it, throughput runs not. */
  capacity = true;
  /**
   * One request at a time (the concurrency-1 run): the live request is a plain field instead of an
   * AsyncLocalStorage context. Requests must not overlap while set.
   */
  get solo(): boolean {
    return this.soloMode;
  }
  set solo(on: boolean) {
    this.soloMode = on;
    if (on) this.als.disable(); // turns Node's async hooks off again (re-enabled by the next run())
  }
  private soloMode = false;
  private current: Live | undefined;
  /** While set (a map), the first request of each kind is recorded into it. */
  capture: Map<string, Captured> | undefined;
  /** While set, DynamoDB calls are answered from this queue instead of DynamoDB. */
  private replayQueue: unknown[] | undefined;

  /** Runs `fn` with the handlers' DynamoDB calls answered, in order, by `outputs` (copies). */
  async replay<T>(outputs: readonly unknown[], fn: () => Promise<T>): Promise<T> {
    this.replayQueue = outputs.map((o) => structuredClone(o));
    try {
      return await fn();
    } finally {
      this.replayQueue = undefined;
    }
  }

  constructor(private readonly max = 2_000_000) {}

  take(): RequestRecord[] {
    const r = this.records;
    this.records = [];
    return r;
  }

  readonly instrument = {
    documentClient: (doc: DynamoDBDocumentClient): void => {
      doc.middlewareStack.add(
        (next, context) => async (args) => {
          // The pause check (lambdas/http/pause.ts) reads its item once per container and connector
          // every 5 s, whatever the request rate: amortised, not a cost of the request it lands in
          // (not counted, never captured, answered "not paused" in a replay).
          const key = (args.input as { Key?: { PK?: unknown } }).Key;
          const pauseCheck = typeof key?.PK === 'string' && key.PK.endsWith('#STATE');
          if (pauseCheck) return this.replayQueue ? ({ output: {}, response: {} } as Awaited<ReturnType<typeof next>>) : next(args);
          if (this.replayQueue) {
            if (this.replayQueue.length === 0) throw new Error('replay: the handler made more DynamoDB calls than were recorded');
            return { output: this.replayQueue.shift(), response: {} } as Awaited<ReturnType<typeof next>>;
          }
          const entered = performance.now();
          const op = operationName((context as { commandName?: string }).commandName);
          const input = args.input as Record<string, unknown>;
          if (this.capacity && CAPACITY.has(op) && input.ReturnConsumedCapacity === undefined) input.ReturnConsumedCapacity = 'TOTAL';
          const live = this.soloMode ? this.current : this.als.getStore();
          const target = live ? live.byOp : this.outside;
          if (live && live.inFlight++ === 0) live.since = entered;
          const count = (target[op] ??= { calls: 0, rcu: 0, wcu: 0 });
          count.calls++;
          try {
            const out = await next(args);
            live?.outputs?.push(structuredClone(out.output));
            const cc = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
            for (const c of (Array.isArray(cc) ? cc : cc ? [cc] : []) as { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number }[]) {
              const read = READS.has(op);
              count.rcu += c.ReadCapacityUnits ?? (read ? (c.CapacityUnits ?? 0) : 0);
              count.wcu += c.WriteCapacityUnits ?? (read ? 0 : (c.CapacityUnits ?? 0));
            }
            return out;
          } finally {
            if (live && --live.inFlight === 0) live.ddbMs += performance.now() - live.since;
          }
        },
        { step: 'initialize', name: 'benchProbe', override: true },
      );
    },
    handler: (name: string, h: ProxyHandler): ProxyHandler => {
      return async (event: APIGatewayProxyEvent, ctx) => {
        const label = headerValue(event, KIND_HEADER);
        const kind = label !== undefined ? decodeURIComponent(label) : `${event.httpMethod} ${name}`;
        const live: Live = { kind, handler: name, status: 0, handlerMs: 0, ddbMs: 0, byOp: {}, inFlight: 0, since: 0 };
        const capturing = this.capture !== undefined && !this.capture.has(kind);
        const event0 = capturing ? structuredClone(event) : undefined;
        if (capturing) live.outputs = [];
        const solo = this.soloMode;
        if (solo) this.current = live;
        const started = performance.now();
        try {
          const res = solo ? await h(event, ctx) : await this.als.run(live, () => h(event, ctx));
          live.status = res.statusCode;
          return res;
        } finally {
          live.handlerMs = performance.now() - started;
          this.handled++;
          if (solo) this.current = undefined;
          if (this.records.length >= this.max) this.records.shift();
          const { inFlight: _i, since: _s, outputs, ...rec } = live;
          this.records.push(rec);
          if (capturing && event0 && outputs) this.capture?.set(kind, { handler: h, event: event0, outputs, status: live.status });
        }
      };
    },
  };
}

function headerValue(event: APIGatewayProxyEvent, name: string): string | undefined {
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === name && v !== undefined) return v;
  return undefined;
}
