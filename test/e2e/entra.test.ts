/**
 * Replays of what Microsoft Entra ID sends (scim-clients.md §1, §3 rows 1–19): Test Connection,
 * the create sequence, every PATCH shape of §0 rules 2–7, disable/enable, delete, and the group
 * lifecycle with `excludedAttributes=members` lookups. Query strings are encoded as Entra does
 * (spaces as `+`, quotes as `%22`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, expectList, expectScim, expectScimError, GROUP, guid, startLocal, USER, type Local, type ScimClient } from './support/local.js';

let local: Local;
let entra: ScimClient;

/** `userName eq "v"` the way Entra writes it into the URL. */
function eqFilter(attr: string, value: string): string {
  return `filter=${attr}+eq+%22${encodeURIComponent(value)}%22`;
}

beforeAll(async () => {
  local = await startLocal();
  entra = local.client('alpha');
});

afterAll(async () => {
  await local?.stop();
});

async function createEntraUser(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await entra.post('/Users', {
    schemas: [USER, ENTERPRISE],
    externalId: guid(),
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
    ...extra,
  });
  expectScim(res, 201);
  return res.body.id as string;
}

describe('Entra: Test Connection', () => {
  it('a random-GUID userName filter → 200 with an empty ListResponse', async () => {
    const res = await entra.get(`/Users?${eqFilter('userName', guid())}`);
    expectList(res, 0);
    expect(res.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    });
  });

  it('the group probe with excludedAttributes=members → 200 empty', async () => {
    expectList(await entra.get(`/Groups?excludedAttributes=members&${eqFilter('displayName', guid())}`), 0);
  });

  it('works with no User-Agent and no Accept header', async () => {
    const res = await fetch(`${entra.tenantUrl}/Users?${eqFilter('userName', guid())}`, {
      headers: { Authorization: `Bearer ${entra.token}`, 'User-Agent': '', Accept: '' },
    });
    expect(res.status).toBe(200);
  });
});

