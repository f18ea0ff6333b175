/**
 * The purge sweeper against DynamoDB Local: a group deleted with more members than the inline limit
 * (a small `inlinePurgeItems` instead of 2,000+ members) and a user deleted while in more groups
 * than the limit leave purge tasks; the sweeper finishes them, a second run is a no-op, the time
 * budget stops a run that the next one resumes, a connector's sweep changes nothing of another
 * connector, and the Lambda handler logs one summary line, publishes the metrics and fails the
 * invocation on a task it cannot purge.
 */
import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePurgeSweeperHandler } from '../../../lambdas/handlers/purge-sweeper.js';
import { PURGE_SWEEP_METRICS, sweepPendingPurges } from '../../../lambdas/provisioning/purge-sweeper.js';
import { keys } from '../../../lambdas/store/keys.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';

const INLINE = 10;
let t: TestTable;
let store: ScimStore;

beforeAll(async () => {
  t = await createTestTable('sweep');
  store = new ScimStore({ doc: t.doc, tableName: t.tableName, inlinePurgeItems: INLINE });
});
afterAll(async () => t.drop());

type Item = Record<string, unknown>;

async function scanAll(): Promise<Item[]> {
  const out: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await t.doc.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    out.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
}

const keyOf = (i: Item): string => `${String(i.PK)}|${String(i.SK)}`;

