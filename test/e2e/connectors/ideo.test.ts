/**
 * IDEO, played from its Entra ID tutorial (004) over HTTP (connector `ideo` of cdk.json): core
 * user attributes (userName, work e-mail, active, given/family name), groups whose memberships
 * are updated by PATCH only (change log 06/15/2020: "PATCH operations for Groups instead of PUT"),
 * disable and delete.
 */
import { describe, expect, it } from 'vitest';
import { expectList, expectScim, expectScimError, GROUP, guid, USER, type ScimClient, useLocalClient } from '../support/local.js';
import { entraEq, op, startCdkConnectors } from './support.js';

let client: ScimClient;
useLocalClient(startCdkConnectors, 'ideo', (c) => (client = c));

async function createUser(userName: string): Promise<string> {
  const res = await client.post('/Users', {
    schemas: [USER],
    externalId: guid(),
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: userName }],
    name: { givenName: 'Ida', familyName: 'Eo' },
  });
  expectScim(res, 201);
  return res.body.id as string;
}

describe('IDEO + Entra ID (tutorial 004)', () => {
  const userName = `ida.${guid()}@example.com`;
  let id: string;
  let other: string;
  let gid: string;

  it('Test Connection → 200 empty, /ResourceTypes has User and Group', async () => {
    expectList(await client.get(`/Users?${entraEq('userName', guid())}`), 0);
    expectList(await client.get(`/Groups?excludedAttributes=members&${entraEq('displayName', guid())}`), 0);
    const types = await client.get('/ResourceTypes');
    expect(types.body.Resources.map((t: { id: string }) => t.id)).toEqual(['User', 'Group']);
  });

  it('create with every attribute of the table → 201, read back, found by userName', async () => {
    expectList(await client.get(`/Users?${entraEq('userName', userName)}`), 0);
    id = await createUser(userName);
    other = await createUser(`other.${guid()}@example.com`);
    expect((await client.get(`/Users/${id}`)).body).toMatchObject({
      userName,
      active: true,
      emails: [{ primary: true, type: 'work', value: userName }],
      name: { givenName: 'Ida', familyName: 'Eo' },
    });
    expectList(await client.get(`/Users?${entraEq('userName', userName)}`), 1);
  });

  it('updates: Entra PATCH per attribute → 204', async () => {
    expectScim(
      await client.patch(`/Users/${id}`, [
        op('Replace', 'emails[type eq "work"].value', `ida.eo.${userName}`),
        op('Replace', 'name.givenName', 'Idalia'),
        op('Replace', 'name.familyName', 'Eon'),
      ]),
      204,
    );
    expect((await client.get(`/Users/${id}`)).body).toMatchObject({
      emails: [{ primary: true, type: 'work', value: `ida.eo.${userName}` }],
      name: { givenName: 'Idalia', familyName: 'Eon' },
    });
    expectScim(await client.patch(`/Users/${id}`, [op('Replace', 'userName', `new.${userName}`)]), 204);
    expectList(await client.get(`/Users?${entraEq('userName', `new.${userName}`)}`), 1);
  });

  it('groups: created empty, then memberships only through PATCH (add, add more, remove)', async () => {
    const name = `Studio ${guid()}`;
    const res = await client.post('/Groups', { schemas: [GROUP], displayName: name, externalId: guid(), members: [] });
    expectScim(res, 201);
    gid = res.body.id;
    expectList(await client.get(`/Groups?excludedAttributes=members&${entraEq('displayName', name)}`), 1);
    expectScim(await client.patch(`/Groups/${gid}`, [op('Add', 'members', [{ value: id }])]), 204);
    expectScim(await client.patch(`/Groups/${gid}`, [op('Add', 'members', [{ value: other }])]), 204);
    const members = (await client.get(`/Groups/${gid}`)).body.members.map((m: { value: string }) => m.value);
    expect(members.sort()).toEqual([id, other].sort());
    expectScim(await client.patch(`/Groups/${gid}`, [op('Remove', 'members', [{ value: other }])]), 204);
    expect((await client.get(`/Groups/${gid}`)).body.members).toEqual([expect.objectContaining({ value: id })]);
    expectScim(await client.patch(`/Groups/${gid}`, [op('Replace', 'displayName', `${name} renamed`)]), 204);
    expect((await client.get(`/Users/${id}?attributes=groups`)).body.groups).toEqual([expect.objectContaining({ value: gid, display: `${name} renamed` })]);
  });

  it('disable keeps the user (inactive) and its memberships', async () => {
    expectScim(await client.patch(`/Users/${id}`, [op('Replace', 'active', 'False')]), 204);
    expect((await client.get(`/Users/${id}`)).body.active).toBe(false);
    expect((await client.get(`/Groups/${gid}`)).body.members).toEqual([expect.objectContaining({ value: id })]);
  });

  it('delete users and group → 204, then 404', async () => {
    for (const u of [id, other]) {
      expectScim(await client.delete(`/Users/${u}`), 204);
      expectScimError(await client.get(`/Users/${u}`), 404);
    }
    expectScim(await client.delete(`/Groups/${gid}`), 204);
    expectScimError(await client.get(`/Groups/${gid}`), 404);
  });
});
