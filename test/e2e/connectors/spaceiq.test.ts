/**
 * SpaceIQ, played from its Entra ID tutorial (001) over HTTP (connector `spaceiq` of cdk.json):
 * the Tenant URL ends in `/scim` (not `/scim/v2`), bearer token, Test Connection, a user with
 * Entra's standard attribute mappings, one PATCH per attribute, userName filter, groups and
 * memberships, disable (kept, inactive) and delete.
 */
import { describe, expect, it } from 'vitest';
import { ENTERPRISE, expectList, expectScim, expectScimError, GROUP, guid, USER, type ScimClient, useLocalClient } from '../support/local.js';
import { entraEq, op, startCdkConnectors } from './support.js';

let client: ScimClient;
useLocalClient(startCdkConnectors, 'spaceiq', (c) => (client = c));

describe('SpaceIQ + Entra ID (tutorial 001)', () => {
  const userName = `sam.${guid()}@example.com`;
  let id: string;
  let gid: string;

  it('the Tenant URL ends in /scim; /scim/v2 is not served for this connector', async () => {
    expect(client.tenantUrl).toMatch(/\/spaceiq\/scim$/);
    expectScim(await client.get('/ServiceProviderConfig'), 200);
    const v2 = await fetch(`${client.tenantUrl}/v2/Users`, { headers: { Authorization: `Bearer ${client.token}` } });
    expect(v2.status).toBe(404);
  });

  it('bearer token: Test Connection without or with a wrong token fails, with it → 200 empty', async () => {
    expect((await client.get(`/Users?${entraEq('userName', guid())}`, { authorization: null })).status).toBe(401);
    expect((await client.get(`/Users?${entraEq('userName', guid())}`, { authorization: 'Bearer wrong' })).status).toBe(401);
    expectList(await client.get(`/Users?${entraEq('userName', guid())}`), 0);
    expectList(await client.get(`/Groups?excludedAttributes=members&${entraEq('displayName', guid())}`), 0);
  });

  it('create with the standard mappings → 201 at <Tenant URL>/Users/<id>, read back', async () => {
    expectList(await client.get(`/Users?${entraEq('userName', userName)}`), 0);
    const res = await client.post('/Users', {
      schemas: [USER, ENTERPRISE],
      externalId: guid(),
      userName,
      active: true,
      displayName: 'Sam Stone',
      title: 'Facilities',
      preferredLanguage: 'en-US',
      emails: [{ primary: true, type: 'work', value: userName }],
      name: { formatted: 'Sam Stone', familyName: 'Stone', givenName: 'Sam' },
      phoneNumbers: [
        { type: 'work', value: '+1 206 555 0100' },
        { type: 'mobile', value: '+44 7700 900123' },
      ],
      addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Seattle', region: 'WA', postalCode: '98101', country: 'US', primary: true }],
      [ENTERPRISE]: { employeeNumber: '42', department: 'Ops' },
    });
    expectScim(res, 201);
    id = res.body.id;
    expect(res.headers.get('location')).toBe(`${client.tenantUrl}/Users/${id}`);
    const got = await client.get(`/Users/${id}`);
    expect(got.body).toMatchObject({
      userName,
      displayName: 'Sam Stone',
      title: 'Facilities',
      // a generic profile keeps any phone number: the askSpoke rule is askSpoke's alone
      phoneNumbers: [{ type: 'work', value: '+1 206 555 0100' }, { type: 'mobile', value: '+44 7700 900123' }],
      [ENTERPRISE]: { employeeNumber: '42', department: 'Ops' },
    });
    expect(got.body.meta.location).toBe(`${client.tenantUrl}/Users/${id}`);
  });

  it('updates: Entra PATCH per attribute → 204; userName change applies and is filterable', async () => {
    const res = await client.patch(`/Users/${id}`, [
      op('Replace', 'displayName', 'Samantha Stone'),
      op('Replace', 'title', 'Head of Facilities'),
      op('Replace', 'name.givenName', 'Samantha'),
      op('Replace', 'emails[type eq "work"].value', `samantha.${userName}`),
      op('Replace', 'phoneNumbers[type eq "mobile"].value', '+1 425 555 0111'),
      op('Replace', 'addresses[type eq "work"].locality', 'Bellevue'),
      op('Replace', `${ENTERPRISE}:department`, 'Real Estate'),
    ]);
    expectScim(res, 204);
    const got = (await client.get(`/Users/${id}`)).body;
    expect(got).toMatchObject({
      displayName: 'Samantha Stone',
      title: 'Head of Facilities',
      name: { givenName: 'Samantha', familyName: 'Stone' },
      emails: [{ type: 'work', value: `samantha.${userName}`, primary: true }],
      [ENTERPRISE]: { department: 'Real Estate' },
    });
    expect(got.phoneNumbers).toContainEqual({ type: 'mobile', value: '+1 425 555 0111' });
    expect(got.addresses[0]).toMatchObject({ locality: 'Bellevue', streetAddress: '1 Main St' });
    expectScim(await client.patch(`/Users/${id}`, [op('Replace', 'userName', `s.${userName}`)]), 204);
    expectList(await client.get(`/Users?${entraEq('userName', `s.${userName}`)}`), 1);
  });

  it('groups: create, filter, members added and removed by PATCH', async () => {
    const name = `Floor 3 ${guid()}`;
    const res = await client.post('/Groups', { schemas: [GROUP], displayName: name, externalId: guid(), members: [] });
    expectScim(res, 201);
    gid = res.body.id;
    expect(res.headers.get('location')).toBe(`${client.tenantUrl}/Groups/${gid}`);
    expectScim(await client.patch(`/Groups/${gid}`, [op('Add', 'members', [{ value: id }])]), 204);
    expectList(await client.get(`/Groups?excludedAttributes=members&${entraEq('displayName', name)}`), 1);
    expect((await client.get(`/Groups/${gid}`)).body.members).toEqual([{ value: id, type: 'User', $ref: `${client.tenantUrl}/Users/${id}` }]);
    expectScim(await client.patch(`/Groups/${gid}`, [op('Remove', 'members', [{ value: id }])]), 204);
    expect((await client.get(`/Groups/${gid}`)).body.members ?? []).toEqual([]);
  });

  it('disable: PATCH active "False" keeps the user, inactive; enable again', async () => {
    expectScim(await client.patch(`/Users/${id}`, [op('Replace', 'active', 'False')]), 204);
    expect((await client.get(`/Users/${id}`)).body.active).toBe(false);
    expectScim(await client.patch(`/Users/${id}`, [op('Replace', 'active', 'True')]), 204);
    expect((await client.get(`/Users/${id}`)).body.active).toBe(true);
  });

  it('delete user and group → 204, then 404', async () => {
    expectScim(await client.delete(`/Users/${id}`), 204);
    expectScimError(await client.get(`/Users/${id}`), 404);
    expectScim(await client.delete(`/Groups/${gid}`), 204);
    expectScimError(await client.get(`/Groups/${gid}`), 404);
  });
});
