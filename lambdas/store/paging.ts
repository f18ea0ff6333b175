/**
 * Paging over a resource partition in a stable order (sort key = time-ordered id).
 *
 *  - RFC 9865 cursors: opaque base64url of {query hash, position} plus a MAC. The position is only
 *    the sort key part; the partition is always rebuilt from the calling connector, so even a
 *    forged cursor cannot reach another connector — and the query hash (which includes the
 *    connector) makes a cursor from another connector or filter fail with `invalidCursor`.
 *  - startIndex/count: DynamoDB has no offsets, so after each page a short-TTL bookmark item
 *    (connector, query hash, next startIndex) → position is written; Okta's sequential walk
 *    (1, 101, 201, …) then costs one GetItem per page instead of re-reading from the start. Random
 *    access without a bookmark skips ahead with keys-only reads.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { run, type StoreContext } from './context.js';
import { cursorKeysAt } from './cursor-key.js';
import { StorageError } from './errors.js';
import { keys, type ResourceKind } from './keys.js';
import { fromItem, type StoredResource } from './items.js';
import { TABLE } from './table.js';

/** Hash binding a cursor/bookmark to connector, resource type and query (filter, sort …). */
export function queryHash(connector: string, kind: ResourceKind, query: unknown): string {
  return createHash('sha256').update(JSON.stringify([connector, kind, query ?? null])).digest('base64url').slice(0, 22);
}

interface CursorBody {
  q: string;
  /** sort key after which the next page starts */
  k: string;
  /** startIndex of the next page (so responses can keep reporting it) */
  i: number;
  /** Totals already counted, by name (a root query's filtered types: counted once per walk). */
  t?: Record<string, number>;
}

const isTotals = (t: unknown): t is Record<string, number> =>
  typeof t === 'object' && t !== null && !Array.isArray(t) && Object.values(t).every((n) => Number.isSafeInteger(n) && (n as number) >= 0);

function mac(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data).digest('base64url').slice(0, 22);
}

