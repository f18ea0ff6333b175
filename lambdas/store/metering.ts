/**
 * Call-counting DynamoDB middleware: counts calls and consumed capacity (asks for
 * ReturnConsumedCapacity TOTAL) per operation. Used by the cost tests and the benchmark; can be
 * attached to a production client to emit per-request cost metrics.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface OpStats {
  calls: number;
  rcu: number;
  wcu: number;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const CAPACITY_OPS = new Set([...READS, 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** lib-dynamodb names (`GetCommand`) and client names (`GetItemCommand`) → API operation names. */
const ALIASES: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactWrite: 'TransactWriteItems',
  TransactGet: 'TransactGetItems',
};

export function operationName(commandName: string | undefined): string {
  const base = (commandName ?? 'Unknown').replace(/Command$/, '');
  return ALIASES[base] ?? base;
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export class Meter {
  readonly byOp = new Map<string, OpStats>();

  reset(): void {
    this.byOp.clear();
  }

  record(op: string, capacity: Capacity[] | undefined): void {
    const s = this.byOp.get(op) ?? { calls: 0, rcu: 0, wcu: 0 };
    s.calls++;
    for (const c of capacity ?? []) {
      const read = READS.has(op);
      s.rcu += c.ReadCapacityUnits ?? (read ? (c.CapacityUnits ?? 0) : 0);
      s.wcu += c.WriteCapacityUnits ?? (read ? 0 : (c.CapacityUnits ?? 0));
    }
    this.byOp.set(op, s);
  }

  total(): OpStats {
    const t = { calls: 0, rcu: 0, wcu: 0 };
    for (const s of this.byOp.values()) {
      t.calls += s.calls;
      t.rcu += s.rcu;
      t.wcu += s.wcu;
    }
    return t;
  }

  calls(op?: string): number {
    return op ? (this.byOp.get(op)?.calls ?? 0) : this.total().calls;
  }

  /** Runs `fn` with a fresh count and returns its result with the totals and per-op breakdown. */
  async measure<T>(fn: () => Promise<T>): Promise<{ result: T; total: OpStats; ops: Record<string, OpStats> }> {
    this.reset();
    const result = await fn();
    return { result, total: this.total(), ops: Object.fromEntries([...this.byOp].map(([k, v]) => [k, { ...v }])) };
  }
}

/** Attaches a meter to a (base) DynamoDB client; document clients built on it are counted too. */
export function attachMeter(client: DynamoDBClient, meter: Meter = new Meter()): Meter {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = operationName((context as { commandName?: string }).commandName);
      const input = args.input as Record<string, unknown>;
      if (CAPACITY_OPS.has(op) && input.ReturnConsumedCapacity === undefined) input.ReturnConsumedCapacity = 'TOTAL';
      try {
        const out = await next(args);
        const cc = (out.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
        meter.record(op, cc === undefined ? [] : Array.isArray(cc) ? cc : [cc]);
        return out;
      } catch (e) {
        meter.record(op, []);
        throw e;
      }
    },
    { step: 'initialize', name: 'scimCallMeter', override: true },
  );
  return meter;
}