describe('Entra: user lifecycle', () => {
  const userName = `Test_User_${guid()}@testuser.com`;
  let id: string;

  it('create sequence: match (0) → POST (201 with id) → match (1, case-insensitively)', async () => {
    expectList(await entra.get(`/Users?${eqFilter('userName', userName)}`), 0);
    const res = await entra.post('/Users', {
      schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName,
      active: 'True',
      addresses: null,
      emails: [{ primary: true, type: 'work', value: userName }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
      [ENTERPRISE]: { department: 'Sales' },
    });
    expectScim(res, 201);
    id = res.body.id;
    expect(id).toEqual(expect.any(String));
    expect(res.body).toMatchObject({ userName, active: true, externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef', [ENTERPRISE]: { department: 'Sales' } });
    expect(res.headers.get('location')).toBe(`${entra.tenantUrl}/Users/${id}`);
    const match = await entra.get(`/Users?${eqFilter('userName', userName.toUpperCase())}`);
    expectList(match, 1);
    expect(match.body.Resources[0].id).toBe(id);
    expectList(await entra.get(`/Users?${eqFilter('externalId', '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef')}`), 1);
  });

  it('a second POST of the same userName (any case) → 409 uniqueness, nothing changed', async () => {
    const before = await entra.snapshot();
    expectScimError(await entra.post('/Users', { schemas: [USER], userName: userName.toLowerCase() }), 409, 'uniqueness');
    expect(await entra.snapshot()).toEqual(before);
  });

  it('PATCH a: single Replace of userName (capitalised op) → 204', async () => {
    const renamed = `renamed-${userName}`;
    const res = await entra.patch(`/Users/${id}`, [{ op: 'Replace', path: 'userName', value: renamed }]);
    expectScim(res, 204);
    expect(res.text).toBe('');
    expect(res.headers.get('etag')).toMatch(/^W\/"\d+"$/);
    expect((await entra.get(`/Users/${id}`)).body.userName).toBe(renamed);
    expectList(await entra.get(`/Users?${eqFilter('userName', userName)}`), 0);
    expectList(await entra.get(`/Users?${eqFilter('userName', renamed)}`), 1);
  });

  it('PATCH b: one op per attribute, filtered and sub-attribute paths, URN path', async () => {
    const res = await entra.patch(`/Users/${id}`, [
      { op: 'Replace', path: 'displayName', value: 'Pvlo' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
      { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
      { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
      { op: 'Replace', path: 'externalId', value: 'Eqpj' },
      { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Eqpj' },
    ]);
    expectScim(res, 204);
    const user = (await entra.get(`/Users/${id}`)).body;
    expect(user).toMatchObject({
      displayName: 'Pvlo',
      name: { givenName: 'Gtfd', familyName: 'Pkqf' },
      externalId: 'Eqpj',
      [ENTERPRISE]: { employeeNumber: 'Eqpj', department: 'Sales' },
    });
    expect(user.emails).toEqual([expect.objectContaining({ type: 'work', value: 'TestBcwqnm@test.microsoft.com', primary: true })]);
  });

  it('PATCH c: aadOptscim062020 dialect, path-less replace with dotted and URN keys', async () => {
    const res = await entra.patch(`/Users/${id}`, [
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
      { op: 'replace', value: { displayName: 'Bjfe', 'name.givenName': 'Kkom', 'name.familyName': 'Unua', [`${ENTERPRISE}:employeeNumber`]: 'Aklq' } },
    ]);
    expectScim(res, 204);
    const user = (await entra.get(`/Users/${id}`)).body;
    expect(user).toMatchObject({ displayName: 'Bjfe', name: { givenName: 'Kkom', familyName: 'Unua' }, [ENTERPRISE]: { employeeNumber: 'Aklq' } });
    expect(user['name.givenName']).toBeUndefined();
    expect(user.emails[0].value).toBe('TestMhvaes@test.microsoft.com');
  });

  it('PATCH d: Add of a single-valued string sets it', async () => {
    expectScim(await entra.patch(`/Users/${id}`, [{ op: 'Add', path: 'nickName', value: 'Babs' }]), 204);
    expect((await entra.get(`/Users/${id}`)).body.nickName).toBe('Babs');
  });

  it('PATCH e: filtered paths upsert a missing element (addresses work, phone mobile)', async () => {
    expectScim(
      await entra.patch(`/Users/${id}`, [
        { op: 'Replace', path: 'addresses[type eq "work"].locality', value: 'Seattle' },
        { op: 'Replace', path: 'addresses[type eq "work"].country', value: 'US' },
        { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 206 555 0100' },
      ]),
      204,
    );
    const user = (await entra.get(`/Users/${id}`)).body;
    expect(user.addresses).toEqual([expect.objectContaining({ type: 'work', locality: 'Seattle', country: 'US' })]);
    expect(user.phoneNumbers).toEqual([expect.objectContaining({ type: 'mobile', value: '+1 206 555 0100' })]);
    expectScim(await entra.patch(`/Users/${id}`, [{ op: 'Replace', path: 'addresses[type eq "work"].region', value: 'WA' }]), 204);
    expect((await entra.get(`/Users/${id}`)).body.addresses).toEqual([expect.objectContaining({ type: 'work', locality: 'Seattle', country: 'US', region: 'WA' })]);
  });

  it('PATCH f: manager sent as a bare id string is read back as an object; cleared with ""', async () => {
    const managerId = await createEntraUser(`manager-${guid()}@testuser.com`);
    const otherId = await createEntraUser(`manager2-${guid()}@testuser.com`);
    expectScim(await entra.patch(`/Users/${id}`, [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: managerId }]), 204);
    expect((await entra.get(`/Users/${id}`)).body[ENTERPRISE].manager).toMatchObject({ value: managerId });
    expectScim(await entra.patch(`/Users/${id}`, [{ op: 'replace', path: `${ENTERPRISE}:manager`, value: otherId }]), 204);
    const read = (await entra.get(`/Users/${id}`)).body[ENTERPRISE].manager;
    expect(read).toMatchObject({ value: otherId });
    expect(typeof read).toBe('object');
    // The legacy reference check.
    const check = await entra.get(`/Users?filter=id+eq+%22${id}%22+and+manager+eq+%22${otherId}%22&attributes=id`);
    expectList(check, 1);
    expect(Object.keys(check.body.Resources[0]).sort()).toEqual(['id', 'schemas']);
    expectScim(await entra.patch(`/Users/${id}`, [{ op: 'replace', path: `${ENTERPRISE}:manager`, value: '' }]), 204);
    const cleared = (await entra.get(`/Users/${id}`)).body[ENTERPRISE]?.manager;
    expect(cleared === undefined || cleared === null || cleared.value === '' || cleared.value === undefined).toBe(true);
  });

  it('PATCH with attributes= answers 200 with the resource', async () => {
    const res = await entra.req('PATCH', `/Users/${id}?attributes=userName,nickName`, {
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'nickName', value: 'Bee' }] },
    });
    expectScim(res, 200);
    expect(res.body).toMatchObject({ id, nickName: 'Bee' });
    expect(res.body.name).toBeUndefined();
  });

  it('disable with "False" keeps the user readable (by id and filter); enable with "True"', async () => {
    expectScim(await entra.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'False' }]), 204);
    const disabled = await entra.get(`/Users/${id}`);
    expectScim(disabled, 200);
    expect(disabled.body.active).toBe(false);
    const byFilter = await entra.get(`/Users?${eqFilter('userName', disabled.body.userName)}`);
    expectList(byFilter, 1);
    expect(byFilter.body.Resources[0].active).toBe(false);
    expectScim(await entra.patch(`/Users/${id}`, [{ op: 'replace', path: 'active', value: false }]), 204);
    expectScim(await entra.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'True' }]), 204);
    expect((await entra.get(`/Users/${id}`)).body.active).toBe(true);
  });

  it('a PATCH to a missing id → 404; a bad path → 400, nothing changed', async () => {
    const before = await entra.snapshot();
    expectScimError(await entra.patch(`/Users/${guid()}`, [{ op: 'Replace', path: 'active', value: 'False' }]), 404);
    const bad = await entra.patch(`/Users/${id}`, [{ op: 'Replace', path: 'emails[type eq', value: 'x' }]);
    expect(bad.status).toBe(400);
    expectScimError(bad, 400, bad.body.scimType);
    expect(await entra.snapshot()).toEqual(before);
  });

  it('hard delete → 204, then 404 by id and 0 by filter', async () => {
    const userNameNow = (await entra.get(`/Users/${id}`)).body.userName;
    expectScim(await entra.delete(`/Users/${id}`), 204);
    expectScimError(await entra.get(`/Users/${id}`), 404);
    expectList(await entra.get(`/Users?${eqFilter('userName', userNameNow)}`), 0);
    expectScimError(await entra.delete(`/Users/${id}`), 404);
  });
});

