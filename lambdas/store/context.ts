/**
 * What every repository shares: the document client, the table name, the options, and the two
 * helpers through which EVERY DynamoDB call goes (`run`, `transact`), so every SDK failure is
 * classified by errors.ts and transaction conflicts are retried in one place.
 *
 * Hand-written rather than electrodb / dynamodb-toolbox: the store needs only a handful of request
 * shapes (transactions with per-item cancellation reasons, keys-only queries), and keeping the
 * Lambda bundle to the AWS SDK alone keeps cold starts short.
 */
import { randomFillSync } from 'node:crypto';
import type { DynamoDBDocumentClient, QueryCommandInput, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, BatchWriteCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { cursorKeyRing, type CursorKeyRing, type CursorKeySource } from './cursor-key.js';
import { fromDynamoError, StorageError } from './errors.js';
import type { Key } from './keys.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Options that may differ per connector. */
export interface ConnectorOptions {
  /** Group displayName unique per connector (guard item in the same transaction). Default true. */
  groupDisplayNameUnique?: boolean;
  /** Unknown member ids in a group write: skip them (default, reported in the write's result) or reject with 400 invalidValue. */
  unknownMembers?: 'reject' | 'ignore';
}

export interface StoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Per-connector options; default: `{}` for every connector. */
  connectorOptions?: (connector: string) => ConnectorOptions;
  /** Counter shards per connector and type (spreads concurrent creates over items). Default 4. */
  counterShards?: number;
  /** Most items a filter may read before answering 400 tooMany. Default 10 000. */
  maxFilterRead?: number;
  /** Lifetime of startIndex bookmarks. Default 900 s. */
  bookmarkTtlSeconds?: number;
  /**
   * The cursor key secret's text or its loader (see cursor-key.ts). Without one, a random key of
   * this process: cursors then work within the process only (tests, library use); the Lambdas and
   * `npm start` always pass a persistent key.
   */
  cursorSecret?: CursorKeySource;
  /** Members deleted inline by deleteGroup before leaving the rest to purgeGroupMembers. Default 2000. */
  inlinePurgeItems?: number;
  /** Keys read per Query when a startIndex page without a bookmark skips ahead. Default 5000. */
  skipReadItems?: number;
  now?: () => Date;
  newId?: () => string;
}

export interface StoreContext {
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
  readonly counterShards: number;
  readonly maxFilterRead: number;
  readonly bookmarkTtlSeconds: number;
  /** The cursor keys, loaded on first use and re-read on an interval (cursor-key.ts). */
  readonly cursorKeys: CursorKeyRing;
  readonly inlinePurgeItems: number;
  readonly skipReadItems: number;
  connectorOptions(connector: string): Required<ConnectorOptions>;
  now(): Date;
  newId(): string;
}

const randomPool = Buffer.alloc(16 * 256);
let randomUsed = randomPool.length;

/**
 * 16 fresh random bytes: a view into a pool refilled with `randomFillSync` every 256 draws, as
 * `crypto.randomUUID` does, instead of one `randomBytes` call (a native job) per id or token; those
 * calls were ~5 % of a handler's own time. Each view is handed out once.
 */
function random16(): Buffer {
  if (randomUsed === randomPool.length) {
    randomFillSync(randomPool);
    randomUsed = 0;
  }
  const b = randomPool.subarray(randomUsed, randomUsed + 16);
  randomUsed += 16;
  return b;
}

/** RFC 9562 UUIDv7: time-ordered, so the users/groups partitions list in creation order. */
export function uuidv7(now: number = Date.now()): string {
  const b = random16();
  b.writeUIntBE(now, 0, 6);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x70;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function createContext(o: StoreOptions): StoreContext {
  const now = o.now ?? (() => new Date());
  return {
    doc: o.doc,
    table: o.tableName,
    counterShards: o.counterShards ?? 4,
    maxFilterRead: o.maxFilterRead ?? 10_000,
    bookmarkTtlSeconds: o.bookmarkTtlSeconds ?? 900,
    cursorKeys: cursorKeyRing(o.cursorSecret, { now: () => now().getTime() }),
    inlinePurgeItems: o.inlinePurgeItems ?? 2000,
    skipReadItems: o.skipReadItems ?? 5000,
    connectorOptions: (connector) => {
      const c = o.connectorOptions?.(connector) ?? {};
      return { groupDisplayNameUnique: c.groupDisplayNameUnique ?? true, unknownMembers: c.unknownMembers ?? 'ignore' };
    },
    now,
    newId: o.newId ?? (() => uuidv7()),
  };
}

/** Runs one SDK call; any failure leaves as a classified StorageError. */
export async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fromDynamoError(e);
  }
}

/**
 * Pages through one Query until it ends or `max` items are collected (`pageLimit` caps a page;
 * without it and without `max`, DynamoDB's 1 MB pages). Items come back as stored.
 */
