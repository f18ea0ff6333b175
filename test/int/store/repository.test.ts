/** Repository behaviour against DynamoDB Local: uniqueness, memberships, isolation, deletes. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageError, StorageError } from '../../../lambdas/store/errors.js';
import { keys } from '../../../lambdas/store/keys.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';

let t: TestTable;
let store: ScimStore;
const C = 'acme';

beforeAll(async () => {
  t = await createTestTable('repo');
  store = new ScimStore({
    doc: t.doc,
    tableName: t.tableName,
    connectorOptions: (c) => (c === 'lax' ? { groupDisplayNameUnique: false } : c === 'strict' ? { unknownMembers: 'reject' } : {}),
  });
});
afterAll(async () => t.drop());

async function expectKind(p: Promise<unknown>, kind: StorageError['kind']): Promise<StorageError> {
  try {
    await p;
  } catch (e) {
    expect(isStorageError(e)).toBe(true);
    expect((e as StorageError).kind).toBe(kind);
    return e as StorageError;
  }
  throw new Error(`expected a ${kind} error`);
}

describe('users', () => {
  it('creates, reads, and rejects a duplicate userName in different case', async () => {
    const u = await store.repo.createUser(C, { userName: 'Alice@Example.com', active: true });
    expect(u.version).toBe(1);
    expect((await store.repo.get(C, 'User', u.id))?.attributes.userName).toBe('Alice@Example.com');
    expect((await store.repo.findUserByUserName(C, 'alice@EXAMPLE.com'))?.id).toBe(u.id);
    const e = await expectKind(store.repo.createUser(C, { userName: 'ALICE@example.com' }), 'uniqueness');
    expect(e.message).toContain('userName');
  });

  it('never stores password, id or meta', async () => {
    const u = await store.repo.createUser(C, { userName: 'pw', password: 'hunter2', id: 'x', meta: { version: 'y' } });
    const got = await store.repo.get(C, 'User', u.id);
    expect(got?.attributes).toEqual({ userName: 'pw' });
  });

  it('rename onto an existing userName → uniqueness and nothing changed', async () => {
    const a = await store.repo.createUser(C, { userName: 'ren-a' });
    await store.repo.createUser(C, { userName: 'ren-b' });
    await expectKind(store.repo.replace(C, a, { userName: 'REN-B', displayName: 'changed' }), 'uniqueness');
    const after = await store.repo.get(C, 'User', a.id);
    expect(after).toEqual(a);
    expect((await store.repo.findUserByUserName(C, 'ren-a'))?.id).toBe(a.id);
  });

  it('rename moves the guard; case-only rename keeps it', async () => {
    const a = await store.repo.createUser(C, { userName: 'mover' });
    const b = await store.repo.replace(C, a, { userName: 'moved' });
    expect(b.version).toBe(2);
    expect(await store.repo.findUserByUserName(C, 'mover')).toBeUndefined();
    await store.repo.createUser(C, { userName: 'MOVER' }); // old name is free again
    const c = await store.repo.replace(C, b, { userName: 'MOVED' });
    expect((await store.repo.findUserByUserName(C, 'moved'))?.attributes.userName).toBe('MOVED');
    await expectKind(store.repo.replace(C, b, { userName: 'x' }), 'versionConflict'); // stale version
    expect(c.version).toBe(3);
  });

  it('two parallel creates of the same userName → exactly one', async () => {
    const results = await Promise.allSettled([store.repo.createUser(C, { userName: 'race' }), store.repo.createUser(C, { userName: 'RACE' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rej = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((rej.reason as StorageError).kind).toBe('uniqueness');
  });

  it('a replace answers the lastModified it stored, even when the clock moves between readings', async () => {
    let ms = Date.parse('2026-01-01T00:00:00.000Z');
    const ticking = new ScimStore({ doc: t.doc, tableName: t.tableName, now: () => new Date(ms++) });
    const u = await ticking.repo.createUser('clock', { userName: 'tick@example.com' });
    for (const attrs of [{ userName: 'tick@example.com', title: 'a' }, { userName: 'tock@example.com', title: 'b' }]) {
      const written = await ticking.repo.replace('clock', (await ticking.repo.get('clock', 'User', u.id))!, attrs);
      expect((await ticking.repo.get('clock', 'User', u.id))?.lastModified).toBe(written.lastModified);
    }
  });

  it('a group write answers the lastModified it stored (create with members, rename, member-only change, bulk removal)', async () => {
    let ms = Date.parse('2026-01-01T00:00:00.000Z');
    const ticking = new ScimStore({ doc: t.doc, tableName: t.tableName, now: () => new Date(ms++) });
    const users = await Promise.all(Array.from({ length: 3 }, (_, i) => ticking.repo.createUser('clock-g', { userName: `m${i}@example.com` })));
    const stored = async (id: string) => (await ticking.repo.get('clock-g', 'Group', id))!;
    const created = await ticking.repo.createGroup('clock-g', { displayName: 'Clock' }, users.map((u) => ({ value: u.id })));
    expect((await stored(created.group.id)).lastModified).toBe(created.group.lastModified);
    const renamed = await ticking.repo.writeGroup('clock-g', await stored(created.group.id), { displayName: 'Clock 2' }, { add: [], remove: [] });
    expect(renamed.group.lastModified > created.group.lastModified).toBe(true);
    expect((await stored(created.group.id)).lastModified).toBe(renamed.group.lastModified);
    const memberOnly = await ticking.repo.writeGroup('clock-g', await stored(created.group.id), undefined, { add: [], remove: [users[0]!.id] }, { versioned: false });
    expect((await stored(created.group.id)).lastModified).toBe(memberOnly.group.lastModified);
  });

  it('externalId lookup is case-exact', async () => {
    const u = await store.repo.createUser(C, { userName: 'xid', externalId: 'EXT-1' });
    expect((await store.repo.findByExternalId(C, 'User', 'EXT-1')).map((r) => r.id)).toEqual([u.id]);
    expect(await store.repo.findByExternalId(C, 'User', 'ext-1')).toEqual([]);
    const v2 = await store.repo.replace(C, u, { userName: 'xid', externalId: 'EXT-2' });
    expect(await store.repo.findByExternalId(C, 'User', 'EXT-1')).toEqual([]);
    expect((await store.repo.findByExternalId(C, 'User', 'EXT-2')).map((r) => r.id)).toEqual([v2.id]);
  });
});

describe('groups and memberships', () => {
  it('adds and removes members with an exact count and no member list on the group item', async () => {
    const u1 = await store.repo.createUser(C, { userName: 'm1' });
    const u2 = await store.repo.createUser(C, { userName: 'm2' });
    const { group: g } = await store.repo.createGroup(C, { displayName: 'Sales' }, [{ value: u1.id }]);
    expect(g.memberCount).toBe(1);
    // adding an existing member again does not double count
    const { group: g2, result } = await store.repo.writeGroup(C, g, undefined, { add: [{ value: u1.id }, { value: u2.id, display: 'M2' }], remove: [] }, { versioned: false });
    expect(result.added).toEqual([u2.id]);
    expect(g2.memberCount).toBe(2);
    expect((await store.repo.get(C, 'Group', g.id))?.memberCount).toBe(2);
    const raw = await store.repo.get(C, 'Group', g.id);
    expect(raw?.attributes).toEqual({ displayName: 'Sales' });
    expect(await store.repo.members(C, g.id)).toEqual(
      expect.arrayContaining([
        { value: u1.id, type: 'User' },
        { value: u2.id, type: 'User', display: 'M2' },
      ]),
    );
    await store.repo.writeGroup(C, g2, undefined, { add: [], remove: [u1.id, 'not-a-member'] }, { versioned: false });
    expect((await store.repo.get(C, 'Group', g.id))?.memberCount).toBe(1);
    expect(await store.repo.memberIds(C, g.id)).toEqual([u2.id]);
    expect(await store.repo.groupsOf(C, u2.id)).toEqual([{ value: g.id, display: 'Sales' }]);
  });

  it('reject policy: unknown members named in the error, nothing written; nested groups are accepted', async () => {
    const S = 'strict';
    const u = await store.repo.createUser(S, { userName: 'known' });
    const { group: child } = await store.repo.createGroup(S, { displayName: 'child' });
    const { group: g } = await store.repo.createGroup(S, { displayName: 'parent' });
    const e = await expectKind(store.repo.writeGroup(S, g, undefined, { add: [{ value: u.id }, { value: 'ghost-1' }], remove: [] }), 'invalidValue');
    expect(e.message).toContain('ghost-1');
    expect(await store.repo.memberIds(S, g.id)).toEqual([]);
    await store.repo.writeGroup(S, g, undefined, { add: [{ value: u.id }, { value: child.id }], remove: [] }, { versioned: false });
    expect((await store.repo.members(S, g.id)).find((m) => m.value === child.id)?.type).toBe('Group');
    expect((await store.repo.get(S, 'Group', g.id))?.memberCount).toBe(2);
    await expectKind(store.repo.writeGroup(S, g, undefined, { add: [{ value: g.id }], remove: [] }, { versioned: false }), 'invalidValue');
  });

  it('a member is what its id names: a user sent as type Group is stored as a User, a group sent as User as a Group', async () => {
    const u = await store.repo.createUser(C, { userName: 'typed-wrong' });
    const { group: child } = await store.repo.createGroup(C, { displayName: 'typed-child' });
    const { group: g, result } = await store.repo.createGroup(C, { displayName: 'typed-parent' }, [
      { value: u.id, type: 'Group' },
      { value: child.id, type: 'User' },
    ]);
    expect(result.ignored).toEqual([]);
    expect(g.memberCount).toBe(2);
    const stored = new Map((await store.repo.members(C, g.id)).map((m) => [m.value, m.type]));
    expect(Object.fromEntries(stored)).toEqual({ [u.id]: 'User', [child.id]: 'Group' });
    // The inverted index follows the real kind too: the user's groups list the parent.
    expect(await store.repo.groupsOf(C, u.id)).toEqual([{ value: g.id, display: 'typed-parent' }]);
    // PATCH-style add with the wrong type on an existing group, and a no-op re-add.
    const u2 = await store.repo.createUser(C, { userName: 'typed-wrong-2' });
    const w = await store.repo.writeGroup(C, g, undefined, { add: [{ value: u2.id, type: 'Group' }, { value: u.id, type: 'Group' }], remove: [] }, { versioned: false });
    expect([w.result.added, w.result.ignored, w.group.memberCount]).toEqual([[u2.id], [], 3]);
    expect((await store.repo.members(C, g.id)).find((m) => m.value === u2.id)?.type).toBe('User');
  });

  it('ignore policy (the default) skips unknown members, applies the rest, stores nothing for them', async () => {
    const u = await store.repo.createUser(C, { userName: 'known-default' });
    const { group, result } = await store.repo.createGroup(C, { displayName: 'ignores' }, [{ value: u.id }, { value: 'ghost', type: 'Group' }, { value: 'ghost-2' }]);
    expect(result.ignored.sort()).toEqual(['ghost', 'ghost-2']);
    expect([group.memberCount, await store.repo.memberIds(C, group.id)]).toEqual([1, [u.id]]);
    expect(await store.repo.groupsOf(C, 'ghost')).toEqual([]);
    // Removing an unknown member is a no-op, not an error.
    const r = await store.repo.writeGroup(C, group, undefined, { add: [], remove: ['ghost'] }, { versioned: false });
    expect([r.result.removed, r.group.memberCount]).toEqual([[], 1]);
  });

  it('ignore policy skips unknown members', async () => {
    const u = await store.repo.createUser('lax', { userName: 'known' });
    const { group, result } = await store.repo.createGroup('lax', { displayName: 'g' }, [{ value: u.id }, { value: 'ghost' }]);
    expect(result.ignored).toEqual(['ghost']);
    expect(group.memberCount).toBe(1);
    // displayName uniqueness is off for this connector
    await store.repo.createGroup('lax', { displayName: 'G' });
  });

  it('group displayName is unique per connector, case-insensitively', async () => {
    await store.repo.createGroup(C, { displayName: 'Unique-Name' });
    await expectKind(store.repo.createGroup(C, { displayName: 'unique-name' }), 'uniqueness');
    expect((await store.repo.findGroupByDisplayName(C, 'UNIQUE-NAME'))?.attributes.displayName).toBe('Unique-Name');
  });

  it('large member changes are chunked into transactions of ≤ 100 items', async () => {
    const users = await Promise.all(Array.from({ length: 130 }, (_, i) => store.repo.createUser(C, { userName: `chunk-${i}` })));
    const { group } = await store.repo.createGroup(C, { displayName: 'chunky' }, users.map((u) => ({ value: u.id })));
    expect(group.memberCount).toBe(130);
    expect((await store.repo.get(C, 'Group', group.id))?.memberCount).toBe(130);
    const current = (await store.repo.get(C, 'Group', group.id))!;
    const { group: after } = await store.repo.replaceMembers(C, current, undefined, users.slice(100).map((u) => ({ value: u.id })), { versioned: false });
    expect(after.memberCount).toBe(30);
    expect((await store.repo.get(C, 'Group', group.id))?.memberCount).toBe(30);
    expect((await store.repo.memberIds(C, group.id)).sort()).toEqual(users.slice(100).map((u) => u.id).sort());
   }, 180_000);

  it('bulk removal (replace 450 members by 10: batch deletes + versioned recount) keeps the count exact while a concurrent PATCH removes some of the same members', async () => {
    const users = await Promise.all(Array.from({ length: 450 }, (_, i) => store.repo.createUser(C, { userName: `bulk-${i}` })));
    const { group } = await store.repo.createGroup(C, { displayName: 'bulk' }, users.map((u) => ({ value: u.id })));
    const current = (await store.repo.get(C, 'Group', group.id))!;
    const keep = users.slice(0, 10).map((u) => ({ value: u.id }));
    const raced = users.slice(300, 340).map((u) => u.id);
    const [replaced, patched] = await Promise.all([
      store.repo.replaceMembers(C, current, undefined, keep, { versioned: false }),
      store.repo.writeGroup(C, current, undefined, { add: [], remove: raced }, { versioned: false }),
    ]);
    // Between them, the two writes removed the 440 (a bulk removal reports what it was asked to remove).
    expect(new Set([...replaced.result.removed, ...patched.result.removed]).size).toBe(440);
    expect(replaced.group.memberCount).toBe(10);
    const stored = (await store.repo.get(C, 'Group', group.id))!;
    expect((await store.repo.memberIds(C, group.id)).sort()).toEqual(keep.map((k) => k.value).sort());
    expect(stored.memberCount).toBe(10);
    expect(stored.version).toBeGreaterThan(current.version);
  }, 180_000);

  it('deleting a user removes it from all its groups and decrements their counts', async () => {
    const u = await store.repo.createUser(C, { userName: 'leaver' });
    const other = await store.repo.createUser(C, { userName: 'stayer' });
    const g1 = (await store.repo.createGroup(C, { displayName: 'del-1' }, [{ value: u.id }, { value: other.id }])).group;
    const g2 = (await store.repo.createGroup(C, { displayName: 'del-2' }, [{ value: u.id }])).group;
    expect((await store.repo.groupsOf(C, u.id)).map((g) => g.value).sort()).toEqual([g1.id, g2.id].sort());
    const cur = (await store.repo.get(C, 'User', u.id))!;
    expect((await store.repo.delete(C, cur)).purgeDone).toBe(true);
    expect(await store.repo.get(C, 'User', u.id)).toBeUndefined();
    expect(await store.repo.memberIds(C, g1.id)).toEqual([other.id]);
    expect(await store.repo.memberIds(C, g2.id)).toEqual([]);
    expect((await store.repo.get(C, 'Group', g1.id))?.memberCount).toBe(1);
    expect((await store.repo.get(C, 'Group', g2.id))?.memberCount).toBe(0);
    expect(await store.repo.findUserByUserName(C, 'leaver')).toBeUndefined();
    expect(await store.repo.pendingPurges(C)).toEqual([]);
  });

  it('deleting a group purges its member items in bounded, resumable chunks', async () => {
    const users = await Promise.all(Array.from({ length: 60 }, (_, i) => store.repo.createUser(C, { userName: `purge-${i}` })));
    const { group } = await store.repo.createGroup(C, { displayName: 'purge-me' }, users.map((u) => ({ value: u.id })));
    const small = new ScimStore({ doc: t.doc, tableName: t.tableName, inlinePurgeItems: 25 });
    expect((await small.repo.delete(C, (await small.repo.get(C, 'Group', group.id))!)).purgeDone).toBe(false);
    expect(await small.repo.pendingPurges(C)).toEqual([{ kind: 'Group', id: group.id }]);
    expect(await small.repo.groupsOf(C, users[59]!.id)).toEqual([]); // a deleted group is never reported
    let r = await small.repo.purgeGroupMembers(C, group.id, { maxItems: 25 });
    expect(r).toEqual({ deleted: 25, done: false });
    r = await small.repo.purgeGroupMembers(C, group.id, { maxItems: 25 });
    expect(r.done).toBe(true);
    const left = await t.doc.send(new QueryCommand({ TableName: t.tableName, KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': keys.membersPartition(C, group.id) } }));
    expect(left.Items).toEqual([]);
    expect(await small.repo.pendingPurges(C)).toEqual([]);
    // the name is free again
    await store.repo.createGroup(C, { displayName: 'purge-me' });
   }, 180_000);
});

describe('isolation', () => {
  it('the same userName and ids in two connectors never see each other', async () => {
    const a = await store.repo.createUser('iso-a', { userName: 'same' });
    const b = await store.repo.createUser('iso-b', { userName: 'same' });
    expect(a.id).not.toBe(b.id);
    expect(await store.repo.get('iso-b', 'User', a.id)).toBeUndefined();
    expect((await store.repo.findUserByUserName('iso-b', 'same'))?.id).toBe(b.id);
    const { group } = await store.repo.createGroup('iso-a', { displayName: 'g' });
    // a member id from another connector is unknown here: ignored (default), nothing stored
    const w = await store.repo.writeGroup('iso-a', group, undefined, { add: [{ value: b.id }, { value: b.id, type: 'Group' }], remove: [] });
    expect([w.result.ignored, w.group.memberCount, await store.repo.memberIds('iso-a', group.id)]).toEqual([[b.id], 0, []]);
    expect(await store.repo.groupsOf('iso-b', b.id)).toEqual([]);
    expect(await store.repo.counts('iso-a')).toEqual({ users: 1, groups: 1 });
    expect(await store.repo.counts('iso-b')).toEqual({ users: 1, groups: 0 });
  });
});
