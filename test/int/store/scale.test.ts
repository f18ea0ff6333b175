/**
 * Scale: a group of 20k members. Adding a member costs the same calls as for a group of 10,
 * listing/reading with excludedAttributes=members never reads members, and deleting it leaves no
 * member items. Members are seeded directly with BatchWriteItem to keep the test fast.
 */
import { BatchWriteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Provisioning } from '../../../lambdas/provisioning/index.js';
import { groupResource, userResource } from '../../../lambdas/scim/schema/resource-schema.js';
import { keys } from '../../../lambdas/store/keys.js';
import { memberItem } from '../../../lambdas/store/items.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';

const N = 20_000;
const C = 'scale';
let t: TestTable;
let svc: Provisioning;
let store: ScimStore;
const patch = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

async function seedMembers(groupId: string, n: number): Promise<void> {
  const items = Array.from({ length: n }, (_, i) => memberItem(C, groupId, { value: `seed-${i}`, type: 'User' }));
  const chunks: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let c = chunks.shift(); c; c = chunks.shift()) {
        let pending: Record<string, unknown>[] = c.map((Item) => ({ PutRequest: { Item } }));
        while (pending.length > 0) {
          const r = await t.doc.send(new BatchWriteCommand({ RequestItems: { [t.tableName]: pending } }));
          pending = (r.UnprocessedItems?.[t.tableName] ?? []) as Record<string, unknown>[];
        }
      }
    }),
  );
  await t.doc.send(new UpdateCommand({ TableName: t.tableName, Key: keys.group(C, groupId), UpdateExpression: 'SET mc = :n', ExpressionAttributeValues: { ':n': n } }));
}

async function countMemberItems(groupId: string): Promise<number> {
  let n = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const r = await t.doc.send(
      new QueryCommand({ TableName: t.tableName, KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': keys.membersPartition(C, groupId) }, Select: 'COUNT', ExclusiveStartKey: start }),
    );
    n += r.Count ?? 0;
    start = r.LastEvaluatedKey;
  } while (start);
  return n;
}

beforeAll(async () => {
  t = await createTestTable('scale');
  store = new ScimStore({ doc: t.doc, tableName: t.tableName, inlinePurgeItems: 2000 });
  svc = new Provisioning({ store, schemas: () => ({ user: userResource(), group: groupResource() }) });
});
afterAll(async () => t.drop());

describe(`a group of ${N} members`, () => {
  it('costs the same to change, is never read when excluded, and is deleted completely', async () => {
    const big = await svc.groups.create(C, { displayName: 'big' });
    const small = await svc.groups.create(C, { displayName: 'small' });
    const users = await Promise.all(Array.from({ length: 12 }, (_, i) => svc.users.create(C, { userName: `u${i}` })));
    const started = Date.now();
    await seedMembers(big.id, N);
    console.log(`seeded ${N} member items in ${Date.now() - started} ms`);
    await svc.groups.patch(C, small.id, patch({ op: 'add', path: 'members', value: users.slice(0, 10).map((u) => ({ value: u.id })) }));

    const addTo = (gid: string, u: { id: string }) => t.meter.measure(() => svc.groups.patch(C, gid, patch({ op: 'add', path: 'members', value: [{ value: u.id }] })));
    const onSmall = await addTo(small.id, users[10]!);
    const onBig = await addTo(big.id, users[10]!);
    expect(Object.fromEntries(Object.entries(onBig.ops).map(([k, v]) => [k, v.calls]))).toEqual(
      Object.fromEntries(Object.entries(onSmall.ops).map(([k, v]) => [k, v.calls])),
    );
    expect(onBig.total.calls).toBeLessThanOrEqual(3);
    const removeFrom = (gid: string) => t.meter.measure(() => svc.groups.patch(C, gid, patch({ op: 'remove', path: `members[value eq "${users[10]!.id}"]` })));
    expect((await removeFrom(big.id)).total.calls).toBe((await removeFrom(small.id)).total.calls);
    expect((await store.repo.get(C, 'Group', big.id))?.memberCount).toBe(N);

    const get = await t.meter.measure(() => svc.groups.get(C, big.id, { excludedAttributes: 'members' }));
    expect(get.total.calls).toBe(1);
    expect(get.result.resource.members).toBeUndefined();
    const list = await t.meter.measure(() => svc.groups.list(C, { startIndex: 1, count: 100, excludedAttributes: 'members' }));
    expect(list.result.Resources).toHaveLength(2);
    expect(list.total.calls).toBe(2); // counters + one page; no member reads
    expect(list.total.rcu).toBeLessThan(5);
    const filter = await t.meter.measure(() => svc.groups.list(C, { filter: 'displayName eq "BIG"', count: 10, excludedAttributes: 'members' }));
    expect(filter.total.calls).toBe(2);

    const del = Date.now();
    await svc.groups.delete(C, big.id);
    for (let round = 0; round < 100; round++) {
      const r = await svc.groups.purgeDeleted(C, big.id, { maxItems: 5000 });
      if (r.done) break;
    }
    console.log(`deleted a ${N}-member group in ${Date.now() - del} ms`);
    expect(await countMemberItems(big.id)).toBe(0);
    expect(await store.repo.pendingPurges(C)).toEqual([]);
    expect((await svc.groups.get(C, small.id)).resource.members).toHaveLength(10);
  }, 240_000);
});