export function encodeCursor(secret: string, body: CursorBody): string {
  const data = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${data}.${mac(secret, data)}`;
}

const badCursor = (why: string): StorageError => new StorageError('invalidCursor', `invalid cursor: ${why}`);

/** The two parts of a cursor (`<data>.<mac>`), or 400 invalidCursor: checked before any key is needed. */
function cursorParts(cursor: string): [data: string, sig: string] {
  const [data, sig, ...rest] = cursor.split('.');
  if (!data || !sig || rest.length > 0 || cursor.length > 2048) throw badCursor('malformed');
  return [data, sig];
}

/** Whether one of `keys` signed the cursor (every key is compared, in constant time). */
function signedByOneOf(keys: readonly string[], data: string, sig: string): boolean {
  const got = Buffer.from(sig);
  let ok = false;
  for (const key of keys) {
    const want = Buffer.from(mac(key, data));
    if (want.length === got.length && timingSafeEqual(want, got)) ok = true;
  }
  return ok;
}

function bodyOf(data: string, expectedQuery: string): CursorBody {
  const bad = badCursor;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(data, 'base64url').toString('utf8'));
  } catch {
    throw bad('malformed');
  }
  const b = body as Partial<CursorBody>;
  if (typeof b.q !== 'string' || typeof b.k !== 'string' || typeof b.i !== 'number' || (b.t !== undefined && !isTotals(b.t))) throw bad('malformed');
  if (b.q !== expectedQuery) throw bad('it belongs to a different query or connector');
  return { q: b.q, k: b.k, i: b.i, ...(b.t !== undefined ? { t: b.t } : {}) };
}

/** A cursor signed with `secret`, checked against `expectedQuery`. */
export function decodeCursor(secret: string, cursor: string, expectedQuery: string): CursorBody {
  const [data, sig] = cursorParts(cursor);
  if (!signedByOneOf([secret], data, sig)) throw badCursor('not issued by this service');
  return bodyOf(data, expectedQuery);
}

/**
 * A cursor checked against the store's keys (cursor-key.ts), loaded only now (a malformed cursor is
 * refused without them): accepted under the current key or the previous one while its grace
 * lasts. A cursor matching neither re-reads the keys once (another container may have seen a
 * rotation this one has not yet); still no match — e.g. signed before the key was replaced without
 * a grace period — is `invalidCursor`.
 */
export async function openCursor(ctx: Pick<StoreContext, 'cursorKeys' | 'now'>, cursor: string, expectedQuery: string): Promise<CursorBody> {
  const [data, sig] = cursorParts(cursor);
  if (!signedByOneOf(cursorKeysAt(await ctx.cursorKeys.get(), ctx.now()), data, sig)) {
    const fresh = await ctx.cursorKeys.refresh();
    if (!fresh || !signedByOneOf(cursorKeysAt(fresh, ctx.now()), data, sig)) throw badCursor('not issued by this service');
  }
  return bodyOf(data, expectedQuery);
}

/** A cursor signed with the store's current key (loaded on first use). */
export async function sealCursor(ctx: Pick<StoreContext, 'cursorKeys'>, body: CursorBody): Promise<string> {
  return encodeCursor((await ctx.cursorKeys.get()).current, body);
}

export interface Page {
  items: StoredResource[];
  /** sort key of the last item when more may follow */
  lastKey: string | undefined;
}

/**
 * The key condition of a partition read that continues after sort key `after`. `SK > :after`
 * rather than `ExclusiveStartKey`: the same seek and the same capacity on DynamoDB, but DynamoDB
 * Local reads every item before an ExclusiveStartKey (a page after 99,800 users took 29 ms instead
 * of 5 ms), which made a local walk of a large connector quadratic.
 */
function partitionAfter(pk: string, after: string | undefined): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeValues'> {
  return after === undefined
    ? { KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': pk } }
    : { KeyConditionExpression: 'PK = :p AND SK > :after', ExpressionAttributeValues: { ':p': pk, ':after': after } };
}

/** One Query of up to `limit` items after `afterKey`. */
export async function readPage(ctx: StoreContext, connector: string, kind: ResourceKind, limit: number, afterKey?: string): Promise<Page> {
  if (limit <= 0) return { items: [], lastKey: afterKey };
  const pk = keys.resourcePartition(connector, kind);
  const res = await run(() => ctx.doc.send(new QueryCommand({ TableName: ctx.table, ...partitionAfter(pk, afterKey), Limit: limit, ConsistentRead: true })));
  const items = (res.Items ?? []).map(fromItem);
  return { items, lastKey: res.LastEvaluatedKey ? String(res.LastEvaluatedKey.SK) : undefined };
}

/** Keys-only skip of `n` items from the start; returns the sort key to continue after. */
async function skip(ctx: StoreContext, connector: string, kind: ResourceKind, n: number): Promise<string | undefined | null> {
  const pk = keys.resourcePartition(connector, kind);
  let seen = 0;
  let last: string | undefined;
  while (seen < n) {
    const res = await run(() =>
      ctx.doc.send(new QueryCommand({ TableName: ctx.table, ...partitionAfter(pk, last), ProjectionExpression: 'PK, SK', Limit: Math.min(n - seen, ctx.skipReadItems), ConsistentRead: true })),
    );
    const items = res.Items ?? [];
    seen += items.length;
    const tail = items[items.length - 1];
    if (tail) last = String(tail.SK);
    if (!res.LastEvaluatedKey) break;
  }
  return seen < n ? null : last;
}

export async function getBookmark(ctx: StoreContext, connector: string, qh: string, startIndex: number): Promise<string | undefined> {
  const res = await run(() => ctx.doc.send(new GetCommand({ TableName: ctx.table, Key: keys.pageBookmark(connector, qh, startIndex) })));
  const item = res.Item;
  if (!item || typeof item.after !== 'string') return undefined;
  if (typeof item[TABLE.ttlAttribute] === 'number' && (item[TABLE.ttlAttribute] as number) * 1000 < ctx.now().getTime()) return undefined;
  return item.after;
}

export async function putBookmark(ctx: StoreContext, connector: string, qh: string, startIndex: number, after: string): Promise<void> {
  const ttl = Math.floor(ctx.now().getTime() / 1000) + ctx.bookmarkTtlSeconds;
  await run(() => ctx.doc.send(new PutCommand({ TableName: ctx.table, Item: { ...keys.pageBookmark(connector, qh, startIndex), after, [TABLE.ttlAttribute]: ttl } })));
}

export interface IndexPageResult {
  items: StoredResource[];
  /** cursor for the next page, when more may follow (cursor paging only: index paging never needs the key) */
  nextCursor: string | undefined;
}

/**
 * An unfiltered page by startIndex (1-based) or by cursor (`cursor` set, '' = the first page).
 * O(page) for sequential walks: page Query + bookmark Get/Put; random access costs one keys-only
 * skip. Only cursor paging reads the cursor key.
 */
export async function unfilteredPage(
  ctx: StoreContext,
  connector: string,
  kind: ResourceKind,
  opts: { startIndex?: number; count: number; cursor?: string; query?: unknown },
): Promise<IndexPageResult> {
  const qh = queryHash(connector, kind, opts.query);
  let after: string | undefined;
  let startIndex = Math.max(1, opts.startIndex ?? 1);
  if (opts.cursor !== undefined && opts.cursor !== '') {
    const c = await openCursor(ctx, opts.cursor, qh);
    after = c.k;
    startIndex = c.i;
  } else if (startIndex > 1) {
    after = await getBookmark(ctx, connector, qh, startIndex);
    if (after === undefined) {
      const s = await skip(ctx, connector, kind, startIndex - 1);
      if (s === null) return { items: [], nextCursor: undefined };
      after = s;
    }
  }
  const page = await readPage(ctx, connector, kind, opts.count, after);
  const tail = page.items[page.items.length - 1];
  let nextCursor: string | undefined;
  if (page.lastKey !== undefined && tail) {
    const nextIndex = startIndex + page.items.length;
    if (opts.cursor === undefined) await putBookmark(ctx, connector, qh, nextIndex, page.lastKey);
    else nextCursor = await sealCursor(ctx, { q: qh, k: page.lastKey, i: nextIndex });
  }
  return { items: page.items, nextCursor };
}