export async function queryAll(
  ctx: Pick<StoreContext, 'doc' | 'table'>,
  input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
  opts: { max?: number; pageLimit?: number } = {},
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const max = opts.max ?? Number.POSITIVE_INFINITY;
  let start: Record<string, unknown> | undefined;
  do {
    const remaining = max - out.length;
    const limit = Math.min(opts.pageLimit ?? Number.POSITIVE_INFINITY, remaining);
    const res = await run(() =>
      ctx.doc.send(
        new QueryCommand({ ...input, TableName: ctx.table, ...(Number.isFinite(limit) ? { Limit: Math.max(1, limit) } : {}), ExclusiveStartKey: start }),
      ),
    );
    out.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start && out.length < max);
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * TransactWriteItems (≤ 100 items, each item at most once). A TransactionConflict (another
 * transaction held one of the items) is retried with jittered backoff under a fresh token; a 5xx
 * / timeout is retried under the SAME ClientRequestToken, so a transaction that did commit before
 * the failure is not applied twice (DynamoDB answers the replay idempotently). Everything else,
 * including condition failures with their per-item reasons, goes to the caller.
 */
export async function transact(ctx: StoreContext, items: TransactItem[], attempts = 8): Promise<void> {
  if (items.length === 0) return;
  if (items.length > 100)
    // A request DynamoDB would refuse with a ValidationException: our bug, answered like one.
    throw new StorageError('configuration', `transaction of ${items.length} items (max 100)`, { code: 'ValidationException', operation: 'TransactWriteItems' });
  let token = random16().toString('hex');
  for (let attempt = 1; ; attempt++) {
    try {
      await run(() => ctx.doc.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token })));
      return;
    } catch (e) {
      const s = fromDynamoError(e);
      const retryable = s.kind === 'transactionConflict' || s.kind === 'unavailable' || s.kind === 'throttled';
      if (!retryable || attempt >= attempts) throw s;
      if (s.kind === 'transactionConflict') token = random16().toString('hex');
      await sleep(Math.random() * Math.min(1000, 20 * 2 ** attempt));
    }
  }
}

/** BatchGetItem in chunks of 100, retrying unprocessed keys. Returns the items found. */
export async function batchGet(
  ctx: StoreContext,
  keyList: readonly Key[],
  projection?: string,
  names?: Record<string, string>,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < keyList.length; i += 100) {
    let pending: Record<string, unknown>[] = keyList.slice(i, i + 100).map((k) => ({ PK: k.PK, SK: k.SK }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.random() * Math.min(1000, 20 * 2 ** attempt));
      const res = await run(() =>
        ctx.doc.send(
          new BatchGetCommand({
            RequestItems: {
              [ctx.table]: {
                Keys: pending,
                ConsistentRead: true,
                ...(projection ? { ProjectionExpression: projection } : {}),
                ...(names ? { ExpressionAttributeNames: names } : {}),
              },
            },
          }),
        ),
      );
      out.push(...((res.Responses?.[ctx.table] ?? []) as Record<string, unknown>[]));
      pending = (res.UnprocessedKeys?.[ctx.table]?.Keys ?? []) as Record<string, unknown>[];
      if (attempt > 8 && pending.length > 0) throw new StorageError('throttled', 'BatchGetItem kept returning unprocessed keys');
    }
  }
  return out;
}

/** BatchWriteItem deletes in chunks of 25 (a few in parallel), retrying unprocessed items. */
export async function batchDelete(ctx: StoreContext, keyList: readonly Key[], parallel = 4): Promise<void> {
  await batchWrite(ctx, keyList.map((k) => ({ DeleteRequest: { Key: { PK: k.PK, SK: k.SK } } })), parallel);
}

/** BatchWriteItem puts (whole items, unconditional) in chunks of 25, a few in parallel. */
export async function batchPut(ctx: StoreContext, items: readonly Record<string, unknown>[], parallel = 4): Promise<void> {
  await batchWrite(ctx, items.map((Item) => ({ PutRequest: { Item } })), parallel);
}

async function batchWrite(ctx: StoreContext, requests: readonly Record<string, unknown>[], parallel: number): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < requests.length; i += 25) chunks.push(requests.slice(i, i + 25));
  const worker = async (): Promise<void> => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      let pending = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.random() * Math.min(1000, 20 * 2 ** attempt));
        const res = await run(() => ctx.doc.send(new BatchWriteCommand({ RequestItems: { [ctx.table]: pending } })));
        pending = (res.UnprocessedItems?.[ctx.table] ?? []) as Record<string, unknown>[];
        if (attempt > 8 && pending.length > 0) throw new StorageError('throttled', 'BatchWriteItem kept returning unprocessed items');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, worker));
}
