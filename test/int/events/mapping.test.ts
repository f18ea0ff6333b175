/**
 * Change events from REAL DynamoDB Local stream records: the provisioning service writes, the
 * stream tail (the same one `npm start` runs) reads the table's stream, the mapping turns records
 * into events. Every event kind, what never becomes an event, and stable ids.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSink } from '../../../bin/local/events-sink.js';
import { StreamTail, type StreamRecord } from '../../../bin/local/stream-tail.js';
import { toChangeEvents, toChangeEventsAll, type ChangeEvent } from '../../../lambdas/events/index.js';
import { Provisioning } from '../../../lambdas/provisioning/index.js';
import { enterpriseUserSchema } from '../../../lambdas/scim/schema/enterprise-user.js';
import { groupResource, userResource } from '../../../lambdas/scim/schema/resource-schema.js';
import { SCHEMA } from '../../../lambdas/scim/schema/types.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';

let t: TestTable;
let svc: Provisioning;
let tail: StreamTail;
const records: StreamRecord[] = [];
const C = 'acme';
const PATCH = SCHEMA.patchOp;
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });

beforeAll(async () => {
  t = await createTestTable('events', { streams: true });
  const schemas = { user: userResource([enterpriseUserSchema]), group: groupResource() };
  svc = new Provisioning({ store: new ScimStore({ doc: t.doc, tableName: t.tableName }), schemas: () => schemas });
  tail = new StreamTail({
    endpoint: process.env.DYNAMODB_ENDPOINT!,
    tableName: t.tableName,
    start: 'TRIM_HORIZON',
    onRecords: async (rs) => {
      records.push(...rs);
    },
  });
  await tail.init();
});
afterAll(async () => {
  await tail.stop();
  await t.drop();
});

/** Records (and their events) produced by `fn`. */
async function capture(fn: () => Promise<unknown>): Promise<{ records: StreamRecord[]; events: ChangeEvent[] }> {
  await tail.drain();
  const from = records.length;
  await fn();
  await tail.drain();
  const rs = records.slice(from);
  return { records: rs, events: toChangeEventsAll(rs) };
}

describe('users', () => {
  let id = '';

  it('user.created: all attributes after, never the password; guard and counter records map to nothing', async () => {
    const { records: rs, events } = await capture(async () => {
      id = (
        await svc.users.create(C, {
          schemas: [SCHEMA.user, SCHEMA.enterpriseUser],
          userName: 'ada@example.com',
          name: { givenName: 'Ada', familyName: 'Lovelace' },
          active: true,
          password: 'hunter2!',
          [SCHEMA.enterpriseUser]: { department: 'R&D' },
        })
      ).id;
    });
    expect(rs.length).toBeGreaterThanOrEqual(3); // user item, userName guard, counter shard
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({ kind: 'user.created', connector: C, resourceType: 'User', resourceId: id, version: 1 });
    expect(e.changedAttributes).toEqual(['active', 'name', 'userName', `${SCHEMA.enterpriseUser}:department`].sort());
    expect(e.resource).toMatchObject({ id, userName: 'ada@example.com', meta: { resourceType: 'User', version: 'W/"1"' } });
    expect(JSON.stringify(e)).not.toContain('hunter2');
    expect(e.sequence).toMatch(/^\d+$/);
    expect(Date.parse(e.time)).not.toBeNaN();
  });

  it('user.updated: before/after per changed attribute only (extension attributes by full path)', async () => {
    const { events } = await capture(() =>
      svc.users.patch(
        C,
        id,
        patch(
          { op: 'replace', path: 'name.givenName', value: 'Augusta Ada' },
          { op: 'replace', path: `${SCHEMA.enterpriseUser}:department`, value: 'Math' },
          { op: 'add', path: 'title', value: 'Countess' },
          { op: 'replace', path: 'userName', value: 'ada@example.com' },
        ),
      ),
    );
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e.kind).toBe('user.updated');
    expect(e.version).toBe(2);
    expect(e.changedAttributes).toEqual([`${SCHEMA.enterpriseUser}:department`, 'name', 'title'].sort());
    expect(e.changes).toEqual({
      name: { before: { givenName: 'Ada', familyName: 'Lovelace' }, after: { givenName: 'Augusta Ada', familyName: 'Lovelace' } },
      title: { after: 'Countess' },
      [`${SCHEMA.enterpriseUser}:department`]: { before: 'R&D', after: 'Math' },
    });
  });

  it('user.deactivated and user.reactivated on active false → true', async () => {
    const off = await capture(() => svc.users.patch(C, id, patch({ op: 'replace', path: 'active', value: false })));
    expect(off.events.map((e) => [e.kind, e.version])).toEqual([['user.deactivated', 3]]);
    expect(off.events[0]!.changes).toEqual({ active: { before: true, after: false } });
    const on = await capture(() => svc.users.patch(C, id, patch({ op: 'replace', path: 'active', value: 'True' })));
    expect(on.events.map((e) => [e.kind, e.version])).toEqual([['user.reactivated', 4]]);
  });

  it('a write that changes no attribute emits nothing (version bump only)', async () => {
    const current = await svc.users.get(C, id);
    const { events } = await capture(() => svc.users.replace(C, id, { ...current.resource, password: 'changed-but-never-stored' }));
    expect(events).toEqual([]);
  });

  it('user.deleted carries the last state', async () => {
    const { events } = await capture(() => svc.users.delete(C, id));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'user.deleted', resourceId: id, version: 5, resource: { id, userName: 'ada@example.com' } });
  });
});

