/**
 * `scim-admin restore` on DynamoDB Local, at the scale of issue 22: connector `acme` with 2,000
 * users, 20 groups and 3,000 memberships behind the real local endpoint (tailing the table's stream
 * into events.jsonl). `scim-admin --local snapshot` copies the table (the stand-in for
 * point-in-time recovery); then, through the HTTP API as Entra ID does it, 1,500 users are disabled
 * and deleted, 10 groups deleted, 100 users changed, one deprovisioned userName re-created with a
 * new id, and connector `beta` changes meanwhile. A dry run writes nothing; a restore interrupted
 * after a few batches exits 130 and the same command finishes it. Afterwards every GET, startIndex
 * list walk, filter (userName, externalId, displayName), member list and group-of-user lookup of
 * `acme` equals what it was at the copy; `beta` keeps its newer state; the restore's changes are
 * on the stream; a pending purge task of a restored group is dropped, so the sweeper leaves the
 * group's members alone.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, LocalBackend } from '../../../bin/admin/backend.js';
import { startLocalEndpoint, type LocalEndpoint } from '../../../bin/local/endpoint.js';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import type { ChangeEventEnvelope } from '../../../lambdas/events/schema.js';
import { sweepPendingPurges } from '../../../lambdas/provisioning/purge-sweeper.js';
import { keys } from '../../../lambdas/store/keys.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import { seedGroup, seedUsers } from '../../bench/support/seed.js';
import { runCli } from '../../support/cli.js';
import { assertLoopback, testClient } from '../../support/ddb.js';

const A = 'acme';
const B = 'beta';
const USERS = 2000;
const GROUPS = 20;
const PER_GROUP = 150;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

let dir: string;
let endpoint: LocalEndpoint;
let doc: DynamoDBDocumentClient;
let userIds: string[];
const groupIds: string[] = [];
let copyTable: string;

interface Reply {
  status: number;
  body: unknown;
}

async function http(connector: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const c = endpoint.connectors[connector]!;
  const res = await fetch(`${c.tenantUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${c.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

async function ok(connector: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await http(connector, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function pool<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i]!);
  }));
}

const q = (filter: string) => `?filter=${encodeURIComponent(filter)}`;

/** Everything a client can read of a connector, keyed by request (the compared "state"). */
async function view(connector: string, sample: { userIds: readonly string[]; groupIds: readonly string[] }): Promise<Map<string, unknown>> {
  const v = new Map<string, unknown>();
  // Okta-style startIndex walk (writes page bookmarks) of users, then groups.
  for (const type of ['Users', 'Groups']) {
    let start = 1;
    for (;;) {
      const path = `/${type}?startIndex=${start}&count=100${type === 'Groups' ? '&excludedAttributes=members' : ''}`;
      const page = (await ok(connector, 'GET', path)) as { Resources?: { id: string }[]; totalResults: number };
      v.set(path, page);
      if (!page.Resources?.length) break;
      start += page.Resources.length;
    }
  }
  const users = (await ok(connector, 'GET', `/Users?count=1000`)) as { totalResults: number };
  v.set('total users', users.totalResults);
  await pool(sample.userIds, 8, async (id) => {
    const r = await http(connector, 'GET', `/Users/${id}`);
    v.set(`GET /Users/${id}`, r);
    const u = r.body as { userName?: string; externalId?: string } | undefined;
    if (r.status === 200 && u?.userName) {
      v.set(`userName ${id}`, await ok(connector, 'GET', `/Users${q(`userName eq "${u.userName}"`)}`));
      v.set(`externalId ${id}`, await ok(connector, 'GET', `/Users${q(`externalId eq "${u.externalId}"`)}`));
      v.set(`groups of ${id}`, await ok(connector, 'GET', `/Groups${q(`members[value eq "${id}"]`)}&excludedAttributes=members`));
    }
  });
  await pool(sample.groupIds, 4, async (id) => {
    const r = await http(connector, 'GET', `/Groups/${id}`);
    v.set(`GET /Groups/${id}`, r);
    const g = r.body as { displayName?: string } | undefined;
    if (r.status === 200 && g?.displayName) v.set(`displayName ${id}`, await ok(connector, 'GET', `/Groups${q(`displayName eq "${g.displayName}"`)}`));
  });
  return v;
}

