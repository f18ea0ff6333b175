/**
 * Root queries (RFC 7644 §3.4.2.1, §3.4.3) on DynamoDB Local: Users then Groups, index paging
 * across the boundary with exact totals, cursor walks (RFC 9865), filters a type cannot match, the
 * member budget, users-only connectors, and the DynamoDB calls a root page costs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileRegistry } from '../../../lambdas/connectors/profiles.js';
import { Provisioning, type ListQuery } from '../../../lambdas/provisioning/index.js';
import { RootSearch } from '../../../lambdas/provisioning/root-search.js';
import { SCHEMA, type ScimResource } from '../../../lambdas/scim/schema/types.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import { rejectsScim } from '../../support/scim-errors.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';

const C = 'root';
const USERS_ONLY = 'root-jostle';
const BASE = 'https://scim.example.com/root/scim/v2';
const byConnector: Record<string, 'generic' | 'jostle'> = { [C]: 'generic', [USERS_ONLY]: 'jostle', other: 'generic' };
const builtIn = profileRegistry();
const profile = (name: string) => builtIn.get(byConnector[name] ?? 'generic');

let t: TestTable;
let svc: Provisioning;
let root: RootSearch;
let store: ScimStore;
const users: string[] = [];
const groups: string[] = [];

function rootSearch(p: Provisioning): RootSearch {
  return new RootSearch({ store, users: p.users, groups: p.groups, schemas: (n) => profile(n).schemas, profile });
}

beforeAll(async () => {
  t = await createTestTable('root');
  store = new ScimStore({ doc: t.doc, tableName: t.tableName });
  svc = new Provisioning({ store, schemas: (n) => profile(n).schemas, profile });
  root = rootSearch(svc);
  // Sequential creates: ids are time-ordered, so each partition lists in creation order.
  for (const [i, extra] of [{ displayName: 'Shared' }, {}, { externalId: 'x-u3' }].entries()) {
    users.push((await svc.users.create(C, { schemas: [SCHEMA.user], userName: `u${i + 1}@example.com`, ...extra })).id);
  }
  groups.push((await svc.groups.create(C, { schemas: [SCHEMA.group], displayName: 'Shared', members: [{ value: users[0] }, { value: users[1] }] })).id);
  groups.push((await svc.groups.create(C, { schemas: [SCHEMA.group], displayName: 'Ops', externalId: 'x-g2' })).id);
  await svc.users.create(USERS_ONLY, { schemas: [SCHEMA.user], userName: 'j1@example.com' });
  await svc.users.create(USERS_ONLY, { schemas: [SCHEMA.user], userName: 'j2@example.com' });
  await svc.users.create('other', { schemas: [SCHEMA.user], userName: 'someone-else@example.com' });
});
afterAll(async () => t.drop());

const ids = (r: { Resources: ScimResource[] }) => r.Resources.map((x) => String(x.id));
const types = (r: { Resources: ScimResource[] }) => r.Resources.map((x) => (x.meta as { resourceType: string }).resourceType);
const q = (o: Partial<ListQuery> & { count: number }): ListQuery => ({ baseUrl: BASE, ...o });

const scimError = rejectsScim;

/** Every page of a cursor walk. */
async function walk(query: Omit<ListQuery, 'cursor'> & { count: number }) {
  const pages = [];
  let cursor = '';
  for (let i = 0; i < 20; i++) {
    const page = await root.list(C, { ...query, cursor });
    pages.push(page);
    if (page.nextCursor === undefined) return pages;
    cursor = page.nextCursor;
  }
  throw new Error('cursor walk did not end');
}

