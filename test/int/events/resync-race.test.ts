/**
 * A resync racing live changes, on DynamoDB Local with its real stream: the README's receiver
 * algorithm (test/support/resync-receiver.ts) ends up holding exactly what the table holds, whatever
 * order the events arrive in —
 *  - a member removed right after the resync read it: its member.removed carries the membership's
 *    version, the same as the member.snapshot, so the removal wins even when the snapshot arrives
 *    after it (without versions, the snapshot would add the member back);
 *  - a user created after the users were read is not in the run, yet not pruned (its live event is
 *    newer than the run's start);
 *  - a member removed, then re-added with the member.added lost: the snapshot of the new membership
 *    has a higher version than the removal the receiver holds, so it applies (without versions the
 *    removal would keep it out);
 *  - events lost before the run (a deleted user, a removed member) are pruned once the end marker and
 *    every snapshot it counts have arrived — and not before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resync } from '../../../bin/admin/resync.js';
import { StreamTail, type StreamRecord } from '../../../bin/local/stream-tail.js';
import { toChangeEventsAll, type ChangeEvent } from '../../../lambdas/events/index.js';
import { Provisioning } from '../../../lambdas/provisioning/index.js';
import { groupResource, userResource } from '../../../lambdas/scim/schema/resource-schema.js';
import { SCHEMA } from '../../../lambdas/scim/schema/types.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';
import { ResyncReceiver } from '../../support/resync-receiver.js';

const C = 'acme';
let t: TestTable;
let svc: Provisioning;
let store: ScimStore;
let tail: StreamTail;
const records: StreamRecord[] = [];
const patch = (...Operations: unknown[]) => ({ schemas: [SCHEMA.patchOp], Operations });

async function live(fn: () => Promise<unknown>): Promise<ChangeEvent[]> {
  await tail.drain();
  const from = records.length;
  await fn();
  await tail.drain();
  return toChangeEventsAll(records.slice(from));
}

const user = async (name: string) => (await svc.users.create(C, { schemas: [SCHEMA.user], userName: `${name}@example.com`, active: true })).id;

let before: ChangeEvent[]; // delivered before the run
let lost: ChangeEvent[]; // never delivered (dead-lettered)
let during: ChangeEvent[]; // live changes while the run was going
let run: ChangeEvent[]; // the run's events, the end marker last
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestTable('resync-race', { streams: true });
  const schemas = { user: userResource([]), group: groupResource() };
  store = new ScimStore({ doc: t.doc, tableName: t.tableName });
  svc = new Provisioning({ store, schemas: () => schemas });
  tail = new StreamTail({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: t.tableName, start: 'TRIM_HORIZON', onRecords: async (rs) => void records.push(...rs) });
  await tail.init();

  before = await live(async () => {
    for (const n of ['a', 'b', 'c', 'd']) ids[n] = await user(n);
    ids.g = (await svc.groups.create(C, { schemas: [SCHEMA.group], displayName: 'Eng', members: [{ value: ids.a }, { value: ids.b }, { value: ids.c }] })).id;
    await svc.groups.patch(C, ids.g, patch({ op: 'remove', path: `members[value eq "${ids.b}"]` }));
  });
  lost = await live(async () => {
    await svc.groups.patch(C, ids.g!, patch({ op: 'add', path: 'members', value: [{ value: ids.b }] })); // b is back; the receiver holds its removal
    await svc.users.delete(C, ids.d!);
    await svc.groups.patch(C, ids.g!, patch({ op: 'remove', path: `members[value eq "${ids.c}"]` }));
  });

  during = [];
  run = [];
  let created = false;
  let removed = false;
  await resync({
    store,
    connector: C,
    kinds: ['users', 'groups', 'members'],
    ratePerSecond: 10_000,
    emit: async (batch) => {
      run.push(...batch);
      // The users are read: a new user now is not in the run.
      if (!created && batch.some((e) => e.kind === 'group.snapshot')) {
        created = true;
        during.push(...(await live(async () => (ids.e = await user('e')))));
      }
      // Member a was read and sent: now it is removed.
      if (!removed && batch.some((e) => e.kind === 'member.snapshot' && e.member?.value === ids.a)) {
        removed = true;
        during.push(...(await live(() => svc.groups.patch(C, ids.g!, patch({ op: 'remove', path: `members[value eq "${ids.a}"]` })))));
      }
    },
  });
}, 60_000);
afterAll(async () => {
  await tail?.stop();
  await t?.drop();
});

/** What the table holds, in the receiver's terms. */
async function truth() {
  const users = (await svc.users.list(C, { count: 100 })).Resources.map((r) => `User:${r.id}`);
  const groups = (await svc.groups.list(C, { count: 100 })).Resources.map((r) => `Group:${r.id}`);
  const members = ((await svc.groups.get(C, ids.g!)).resource.members as { value: string }[] | undefined)?.map((m) => `${ids.g}:${m.value}`) ?? [];
  return { resources: [...users, ...groups].sort(), memberships: members.sort() };
}

