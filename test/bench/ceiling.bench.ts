/**
 * Measure 1, the ceiling: what DynamoDB Local itself sustains for raw SDK calls from this process
 * (same document client and marshalling as the store), at concurrency 1/4/8/16. Every other
 * throughput is reported as a share of these figures, measured in the same run on the same
 * DynamoDB Local. Items are user-sized (~0.5 KB document) in their own partitions.
 */
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pool } from './support/http.js';
import { summarize } from './support/stats.js';

export const CEILING_OPS = ['GetItem', 'PutItem', 'UpdateItem', 'TransactWrite3', 'BatchWrite25', 'Query100', 'Query1'] as const;
export type CeilingOp = (typeof CEILING_OPS)[number];
export const CONCURRENCIES = [1, 4, 8, 16] as const;

export interface CeilingFigure {
  op: CeilingOp;
  concurrency: number;
  opsPerSecond: number;
  p50: number;
  p99: number;
  n: number;
}

const DOC = JSON.stringify({
  userName: 'someone.with.a.long.name@contoso.example.com',
  name: { givenName: 'Someone', familyName: 'Withalongname', formatted: 'Someone Withalongname' },
  displayName: 'Someone Withalongname',
  emails: [{ value: 'someone.with.a.long.name@contoso.example.com', type: 'work', primary: true }],
  active: true,
  title: 'Engineer',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '123456', department: 'Research and Development' },
  externalId: '7f0c1f9e-2f4a-4b8e-9d61-0c2f5b7a9e11',
});

export async function runCeiling(doc: DynamoDBDocumentClient, table: string, o: { secondsPerCell: number; warmupSeconds?: number; concurrencies?: readonly number[] }): Promise<CeilingFigure[]> {
  // Read fixtures: 1000 items in one partition (GetItem / Query targets).
  const P = 'BENCH#CEILING#READ';
  for (let i = 0; i < 1000; i += 25) {
    await doc.send(
      new BatchWriteCommand({
        RequestItems: { [table]: Array.from({ length: 25 }, (_, j) => ({ PutRequest: { Item: { PK: P, SK: String(i + j).padStart(6, '0'), doc: DOC, v: 1 } } })) },
      }),
    );
  }
  let seq = 0;
  const key = () => `${process.pid}-${seq++}`;
  const ops: Record<CeilingOp, () => Promise<unknown>> = {
    GetItem: () => doc.send(new GetCommand({ TableName: table, Key: { PK: P, SK: String(Math.floor(Math.random() * 1000)).padStart(6, '0') }, ConsistentRead: true })),
    PutItem: () => doc.send(new PutCommand({ TableName: table, Item: { PK: 'BENCH#CEILING#PUT', SK: key(), doc: DOC, v: 1 }, ConditionExpression: 'attribute_not_exists(PK)' })),
    UpdateItem: () =>
      doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { PK: P, SK: String(Math.floor(Math.random() * 1000)).padStart(6, '0') },
          UpdateExpression: 'SET #d = :d ADD v :one',
          ExpressionAttributeNames: { '#d': 'doc' },
          ExpressionAttributeValues: { ':d': DOC, ':one': 1 },
        }),
      ),
    // The shape of a user create: resource Put + guard Put (both conditional) + counter Update.
    TransactWrite3: () => {
      const k = key();
      return doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { PK: 'BENCH#CEILING#TX', SK: k, doc: DOC, v: 1 }, ConditionExpression: 'attribute_not_exists(PK)' } },
            { Put: { TableName: table, Item: { PK: `BENCH#CEILING#GUARD#${k}`, SK: '-', id: k }, ConditionExpression: 'attribute_not_exists(PK)' } },
            { Update: { TableName: table, Key: { PK: 'BENCH#CEILING#COUNT', SK: String(Math.floor(Math.random() * 8)) }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } },
          ],
        }),
      );
    },
    BatchWrite25: () =>
      doc.send(new BatchWriteCommand({ RequestItems: { [table]: Array.from({ length: 25 }, () => ({ PutRequest: { Item: { PK: 'BENCH#CEILING#BATCH', SK: key(), doc: DOC, v: 1 } } })) } })),
    Query100: () =>
      doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'PK = :p AND SK > :s', ExpressionAttributeValues: { ':p': P, ':s': String(Math.floor(Math.random() * 900)).padStart(6, '0') }, Limit: 100, ConsistentRead: true })),
    Query1: () =>
      doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'PK = :p AND SK > :s', ExpressionAttributeValues: { ':p': P, ':s': String(Math.floor(Math.random() * 999)).padStart(6, '0') }, Limit: 1, ConsistentRead: true })),
  };

  // DynamoDB Local is a JVM that starts just before: measured cold, GetItem ran at less than half
  // its warm rate (311 vs 718 ops/s at c=8 in two 3 s runs) and the sync came out at 200 % of the
  // ceiling. Warm every call first.
  for (const op of CEILING_OPS) await pool(1_000_000, 8, async () => void (await ops[op]()), (o.warmupSeconds ?? 2) * 1000);

  const out: CeilingFigure[] = [];
  for (const op of CEILING_OPS) {
    for (const c of o.concurrencies ?? CONCURRENCIES) {
      // Warm-up, then a timed cell bounded in time (and count).
      await pool(4 * c, c, async () => void (await ops[op]()));
      const ms: number[] = [];
      const run = await pool(1_000_000, c, async () => {
        const t = performance.now();
        await ops[op]();
        ms.push(performance.now() - t);
      }, o.secondsPerCell * 1000);
      const s = summarize(ms);
      out.push({ op, concurrency: c, opsPerSecond: (run.done / run.ms) * 1000, p50: s.p50, p99: s.p99, n: s.n });
    }
  }
  return out;
}

/** Ops/s of the ceiling for `op` at the concurrency closest to `c`. */
export function ceilingRate(figs: readonly CeilingFigure[], op: CeilingOp, c: number): number {
  const cands = figs.filter((f) => f.op === op);
  if (cands.length === 0) return Number.NaN;
  return cands.reduce((best, f) => (Math.abs(f.concurrency - c) < Math.abs(best.concurrency - c) ? f : best)).opsPerSecond;
}
