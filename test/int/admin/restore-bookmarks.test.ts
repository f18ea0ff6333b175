/**
 * Restore and page bookmarks (bin/admin/restore.ts): a bookmark has no partition to query, so
 * finding the connector's is a Scan of the whole table. The restore makes it only when a bookmark
 * can still be live; a connector paused for longer than a bookmark lives (the runbook's case) is
 * planned without any Scan. On DynamoDB Local, with the DynamoDB calls counted.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRestore } from '../../../bin/admin/restore.js';
import { writeConnectorState } from '../../../lambdas/store/connector-state.js';
import { keys } from '../../../lambdas/store/keys.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import { TABLE } from '../../../lambdas/store/table.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';

const C = 'acme';
const T0 = Date.parse('2026-06-01T08:00:00.000Z');
let t: TestTable;
let copy: TestTable;

/** A store context on `table` whose clock reads `at`. */
const ctxAt = (table: TestTable, at: number) => new ScimStore({ doc: table.doc, tableName: table.tableName, now: () => new Date(at) }).ctx;

beforeAll(async () => {
  [t, copy] = await Promise.all([createTestTable('restore-bm'), createTestTable('restore-bm-copy')]);
  // A bookmark written at T0, live until T0 + 15 min.
  const ttl = Math.floor(T0 / 1000) + ctxAt(t, T0).bookmarkTtlSeconds;
  await t.doc.send(new PutCommand({ TableName: t.tableName, Item: { ...keys.pageBookmark(C, 'q1', 101), after: 'x', [TABLE.ttlAttribute]: ttl } }));
  await writeConnectorState(ctxAt(t, T0), C, true);
});
afterAll(async () => {
  await Promise.all([t?.drop(), copy?.drop()]);
});

describe('restore: page bookmarks', () => {
  it('paused within a bookmark lifetime: the table is scanned and the bookmark is deleted', async () => {
    t.meter.reset();
    const plan = await planRestore(ctxAt(copy, T0), ctxAt(t, T0 + 60_000), C);
    expect(plan.bookmarks).toEqual([keys.pageBookmark(C, 'q1', 101)]);
    expect(t.meter.calls('Scan')).toBeGreaterThan(0);
  });

  it('paused for longer than a bookmark lives: no bookmark can be used, no Scan is made', async () => {
    t.meter.reset();
    const plan = await planRestore(ctxAt(copy, T0), ctxAt(t, T0 + 16 * 60_000), C);
    expect(plan.bookmarks).toEqual([]);
    expect(t.meter.calls('Scan')).toBe(0);
  });

  it('not paused: scanned whatever the time (requests may have written new bookmarks)', async () => {
    await writeConnectorState(ctxAt(t, T0), C, false);
    t.meter.reset();
    const plan = await planRestore(ctxAt(copy, T0), ctxAt(t, T0 + 16 * 60_000), C);
    expect(plan.bookmarks).toHaveLength(1);
    expect(t.meter.calls('Scan')).toBeGreaterThan(0);
  });
});