describe('a resync racing live changes', () => {
  it('the run and the live events carry what the receiver needs: run ids, membership versions, the end marker', () => {
    const snapA = run.find((e) => e.kind === 'member.snapshot' && e.member?.value === ids.a)!;
    const removalA = during.find((e) => e.kind === 'member.removed')!;
    expect(snapA.version).toBe(1); // added when the group was created
    expect(removalA).toMatchObject({ member: { value: ids.a }, version: 1 });
    const removalB = before.find((e) => e.kind === 'member.removed')!;
    const snapB = run.find((e) => e.kind === 'member.snapshot' && e.member?.value === ids.b)!;
    expect(removalB).toMatchObject({ member: { value: ids.b }, version: 1 });
    expect(snapB.version).toBe(3); // re-added by the group's third write
    expect(run.every((e) => e.run === run[0]!.run)).toBe(true);
    expect(run.at(-1)).toMatchObject({ kind: 'resync.completed', counts: { users: 3, groups: 1, members: 2 }, scope: ['users', 'groups', 'members'] });
    expect(run.some((e) => e.resourceId === ids.e)).toBe(false);
  });

  const orders: [string, () => ChangeEvent[]][] = [
    ['live changes first, then the run', () => [...during, ...run]],
    ['the marker first, snapshots reversed, live changes last', () => [run.at(-1)!, ...run.slice(0, -1).reverse(), ...during]],
    ['the run with the removal of a just before its snapshot', () => {
      const i = run.findIndex((e) => e.kind === 'member.snapshot' && e.member?.value === ids.a);
      return [...run.slice(0, i), ...during, ...run.slice(i)];
    }],
  ];
  for (const [name, order] of orders) {
    it(`the README receiver ends with the table's state: ${name}`, async () => {
      // One clock here (the run and the changes), so no skew margin: d and c changed seconds before the run.
      const rx = new ResyncReceiver({ marginMs: 0 });
      for (const e of before) rx.receive(e);
      for (const e of order()) rx.receive(e);
      expect(rx.state()).toEqual(await truth());
      expect(rx.state().memberships).toEqual([`${ids.g}:${ids.b}`]);
      expect(rx.state().resources).toContain(`User:${ids.e}`);
      expect(rx.state().resources).not.toContain(`User:${ids.d}`);
    });
  }

  it('prunes only once every snapshot the marker counts has arrived', () => {
    const rx = new ResyncReceiver({ marginMs: 0 });
    for (const e of before) rx.receive(e);
    const lastMember = run.findLast((e) => e.kind === 'member.snapshot')!;
    for (const e of [run.at(-1)!, ...run.slice(0, -1).filter((e) => e !== lastMember)]) rx.receive(e);
    expect(rx.state().resources).toContain(`User:${ids.d}`); // one snapshot still missing: nothing pruned yet
    rx.receive(lastMember);
    expect(rx.state().resources).not.toContain(`User:${ids.d}`);
    expect(rx.state().memberships).not.toContain(`${ids.g}:${ids.c}`);
    expect(lost.length).toBeGreaterThan(0);
  });

  it('with the default clock margin, what changed just before the run is kept (the next run prunes it)', () => {
    const rx = new ResyncReceiver();
    for (const e of [...before, ...during, ...run]) rx.receive(e);
    expect(rx.state().resources).toContain(`User:${ids.d}`);
    expect(rx.state().memberships).toEqual([`${ids.g}:${ids.b}`, `${ids.g}:${ids.c}`].sort());
  });
});
