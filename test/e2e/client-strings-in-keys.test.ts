/**
 * Client strings in key positions (issue: `filter=id eq ""` answered 500 and paged the team).
 *
 * Every place where a string the client sends becomes part of a DynamoDB key — resource ids in the
 * path, `eq` lookups on id / userName / externalId / displayName / members / groups, member values in
 * POST, PUT and PATCH bodies, names and external ids that become uniqueness guards and index keys —
 * is swept over HTTP with hostile strings: empty, blank, the key separator `#`, strings shaped like our
 * own key parts, percent signs, NUL, lone surrogates and values longer than DynamoDB's key limits.
 * The answer is what SCIM says (no match, 404, or a 400 SCIM error) and never a 5xx; afterwards the
 * control resources are exactly as they were, and nothing reached the other connector.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, LIST_RESPONSE, SCIM_ERROR, startLocal, USER, type Local, type Res, type ScimClient } from './support/local.js';

const HOSTILE: readonly [string, string][] = [
  ['empty', ''],
  ['blank', ' '],
  ['tab', '\t'],
  ['separator', '#'],
  ['separators', 'a#b#c'],
  ['key-shaped', 'C#alpha#USER'],
  ['guard-shaped', '-'],
  ['percent', '%'],
  ['percent-encoded separator', '%23'],
  ['hash marker', '$e'],
  ['hashed marker', '$h0000'],
  ['NUL', '\u0000'],
  ['embedded NUL', 'a\u0000b'],
  ['lone surrogate', '\uD800'],
  ['slash', 'a/b'],
  ['dots', '..'],
  ['over-long ASCII', 'x'.repeat(2100)],
  ['over-long multibyte', 'é'.repeat(1100)],
];

/** 4xx that SCIM allows for a hostile string, and every 4xx is a SCIM error body. */
function expectClientAnswer(res: Res, allowed: readonly number[], what: string): void {
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  expect(allowed, `${what}: got ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
  if (res.status >= 400) {
    expect(res.headers.get('content-type'), what).toMatch(/^application\/scim\+json/);
    expect(res.body?.schemas, what).toEqual([SCIM_ERROR]);
    expect(res.body?.status, what).toBe(String(res.status));
    expect(typeof res.body?.detail, what).toBe('string');
  }
}

function expectNoMatch(res: Res, what: string): void {
  expectClientAnswer(res, [200], what);
  expect(res.body.schemas, what).toEqual([LIST_RESPONSE]);
  expect(res.body.totalResults, what).toBe(0);
}

const q = (filter: string): string => `?filter=${encodeURIComponent(filter)}`;

/** Percent-encoded for a URL; a lone surrogate has no UTF-8 form, so it is sent as its CESU-8 bytes (invalid UTF-8). */
const urlPart = (s: string): string => (/[\uD800-\uDFFF]/.test(s) && s.length === 1 ? '%ED%A0%80' : encodeURIComponent(s));

let local: Local;
let alpha: ScimClient;
let beta: ScimClient;
let userId: string;
let groupId: string;
let betaUserId: string;
let before: unknown;

/** Everything both connectors hold (users with groups, groups with members). */
async function snapshot(): Promise<unknown> {
  return { alpha: await alpha.snapshot(), beta: await beta.snapshot() };
}

beforeAll(async () => {
  local = await startLocal();
  alpha = local.client('alpha');
  beta = local.client('beta');
  const u = await alpha.post('/Users', { schemas: [USER], userName: 'control@example.com', externalId: 'control-x' });
  expect(u.status).toBe(201);
  userId = u.body.id;
  const g = await alpha.post('/Groups', { schemas: [GROUP], displayName: 'Control', externalId: 'control-g', members: [{ value: userId }] });
  expect(g.status).toBe(201);
  groupId = g.body.id;
  const b = await beta.post('/Users', { schemas: [USER], userName: 'other@example.com' });
  expect(b.status).toBe(201);
  betaUserId = b.body.id;
  before = await snapshot();
});

afterAll(async () => {
  await local?.stop();
});

describe.each(HOSTILE)('client string in key positions: %s', (_label, s) => {
  const lit = JSON.stringify(s);

  it('lookups by filter find nothing (Users, Groups, server root)', async () => {
    for (const attr of ['id', 'userName', 'externalId', 'groups.value', 'groups[value eq X]'])
      expectNoMatch(await alpha.get(`/Users${q(attr.includes('[') ? attr.replace('X', lit) : `${attr} eq ${lit}`)}`), `Users ${attr}`);
    for (const attr of ['id', 'displayName', 'externalId', 'members.value', 'members[value eq X]'])
      expectNoMatch(await alpha.get(`/Groups${q(attr.includes('[') ? attr.replace('X', lit) : `${attr} eq ${lit}`)}`), `Groups ${attr}`);
    expectNoMatch(await alpha.get(`/Users${q(`id eq ${lit} and userName eq "control@example.com"`)}`), 'id and userName');
    expectNoMatch(await alpha.get(`/${q(`id eq ${lit}`)}`), 'root GET');
    expectNoMatch(await alpha.post('/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `externalId eq ${lit}` }), 'root .search');
    expectNoMatch(await alpha.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `id eq ${lit}` }), 'Users .search');
  });

  it('a resource path with it answers 404 (or 400), never touching another resource', async () => {
    // `/Users/` is the collection (the list tests cover it); fetch resolves `..` before sending.
    if (s === '' || s === '..') return;
    const path = urlPart(s);
    for (const type of ['Users', 'Groups']) {
      expectClientAnswer(await alpha.get(`/${type}/${path}`), [404], `GET ${type}`);
      const body = type === 'Users' ? { schemas: [USER], userName: 'put@example.com' } : { schemas: [GROUP], displayName: 'Put' };
      expectClientAnswer(await alpha.put(`/${type}/${path}`, body), [404], `PUT ${type}`);
      const patch = [{ op: 'replace', path: 'externalId', value: 'x' }];
      expectClientAnswer(await alpha.patch(`/${type}/${path}`, patch), [404], `PATCH ${type}`);
      expectClientAnswer(await alpha.delete(`/${type}/${path}`), [404], `DELETE ${type}`);
    }
  });

  it('as userName, displayName or externalId of a write: created and found again, or a 400', async () => {
    const created: [string, string][] = [];
    try {
    for (const [type, body, lookup] of [
      ['Users', { schemas: [USER], userName: s }, `userName eq ${lit}`],
      ['Users', { schemas: [USER], userName: `xid-${Math.random()}@example.com`, externalId: s }, `externalId eq ${lit}`],
      ['Groups', { schemas: [GROUP], displayName: s }, `displayName eq ${lit}`],
      ['Groups', { schemas: [GROUP], displayName: `xid-${Math.random()}`, externalId: s }, `externalId eq ${lit}`],
    ] as const) {
      const res = await alpha.post(`/${type}`, body);
      expectClientAnswer(res, [201, 400], `POST ${type} ${lookup}`);
      if (res.status !== 201) continue;
      created.push([type, res.body.id]);
      const found = await alpha.get(`/${type}${q(lookup)}`);
      expectClientAnswer(found, [200], `find ${type} ${lookup}`);
      // `""` means "absent" (RFC 7643 §2.5 unassigned): stored without the attribute, so nothing matches it.
      const stored = Object.values(body).includes(s) && Object.entries(res.body).some(([k, v]) => k !== 'schemas' && v === s);
      expect(found.body.Resources.map((r: { id: string }) => r.id), lookup).toEqual(stored ? [res.body.id] : []);
      if (s !== '') expect(stored, `${lookup} kept as sent`).toBe(true);
    }
    } finally {
      for (const [type, id] of created) expect((await alpha.delete(`/${type}/${id}`)).status).toBe(204);
    }
  });

  it('as a member value: POST, PUT and PATCH agree', async () => {
    const post = await alpha.post('/Groups', { schemas: [GROUP], displayName: `m-${Math.random()}`, members: [{ value: s }] });
    try {
    expectClientAnswer(post, [201, 400], 'POST members');
    const put = await alpha.put(`/Groups/${groupId}`, { schemas: [GROUP], displayName: 'Control', externalId: 'control-g', members: [{ value: userId }, { value: s }] });
    const add = await alpha.patch(`/Groups/${groupId}`, [{ op: 'add', path: 'members', value: [{ value: s }] }]);
    const remove = await alpha.patch(`/Groups/${groupId}`, [{ op: 'remove', path: 'members', value: [{ value: s }] }]);
    const removeByFilter = await alpha.patch(`/Groups/${groupId}`, [{ op: 'remove', path: `members[value eq ${lit}]` }]);
    for (const [what, res] of [['PUT', put], ['PATCH add', add], ['PATCH remove', remove], ['PATCH remove filter', removeByFilter]] as const)
      expectClientAnswer(res, [200, 204, 400], `${what} members`);
    // An unusable member value is refused the same way whatever the request that carries it.
    const refused = (r: Res): boolean => r.status === 400;
    expect(refused(add), `POST ${post.status} vs PATCH add ${add.status}`).toBe(refused(post));
    expect(refused(put), `POST ${post.status} vs PUT ${put.status}`).toBe(refused(post));
    if (post.status === 201) expect(post.body.members ?? [], 'an id that names nothing is not a member').toEqual([]);
    } finally {
      if (post.status === 201) expect((await alpha.delete(`/Groups/${post.body.id}`)).status).toBe(204);
    }
  });

  it('as a user attribute in PATCH: applied or a 400', async () => {
    for (const [path, valid] of [['externalId', [200, 204, 400]], ['userName', [200, 204, 400, 409]]] as const) {
      const res = await alpha.patch(`/Users/${userId}`, [{ op: 'replace', path, value: s }]);
      expectClientAnswer(res, valid, `PATCH ${path}`);
    }
    // back to the control state for the snapshot comparison
    const back = await alpha.patch(`/Users/${userId}`, [{ op: 'replace', value: { userName: 'control@example.com', externalId: 'control-x' } }]);
    expectClientAnswer(back, [200, 204], 'restore control user');
  });

  it('in paging and projection parameters: a client answer', async () => {
    const p = urlPart(s);
    for (const query of [`?cursor=${p}`, `?startIndex=${p}`, `?count=${p}`, `?attributes=${p}`, `?excludedAttributes=${p}`, `?sortBy=${p}`])
      for (const type of ['Users', 'Groups']) expectClientAnswer(await alpha.get(`/${type}${query}`), [200, 400], `${type}${query.slice(0, 40)}`);
  });
});

it('the control resources and the other connector are exactly as before the sweep', async () => {
  expect(await snapshot()).toEqual(before);
});