const events = (): ChangeEventEnvelope[] =>
  readFileSync(endpoint.eventsFile!, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ChangeEventEnvelope);

let atCopy: Map<string, unknown>;
let betaBefore: Map<string, unknown>;
let betaIds: { userIds: string[]; groupIds: string[] };
let reborn: string;
let eventsBefore: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scim-restore-'));
  endpoint = await startLocalEndpoint({
    connectors: parseConnectors([{ name: A }, { name: B }]),
    dir,
    port: 0,
    dynamodbEndpoint: assertLoopback(process.env.DYNAMODB_ENDPOINT),
    tableName: `restore-${randomBytes(4).toString('hex')}`,
    logLevel: 'SILENT',
    events: { file: join(dir, 'events.jsonl') },
  });
  doc = DynamoDBDocumentClient.from(testClient(endpoint.dynamodbEndpoint));
  const seeder = { doc, table: endpoint.tableName };
  userIds = await seedUsers(seeder, A, USERS, 'restore');
  for (let g = 0; g < GROUPS; g++) {
    const members = Array.from({ length: PER_GROUP }, (_, j) => userIds[(g * 100 + j) % USERS]!);
    groupIds.push(await seedGroup(seeder, A, `Team ${g}`, members));
  }
  const betaUsers = await seedUsers(seeder, B, 50, 'beta');
  betaIds = { userIds: betaUsers, groupIds: [await seedGroup(seeder, B, 'Beta 0', betaUsers.slice(0, 20)), await seedGroup(seeder, B, 'Beta 1', betaUsers.slice(10, 40))] };
  atCopy = await view(A, { userIds, groupIds });
}, 600_000);