describe('index paging across the Users/Groups boundary', () => {
  it('3 users, 2 groups, count=2: [u,u] [u,g] [g], totalResults 5 on every page', async () => {
    const pages = await Promise.all([1, 3, 5].map((startIndex) => root.list(C, q({ startIndex, count: 2 }))));
    expect(pages.map(types)).toEqual([['User', 'User'], ['User', 'Group'], ['Group']]);
    expect(pages.map(ids).flat()).toEqual([...users, ...groups]);
    for (const [i, p] of pages.entries()) {
      expect(p).toMatchObject({ schemas: [SCHEMA.listResponse], totalResults: 5, startIndex: [1, 3, 5][i], itemsPerPage: p.Resources.length });
      expect(p.nextCursor).toBeUndefined();
    }
  });

  it('each resource carries its own schemas and meta (resourceType, location); groups their members', async () => {
    const all = await root.list(C, q({ count: 10 }));
    expect(all.totalResults).toBe(5);
    for (const r of all.Resources) {
      const kind = (r.meta as { resourceType: string }).resourceType;
      expect(r.schemas).toContain(kind === 'User' ? SCHEMA.user : SCHEMA.group);
      expect((r.meta as { location: string }).location).toBe(`${BASE}/${kind}s/${r.id}`);
    }
    const shared = all.Resources.find((r) => r.id === groups[0]);
    expect((shared?.members as { value: string }[]).map((m) => m.value).sort()).toEqual([users[0], users[1]].sort());
    // The users' derived `groups` follows /Users: only when named.
    expect(all.Resources.find((r) => r.id === users[0])?.groups).toBeUndefined();
    const named = await root.list(C, q({ count: 1, attributes: 'groups' }));
    expect(named.Resources[0]?.groups).toEqual([expect.objectContaining({ value: groups[0], display: 'Shared' })]);
  });

  it('startIndex beyond the end and count=0: no resources, exact total', async () => {
    expect(await root.list(C, q({ startIndex: 6, count: 2 }))).toMatchObject({ totalResults: 5, itemsPerPage: 0, startIndex: 6, Resources: [] });
    expect(await root.list(C, q({ startIndex: 4, count: 100 })).then(types)).toEqual(['Group', 'Group']);
    expect(await root.list(C, q({ startIndex: 1, count: 0 }))).toMatchObject({ totalResults: 5, Resources: [] });
  });

  it('a filter only groups can match: only groups answer, with their totals and paging', async () => {
    const f = `members.value eq "${users[1]}"`;
    expect(await root.list(C, q({ filter: f, count: 10 })).then(ids)).toEqual([groups[0]]);
    const byName = await root.list(C, q({ filter: 'displayName eq "Ops" or displayName eq "Shared"', count: 1, startIndex: 2 }));
    // displayName exists on both types: one user and two groups match; the window's 2nd is the first group.
    expect([byName.totalResults, ids(byName)]).toEqual([3, [groups[0]]]);
    const groupsOnly = await root.list(C, q({ filter: 'externalId eq "x-g2"', count: 10 }));
    expect([groupsOnly.totalResults, ids(groupsOnly)]).toEqual([1, [groups[1]]]);
  });

  it('a filter on an attribute both types have, one only users have, and one neither has', async () => {
    expect(await root.list(C, q({ filter: 'displayName eq "shared"', count: 10 })).then(ids)).toEqual([users[0], groups[0]]);
    expect(await root.list(C, q({ filter: 'externalId sw "x-"', count: 10 })).then(ids)).toEqual([users[2], groups[1]]);
    const one = await root.list(C, q({ filter: 'userName eq "U2@example.com"', count: 10 }));
    expect([one.totalResults, ids(one)]).toEqual([1, [users[1]]]);
    // `userName ne` matches every group (no userName) and every other user.
    expect(await root.list(C, q({ filter: 'userName ne "u2@example.com"', count: 10 })).then(ids)).toEqual([users[0], users[2], ...groups]);
    expect(await root.list(C, q({ filter: 'nickName2 eq "x" or urn:example:Foo:bar pr', count: 10 }))).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('an invalid filter is 400 invalidFilter (syntax, or an operand wrong for a type that has the attribute)', async () => {
    expect((await scimError(root.list(C, q({ filter: 'userName eq', count: 10 })))).scimType).toBe('invalidFilter');
    expect((await scimError(root.list(C, q({ filter: 'active eq "maybe"', count: 10 })))).scimType).toBe('invalidFilter');
    // As on /Groups: members filters other than members[value eq …] / members.value eq … are refused.
    expect((await scimError(root.list(C, q({ filter: 'members.value co "a"', count: 10 })))).scimType).toBe('invalidFilter');
  });
});

describe('cursor paging (RFC 9865) across the boundary', () => {
  for (const count of [1, 2, 3, 4, 5]) {
    it(`count=${count}: the walk returns every resource once, Users then Groups, total 5 throughout`, async () => {
      const pages = await walk(q({ count }));
      expect(pages.map(ids).flat()).toEqual([...users, ...groups]);
      expect(pages.every((p) => p.totalResults === 5 && p.startIndex === undefined)).toBe(true);
      expect(pages.every((p) => p.Resources.length <= count)).toBe(true);
      expect(pages.length).toBeLessThanOrEqual(Math.ceil(5 / count) + 1);
    });
  }

  it('a filtered walk (one user and two groups match)', async () => {
    const pages = await walk(q({ filter: 'displayName eq "Ops" or displayName eq "Shared"', count: 1 }));
    expect(pages.map(ids).flat()).toEqual([users[0], groups[0], groups[1]]);
    expect(pages.map((p) => p.totalResults)).toEqual(pages.map(() => 3));
  });

  it('a filtered walk counts the type it is not reading once: later pages cost only their own read', async () => {
    const filter = 'displayName eq "Ops" or displayName eq "Shared"';
    const first = await t.meter.measure(() => root.list(C, q({ filter, count: 1, cursor: '' })));
    expect(ids(first.result)).toEqual([users[0]]);
    // Page 2 reads groups; the users' total (one user) comes from the cursor, not from a second filtered read of users.
    const second = await t.meter.measure(() => root.list(C, q({ filter, count: 1, cursor: first.result.nextCursor! })));
    expect([ids(second.result), second.result.totalResults]).toEqual([[groups[0]], 3]);
    const groupsAlone = await t.meter.measure(() => svc.groups.list(C, { filter, count: 1, cursor: '' }));
    expect(second.total.calls).toBe(groupsAlone.total.calls);
    const third = await t.meter.measure(() => root.list(C, q({ filter, count: 1, cursor: second.result.nextCursor! })));
    expect([ids(third.result), third.result.totalResults, third.result.nextCursor]).toEqual([[groups[1]], 3, undefined]);
    const groupsNext = await t.meter.measure(() => svc.groups.list(C, { filter, count: 1, cursor: groupsAlone.result.nextCursor! }));
    expect(third.total.calls).toBe(groupsNext.total.calls);
  });

  it('a cursor only works for its connector and filter, untampered; /Users cursors are not root cursors', async () => {
    const first = await root.list(C, q({ count: 2, cursor: '' }));
    const cursor = first.nextCursor as string;
    expect(cursor).toMatch(/^[A-Za-z0-9._~-]+$/);
    expect((await scimError(root.list(C, q({ count: 2, cursor, filter: 'userName pr' })))).scimType).toBe('invalidCursor');
    expect((await scimError(root.list('other', q({ count: 2, cursor })))).scimType).toBe('invalidCursor');
    const [data, sig] = cursor.split('.');
    const body = JSON.parse(Buffer.from(data!, 'base64url').toString('utf8'));
    const forged = `${Buffer.from(JSON.stringify({ ...body, k: `G${body.k.slice(1)}` })).toString('base64url')}.${sig}`;
    expect((await scimError(root.list(C, q({ count: 2, cursor: forged })))).scimType).toBe('invalidCursor');
    const usersCursor = (await svc.users.list(C, { count: 1, cursor: '' })).nextCursor as string;
    expect((await scimError(root.list(C, q({ count: 2, cursor: usersCursor })))).scimType).toBe('invalidCursor');
    expect((await scimError(svc.users.list(C, { count: 2, cursor }))).scimType).toBe('invalidCursor');
  });
});

describe('connectors and budgets', () => {
  it('a users-only connector (Jostle) searches users only, without an error', async () => {
    const all = await root.list(USERS_ONLY, q({ count: 10 }));
    expect([all.totalResults, types(all)]).toEqual([2, ['User', 'User']]);
    expect(await root.list(USERS_ONLY, q({ filter: 'displayName eq "Shared"', count: 10 }))).toMatchObject({ totalResults: 0 });
    const pages = [];
    let cursor = '';
    do {
      const p = await root.list(USERS_ONLY, q({ count: 1, cursor }));
      pages.push(p);
      cursor = p.nextCursor ?? '';
    } while (cursor !== '');
    expect(pages.flatMap(types)).toEqual(['User', 'User']);
  });

  it('groups on a root page follow /Groups’ member budget: over it → 400 tooMany, excludedAttributes=members fits', async () => {
    const tight = rootSearch(new Provisioning({ store, schemas: (n) => profile(n).schemas, profile, maxMembersReturned: 1 }));
    const e = await scimError(tight.list(C, q({ startIndex: 4, count: 2 })));
    expect([e.status, e.scimType]).toEqual([400, 'tooMany']);
    const lean = await tight.list(C, q({ startIndex: 4, count: 2, excludedAttributes: 'members' }));
    expect(ids(lean)).toEqual(groups);
    expect(lean.Resources.every((r) => r.members === undefined)).toBe(true);
    // A page of users only never reads a member.
    expect(await tight.list(C, q({ count: 3 })).then(types)).toEqual(['User', 'User', 'User']);
  });

  it('DynamoDB calls per root page stay small and bounded', async () => {
    const calls = async (query: ListQuery) => (await t.meter.measure(() => root.list(C, query))).ops;
    const n = (ops: Record<string, { calls: number }>) => Object.values(ops).reduce((s, o) => s + o.calls, 0);
    // Unfiltered, inside the users: counts + the /Users page (counts, Query, next-page bookmark Put).
    expect(n(await calls(q({ count: 2 })))).toBe(4);
    // Across the boundary, members excluded: counts + the /Users page (counts, bookmark Get, Query)
    // + the /Groups page (counts, Query, bookmark Put).
    const across = await calls(q({ startIndex: 3, count: 2, excludedAttributes: 'members' }));
    expect(across).toEqual({ Query: expect.objectContaining({ calls: 5 }), GetItem: expect.objectContaining({ calls: 1 }), PutItem: expect.objectContaining({ calls: 1 }) });
    // Past the users: counts + the /Groups page only (no keys-only skip through the users).
    const groupsOnly = await calls(q({ startIndex: 4, count: 2, excludedAttributes: 'members' }));
    expect(n(groupsOnly)).toBeLessThanOrEqual(4);
    expect(groupsOnly.Query?.calls).toBe(3);
    // count=0: the counters only.
    expect(await calls(q({ count: 0 }))).toEqual({ Query: expect.objectContaining({ calls: 1 }) });
    // userName eq: the userName guard and the item; groups are not read at all.
    expect(n(await calls(q({ filter: 'userName eq "u1@example.com"', count: 10 })))).toBe(2);
    // A filter neither type can match: no call.
    expect(await calls(q({ filter: 'userName eq "a" and members pr', count: 10 }))).toEqual({});
  });
});
