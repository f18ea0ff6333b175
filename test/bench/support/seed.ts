/**
 * Fast seeding for the large-scale measures: writes exactly the items the store's own create paths
 * write (resource item via the store's codec `toItem`, userName / displayName guard, membership
 * items via `memberItem`, group member count, counter shard), but with BatchWriteItem of 25 at a
 * fixed concurrency instead of one transaction per user. What is measured afterwards (reads, paging,
 * member changes) goes through the real HTTP path; the seeding itself is not part of any figure.
 * The benches check the seed through HTTP (counts, a filter, a group's members) before measuring.
 */
import { BatchWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { uuidv7 } from '../../../lambdas/store/context.js';
import { memberItem, toItem, type StoredResource } from '../../../lambdas/store/items.js';
import { keys } from '../../../lambdas/store/keys.js';
import { pool } from './http.js';

export interface Seeder {
  doc: DynamoDBDocumentClient;
  table: string;
}

/** BatchWriteItem of 25 at `concurrency`, retrying unprocessed items until drained. */
export async function batchPut(s: Seeder, items: Record<string, unknown>[], concurrency = 4): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await pool(chunks.length, concurrency, async (i) => {
    let pending = (chunks[i] ?? []).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 20) throw new Error('seed: BatchWrite did not drain');
      const res = await s.doc.send(new BatchWriteCommand({ RequestItems: { [s.table]: pending } }));
      pending = (res.UnprocessedItems?.[s.table] ?? []) as typeof pending;
      if (pending.length) await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  });
}

/** Adds `n` to the connector's first `kind` counter shard (what the create paths count). */
export async function bumpCounter(s: Seeder, connector: string, kind: 'User' | 'Group', n: number): Promise<void> {
  await s.doc.send(new UpdateCommand({ TableName: s.table, Key: keys.counter(connector, kind, 0), UpdateExpression: 'ADD n :d', ExpressionAttributeValues: { ':d': n } }));
}

/** A freshly created (version 1) stored User with `attributes`, created and last modified at `now`. */
export function storedUser(id: string, now: string, attributes: StoredResource['attributes']): StoredResource {
  return { kind: 'User', id, version: 1, created: now, lastModified: now, attributes };
}

export function userName(prefix: string, i: number): string {
  return `${prefix}${String(i).padStart(6, '0')}@contoso.example.com`;
}

/** `n` users shaped like Entra's (name, emails, enterprise extension, externalId); returns their ids in order. */
export async function seedUsers(s: Seeder, connector: string, n: number, prefix = 'seed'): Promise<string[]> {
  const now = new Date().toISOString();
  const ids: string[] = [];
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const id = uuidv7(Date.now() + i); // strictly increasing: list order = seed order
    ids.push(id);
    const un = userName(prefix, i);
    const r = storedUser(id, now, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      userName: un,
      externalId: `x-${prefix}-${i}`,
      active: true,
      displayName: `Seed User ${i}`,
      name: { givenName: 'Seed', familyName: `User ${i}`, formatted: `Seed User ${i}` },
      emails: [{ value: un, type: 'work', primary: true }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: String(i), department: 'Research' },
    });
    items.push({ ...toItem(connector, r) }, { ...keys.userNameGuard(connector, un), id, kind: 'User' });
  }
  await batchPut(s, items);
  await bumpCounter(s, connector, 'User', n);
  return ids;
}

/** One group with `memberIds` as members (item count `mc` set to match). */
export async function seedGroup(s: Seeder, connector: string, displayName: string, memberIds: readonly string[]): Promise<string> {
  const now = new Date().toISOString();
  const id = uuidv7();
  const r: StoredResource = { kind: 'Group', id, version: 1, created: now, lastModified: now, attributes: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName }, memberCount: memberIds.length };
  const items: Record<string, unknown>[] = [{ ...toItem(connector, r) }, { ...keys.groupNameGuard(connector, displayName), id, kind: 'Group' }];
  for (const m of memberIds) items.push({ ...memberItem(connector, id, { value: m, type: 'User' }) });
  await batchPut(s, items, 6);
  await bumpCounter(s, connector, 'Group', 1);
  return id;
}
