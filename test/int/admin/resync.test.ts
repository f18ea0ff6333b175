/**
 * `scim-admin events resync` on DynamoDB Local: 2,000 users, 15 groups (one with all 2,000 users
 * as members, nine with 100, five empty) and their 2,900 memberships become snapshot events read
 * in constant pages and sent in batches of ≤ 10 —
 *  - locally (`--local`): into events.jsonl and, signed, to the connector's webhook receiver on
 *    127.0.0.1 (verified with the README snippet); interrupted, it prints a cursor that resumes
 *    exactly where it stopped;
 *  - deployed: PutEvents on the stack's bus (aws-sdk-client-mock), throttled to --rate, and a
 *    PutEvents failure leaves a resume cursor.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deployedStack } from '../../support/deployed-stack.js';
import { DeployedBackend, EXIT } from '../../../bin/admin/backend.js';
import { run } from '../../../bin/admin/cli.js';
import { decodeResyncCursor, EMIT_BATCH, MEMBER_PAGE_SIZE, RESYNC_PAGE_SIZE, resync } from '../../../bin/admin/resync.js';
import type { ChangeEvent, ChangeEventEnvelope } from '../../../lambdas/events/schema.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import { seedGroup, seedUsers } from '../../bench/support/seed.js';
import { verifyScimWebhook } from '../../fixtures/webhook-verify.mjs';
import { createTestTable, type TestTable } from '../../support/ddb.js';
import { startReceiver, type WebhookReceiver } from '../../support/webhook-receiver.js';

const C = 'acme';
const USERS = 2000;
const SECRET = 'local-signing-secret-for-the-resync-test';
let t: TestTable;
let dir: string;
let rx: WebhookReceiver;
let userIds: string[];
const groupIds: string[] = [];
let expected: Set<string>;
const queries: { limit: number | undefined; items: number }[] = [];

const key = (e: ChangeEvent) => `${e.kind} ${e.resourceId}${e.member ? ` ${e.member.value}` : ''}`;
const snapshots = (es: ChangeEvent[]) => es.filter((e) => e.kind !== 'resync.completed');
const ALL_COUNTS = { users: 2000, groups: 15, members: 2900 };

function sink() {
  const chunks: string[] = [];
  return { w: new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c.toString()), cb()) }), text: () => chunks.join('') };
}

async function cli(args: string[], o: { signal?: AbortSignal; local?: boolean; backend?: DeployedBackend } = {}) {
  const out = sink();
  const err = sink();
  const target = o.local === false ? ['--stack', 'Scim', '--region', 'eu-west-1'] : ['--local', '--dir', dir];
  const code = await run([...args, ...target], { stdout: out.w, stderr: err.w, interactive: false }, {
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.backend ? { backend: () => o.backend! } : {}),
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

beforeAll(async () => {
  t = await createTestTable('resync');
  // Every Query's Limit and item count (the resync's paging, as DynamoDB sees it).
  t.client.middlewareStack.add(
    (next, context) => async (args) => {
      const res = await next(args);
      if (context.commandName === 'QueryCommand') {
        const input = args.input as { Limit?: number };
        queries.push({ limit: input.Limit, items: ((res.output as { Items?: unknown[] }).Items ?? []).length });
      }
      return res;
    },
    { step: 'initialize', name: 'recordQueries' },
  );
  const seeder = { doc: t.doc, table: t.tableName };
  userIds = await seedUsers(seeder, C, USERS, 'resync');
  groupIds.push(await seedGroup(seeder, C, 'Everyone', userIds));
  for (let g = 0; g < 9; g++) groupIds.push(await seedGroup(seeder, C, `Team ${g}`, userIds.slice(g * 100, g * 100 + 100)));
  for (let g = 0; g < 5; g++) groupIds.push(await seedGroup(seeder, C, `Empty ${g}`, []));
  expected = new Set([
    ...userIds.map((id) => `user.snapshot ${id}`),
    ...groupIds.map((id) => `group.snapshot ${id}`),
    ...userIds.map((u) => `member.snapshot ${groupIds[0]} ${u}`),
    ...Array.from({ length: 9 }, (_, g) => userIds.slice(g * 100, g * 100 + 100).map((u) => `member.snapshot ${groupIds[g + 1]} ${u}`)).flat(),
  ]);
  expect(expected.size).toBe(2000 + 15 + 2900);

  rx = await startReceiver();
  dir = mkdtempSync(join(tmpdir(), 'scim-resync-'));
  writeFileSync(join(dir, 'endpoint.json'), JSON.stringify({ dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT, tableName: t.tableName }));
  writeFileSync(
    join(dir, 'connectors.json'),
    JSON.stringify({ [C]: { tenantUrl: 'http://127.0.0.1:1/acme/scim/v2', token: 'x', webhook: { url: rx.url }, webhookSecret: SECRET } }),
  );
  mkdirSync(join(dir, 'webhooks'));
  writeFileSync(join(dir, 'webhooks', `${C}.json`), JSON.stringify({ current: SECRET }), { mode: 0o600 });
}, 240_000);
afterAll(async () => {
  await rx?.close();
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  rx.requests.length = 0;
  rx.answer = () => 200;
});

describe('the resync engine', () => {
  it('reads constant-size pages and emits batches of ≤ 10: users, then each group followed by its members', async () => {
    queries.length = 0;
    const batches: ChangeEvent[][] = [];
    const r = await resync({ store: new ScimStore({ doc: t.doc, tableName: t.tableName }), connector: C, kinds: ['users', 'groups', 'members'], ratePerSecond: 10_000, emit: async (b) => void batches.push(b) });
    expect(r.completed).toBe(true);
    expect(r.progress).toEqual({ ...ALL_COUNTS, events: 4916 });
    const all = batches.flat();
    const events = snapshots(all);
    expect(new Set(events.map(key))).toEqual(expected);
    expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);
    // Every event carries the run id; the last one is the end marker with the run's scope and counts.
    expect(new Set(all.map((e) => e.run))).toEqual(new Set([r.runId]));
    expect(all.at(-1)).toEqual({
      eventId: expect.any(String),
      kind: 'resync.completed',
      connector: C,
      time: expect.any(String),
      run: r.runId,
      startedAt: expect.any(String),
      scope: ['users', 'groups', 'members'],
      counts: ALL_COUNTS,
    });
    expect(Date.parse(all.at(-1)!.startedAt!)).toBeLessThanOrEqual(Date.parse(events[0]!.time));
    expect(all.filter((e) => e.kind === 'resync.completed')).toHaveLength(1);
    expect(Math.max(...batches.map((b) => b.length))).toBe(EMIT_BATCH);
    // Constant memory: never more than a page per Query (users/groups 100, members 1,000).
    expect(queries.every((q) => q.limit !== undefined && q.limit <= MEMBER_PAGE_SIZE && q.items <= q.limit)).toBe(true);
    expect(queries.filter((q) => q.limit === RESYNC_PAGE_SIZE).length).toBeGreaterThanOrEqual(USERS / RESYNC_PAGE_SIZE);
    expect(queries.filter((q) => q.limit === MEMBER_PAGE_SIZE && q.items === MEMBER_PAGE_SIZE)).toHaveLength(2); // "Everyone": 2 full pages
    // Order: all users first, then group → its members.
    const kinds = events.map((e) => e.kind);
    expect(kinds.slice(0, 2000).every((k) => k === 'user.snapshot')).toBe(true);
    const everyone = kinds.indexOf('group.snapshot');
    expect(events[everyone]!.resourceId).toBe(groupIds[0]);
    expect(kinds.slice(everyone + 1, everyone + 2001).every((k) => k === 'member.snapshot')).toBe(true);
    // Shapes: resources without members or password; memberships as {value, type}.
    const g = events[everyone]!;
    expect(g).toMatchObject({ kind: 'group.snapshot', connector: C, resourceType: 'Group', version: 1, resource: { displayName: 'Everyone', id: groupIds[0], meta: { resourceType: 'Group' } } });
    expect(g.resource).not.toHaveProperty('members');
    expect(events[everyone + 1]).toMatchObject({ kind: 'member.snapshot', resourceType: 'Group', resourceId: groupIds[0], member: { value: userIds[0], type: 'User' } });
    expect(events[0]).toMatchObject({ kind: 'user.snapshot', resourceId: userIds[0], version: 1, resource: { userName: 'resync000000@contoso.example.com' } });
  });
});

describe('scim-admin --local events resync', () => {
  it('every snapshot reaches the connector\'s webhook, signed, and events.jsonl; progress on stderr', async () => {
    const r = await cli(['events', 'resync', C, '--rate', '10000/s']);
    expect(r.stderr).toContain('starting a resync of acme (users, groups, members)');
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/resync of acme done: 2000 user\.snapshot, 15 group\.snapshot, 2900 member\.snapshot events \(run [0-9a-f-]{36}\) to .*events\.jsonl and the webhook http:\/\/127\.0\.0\.1/);
    expect(rx.requests).toHaveLength(4916); // delivered before the command returned
    const got = rx.requests.map((q) => JSON.parse(q.raw.toString('utf8')) as ChangeEventEnvelope);
    expect(new Set(snapshots(got.map((e) => e.detail)).map(key))).toEqual(expected);
    expect(got.at(-1)!.detail).toMatchObject({ kind: 'resync.completed', counts: ALL_COUNTS });
    expect(new Set(rx.requests.map((q) => q.headers['scim-event-id'])).size).toBe(4916);
    for (const q of rx.requests.slice(0, 50).concat(rx.requests.slice(-50))) expect(verifyScimWebhook(q.raw, String(q.headers['scim-signature']), SECRET)).toBe(true);
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4916);
    expect(new Set(snapshots(lines.slice(-4916).map((l) => (JSON.parse(l) as ChangeEventEnvelope).detail)).map(key))).toEqual(expected);
  });

  it('--kinds users,groups: no member snapshots', async () => {
    const r = await cli(['events', 'resync', C, '--kinds', 'users,groups', '--rate', '10000']);
    expect(r.code).toBe(EXIT.ok);
    expect(rx.requests).toHaveLength(2016);
    expect(rx.requests.some((q) => q.raw.includes('member.snapshot'))).toBe(false);
    expect((JSON.parse(rx.requests.at(-1)!.raw.toString('utf8')) as ChangeEventEnvelope).detail).toMatchObject({
      kind: 'resync.completed',
      scope: ['users', 'groups'],
      counts: { users: 2000, groups: 15, members: 0 },
    });
  });

  it('interrupted (Ctrl-C): the resume cursor on stdout, exit 130; --from finishes the run with nothing lost or repeated', async () => {
    const stop = new AbortController();
    rx.answer = () => {
      if (rx.requests.length === 2500) stop.abort();
      return 200;
    };
    const first = await cli(['events', 'resync', C, '--rate', '10000/s'], { signal: stop.signal });
    expect(first.code).toBe(EXIT.interrupted);
    const cursor = first.stdout.trim();
    expect(first.stderr).toContain(`resume with: scim-admin --local events resync acme --from ${cursor}`);
    const c = decodeResyncCursor(cursor);
    expect(c.phase).toBe('groups'); // stopped inside the 2,000-member group's members
    const firstIds = rx.requests.map((q) => JSON.parse(q.raw.toString('utf8')) as ChangeEventEnvelope);
    expect(firstIds.length).toBeGreaterThanOrEqual(2500);
    expect(firstIds.length).toBeLessThan(4915);

    rx.answer = () => 200;
    const second = await cli(['events', 'resync', C, '--from', cursor, '--rate', '10000/s']);
    expect(second.code, second.stderr).toBe(EXIT.ok);
    expect(second.stderr).toContain('continuing the resync of acme');
    const all = rx.requests.map((q) => (JSON.parse(q.raw.toString('utf8')) as ChangeEventEnvelope).detail);
    expect(new Set(snapshots(all).map(key))).toEqual(expected);
    expect(all).toHaveLength(4916); // nothing sent twice
    // One run: the resumed part continues the same run id (its event ids derive from it), and its
    // end marker counts the whole run, the part before the interruption included.
    expect(new Set(all.map((e) => e.eventId)).size).toBe(4916);
    expect(new Set(all.map((e) => e.run))).toEqual(new Set([c.run]));
    expect(all.filter((e) => e.kind === 'resync.completed')).toEqual([expect.objectContaining({ counts: ALL_COUNTS, startedAt: c.started })]);
  });

  it('usage errors name what to fix (exit 2); an unknown connector lists the known ones (exit 3)', async () => {
    expect(await cli(['events', 'resync', C, '--rate', 'fast'])).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('--rate must be events per second like 50/s') });
    expect(await cli(['events', 'resync', C, '--kinds', 'users,people'])).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('--kinds takes a comma-separated list of users, groups, members (got users,people)') });
    expect(await cli(['events', 'resync', C, '--from', 'garbage'])).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('--from: not a resync cursor') });
    const unknown = await cli(['events', 'resync', 'nope']);
    expect(unknown.code).toBe(EXIT.notFound);
    expect(unknown.stderr).toMatch(/unknown connector "nope" .*known connectors: acme/);
    for (const r of [unknown]) expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('scim-admin events resync on a deployment', () => {
  const cf = mockClient(CloudFormationClient);
  const eb = mockClient(EventBridgeClient);
  let entries: PutEventsRequestEntry[][];
  class LocalDataDeployment extends DeployedBackend {
    override async store(): Promise<ScimStore> {
      return new ScimStore({ doc: t.doc, tableName: t.tableName });
    }
  }
  const backend = () => new LocalDataDeployment({ stack: 'Scim', region: 'eu-west-1' });

  beforeEach(() => {
    cf.reset();
    eb.reset();
    entries = [];
    cf.on(DescribeStacksCommand).resolves(
      deployedStack({
        connectors: [{ name: 'acme', tenantUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/acme/scim/v2' }],
        eventBusName: 'Scim-scim-events',
        tableName: 'Scim-Table',
      }),
    );
    eb.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      entries.push(input.Entries);
      return { FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `eb-${entries.length}-${i}` })) };
    });
  });

  it('PutEvents on the stack bus, ≤ 10 entries per call, detail-type = kind, throttled to --rate', async () => {
    const t0 = Date.now();
    const r = await cli(['events', 'resync', C, '--kinds', 'users,groups', '--rate', '1000/s'], { local: false, backend: backend() });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900); // 2,015 events at 1,000/s
    expect(r.stderr).toContain('to event bus Scim-scim-events');
    const flat = entries.flat();
    expect(flat).toHaveLength(2016);
    expect(Math.max(...entries.map((e) => e.length))).toBe(10);
    for (const e of flat) {
      expect(e.EventBusName).toBe('Scim-scim-events');
      expect(e.Source).toBe('scim');
      expect(e.DetailType).toBe((JSON.parse(e.Detail!) as ChangeEvent).kind);
    }
    expect(new Set(flat.map((e) => e.DetailType))).toEqual(new Set(['user.snapshot', 'group.snapshot', 'resync.completed']));
  });

  it('PutEvents failing: the error, and the cursor to resume from (nothing before it is lost)', async () => {
    let calls = 0;
    eb.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      calls++;
      if (calls > 20) throw Object.assign(new Error('User is not authorized to perform: events:PutEvents'), { name: 'AccessDeniedException' });
      entries.push(input.Entries);
      return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) };
    });
    const r = await cli(['events', 'resync', C, '--kinds', 'users', '--rate', '10000'], { local: false, backend: backend() });
    expect(r.code).toBe(EXIT.auth);
    expect(r.stderr).toContain('resync of acme stopped after 200 events');
    expect(r.stderr).toMatch(/AWS refused the request \(AccessDeniedException\): PutEvents: 10 of 10 entries still failing after 5 attempts \(AccessDeniedException\): User is not authorized/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const cursor = r.stdout.trim();
    expect(decodeResyncCursor(cursor)).toMatchObject({ phase: 'users', kinds: ['users'] });

    eb.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      entries.push(input.Entries);
      return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) };
    });
    const again = await cli(['events', 'resync', C, '--from', cursor, '--rate', '10000'], { local: false, backend: backend() });
    expect(again.code, again.stderr).toBe(EXIT.ok);
    const details = entries.flat().map((e) => JSON.parse(e.Detail!) as ChangeEvent);
    expect(details.at(-1)).toMatchObject({ kind: 'resync.completed', counts: { users: 2000, groups: 0, members: 0 } });
    const ids = snapshots(details).map((e) => e.resourceId);
    expect(ids).toHaveLength(2000);
    expect(new Set(ids)).toEqual(new Set(userIds));
  });
});
