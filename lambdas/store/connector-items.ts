/**
 * One connector's items, by what they are, read from any table with the store's layout — the live
 * table or a point-in-time copy of it (`scim-admin restore` compares the two and writes the
 * difference). Every key comes from keys.ts; items are returned exactly as stored, so a restore
 * can put them back byte for byte (ids, versions, timestamps, GSI1 attributes included).
 *
 * Where each kind lives (see keys.ts): users and groups in one partition per type; a group's
 * members in its own partition; uniqueness guards in one partition per name (found from the
 * resource's `uname`, so a guard that belongs to no resource is never read); counters and purge
 * tasks in one partition each. Page bookmarks have one partition per query hash, which nothing
 * lists: they are found by a Scan filtered on the connector's prefix (keys only).
 */
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet, queryAll, run, type StoreContext } from './context.js';
import { keys, type Key, type ResourceKind } from './keys.js';

export type RawItem = Record<string, unknown>;

export const keyOf = (item: RawItem): Key => ({ PK: String(item.PK), SK: String(item.SK) });

/** Pages of the connector's user or group items (consistent, creation order). */
export async function* resourceItemPages(ctx: StoreContext, connector: string, kind: ResourceKind, pageSize = 500): AsyncGenerator<RawItem[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const res = await run(() =>
      ctx.doc.send(
        new QueryCommand({
          TableName: ctx.table,
          KeyConditionExpression: 'PK = :p',
          ExpressionAttributeValues: { ':p': keys.resourcePartition(connector, kind) },
          ConsistentRead: true,
          Limit: pageSize,
          ExclusiveStartKey: start,
        }),
      ),
    );
    if (res.Items?.length) yield res.Items;
    start = res.LastEvaluatedKey;
  } while (start);
}

/** Every item of one partition, read consistently. */
function partitionItems(ctx: StoreContext, pk: string): Promise<RawItem[]> {
  return queryAll(ctx, { KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': pk }, ConsistentRead: true });
}

/** Every member item of a group (the whole partition, also what a pending purge left behind). */
export function memberItemsOf(ctx: StoreContext, connector: string, groupId: string): Promise<RawItem[]> {
  return partitionItems(ctx, keys.membersPartition(connector, groupId));
}

/**
 * The uniqueness guards held by these resource items: the userName guard of users, the displayName
 * guard of groups (absent when the connector does not guard group names), only where the guard
 * names that resource.
 */
export async function guardItemsOf(ctx: StoreContext, connector: string, resources: readonly RawItem[]): Promise<RawItem[]> {
  const wanted = new Map<string, { key: Key; id: string }>();
  for (const r of resources) {
    if (typeof r.uname !== 'string') continue;
    const key = r.kind === 'Group' ? keys.groupNameGuard(connector, r.uname) : keys.userNameGuard(connector, r.uname);
    wanted.set(`${key.PK}\n${key.SK}`, { key, id: String(r.id) });
  }
  const found = await batchGet(ctx, [...wanted.values()].map((w) => w.key));
  return found.filter((g) => wanted.get(`${String(g.PK)}\n${String(g.SK)}`)?.id === g.id);
}

/** The counter shards of the connector. */
export function counterItems(ctx: StoreContext, connector: string): Promise<RawItem[]> {
  return partitionItems(ctx, keys.counterPartition(connector));
}

/** Pending purge tasks (`kind`, `id` of the deleted resource). */
export function purgeTaskItems(ctx: StoreContext, connector: string): Promise<RawItem[]> {
  return partitionItems(ctx, keys.purgePartition(connector));
}

/** Keys of the connector's page bookmarks: a keys-only Scan of the whole table (4 segments). */
export async function bookmarkKeys(ctx: StoreContext, connector: string, segments = 4): Promise<Key[]> {
  const prefix = keys.pageBookmarkPrefix(connector);
  const found: Key[] = [];
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const res = await run(() =>
          ctx.doc.send(
            new ScanCommand({
              TableName: ctx.table,
              Segment: segment,
              TotalSegments: segments,
              ProjectionExpression: 'PK, SK',
              FilterExpression: 'begins_with(PK, :p)',
              ExpressionAttributeValues: { ':p': prefix },
              ExclusiveStartKey: start,
            }),
          ),
        );
        for (const i of res.Items ?? []) found.push(keyOf(i));
        start = res.LastEvaluatedKey;
      } while (start);
    }),
  );
  return found;
}
