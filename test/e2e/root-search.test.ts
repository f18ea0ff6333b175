/**
 * Queries at the server root over real HTTP (RFC 7644 §3.4.2.1 `GET <Tenant URL>/?filter=…`,
 * §3.4.3 `POST <Tenant URL>/.search`) through the local gateway and the users handler, on the
 * connectors of cdk.json: Users then Groups with exact totals and paging across both, cursors,
 * the users-only Jostle connector, and SCIM errors for wrong methods and bad filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectList, expectScim, expectScimError, GROUP, LIST_RESPONSE, USER, type Local, type Res, type ScimClient } from './support/local.js';
import { startCdkConnectors } from './connectors/support.js';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

let local: Local;
let c: ScimClient;
let jostle: ScimClient;
let spaceiq: ScimClient;
const users: string[] = [];
const groups: string[] = [];

beforeAll(async () => {
  local = await startCdkConnectors();
  c = local.client('default');
  jostle = local.client('jostle');
  spaceiq = local.client('spaceiq');
  for (const [i, extra] of [{ displayName: 'Root Shared' }, {}, {}].entries()) {
    const r = await c.post('/Users', { schemas: [USER], userName: `root-${i + 1}@example.com`, active: true, ...extra });
    expectScim(r, 201);
    users.push(r.body.id);
  }
  for (const [name, members] of [['Root Shared', [users[0]]], ['Root Ops', []]] as const) {
    const r = await c.post('/Groups', { schemas: [GROUP], displayName: name, members: members.map((value) => ({ value })) });
    expectScim(r, 201);
    groups.push(r.body.id);
  }
  for (const n of ['j1', 'j2']) expectScim(await jostle.post('/Users', { schemas: [USER], userName: `${n}@example.com`, active: true }), 201);
  expectScim(await spaceiq.post('/Groups', { schemas: [GROUP], displayName: 'SpaceIQ only' }), 201);
});

afterAll(async () => {
  await local?.stop();
});

const ids = (r: Res) => (r.body.Resources as { id: string }[]).map((x) => x.id);
const types = (r: Res) => (r.body.Resources as { meta: { resourceType: string } }[]).map((x) => x.meta.resourceType);
const q = (s: string) => encodeURIComponent(s);

describe('GET <Tenant URL>/?filter=… (RFC 7644 §3.4.2.1)', () => {
  it('a filter on an attribute both types have: the user, then the group, each with its schemas and meta', async () => {
    for (const path of [`/?filter=${q('displayName eq "Root Shared"')}`, `?filter=${q('displayName eq "root shared"')}`]) {
      const r = await c.get(path);
      expectList(r, 2);
      expect(ids(r)).toEqual([users[0], groups[0]]);
      const [u, g] = r.body.Resources;
      expect(u).toMatchObject({ schemas: [USER], userName: 'root-1@example.com', meta: { resourceType: 'User', location: `${c.tenantUrl}/Users/${users[0]}` } });
      expect(g).toMatchObject({ schemas: [GROUP], displayName: 'Root Shared', members: [{ value: users[0] }], meta: { resourceType: 'Group', location: `${c.tenantUrl}/Groups/${groups[0]}` } });
      expect(r.body).toMatchObject({ schemas: [LIST_RESPONSE], startIndex: 1, itemsPerPage: 2 });
    }
  });

  it('an attribute only one type has matches nothing of the other type', async () => {
    const byUserName = await c.get(`/?filter=${q('userName eq "ROOT-2@example.com"')}`);
    expectList(byUserName, 1);
    expect(ids(byUserName)).toEqual([users[1]]);
    const byMember = await c.get(`/?filter=${q(`members[value eq "${users[0]}"]`)}&excludedAttributes=members`);
    expectList(byMember, 1);
    expect(ids(byMember)).toEqual([groups[0]]);
    expect(byMember.body.Resources[0].members).toBeUndefined();
    expectList(await c.get(`/?filter=${q('nosuchAttribute eq "x"')}`), 0);
  });

  it('without a filter: everything, Users then Groups, paged with startIndex/count across the boundary', async () => {
    const pages = await Promise.all([1, 3, 5].map((s) => c.get(`/?startIndex=${s}&count=2`)));
    for (const p of pages) expectList(p, 5);
    expect(pages.map(types)).toEqual([['User', 'User'], ['User', 'Group'], ['Group']]);
    expect(pages.flatMap(ids)).toEqual([...users, ...groups]);
    expect(pages.map((p) => p.body.startIndex)).toEqual([1, 3, 5]);
    const beyond = await c.get('/?startIndex=9&count=2');
    expectList(beyond, 5);
    expect(beyond.body.Resources).toEqual([]);
  });

  it('cursor paging (RFC 9865) walks both types once', async () => {
    const seen: string[] = [];
    let path = '/?cursor&count=2';
    for (let i = 0; i < 10; i++) {
      const p = await c.get(path);
      expectList(p, 5);
      expect(p.body.startIndex).toBeUndefined();
      seen.push(...ids(p));
      if (p.body.nextCursor === undefined) break;
      path = `/?cursor=${q(p.body.nextCursor)}&count=2`;
    }
    expect(seen).toEqual([...users, ...groups]);
    expectScimError(await c.get('/?cursor=bm90LWEtY3Vyc29y.AAAA&count=2'), 400, 'invalidCursor');
    expectScimError(await c.get('/?cursor=&startIndex=2'), 400, 'invalidValue');
  });

  it("the connector's own base path (spaceiq: /scim) and only its own data", async () => {
    const r = await spaceiq.get('/?count=10');
    expectList(r, 1);
    expect(r.body.Resources[0]).toMatchObject({ displayName: 'SpaceIQ only', meta: { resourceType: 'Group' } });
  });
});

describe('POST <Tenant URL>/.search (RFC 7644 §3.4.3)', () => {
  it('a SearchRequest body, paged across the boundary', async () => {
    const page = (startIndex: number) => c.post('/.search', { schemas: [SEARCH], filter: 'meta.created pr', startIndex, count: 2, excludedAttributes: ['members'] });
    const pages = await Promise.all([1, 3, 5].map(page));
    for (const p of pages) expectList(p, 5);
    expect(pages.map(types)).toEqual([['User', 'User'], ['User', 'Group'], ['Group']]);
    expect(pages.flatMap(ids)).toEqual([...users, ...groups]);
    expect(pages[2]!.body.Resources[0].members).toBeUndefined();
  });

  it('attributes and a filter matching one user and one group', async () => {
    const r = await c.post('/.search', { schemas: [SEARCH], filter: 'displayName sw "Root " or userName eq "root-3@example.com"', attributes: ['displayName'] });
    expectList(r, 4);
    expect(ids(r)).toEqual([users[0], users[2], groups[0], groups[1]]);
    expect(r.body.Resources[0]).toEqual({ schemas: [USER], id: users[0], displayName: 'Root Shared' });
    expect(r.body.Resources[2]).toEqual({ schemas: [GROUP], id: groups[0], displayName: 'Root Shared' });
  });
});

describe('users-only connector (Jostle)', () => {
  it('root queries answer users only, no error', async () => {
    const all = await jostle.get('/');
    expectList(all, 2);
    expect(types(all)).toEqual(['User', 'User']);
    const search = await jostle.post('/.search', { schemas: [SEARCH], filter: 'userName eq "j2@example.com"' });
    expectList(search, 1);
    expect(search.body.Resources[0]).toMatchObject({ userName: 'j2@example.com', meta: { resourceType: 'User' } });
    expectList(await jostle.post('/.search', { schemas: [SEARCH], filter: 'displayName eq "Root Shared"' }), 0);
  });
});

describe('errors', () => {
  it('wrong methods → SCIM 405 with Allow, nothing changed', async () => {
    const before = await c.snapshot();
    for (const [method, path, allow] of [
      ['POST', '/', 'GET'],
      ['PUT', '/', 'GET'],
      ['DELETE', '', 'GET'],
      ['PATCH', '/', 'GET'],
      ['GET', '/.search', 'POST'],
      ['PUT', '/.search', 'POST'],
      ['DELETE', '/.search', 'POST'],
    ] as const) {
      const r = await c.req(method, path, method === 'GET' || method === 'DELETE' ? {} : { body: { schemas: [USER], userName: 'nope@example.com' } });
      expectScimError(r, 405);
      expect(r.headers.get('allow'), `${method} ${path}`).toBe(allow);
    }
    expect(await c.snapshot()).toEqual(before);
  });

  it('bad filters → SCIM 400 invalidFilter', async () => {
    expectScimError(await c.get(`/?filter=${q('userName eq')}`), 400, 'invalidFilter');
    expectScimError(await c.get(`/?filter=${q('active eq "maybe"')}`), 400, 'invalidFilter');
    expectScimError(await c.post('/.search', { schemas: [SEARCH], filter: 'displayName xx "a"' }), 400, 'invalidFilter');
    expectScimError(await c.post('/.search', { schemas: [SEARCH], filter: 42 }), 400, 'invalidFilter');
  });

  it('no token → 401 before any handler; another connector sees only its own resources', async () => {
    expect((await c.get('/', { authorization: null })).status).toBe(401);
    const ideo = await local.client('ideo').get('/');
    expectList(ideo, 0);
  });
});
