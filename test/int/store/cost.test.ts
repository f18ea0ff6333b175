/**
 * Cost budgets: DynamoDB calls per use case are deterministic, so they are asserted. Prints the
 * table (operation, calls, RCU, WCU) measured with the call-counting middleware.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Provisioning } from '../../../lambdas/provisioning/index.js';
import { groupResource, userResource } from '../../../lambdas/scim/schema/resource-schema.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import type { OpStats } from '../../../lambdas/store/metering.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';

let t: TestTable;
let svc: Provisioning;
let store: ScimStore;
const C = 'cost';
const rows: { op: string; total: OpStats; ops: Record<string, OpStats> }[] = [];
const patch = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

async function measure<T>(op: string, fn: () => Promise<T>, budget: number): Promise<T> {
  const m = await t.meter.measure(fn);
  rows.push({ op, total: m.total, ops: m.ops });
  expect(m.total.calls, `${op}: ${JSON.stringify(m.ops)}`).toBeLessThanOrEqual(budget);
  return m.result;
}

beforeAll(async () => {
  t = await createTestTable('cost');
  store = new ScimStore({ doc: t.doc, tableName: t.tableName });
  svc = new Provisioning({ store, schemas: () => ({ user: userResource(), group: groupResource() }) });
});

afterAll(async () => {
  const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();
  const lines = [
    '| operation | calls | RCU | WCU | calls by API |',
    '|---|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.op} | ${r.total.calls} | ${fmt(r.total.rcu)} | ${fmt(r.total.wcu)} | ${Object.entries(r.ops)
          .map(([k, v]) => `${k}×${v.calls}`)
          .join(' ')} |`,
    ),
  ];
  console.log(`\nDynamoDB cost per operation (DynamoDB Local, ReturnConsumedCapacity TOTAL)\n${lines.join('\n')}\n`);
  await t.drop();
});

describe('cost budgets', () => {
  it('users', async () => {
    const u = await measure('create user', () => svc.users.create(C, { userName: 'cost@example.com', externalId: 'X1', name: { givenName: 'C' } }), 1);
    expect(rows.at(-1)!.ops).toHaveProperty('TransactWriteItems');
    await measure('get user by id (store)', () => store.repo.get(C, 'User', u.id), 1);
    await measure('get user by id, excludedAttributes=groups', () => svc.users.get(C, u.id, { excludedAttributes: 'groups' }), 1);
    await measure('get user by id (with derived groups, none)', () => svc.users.get(C, u.id), 2);
    await measure('filter userName eq', () => svc.users.list(C, { filter: 'userName eq "COST@example.com"', count: 10 }), 2);
    await measure('filter externalId eq', () => svc.users.list(C, { filter: 'externalId eq "X1"', count: 10 }), 2);
    await measure('filter id eq and manager eq', () => svc.users.list(C, { filter: `id eq "${u.id}" and manager eq "m"`, count: 10 }), 1);
    await measure('patch user (non-unique attributes)', () => svc.users.patch(C, u.id, patch({ op: 'replace', value: { active: false, title: 'T' } })), 2);
    await measure('patch user (rename userName)', () => svc.users.patch(C, u.id, patch({ op: 'replace', path: 'userName', value: 'renamed@example.com' })), 2);
    await measure('replace user (PUT, same userName)', () => svc.users.replace(C, u.id, { userName: 'renamed@example.com', active: true }), 2);
  });

  it('groups and members', async () => {
    const users = await Promise.all(Array.from({ length: 260 }, (_, i) => store.repo.createUser(C, { userName: `m${i}` })));
    const g = await measure('create group (no members)', () => svc.groups.create(C, { displayName: 'G' }), 1);
    await measure('get group, excludedAttributes=members', () => svc.groups.get(C, g.id, { excludedAttributes: 'members' }), 1);
    await measure('filter displayName eq, excludedAttributes=members', () => svc.groups.list(C, { filter: 'displayName eq "g"', count: 10, excludedAttributes: 'members' }), 2);
    const add = (k: number, from: number) => () =>
      svc.groups.patch(C, g.id, patch({ op: 'add', path: 'members', value: users.slice(from, from + k).map((u) => ({ value: u.id })) }));
    await measure('add 1 member', add(1, 0), Math.ceil(1 / 25) + 2);
    await measure('add 25 members', add(25, 1), Math.ceil(25 / 25) + 2);
    await measure('add 100 members', add(100, 26), Math.ceil(100 / 25) + 2);
    await measure('add 1 member already present', add(1, 0), 3);
    await measure('remove 1 member (Entra shape)', () => svc.groups.patch(C, g.id, patch({ op: 'Remove', path: 'members', value: [{ value: users[0]!.id }] })), 2);
    await measure('rename group + add 1 member (Okta shape)', () =>
      svc.groups.patch(C, g.id, patch({ op: 'replace', value: { id: g.id, displayName: 'G2' } }, { op: 'add', path: 'members', value: [{ value: users[200]!.id }] })), 2);
    await measure('get group with 126 members', () => svc.groups.get(C, g.id), 2);
    await measure('filter members[value eq]', () => svc.groups.list(C, { filter: `members[value eq "${users[5]!.id}"]`, count: 10, excludedAttributes: 'members' }), 2);
    await measure('get user with 1 group', () => svc.users.get(C, users[5]!.id), 3);
    await measure('delete user in 1 group', () => svc.users.delete(C, users[5]!.id), 5);
  }, 180_000);

  it('list pages', async () => {
    for (let i = 0; i < 240; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => store.repo.createUser('pages', { userName: `p${i + j}` })));
    await measure('list users page 1 (startIndex=1, count=100)', () => svc.users.list('pages', { startIndex: 1, count: 100 }), 3);
    await measure('list users page 2 (startIndex=101, bookmarked)', () => svc.users.list('pages', { startIndex: 101, count: 100 }), 4);
    await measure('list users page 3 (startIndex=201, last)', () => svc.users.list('pages', { startIndex: 201, count: 100 }), 3);
    await measure('list users random page (startIndex=57, no bookmark)', () => svc.users.list('pages', { startIndex: 57, count: 10 }), 5);
    const first = await measure('list users cursor page 1', () => svc.users.list('pages', { cursor: '', count: 100 }), 2);
    await measure('list users cursor page 2', () => svc.users.list('pages', { cursor: first.nextCursor!, count: 100 }), 2);
    await measure('list groups page, excludedAttributes=members', () => svc.groups.list(C, { startIndex: 1, count: 100, excludedAttributes: 'members' }), 3);
  }, 180_000);
});
