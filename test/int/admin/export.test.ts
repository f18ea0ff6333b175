/**
 * `scim-admin users export` / `groups list` / `stats` / `connectors` against DynamoDB Local with the
 * local backend (`--local`, endpoint.json pointing at the test table): 2k users exported one
 * constant-size page at a time with backpressure, RFC 4180 CSV escaping (round-tripped through a
 * parser), JSON, SCIM filters evaluated per page, progress on stderr.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../bin/admin/backend.js';
import { run } from '../../../bin/admin/cli.js';
import { csvField, PAGE_SIZE, writeList } from '../../../bin/admin/export.js';
import { Provisioning } from '../../../lambdas/provisioning/index.js';
import { parseFilter } from '../../../lambdas/scim/filter/parse.js';
import { groupResource, userResource } from '../../../lambdas/scim/schema/resource-schema.js';
import { SCHEMA } from '../../../lambdas/scim/schema/types.js';
import { uuidv7 } from '../../../lambdas/store/context.js';
import { toItem } from '../../../lambdas/store/items.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import { batchPut, bumpCounter, storedUser } from '../../bench/support/seed.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';

const C = 'acme';
const N = 2000;
let t: TestTable;
let dir: string;

const TRICKY = [
  { userName: 'comma@example.com', displayName: 'Doe, Jane' },
  { userName: 'quote@example.com', displayName: 'Jane "JD" Doe' },
  { userName: 'newline@example.com', displayName: 'two\nlines\r\nhere' },
  { userName: 'space@example.com', displayName: ' padded ' },
  { userName: 'unicode@example.com', displayName: 'Zoë Ångström 李' },
  { userName: 'formula@example.com', displayName: '=SUM(A1:A2)' },
];

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF) to round-trip the export. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

function sink(highWaterMark = 16 * 1024) {
  const chunks: string[] = [];
  const w = new Writable({
    highWaterMark,
    write(c: Buffer, _e, cb) {
      chunks.push(c.toString());
      setImmediate(cb); // slow consumer: backpressure must be honoured
    },
  });
  return { w, chunks, text: () => chunks.join('') };
}

async function cli(args: string[]) {
  const out = sink();
  const err = sink();
  const code = await run([...args, '--local', '--dir', dir], { stdout: out.w, stderr: err.w, interactive: false });
  return { code, stdout: out.text(), stderr: err.text() };
}

beforeAll(async () => {
  t = await createTestTable('admin');
  const now = new Date().toISOString();
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < N; i++) {
    const id = uuidv7(Date.now() + i);
    const userName = `user${String(i).padStart(5, '0')}@example.com`;
    items.push(
      toItem(
        C,
        storedUser(id, now, {
          schemas: [SCHEMA.user, SCHEMA.enterpriseUser],
          userName,
          active: i % 10 !== 0,
          name: { givenName: 'User', familyName: String(i) },
          emails: [{ value: userName, type: 'work', primary: true }],
          [SCHEMA.enterpriseUser]: { department: i % 2 ? 'Sales' : 'Research' },
        }),
      ) as unknown as Record<string, unknown>,
    );
  }
  const seeder = { doc: t.doc, table: t.tableName };
  await batchPut(seeder, items);
  await bumpCounter(seeder, C, 'User', N);
  // The tricky ones and a group through the real service (guards, counters, members).
  const svc = new Provisioning({ store: new ScimStore({ doc: t.doc, tableName: t.tableName }), schemas: () => ({ user: userResource(), group: groupResource() }) });
  const ids = [];
  for (const u of TRICKY) ids.push((await svc.users.create(C, { schemas: [SCHEMA.user], ...u, active: true })).id);
  await svc.groups.create(C, { schemas: [SCHEMA.group], displayName: 'Escapers, Inc.', members: ids.map((value) => ({ value })) });

  dir = mkdtempSync(join(tmpdir(), 'scim-admin-'));
  writeFileSync(join(dir, 'endpoint.json'), JSON.stringify({ dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT, tableName: t.tableName }));
  writeFileSync(join(dir, 'connectors.json'), JSON.stringify({ [C]: { tenantUrl: 'http://127.0.0.1:1/acme/scim/v2', token: 'x' }, other: { tenantUrl: 'http://127.0.0.1:1/other/scim/v2', token: 'y' } }));
  writeFileSync(join(dir, 'activity.json'), JSON.stringify({ [C]: { lastSuccess: '2026-01-01T00:00:00.000Z' } }));
}, 240_000);
afterAll(async () => t.drop());

describe('users export', () => {
  it(`streams ${N} users in constant-size pages (one Query of ${PAGE_SIZE} per page), honouring backpressure`, async () => {
    const store = new ScimStore({ doc: t.doc, tableName: t.tableName });
    const out = sink(1024);
    const before = t.meter.calls('Query');
    let maxPending = 0;
    const written = await writeList({
      store,
      connector: C,
      kind: 'User',
      format: 'csv',
      out: out.w,
      schema: userResource(),
      onProgress: () => void (maxPending = Math.max(maxPending, out.w.writableLength)),
    });
    expect(written).toBe(N + TRICKY.length);
    expect(t.meter.calls('Query') - before).toBe(Math.ceil((N + TRICKY.length) / PAGE_SIZE) + ((N + TRICKY.length) % PAGE_SIZE === 0 ? 1 : 0));
    // Output is handed over page by page and drained before the next page: never a whole export buffered.
    expect(out.chunks.length).toBeGreaterThanOrEqual(Math.ceil(N / PAGE_SIZE));
    expect(maxPending).toBeLessThan(200 * 1024);
  });

  it('CSV to a file (mode 0600): header, every user, RFC 4180 escaping round-trips, progress on stderr', async () => {
    const file = join(dir, 'users.csv');
    const r = await cli(['users', 'export', C, '--output', file]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`exported ${N + TRICKY.length} users to ${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const rows = parseCsv(readFileSync(file, 'utf8'));
    const header = rows[0]!;
    expect(header.slice(0, 4)).toEqual(['id', 'userName', 'externalId', 'active']);
    expect(rows).toHaveLength(1 + N + TRICKY.length);
    const col = (name: string) => header.indexOf(name);
    const byUser = new Map(rows.slice(1).map((r) => [r[col('userName')], r]));
    for (const u of TRICKY) expect(byUser.get(u.userName)![col('displayName')]).toBe(u.displayName);
    expect(byUser.get('user00001@example.com')![col('department')]).toBe('Sales');
    expect(byUser.get('user00001@example.com')![col('email')]).toBe('user00001@example.com');
    expect(byUser.get('user00010@example.com')![col('active')]).toBe('false');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('plain')).toBe('plain');
  });

  it('--filter is a SCIM filter evaluated per page; --format json is one valid JSON array', async () => {
    const r = await cli(['users', 'export', C, '--format', 'json', '--quiet', '--filter', `active eq false and ${SCHEMA.enterpriseUser}:department eq "Research"`]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toBe('');
    const users = JSON.parse(r.stdout) as { userName: string; active: boolean; meta: { resourceType: string } }[];
    expect(users).toHaveLength(N / 10); // every 10th is inactive, and those are all even → Research
    expect(users.every((u) => u.active === false && u.meta.resourceType === 'User')).toBe(true);
    const none = await cli(['users', 'export', C, '--format', 'json', '--quiet', '--filter', 'userName eq "nobody"']);
    expect(JSON.parse(none.stdout)).toEqual([]);
  });

  it('a malformed filter or format is a usage error (exit 2)', async () => {
    expect((await cli(['users', 'export', C, '--filter', 'userName eq'])).code).toBe(EXIT.usage);
    expect((await cli(['users', 'export', C, '--format', 'xml'])).code).toBe(EXIT.usage);
  });

  it('users list prints a table; jsonl one user per line', async () => {
    const table = await cli(['users', 'list', C, '--filter', 'userName sw "unicode"']);
    expect(table.stdout.split('\n')[0]).toMatch(/^id\s+userName\s+active\s+displayName\s+email$/);
    expect(table.stdout).toContain('Zoë Ångström 李');
    const jsonl = await cli(['users', 'list', C, '--format', 'jsonl', '--filter', 'userName sw "user0000"']);
    expect(jsonl.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { userName: string }).userName)).toHaveLength(10);
  });
});

describe('groups, stats, connectors', () => {
  it('groups list with member counts', async () => {
    const r = await cli(['groups', 'list', C, '--format', 'csv']);
    const rows = parseCsv(r.stdout);
    expect(rows[0]).toEqual(['id', 'displayName', 'externalId', 'members', 'created', 'lastModified']);
    expect(rows[1]![1]).toBe('Escapers, Inc.');
    expect(rows[1]![3]).toBe(String(TRICKY.length));
  });

  it('stats', async () => {
    const r = await cli(['stats', C, '--format', 'json']);
    expect(JSON.parse(r.stdout)).toMatchObject({
      connector: C,
      users: N + TRICKY.length,
      inactiveUsers: N / 10,
      groups: 1,
      memberships: TRICKY.length,
      pendingCleanups: 0,
      lastSuccessfulRequest: '2026-01-01T00:00:00.000Z',
    });
  });

  it('connectors: counts, Tenant URL and last success from the local files; unknown connector lists the known ones', async () => {
    const r = await cli(['connectors', '--format', 'json']);
    expect(JSON.parse(r.stdout)).toEqual([
      { name: C, profile: null, profileSource: null, tenantUrl: 'http://127.0.0.1:1/acme/scim/v2', users: N + TRICKY.length, groups: 1, lastSuccessfulRequest: '2026-01-01T00:00:00.000Z', tokenAgeDays: null, tokenSince: null, openSetupLinks: [], paused: false },
      { name: 'other', profile: null, profileSource: null, tenantUrl: 'http://127.0.0.1:1/other/scim/v2', users: 0, groups: 0, lastSuccessfulRequest: null, tokenAgeDays: null, tokenSince: null, openSetupLinks: [], paused: false }, // no token files here
    ]);
    const missing = await cli(['users', 'export', 'acme2']);
    expect(missing.code).toBe(EXIT.notFound);
    expect(missing.stderr).toContain('known connectors: acme, other');
  });
});
