/** Provisioning use cases end to end on DynamoDB Local (no HTTP). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Provisioning } from '../../../lambdas/provisioning/index.js';
import type { ScimError } from '../../../lambdas/scim/errors.js';
import { groupResource, userResource } from '../../../lambdas/scim/schema/resource-schema.js';
import { SCHEMA } from '../../../lambdas/scim/schema/types.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import { rejectsScim } from '../../support/scim-errors.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';

let t: TestTable;
let svc: Provisioning;
const C = 'acme';
const schemas = { user: userResource(), group: groupResource() };
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

beforeAll(async () => {
  t = await createTestTable('svc');
  const store = new ScimStore({ doc: t.doc, tableName: t.tableName, maxFilterRead: 500 });
  svc = new Provisioning({ store, schemas: () => schemas });
});
afterAll(async () => t.drop());

const scimError = rejectsScim;

const user = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: [SCHEMA.user], userName, active: true, ...extra });
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });

describe('users', () => {
  it('create → get → replace → delete', async () => {
    const created = await svc.users.create(C, user('jdoe@example.com', { name: { givenName: 'J', familyName: 'Doe' }, password: 'secret' }));
    expect(created.resource.id).toBeTruthy();
    expect(created.resource.password).toBeUndefined();
    expect(created.etag).toBe('W/"1"');
    const got = await svc.users.get(C, created.id);
    expect(got.resource.userName).toBe('jdoe@example.com');
    expect((got.resource.meta as Record<string, unknown>).resourceType).toBe('User');
    const put = await svc.users.replace(C, created.id, user('jdoe@example.com', { displayName: 'JD' }));
    expect(put.version).toBe(2);
    expect(put.resource.name).toBeUndefined();
    await svc.users.delete(C, created.id);
    expect((await scimError(svc.users.get(C, created.id))).status).toBe(404);
  });

  it('duplicate userName in different case → 409 uniqueness', async () => {
    await svc.users.create(C, user('Dup@Example.com'));
    const e = await scimError(svc.users.create(C, user('dup@example.COM')));
    expect([e.status, e.scimType]).toEqual([409, 'uniqueness']);
  });

  it('rename onto an existing userName → 409 and nothing changed', async () => {
    const a = await svc.users.create(C, user('rn-a', { title: 'A' }));
    await svc.users.create(C, user('rn-b'));
    const e = await scimError(svc.users.patch(C, a.id, patch({ op: 'replace', path: 'userName', value: 'RN-B' }, { op: 'replace', path: 'title', value: 'B' })));
    expect(e.status).toBe(409);
    const after = await svc.users.get(C, a.id);
    expect([after.resource.userName, after.resource.title, after.version]).toEqual(['rn-a', 'A', 1]);
  });

  it('PATCH with filtered paths is persisted (upsert of emails[type eq "work"].value)', async () => {
    const u = await svc.users.create(C, user('fp'));
    await svc.users.patch(
      C,
      u.id,
      patch(
        { op: 'Add', path: 'emails[type eq "work"].value', value: 'fp@work.example' },
        { op: 'Replace', path: 'addresses[type eq "work"].locality', value: 'Oslo' },
        { op: 'replace', value: { active: false, 'name.givenName': 'F' } },
      ),
    );
    const got = await svc.users.get(C, u.id);
    expect(got.resource.emails).toEqual([{ type: 'work', value: 'fp@work.example' }]);
    expect(got.resource.addresses).toEqual([{ type: 'work', locality: 'Oslo' }]);
    expect(got.resource.active).toBe(false);
    expect((got.resource.name as Record<string, unknown>).givenName).toBe('F');
    await svc.users.patch(C, u.id, patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@work.example' }));
    expect((await svc.users.get(C, u.id)).resource.emails).toEqual([{ type: 'work', value: 'new@work.example' }]);
  });

  it('a no-op PATCH (password only) writes nothing', async () => {
    const u = await svc.users.create(C, user('noop'));
    const r = await svc.users.patch(C, u.id, patch({ op: 'replace', value: { password: 'x' } }));
    expect(r.version).toBe(1);
  });

  it('If-Match: stale version → 412, current version → applied', async () => {
    const u = await svc.users.create(C, user('etag'));
    await svc.users.patch(C, u.id, patch({ op: 'replace', path: 'title', value: 'x' }));
    expect((await scimError(svc.users.patch(C, u.id, patch({ op: 'replace', path: 'title', value: 'y' }), { ifMatch: 'W/"1"' }))).status).toBe(412);
    const ok = await svc.users.patch(C, u.id, patch({ op: 'replace', path: 'title', value: 'z' }), { ifMatch: 'W/"2"' });
    expect(ok.version).toBe(3);
    expect((await scimError(svc.users.delete(C, u.id, { ifMatch: 'W/"2"' }))).status).toBe(412);
  });
});

describe('groups and memberships', () => {
  it("a user's groups attribute; a deleted user disappears from all its groups", async () => {
    const u = await svc.users.create(C, user('member-1'));
    const v = await svc.users.create(C, user('member-2'));
    const g1 = await svc.groups.create(C, { schemas: [SCHEMA.group], displayName: 'Engineering', members: [{ value: u.id }] });
    const g2 = await svc.groups.create(C, { schemas: [SCHEMA.group], displayName: 'Everyone' });
    await svc.groups.patch(C, g2.id, patch({ op: 'Add', path: 'members', value: [{ value: u.id }, { value: v.id }] }));
    const got = await svc.users.get(C, u.id);
    expect((got.resource.groups as { value: string; display: string }[]).map((g) => g.display).sort()).toEqual(['Engineering', 'Everyone']);
    expect((await svc.users.get(C, u.id, { excludedAttributes: 'groups' })).resource.groups).toBeUndefined();
    await svc.users.delete(C, u.id);
    expect((await svc.groups.get(C, g1.id)).resource.members).toBeUndefined();
    expect((await svc.groups.get(C, g2.id)).resource.members).toEqual([{ value: v.id, type: 'User' }]);
  });

  it('Entra remove shape removes only the listed members; Okta shapes work', async () => {
    const us = await Promise.all(['e1', 'e2', 'e3'].map((n) => svc.users.create(C, user(n))));
    const g = await svc.groups.create(C, { displayName: 'entra', members: us.map((u) => ({ value: u.id })) });
    await svc.groups.patch(C, g.id, patch({ op: 'Remove', path: 'members', value: [{ $ref: null, value: us[0]!.id }] }));
    await svc.groups.patch(
      C,
      g.id,
      patch({ op: 'remove', path: `members[value eq "${us[1]!.id}"]` }, { op: 'replace', value: { id: g.id, displayName: 'entra' } }),
    );
    const got = await svc.groups.get(C, g.id);
    expect(got.resource.members).toEqual([{ value: us[2]!.id, type: 'User' }]);
    await svc.groups.patch(C, g.id, patch({ op: 'replace', path: 'members', value: [{ value: us[0]!.id, display: 'e1' }] }));
    expect((await svc.groups.get(C, g.id)).resource.members).toEqual([{ value: us[0]!.id, type: 'User', display: 'e1' }]);
  });

  it('unknown members: ignored by default (reported as ignoredMembers), 400 invalidValue naming them under reject', async () => {
    const u = await svc.users.create(C, user('member-of-lenient@example.com'));
    const g = await svc.groups.create(C, { displayName: 'lenient', members: [{ value: u.id }, { value: 'gone-at-create' }] });
    expect([g.ignoredMembers, g.resource.members]).toEqual([['gone-at-create'], [{ value: u.id, type: 'User' }]]);
    const p = await svc.groups.patch(C, g.id, patch({ op: 'add', path: 'members', value: [{ value: 'nobody-here' }] }));
    expect(p.ignoredMembers).toEqual(['nobody-here']);
    const put = await svc.groups.replace(C, g.id, { displayName: 'lenient', members: [{ value: u.id }, { value: 'gone-at-put' }] });
    expect([put.ignoredMembers, put.resource.members]).toEqual([['gone-at-put'], [{ value: u.id, type: 'User' }]]);
    const plain = await svc.groups.patch(C, g.id, patch({ op: 'replace', path: 'displayName', value: 'lenient-2' }));
    expect(plain.ignoredMembers).toBeUndefined();

    const strict = new Provisioning({ store: new ScimStore({ doc: t.doc, tableName: t.tableName, connectorOptions: () => ({ unknownMembers: 'reject' }) }), schemas: () => schemas });
    const sg = await strict.groups.create(C, { displayName: 'strict' });
    const e = await scimError(strict.groups.patch(C, sg.id, patch({ op: 'add', path: 'members', value: [{ value: u.id }, { value: 'nobody-here' }] })));
    expect([e.status, e.scimType]).toEqual([400, 'invalidValue']);
    expect(e.detail).toContain('nobody-here');
    expect((await strict.groups.get(C, sg.id)).resource.members).toBeUndefined();
  });

  it('members are answered with the type and $ref their id really has, whatever the client sent', async () => {
    const u = await svc.users.create(C, user('typed@example.com'));
    const child = await svc.groups.create(C, { displayName: 'typed-child' });
    const base = 'https://scim.example.com/acme/scim/v2';
    const g = await svc.groups.create(
      C,
      { displayName: 'typed', members: [{ value: u.id, type: 'Group', $ref: `${base}/Groups/${u.id}` }, { value: child.id, $ref: `${base}/Users/${child.id}` }] },
      { baseUrl: base },
    );
    expect(g.ignoredMembers).toBeUndefined();
    const members = (await svc.groups.get(C, g.id, { baseUrl: base })).resource.members as { value: string; type: string; $ref: string }[];
    expect(members.sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      { value: child.id, type: 'Group', $ref: `${base}/Groups/${child.id}` },
      { value: u.id, type: 'User', $ref: `${base}/Users/${u.id}` },
    ]);
  });

  it('group rename onto an existing displayName → 409; excludedAttributes=members reads no members', async () => {
    await svc.groups.create(C, { displayName: 'Taken' });
    const g = await svc.groups.create(C, { displayName: 'Free' });
    expect((await scimError(svc.groups.patch(C, g.id, patch({ op: 'replace', path: 'displayName', value: 'taken' })))).status).toBe(409);
    const r = await svc.groups.get(C, g.id, { excludedAttributes: 'members' });
    expect(r.resource.displayName).toBe('Free');
  });

  it('members one response may carry: a group or a group page over the budget → 400 tooMany before any member is read', async () => {
    const M = 'budget';
    const store = new ScimStore({ doc: t.doc, tableName: t.tableName });
    const small = new Provisioning({ store, schemas: () => schemas, maxMembersReturned: 5 });
    const us = await Promise.all(Array.from({ length: 6 }, (_, i) => small.users.create(M, user(`budget-${i}`))));
    const a = await small.groups.create(M, { displayName: 'A', members: us.slice(0, 3).map((u) => ({ value: u.id })) });
    await small.groups.create(M, { displayName: 'B', members: us.slice(3).map((u) => ({ value: u.id })) });
    const page = await t.meter.measure(() => scimError(small.groups.list(M, { startIndex: 1, count: 100 })));
    expect([page.result.status, page.result.scimType]).toEqual([400, 'tooMany']);
    expect(page.result.detail).toContain('2 groups have 6 members');
    expect(page.ops.Query?.calls ?? 0).toBeLessThanOrEqual(2); // counters + the page: no member partition read
    expect(page.ops.BatchGetItem).toBeUndefined();
    const one = await small.groups.list(M, { startIndex: 1, count: 1 });
    expect(one.Resources[0]!.members).toHaveLength(3);
    expect((await small.groups.list(M, { startIndex: 1, count: 100, excludedAttributes: 'members' })).Resources).toHaveLength(2);
    expect((await small.groups.get(M, a.id)).resource.members).toHaveLength(3);
    await small.groups.patch(M, a.id, patch({ op: 'add', path: 'members', value: us.slice(3).map((u) => ({ value: u.id })) }));
    const big = await scimError(small.groups.get(M, a.id));
    expect([big.status, big.scimType]).toEqual([400, 'tooMany']);
    // The answer to a write that is done carries no members rather than an error the client would retry.
    const renamed = await small.groups.patch(M, a.id, patch({ op: 'replace', path: 'displayName', value: 'A2' }), { attributes: 'displayName,members' });
    expect(renamed.resource).toMatchObject({ displayName: 'A2' });
    expect(renamed.resource.members).toBeUndefined();
    expect((await small.groups.get(M, a.id, { excludedAttributes: 'members' })).resource.displayName).toBe('A2');
  });
});

describe('list and filter', () => {
  const L = 'lister';
  beforeAll(async () => {
    for (let i = 0; i < 12; i++) await svc.users.create(L, user(`list-${String(i).padStart(2, '0')}`, { externalId: `x-${i}`, title: i % 2 ? 'odd' : 'even' }));
  });

  it('filters by userName (case-insensitive), externalId, id and manager, and a scanned attribute', async () => {
    const byName = await svc.users.list(L, { filter: 'userName eq "LIST-03"', count: 10 });
    expect(byName.totalResults).toBe(1);
    const id = byName.Resources[0]!.id as string;
    expect((await svc.users.list(L, { filter: 'externalId eq "x-3"', count: 10 })).Resources.map((r) => r.id)).toEqual([id]);
    expect((await svc.users.list(L, { filter: 'externalId eq "X-3"', count: 10 })).totalResults).toBe(0);
    expect((await svc.users.list(L, { filter: `id eq "${id}" and title eq "odd"`, count: 10, attributes: 'id' })).Resources).toEqual([
      { id, schemas: [SCHEMA.user] },
    ]);
    const mgr = await svc.users.create(L, user('the-boss'));
    await svc.users.patch(L, id, patch({ op: 'replace', path: `${SCHEMA.enterpriseUser}:manager`, value: mgr.id }));
    expect((await svc.users.list(L, { filter: `id eq "${id}" and manager eq "${mgr.id}"`, count: 1 })).totalResults).toBe(1);
    expect((await svc.users.list(L, { filter: `id eq "${id}" and manager eq "someone-else"`, count: 1 })).totalResults).toBe(0);
    const odd = await svc.users.list(L, { filter: 'title eq "odd"', count: 100 });
    expect(odd.totalResults).toBe(6);
    expect((await svc.users.list(L, { filter: 'userName eq "nobody"', count: 10 })).Resources).toEqual([]);
  });

  it('index paging walks in a stable order; totalResults from the counters', async () => {
    const seen: string[] = [];
    for (let start = 1; start <= 13; start += 5) {
      const page = await svc.users.list(L, { startIndex: start, count: 5 });
      expect(page.totalResults).toBe(13);
      expect(page.startIndex).toBe(start);
      seen.push(...page.Resources.map((r) => r.userName as string));
    }
    expect(seen).toHaveLength(13);
    expect(new Set(seen).size).toBe(13);
    // random access (no bookmark) gives the same page
    const again = await svc.users.list(L, { startIndex: 6, count: 3 });
    expect(again.Resources.map((r) => r.userName)).toEqual(seen.slice(5, 8));
    // the skip in several keys-only rounds (3 keys per Query here; 5,000 deployed) lands on the same items
    const rounds = new Provisioning({ store: new ScimStore({ doc: t.doc, tableName: t.tableName, skipReadItems: 3 }), schemas: () => schemas });
    for (const start of [4, 8, 13]) { // none bookmarked by the walk above (6, 9, 11, 16)
      const m = await t.meter.measure(() => rounds.users.list(L, { startIndex: start, count: 2 }));
      expect(m.result.Resources.map((r) => r.userName)).toEqual(seen.slice(start - 1, start + 1));
      expect(m.ops.Query!.calls).toBe(1 + Math.ceil((start - 1) / 3) + 1); // counters + skip rounds + the page
    }
    expect((await rounds.users.list(L, { startIndex: 14, count: 2 })).Resources).toEqual([]);
  });

  it('cursor paging; a cursor from another connector or filter → 400 invalidCursor', async () => {
    const first = await svc.users.list(L, { cursor: '', count: 5 });
    expect(first.nextCursor).toBeTruthy();
    const second = await svc.users.list(L, { cursor: first.nextCursor!, count: 5 });
    expect(second.Resources.map((r) => r.id)).not.toContain(first.Resources[0]!.id);
    const e = await scimError(svc.users.list('other', { cursor: first.nextCursor!, count: 5 }));
    expect([e.status, e.scimType]).toEqual([400, 'invalidCursor']);
    const f = await scimError(svc.users.list(L, { cursor: first.nextCursor!, count: 5, filter: 'title eq "odd"' }));
    expect(f.scimType).toBe('invalidCursor');
    expect((await scimError(svc.users.list(L, { cursor: 'garbage.value', count: 5 }))).scimType).toBe('invalidCursor');
    const fc = await svc.users.list(L, { cursor: '', count: 4, filter: 'title eq "odd"' });
    const fc2 = await svc.users.list(L, { cursor: fc.nextCursor!, count: 4, filter: 'title eq "odd"' });
    expect([...fc.Resources, ...fc2.Resources].map((r) => r.title)).toEqual(Array(6).fill('odd'));
    expect(fc2.nextCursor).toBeUndefined();
  });

  it('a filter that would read too many items → 400 tooMany', async () => {
    const store = new ScimStore({ doc: t.doc, tableName: t.tableName, maxFilterRead: 5 });
    const small = new Provisioning({ store, schemas: () => schemas });
    const e = await scimError(small.users.list(L, { filter: 'title eq "odd"', count: 10 }));
    expect([e.status, e.scimType]).toEqual([400, 'tooMany']);
    expect((await small.users.list(L, { filter: 'userName eq "list-01"', count: 10 })).totalResults).toBe(1);
  });

  it('groups: displayName eq and members[value eq] / members.value eq', async () => {
    const u = await svc.users.create(L, user('gm'));
    const g = await svc.groups.create(L, { displayName: 'Finance', members: [{ value: u.id }] });
    await svc.groups.create(L, { displayName: 'Legal' });
    const r = await svc.groups.list(L, { filter: 'displayName eq "finance"', count: 10, excludedAttributes: 'members' });
    expect(r.Resources.map((x) => x.id)).toEqual([g.id]);
    expect(r.Resources[0]!.members).toBeUndefined();
    expect((await svc.groups.list(L, { filter: `members[value eq "${u.id}"]`, count: 10 })).Resources.map((x) => x.id)).toEqual([g.id]);
    expect((await svc.groups.list(L, { filter: `members.value eq "${u.id}" and displayName eq "Legal"`, count: 10 })).totalResults).toBe(0);
    expect((await svc.groups.list(L, { filter: `id eq "${g.id}" and members eq "${u.id}"`, count: 10 })).totalResults).toBe(1);
    expect((await scimError(svc.groups.list(L, { filter: `members.value eq "${u.id}" or displayName eq "Legal"`, count: 10 }))).scimType).toBe('invalidFilter');
  });
});

describe('isolation', () => {
  it('same userName in two connectors; ids do not cross', async () => {
    const a = await svc.users.create('iso-a', user('shared'));
    const b = await svc.users.create('iso-b', user('shared'));
    expect((await scimError(svc.users.get('iso-b', a.id))).status).toBe(404);
    expect((await svc.users.list('iso-a', { filter: 'userName eq "shared"', count: 5 })).Resources.map((r) => r.id)).toEqual([a.id]);
    expect((await svc.users.list('iso-b', { filter: `id eq "${a.id}"`, count: 5 })).totalResults).toBe(0);
    expect((await svc.users.list('iso-b', { count: 5 })).totalResults).toBe(1);
    expect((await scimError(svc.users.patch('iso-b', a.id, patch({ op: 'replace', path: 'title', value: 'x' })))).status).toBe(404);
    expect(b.id).not.toBe(a.id);
  });
});

describe('concurrency', () => {
  it('50 parallel PATCHes adding different members → 50 members and a correct count', async () => {
    const users = await Promise.all(Array.from({ length: 50 }, (_, i) => svc.users.create('conc', user(`c-${i}`))));
    const g = await svc.groups.create('conc', { displayName: 'hot' });
    await Promise.all(users.map((u) => svc.groups.patch('conc', g.id, patch({ op: 'add', path: 'members', value: [{ value: u.id }] }))));
    const got = await svc.groups.get('conc', g.id);
    expect((got.resource.members as unknown[]).length).toBe(50);
    const store = new ScimStore({ doc: t.doc, tableName: t.tableName });
    expect((await store.repo.get('conc', 'Group', g.id))?.memberCount).toBe(50);
  });

  it('20 parallel PATCHes changing different attributes of one user → all present', async () => {
    const u = await svc.users.create('conc', user('busy'));
    const E = SCHEMA.enterpriseUser;
    const paths = [
      'displayName', 'nickName', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'profileUrl',
      'name.givenName', 'name.familyName', 'name.middleName', 'name.honorificPrefix', 'name.honorificSuffix', 'name.formatted',
      `${E}:employeeNumber`, `${E}:costCenter`, `${E}:organization`, `${E}:division`, `${E}:department`, 'emails[type eq "work"].value',
    ];
    await Promise.all(paths.map((path, i) => svc.users.patch('conc', u.id, patch({ op: 'add', path, value: `v${i}` }))));
    const got = (await svc.users.get('conc', u.id)).resource as Record<string, any>;
    const ent = got[E] as Record<string, unknown>;
    const values = [
      got.displayName, got.nickName, got.title, got.userType, got.preferredLanguage, got.locale, got.timezone, got.profileUrl,
      got.name.givenName, got.name.familyName, got.name.middleName, got.name.honorificPrefix, got.name.honorificSuffix, got.name.formatted,
      ent.employeeNumber, ent.costCenter, ent.organization, ent.division, ent.department, got.emails[0].value,
    ];
    expect(values).toEqual(paths.map((_, i) => `v${i}`));
    expect((await svc.users.get('conc', u.id)).version).toBe(21);
   }, 120_000);

  it('two parallel POSTs of the same userName → one user, one 409', async () => {
    const rs = await Promise.allSettled([svc.users.create('conc', user('twin')), svc.users.create('conc', user('TWIN'))]);
    expect(rs.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(((rs.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as ScimError).status).toBe(409);
    expect((await svc.users.list('conc', { filter: 'userName eq "twin"', count: 5 })).totalResults).toBe(1);
  });
});