describe('Entra: groups', () => {
  const displayName = `Sales ${guid()}`;
  let gid: string;
  let members: string[];

  beforeAll(async () => {
    members = [];
    for (let i = 0; i < 4; i++) members.push(await createEntraUser(`member${i}-${guid()}@testuser.com`));
  });

  async function memberIds(): Promise<string[]> {
    const res = await entra.get(`/Groups/${gid}`);
    expectScim(res, 200);
    return ((res.body.members ?? []) as { value: string }[]).map((m) => m.value).sort();
  }

  it('match (0) → POST with the Microsoft schema URI and no members → 201', async () => {
    expectList(await entra.get(`/Groups?excludedAttributes=members&${eqFilter('displayName', displayName)}`), 0);
    const res = await entra.post('/Groups', {
      schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: guid(),
      displayName,
      meta: { resourceType: 'Group' },
    });
    expectScim(res, 201);
    gid = res.body.id;
    expect(res.body.displayName).toBe(displayName);
    const match = await entra.get(`/Groups?excludedAttributes=members&${eqFilter('displayName', displayName.toLowerCase())}`);
    expectList(match, 1);
    expect(match.body.Resources[0].id).toBe(gid);
    expect(match.body.Resources[0].members).toBeUndefined();
  });

  it('rename → 204', async () => {
    expectScim(await entra.patch(`/Groups/${gid}`, [{ op: 'Replace', path: 'displayName', value: `${displayName} EMEA` }]), 204);
    const res = await entra.get(`/Groups/${gid}?excludedAttributes=members`);
    expect(res.body.displayName).toBe(`${displayName} EMEA`);
  });

  it('Add members with $ref null → 204; excludedAttributes=members reads none', async () => {
    const res = await entra.patch(`/Groups/${gid}`, [{ op: 'Add', path: 'members', value: members.map((value) => ({ $ref: null, value })) }]);
    expectScim(res, 204);
    const lookup = await entra.get(`/Groups/${gid}?excludedAttributes=members`);
    expectScim(lookup, 200);
    expect(lookup.body.members).toBeUndefined();
    expect(await memberIds()).toEqual([...members].sort());
    const [m0] = members as [string];
    const check = await entra.get(`/Groups?filter=id+eq+%22${gid}%22+and+members+eq+%22${m0}%22&attributes=id`);
    expectList(check, 1);
  });

  it('Remove with a value list removes only those members (default dialect)', async () => {
    const [m0, m1] = members as [string, string];
    expectScim(await entra.patch(`/Groups/${gid}`, [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: m0 }, { value: m1 }] }]), 204);
    expect(await memberIds()).toEqual(members.slice(2).sort());
  });

  it('remove members[value eq "…"] (flag dialect) removes that one member', async () => {
    const m2 = members[2] as string;
    expectScim(await entra.patch(`/Groups/${gid}`, [{ op: 'remove', path: `members[value eq "${m2}"]` }]), 204);
    expect(await memberIds()).toEqual([members[3] as string]);
  });

  it("a user's groups show the membership", async () => {
    const res = await entra.get(`/Users/${members[3]}`);
    expect(res.body.groups).toEqual([expect.objectContaining({ value: gid })]);
  });

  it('delete → 204, then 404', async () => {
    expectScim(await entra.delete(`/Groups/${gid}`), 204);
    expectScimError(await entra.get(`/Groups/${gid}?excludedAttributes=members`), 404);
    expectList(await entra.get(`/Groups?excludedAttributes=members&${eqFilter('displayName', `${displayName} EMEA`)}`), 0);
  });
});