afterAll(async () => {
  doc?.destroy();
  await endpoint?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('scim-admin restore', () => {
  it('snapshot --local copies the table into a new one and prints its name', async () => {
    const r = await runCli(['--local', '--dir', dir, 'snapshot']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    copyTable = r.stdout.trim();
    expect(copyTable).toMatch(new RegExp(`^${endpoint.tableName}-snapshot-\\d{8}T\\d{6}Z$`));
    expect(r.stderr).toMatch(/copied \d+ items/);
    const copied = await doc.send(new GetCommand({ TableName: copyTable, Key: keys.user(A, userIds[0]!) }));
    expect(copied.Item?.id).toBe(userIds[0]);
    // Deployed: no snapshot command, it points at point-in-time recovery instead.
    const deployed = await runCli(['snapshot', '--stack', 'Scim', '--region', 'eu-west-1']);
    expect(deployed.code).toBe(EXIT.usage);
    expect(deployed.stderr).toContain('restore-table-to-point-in-time');
  });

  it('the identity provider deprovisions 1,500 users and 10 groups, changes 100; beta changes meanwhile', async () => {
    const gone = userIds.slice(0, 1500);
    await pool(gone, 8, async (id) => {
      // Entra ID: disable (PATCH active "False"), then delete.
      await ok(A, 'PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
      await ok(A, 'DELETE', `/Users/${id}`);
    });
    await pool(groupIds.slice(0, 10), 4, async (id) => void (await ok(A, 'DELETE', `/Groups/${id}`)));
    await pool(userIds.slice(1500, 1600), 8, async (id) => {
      await ok(A, 'PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'title', value: 'Changed after the copy' }] });
    });
    // Fixing the scope brings a user back with a NEW id: the restore must give the name back to the old one.
    const first = (atCopy.get(`GET /Users/${userIds[0]}`) as Reply).body as { userName: string };
    reborn = ((await ok(A, 'POST', '/Users', { schemas: [USER], userName: first.userName, active: true })) as { id: string }).id;
    // A purge the sweeper has not finished yet for a deleted group that comes back.
    await doc.send(new PutCommand({ TableName: endpoint.tableName, Item: { ...keys.purgeTask(A, `Group:${groupIds[0]}`), kind: 'Group', id: groupIds[0], created: new Date().toISOString() } }));
    // beta: a new user, a changed user, a deleted group.
    const nu = (await ok(B, 'POST', '/Users', { schemas: [USER], userName: 'new-after-copy@beta.example', active: true })) as { id: string };
    betaIds.userIds.push(nu.id);
    await ok(B, 'PATCH', `/Users/${betaIds.userIds[0]}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'Beta changed' }] });
    await ok(B, 'DELETE', `/Groups/${betaIds.groupIds[1]}`);
    const after = await view(A, { userIds: userIds.slice(0, 1), groupIds: [] }); // startIndex walk: bookmarks of the deprovisioned state
    expect(after.get('total users')).toBe(501);
    betaBefore = await view(B, betaIds);
  }, 600_000);

  it('--dry-run prints what would change and writes nothing', async () => {
    const r = await runCli(['--local', '--dir', dir, 'restore', A, '--from-table', copyTable, '--dry-run']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    console.log(r.stdout);
    const removedMemberships = groupIds.reduce((n, _g, g) => n + (g < 10 ? PER_GROUP : Array.from({ length: PER_GROUP }, (_, j) => (g * 100 + j) % USERS).filter((i) => i < 1500).length), 0);
    expect(r.stdout).toContain('dry run, nothing written');
    expect(r.stdout).toMatch(/^users\s+1500\s+1\s+100\s+400$/m);
    // Groups that lost members to the user deletions changed (member count, version); the others did not.
    const changedGroups = groupIds.filter((_g, g) => g >= 10 && Array.from({ length: PER_GROUP }, (_, j) => (g * 100 + j) % USERS).some((i) => i < 1500)).length;
    expect(r.stdout).toMatch(new RegExp(`^groups\\s+10\\s+0\\s+${changedGroups}\\s+${10 - changedGroups}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^memberships\\s+${removedMemberships}\\s+0\\s+0\\s+${GROUPS * PER_GROUP - removedMemberships}$`, 'm'));
    expect(r.stdout).toContain('counters: users 501 → 2000, groups 10 → 20');
    expect(r.stdout).toContain('purge tasks: 1 dropped');
    expect(r.stdout).toMatch(/page bookmarks: [1-9]\d* deleted/);
    expect(((await ok(A, 'GET', '/Users?count=1')) as { totalResults: number }).totalResults).toBe(501);
  }, 120_000);

  it('an interrupted restore exits 130; the same command finishes it; acme equals the copy, beta keeps its state', async () => {
    // The runbook: pause first (the restore leaves the pause as it is), resume at the end.
    expect((await runCli(['--local', '--dir', dir, 'pause', A])).code).toBe(EXIT.ok);
    eventsBefore = events().length;
    // Ctrl-C after the 10th BatchWriteItem of the restore.
    const stop = new AbortController();
    let batches = 0;
    let hooked = false;
    const backend = new (class extends LocalBackend {
      override async store(): Promise<ScimStore> {
        const s = await super.store();
        if (hooked) return s;
        hooked = true; // the document clients share the DynamoDB client's middleware stack
        s.ctx.doc.middlewareStack.add(
          (next, context) => async (args) => {
            if (/^BatchWrite/.test(context.commandName ?? '') && ++batches === 10) stop.abort();
            return next(args);
          },
          { step: 'initialize', name: 'ctrlC' },
        );
        return s;
      }
    })({ dir });
    const first = await runCli(['--local', '--dir', dir, 'restore', A, '--from-table', copyTable], { backend: () => backend, signal: stop.signal });
    expect(first.code, first.stderr).toBe(EXIT.interrupted);
    expect(first.stderr).toContain(`continue with: scim-admin --local restore ${A} --from-table ${copyTable}`);
    // Stopped between batches: the user created after the copy is gone (deletes go first), not every user is back yet.
    const store = new ScimStore({ doc, tableName: endpoint.tableName });
    expect(await store.repo.get(A, 'User', reborn)).toBeUndefined();
    expect(await store.repo.get(A, 'User', userIds[1499]!)).toBeUndefined();

    const second = await runCli(['--local', '--dir', dir, 'restore', A, '--from-table', copyTable]);
    expect(second.code, second.stderr).toBe(EXIT.ok);
    console.log(second.stdout, second.stderr);
    expect(second.stderr).toContain(`${A} now equals ${copyTable}`);
    const listed = JSON.parse((await runCli(['--local', '--dir', dir, 'connectors', '--format', 'json'])).stdout) as { name: string; paused: boolean }[];
    expect(listed.map((c) => [c.name, c.paused])).toEqual([[A, true], [B, false]]);
    expect((await runCli(['--local', '--dir', dir, 'resume', A])).code).toBe(EXIT.ok);
    for (let i = 0; i < 40 && (await http(A, 'GET', '/Users?count=1')).status !== 200; i++) await new Promise((r) => setTimeout(r, 250));

    const now = await view(A, { userIds: [...userIds, reborn], groupIds });
    expect((now.get(`GET /Users/${reborn}`) as Reply).status).toBe(404);
    now.delete(`GET /Users/${reborn}`);
    expect(Object.fromEntries(now)).toEqual(Object.fromEntries(atCopy));
    expect(Object.fromEntries(await view(B, betaIds))).toEqual(Object.fromEntries(betaBefore));
  }, 600_000);

  it("the restore's changes are on the stream; a dropped purge task leaves the restored group alone; a rerun has nothing to do", async () => {
    const wanted = new Set([
      ...userIds.slice(0, 1500).map((id) => `user.created ${id}`),
      ...userIds.slice(1500, 1600).map((id) => `user.updated ${id}`),
      ...groupIds.slice(0, 10).map((id) => `group.created ${id}`),
      `user.deleted ${reborn}`,
    ]);
    let seen = new Set<string>();
    for (let i = 0; i < 120 && [...wanted].some((w) => !seen.has(w)); i++) {
      await new Promise((r) => setTimeout(r, 500));
      seen = new Set(events().slice(eventsBefore).map((e) => `${e.detail.kind} ${e.detail.resourceId}`));
    }
    const missing = [...wanted].filter((w) => !seen.has(w));
    expect(missing.slice(0, 5), `${missing.length} events missing`).toEqual([]);
    expect(events().slice(eventsBefore).filter((e) => e.detail.connector === B)).toEqual([]);
    expect(events().slice(eventsBefore).some((e) => e.detail.kind === 'member.added' && e.detail.resourceId === groupIds[0])).toBe(true);

    const store = new ScimStore({ doc, tableName: endpoint.tableName });
    expect(await store.repo.pendingPurges(A)).toEqual([]);
    const sweep = await sweepPendingPurges(store, [A]);
    expect(sweep.failures).toEqual([]);
    expect(((await ok(A, 'GET', `/Groups/${groupIds[0]}`)) as { members: unknown[] }).members).toHaveLength(PER_GROUP);

    const again = await runCli(['--local', '--dir', dir, 'restore', A, '--from-table', copyTable, '--dry-run']);
    expect(again.stdout).toMatch(/^users\s+0\s+0\s+0\s+2000$/m);
    expect(again.stdout).toMatch(/^memberships\s+0\s+0\s+0\s+3000$/m);
  }, 120_000);

  it('refuses a missing copy, the live table itself and a missing --from-table', async () => {
    const missing = await runCli(['--local', '--dir', dir, 'restore', A, '--from-table', 'no-such-table']);
    expect(missing.code).toBe(EXIT.notFound);
    expect(missing.stderr).toContain('table no-such-table not found');
    const self = await runCli(['--local', '--dir', dir, 'restore', A, '--from-table', endpoint.tableName]);
    expect(self.code).toBe(EXIT.usage);
    const none = await runCli(['--local', '--dir', dir, 'restore', A]);
    expect(none.code).toBe(EXIT.usage);
    expect(none.stderr).toContain('--from-table');
  });
});