async function memberItems(connector: string, groupId: string): Promise<Item[]> {
  const r = await t.doc.send(
    new QueryCommand({ TableName: t.tableName, KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': keys.membersPartition(connector, groupId) }, ConsistentRead: true }),
  );
  return r.Items ?? [];
}

/** A group with `n` new members, deleted: the first INLINE member items go with the DELETE. */
async function deletedBigGroup(connector: string, n: number, name: string): Promise<string> {
  const users = await Promise.all(Array.from({ length: n }, (_, i) => store.repo.createUser(connector, { userName: `${name}-${i}` })));
  const { group } = await store.repo.createGroup(connector, { displayName: name }, users.map((u) => ({ value: u.id })));
  expect(await memberItems(connector, group.id)).toHaveLength(n);
  const r = await store.repo.delete(connector, (await store.repo.get(connector, 'Group', group.id))!);
  expect(r.purgeDone).toBe(false);
  expect(await memberItems(connector, group.id)).toHaveLength(n - INLINE);
  return group.id;
}

describe('sweepPendingPurges', () => {
  it('finishes a large group delete; a second run is a no-op; another connector is untouched', async () => {
    const A = 'sweep-a';
    const B = 'sweep-b';
    const gA = await deletedBigGroup(A, 35, 'big-a');
    const gB = await deletedBigGroup(B, 23, 'big-b');
    // A live group in A keeps its members.
    const keep = await Promise.all([0, 1, 2].map((i) => store.repo.createUser(A, { userName: `keep-${i}` })));
    const { group: live } = await store.repo.createGroup(A, { displayName: 'live' }, keep.map((u) => ({ value: u.id })));
    expect(await store.repo.pendingPurges(A)).toEqual([{ kind: 'Group', id: gA }]);

    const before = await scanAll();
    const r = await sweepPendingPurges(store, [A], { chunkItems: 7 });
    expect(r).toMatchObject({ connectorsSwept: 1, tasksSeen: 1, tasksFinished: 1, tasksPending: 0, itemsDeleted: 25, timedOut: false, failures: [] });
    expect(r.connectors).toEqual([{ connector: A, tasksSeen: 1, tasksFinished: 1, itemsDeleted: 25 }]);

    expect(await memberItems(A, gA)).toEqual([]);
    expect(await store.repo.pendingPurges(A)).toEqual([]);
    expect(await store.repo.memberIds(A, live.id)).toHaveLength(3);

    // Exactly A's leftover member items and A's task are gone; nothing else changed or appeared.
    const after = await scanAll();
    const afterKeys = new Map(after.map((i) => [keyOf(i), i]));
    const removed = before.filter((i) => !afterKeys.has(keyOf(i)));
    expect(removed).toHaveLength(26);
    const taskKey = keys.purgeTask(A, `Group:${gA}`);
    for (const i of removed) expect(i.PK === keys.membersPartition(A, gA) || (i.PK === taskKey.PK && i.SK === taskKey.SK), keyOf(i)).toBe(true);
    expect(after).toHaveLength(before.length - removed.length);
    for (const i of before.filter((x) => afterKeys.has(keyOf(x)))) expect(afterKeys.get(keyOf(i))).toEqual(i);

    // B's leftovers and task are still there, and B's own sweep finishes them.
    expect(await memberItems(B, gB)).toHaveLength(23 - INLINE);
    expect(await store.repo.pendingPurges(B)).toEqual([{ kind: 'Group', id: gB }]);

    const again = await sweepPendingPurges(store, [A]);
    expect(again).toMatchObject({ connectorsSwept: 1, tasksSeen: 0, tasksFinished: 0, itemsDeleted: 0, tasksPending: 0, failures: [], connectors: [] });
    expect(await scanAll()).toHaveLength(after.length);

    const both = await sweepPendingPurges(store, [A, B]);
    expect(both).toMatchObject({ connectorsSwept: 2, tasksSeen: 1, tasksFinished: 1, itemsDeleted: 23 - INLINE });
    expect(await memberItems(B, gB)).toEqual([]);
    expect(await store.repo.pendingPurges(B)).toEqual([]);
  });

  it('finishes a user delete whose group edges exceeded the limit, and the groups count right', async () => {
    const C = 'sweep-user';
    const leaver = await store.repo.createUser(C, { userName: 'leaver' });
    const stayer = await store.repo.createUser(C, { userName: 'stayer' });
    const groups = [];
    for (let i = 0; i < INLINE + 6; i++) {
      groups.push((await store.repo.createGroup(C, { displayName: `g-${i}` }, [{ value: leaver.id }, { value: stayer.id }])).group);
    }
    expect((await store.repo.delete(C, (await store.repo.get(C, 'User', leaver.id))!)).purgeDone).toBe(false);
    expect(await store.repo.pendingPurges(C)).toEqual([{ kind: 'User', id: leaver.id }]);

    const r = await sweepPendingPurges(store, [C], { chunkItems: 4 });
    expect(r).toMatchObject({ tasksSeen: 1, tasksFinished: 1, itemsDeleted: 6, failures: [] });
    expect(await store.repo.pendingPurges(C)).toEqual([]);
    for (const g of groups) {
      expect(await store.repo.memberIds(C, g.id)).toEqual([stayer.id]);
      expect((await store.repo.get(C, 'Group', g.id))?.memberCount).toBe(1);
    }
  });

  it('stops when the time left is short and the next run resumes', async () => {
    const C = 'sweep-time';
    const g1 = await deletedBigGroup(C, 30, 'slow-1');
    const g2 = await deletedBigGroup(C, 15, 'slow-2');
    // Time for two chunks of 5, then the clock says 1 s left (under the 10 s reserve).
    let calls = 0;
    const remainingMs = () => (++calls <= 3 ? 60_000 : 1_000);
    const first = await sweepPendingPurges(store, [C], { chunkItems: 5, reserveMs: 10_000, remainingMs });
    expect(first).toMatchObject({ timedOut: true, tasksFinished: 0, itemsDeleted: 10, failures: [] });
    expect(first.tasksPending).toBe(first.tasksSeen);
    const left = (await memberItems(C, g1)).length + (await memberItems(C, g2)).length;
    expect(left).toBe(20 + 5 - 10);
    expect(await store.repo.pendingPurges(C)).toHaveLength(2);

    const second = await sweepPendingPurges(store, [C], { chunkItems: 5, reserveMs: 10_000, remainingMs: () => 60_000 });
    expect(second).toMatchObject({ timedOut: false, tasksSeen: 2, tasksFinished: 2, tasksPending: 0, itemsDeleted: left });
    expect(await memberItems(C, g1)).toEqual([]);
    expect(await memberItems(C, g2)).toEqual([]);
    expect(await store.repo.pendingPurges(C)).toEqual([]);
  });

  it('out of time before the first connector: nothing read, reported as timed out', async () => {
    const r = await sweepPendingPurges(store, ['sweep-a', 'sweep-b'], { remainingMs: () => 0 });
    expect(r).toMatchObject({ connectorsSwept: 0, tasksSeen: 0, timedOut: true });
  });

  it('lists past the page size (more tasks than listLimit)', async () => {
    const C = 'sweep-many';
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await deletedBigGroup(C, INLINE + 2, `many-${i}`));
    const r = await sweepPendingPurges(store, [C], { listLimit: 2 });
    expect(r).toMatchObject({ tasksSeen: 5, tasksFinished: 5, itemsDeleted: 10, failures: [] });
    for (const id of ids) expect(await memberItems(C, id)).toEqual([]);
  });
});

describe('the Lambda handler', () => {
  it('one summary log line and the three metrics per run', async () => {
    const C = 'sweep-handler';
    await deletedBigGroup(C, 18, 'h');
    const logs: { level: string; message: string; extra: Record<string, unknown> }[] = [];
    const metrics: [string, number][] = [];
    let flushes = 0;
    const handler = makePurgeSweeperHandler({
      store,
      connectors: [C],
      logger: {
        info: ((message: string, extra: Record<string, unknown>) => void logs.push({ level: 'info', message, extra })) as never,
        error: ((message: string, extra: Record<string, unknown>) => void logs.push({ level: 'error', message, extra })) as never,
      },
      metrics: { addMetric: ((name: string, _unit: unknown, value: number) => void metrics.push([name, value])) as never, publishStoredMetrics: (() => void flushes++) as never },
    });
    await handler({ time: '2026-01-01T00:15:00Z' }, { getRemainingTimeInMillis: () => 300_000 });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'info', message: 'purge sweep', extra: { tasksSeen: 1, tasksFinished: 1, tasksPending: 0, itemsDeleted: 8, failures: 0, timedOut: false } });
    expect(Object.fromEntries(metrics)).toEqual({ [PURGE_SWEEP_METRICS.pending]: 0, [PURGE_SWEEP_METRICS.finished]: 1, [PURGE_SWEEP_METRICS.itemsDeleted]: 8 });
    expect(flushes).toBe(1);
  });

  it('a task it cannot purge: the others are still done, the failure is logged, the invocation fails', async () => {
    const C = 'sweep-fail';
    // A purge task for a group that still exists (an inconsistent state the store refuses to purge).
    const { group: alive } = await store.repo.createGroup(C, { displayName: 'alive' });
    await t.doc.send(new PutCommand({ TableName: t.tableName, Item: { ...keys.purgeTask(C, `Group:${alive.id}`), kind: 'Group', id: alive.id, created: new Date().toISOString() } }));
    const gone = await deletedBigGroup(C, INLINE + 4, 'gone');
    const logs: { level: string; extra: Record<string, unknown> }[] = [];
    const handler = makePurgeSweeperHandler({
      store,
      connectors: [C],
      logger: {
        info: ((_m: string, extra: Record<string, unknown>) => void logs.push({ level: 'info', extra })) as never,
        error: ((_m: string, extra: Record<string, unknown>) => void logs.push({ level: 'error', extra })) as never,
      },
    });
    await expect(handler()).rejects.toThrow(/1 failure/);
    expect(logs).toHaveLength(1);
    expect(logs[0]!.level).toBe('error');
    expect(logs[0]!.extra).toMatchObject({ tasksSeen: 2, tasksFinished: 1, failures: 1, failed: [{ connector: C, kind: 'Group', id: alive.id }] });
    expect(await memberItems(C, gone)).toEqual([]);
    expect(await store.repo.get(C, 'Group', alive.id)).toBeDefined();
  });
});