describe('groups and members', () => {
  const users: string[] = [];
  let gid = '';

  beforeAll(async () => {
    for (const n of ['m1', 'm2', 'm3']) users.push((await svc.users.create(C, { schemas: [SCHEMA.user], userName: `${n}@example.com` })).id);
  });

  it('group.created plus one member.added per initial member', async () => {
    const { events } = await capture(async () => {
      gid = (await svc.groups.create(C, { schemas: [SCHEMA.group], displayName: 'Engineering', members: [{ value: users[0] }, { value: users[1] }] })).id;
    });
    expect(events.map((e) => e.kind).sort()).toEqual(['group.created', 'member.added', 'member.added']);
    const created = events.find((e) => e.kind === 'group.created')!;
    expect(created).toMatchObject({ resourceType: 'Group', resourceId: gid, version: 1, changedAttributes: ['displayName'] });
    expect(created.resource).not.toHaveProperty('members');
    const added = events.filter((e) => e.kind === 'member.added');
    expect(added.map((e) => e.member!.value).sort()).toEqual([users[0], users[1]].sort());
    // A membership's version: the group version of the write that added it (the group was created at 1).
    for (const e of added) expect(e).toMatchObject({ resourceType: 'Group', resourceId: gid, version: 1, member: { type: 'User' } });
  });

  it('member-only PATCH: member.added / member.removed, no group.updated; a removal carries the version of the add it undoes', async () => {
    const { events } = await capture(() =>
      svc.groups.patch(C, gid, patch({ op: 'add', path: 'members', value: [{ value: users[2] }] }, { op: 'remove', path: `members[value eq "${users[0]}"]` })),
    );
    expect(events.map((e) => `${e.kind} ${e.member?.value} v${e.version}`).sort()).toEqual([`member.added ${users[2]} v2`, `member.removed ${users[0]} v1`].sort());
    // Re-added: a later membership, a higher version than the removal's.
    const again = await capture(() => svc.groups.patch(C, gid, patch({ op: 'add', path: 'members', value: [{ value: users[0] }] })));
    expect(again.events.map((e) => `${e.kind} ${e.member?.value} v${e.version}`)).toEqual([`member.added ${users[0]} v3`]);
  });

  it('group.updated on a rename', async () => {
    const { events } = await capture(() => svc.groups.patch(C, gid, patch({ op: 'replace', path: 'displayName', value: 'Eng' })));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'group.updated', changedAttributes: ['displayName'], changes: { displayName: { before: 'Engineering', after: 'Eng' } } });
  });

  it('deleting a member user: user.deleted and member.removed from its groups', async () => {
    const { events } = await capture(() => svc.users.delete(C, users[2]!));
    expect(events.map((e) => e.kind).sort()).toEqual(['member.removed', 'user.deleted']);
    expect(events.find((e) => e.kind === 'member.removed')).toMatchObject({ resourceId: gid, version: 2, member: { value: users[2] } });
  });

  it('group.deleted, then member.removed for the memberships cleaned up', async () => {
    const { events } = await capture(() => svc.groups.delete(C, gid));
    expect(events.map((e) => e.kind).sort()).toEqual(['group.deleted', 'member.removed', 'member.removed']);
    expect(events.find((e) => e.kind === 'group.deleted')).toMatchObject({ resourceId: gid, resource: { displayName: 'Eng' } });
  });
});

describe('event ids', () => {
  it('are stable for a record (redelivery, replay) and unique across records', () => {
    const first = toChangeEventsAll(records).map((e) => e.eventId);
    const again = records.flatMap((r) => toChangeEvents(JSON.parse(JSON.stringify(r)) as StreamRecord)).map((e) => e.eventId);
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    for (const id of first) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('every kind was produced by the real records above', () => {
    const kinds = new Set(toChangeEventsAll(records).map((e) => e.kind));
    expect([...kinds].sort()).toEqual(
      ['user.created', 'user.updated', 'user.deactivated', 'user.reactivated', 'user.deleted', 'group.created', 'group.updated', 'group.deleted', 'member.added', 'member.removed'].sort(),
    );
  });

  it('the Lambda event shape (epoch seconds) maps like the Streams API shape (Date)', () => {
    const r = records.find((x) => x.eventName === 'INSERT' && toChangeEvents(x).length > 0)!;
    const lambdaShape = { ...r, dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: Math.floor(r.dynamodb!.ApproximateCreationDateTime!.getTime() / 1000) } };
    expect(toChangeEvents(lambdaShape)).toEqual(toChangeEvents(r));
  });
});

describe('local sink (npm start)', () => {
  it('appends JSON lines and POSTs each event to the webhook on 127.0.0.1', async () => {
    const received: { body: unknown; id: string | undefined }[] = [];
    let failOnce = true;
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failOnce) {
          failOnce = false; // first delivery fails: the sink retries
          res.writeHead(503).end();
          return;
        }
        received.push({ body: JSON.parse(body), id: req.headers['x-scim-event-id'] as string | undefined });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const file = join(mkdtempSync(join(tmpdir(), 'scim-events-')), 'events.jsonl');
    try {
      const sink = new EventSink({ file, webhookUrl: `http://127.0.0.1:${port}/hook` });
      const { records: rs } = await capture(() => svc.users.create(C, { schemas: [SCHEMA.user], userName: 'hook@example.com' }));
      const events = await sink.handle(rs);
      expect(events.map((e) => e.kind)).toEqual(['user.created']);
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ source: 'scim', 'detail-type': 'user.created', detail: { kind: 'user.created', resource: { userName: 'hook@example.com' } } });
      expect(received).toHaveLength(1);
      expect(received[0]!.body).toEqual(lines[0]);
      expect(received[0]!.id).toBe(events[0]!.eventId);
    } finally {
      server.close();
    }
  });
});
