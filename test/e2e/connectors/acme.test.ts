/**
 * A profile declared in configuration only: `acme`, the README's example (`scim:profiles` in
 * test/fixtures/configured-profiles.json, read through the same code as `npm start`), end to end
 * over HTTP — discovery lists its extension with every characteristic; a user created with every
 * attribute reads back; each attribute is PATCHed the way Entra ID sends it; each rule holds
 * (invalid phone dropped, badge pattern, title oneOf, immutable userName, required emails); it is
 * users only (`/Groups` → 404), PATCH answers 204, deactivation keeps the user.
 */
import { describe, expect, it } from 'vitest';
import { ENTERPRISE, expectList, expectScim, expectScimError, GROUP, guid, USER, type ScimClient, useLocalClient } from '../support/local.js';
import { configuredSetup, entraEq, op, startConfiguredConnectors } from './support.js';

const ACME = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';

let client: ScimClient;
useLocalClient(startConfiguredConnectors, 'acme', (c) => (client = c));

const DEFAULTS = { multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none' };

describe('acme, a profile from configuration', () => {
  const userName = `ada.${guid()}@acme.example`;
  let id: string;

  it('is a configured profile; connectors name it like any other', () => {
    const { connectors, profiles } = configuredSetup();
    expect(connectors.find((c) => c.name === 'acme')).toMatchObject({ profile: 'acme' });
    expect([profiles.origin('acme'), profiles.origin('jostle')]).toEqual(['configured', 'built-in']);
  });

  it('discovery: User only, with the acme extension and every characteristic (schema builder defaults)', async () => {
    const types = await client.get('/ResourceTypes');
    expectList(types, 1);
    expect(types.body.Resources[0]).toMatchObject({ id: 'User', schemaExtensions: [{ schema: ENTERPRISE, required: false }, { schema: ACME, required: false }] });
    expectScimError(await client.get('/ResourceTypes/Group'), 404);
    const schemas = await client.get('/Schemas');
    expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toEqual([USER, ENTERPRISE, ACME]);
    const acme = await client.get(`/Schemas/${ACME}`);
    expectScim(acme, 200);
    expect(acme.body).toMatchObject({ id: ACME, name: 'AcmeUser', description: 'Acme attributes' });
    expect(acme.body.attributes).toEqual([
      { name: 'badgeId', type: 'string', description: 'Badge number', ...DEFAULTS },
      { name: 'floor', type: 'integer', description: '', ...DEFAULTS },
      { name: 'skills', type: 'string', description: '', ...DEFAULTS, multiValued: true },
      { name: 'desk', type: 'complex', description: '', ...DEFAULTS, subAttributes: [{ name: 'building', type: 'string', description: '', ...DEFAULTS }] },
    ]);
  });

  it('users only: /Groups answers a SCIM 404 for every method', async () => {
    expectScimError(await client.get(`/Groups?${entraEq('displayName', 'x')}`), 404);
    expectScimError(await client.post('/Groups', { schemas: [GROUP], displayName: 'x' }), 404);
    expectScimError(await client.get(`/Groups/${guid()}`), 404);
    expectScimError(await client.patch(`/Groups/${guid()}`, [op('Add', 'members', [{ value: guid() }])]), 404);
    expectScimError(await client.delete(`/Groups/${guid()}`), 404);
  });

  it('create with every attribute → 201, read back verbatim', async () => {
    expectList(await client.get(`/Users?${entraEq('userName', userName)}`), 0);
    const res = await client.post('/Users', {
      schemas: [USER, ACME],
      externalId: guid(),
      userName,
      active: true,
      title: 'Engineer',
      emails: [{ primary: true, type: 'work', value: userName }],
      phoneNumbers: [{ type: 'work', value: '(415) 555-0123' }],
      [ACME]: { badgeId: 'AB1234', floor: 3, skills: ['python', 'go'], desk: { building: 'North' } },
    });
    expectScim(res, 201);
    id = res.body.id;
    expect((await client.get(`/Users/${id}`)).body).toMatchObject({
      schemas: [USER, ACME],
      userName,
      title: 'Engineer',
      emails: [{ primary: true, type: 'work', value: userName }],
      phoneNumbers: [{ type: 'work', value: '(415) 555-0123' }],
      [ACME]: { badgeId: 'AB1234', floor: 3, skills: ['python', 'go'], desk: { building: 'North' } },
    });
  });

  it('PATCH each attribute the Entra ID way (URN paths, a dotted sub-attribute, Entra\'s string integers) → 204', async () => {
    const patched = await client.patch(`/Users/${id}`, [
      op('Replace', `${ACME}:badgeId`, 'CD5678'),
      op('Replace', `${ACME}:floor`, '7'),
      op('Replace', `${ACME}:skills`, ['rust']),
      op('Add', `${ACME}:skills`, ['sql']),
      op('Replace', `${ACME}:desk.building`, 'South'),
      op('Replace', 'title', 'Manager'),
      op('Replace', 'phoneNumbers[type eq "work"].value', '212-555-0100'),
    ]);
    expectScim(patched, 204);
    const got = (await client.get(`/Users/${id}`)).body;
    expect(got[ACME]).toEqual({ badgeId: 'CD5678', floor: 7, skills: ['rust', 'sql'], desk: { building: 'South' } });
    expect(got.title).toBe('Manager');
    expect(got.phoneNumbers).toEqual([{ type: 'work', value: '212-555-0100' }]);
    // Entra's path-less form: dotted keys in the value.
    expectScim(await client.patch(`/Users/${id}`, [op('Replace', undefined, { [`${ACME}:badgeId`]: 'EF9012', [`${ACME}:desk.building`]: 'East' })]), 204);
    expect((await client.get(`/Users/${id}`)).body[ACME]).toMatchObject({ badgeId: 'EF9012', desk: { building: 'East' } });
    expectScim(await client.patch(`/Users/${id}`, [op('Remove', `${ACME}:skills`)]), 204);
    expect((await client.get(`/Users/${id}`)).body[ACME]).not.toHaveProperty('skills');
  });

  it('rule: an invalid phone number is dropped on create and ignored on update (the stored one stays)', async () => {
    const u = await client.post('/Users', {
      schemas: [USER],
      userName: `ph.${guid()}@acme.example`,
      emails: [{ type: 'work', value: 'ph@acme.example' }],
      phoneNumbers: [{ type: 'work', value: '415-555-0199' }, { type: 'mobile', value: '1-800-555-0199' }, { type: 'fax', value: 'n/a' }],
    });
    expectScim(u, 201);
    expect(u.body.phoneNumbers).toEqual([{ type: 'work', value: '415-555-0199' }]);
    expectScim(await client.patch(`/Users/${u.body.id}`, [op('Replace', 'phoneNumbers[type eq "work"].value', 'not a number')]), 204);
    expect((await client.get(`/Users/${u.body.id}`)).body.phoneNumbers).toEqual([{ type: 'work', value: '415-555-0199' }]);
  });

  it('rule: the badge must match ^[A-Z]{2}[0-9]{4}$ (dropped on create, the stored badge kept on update)', async () => {
    const u = await client.post('/Users', { schemas: [USER], userName: `b.${guid()}@acme.example`, emails: [{ value: 'b@acme.example' }], [`${ACME}:badgeId`]: 'ab12', [`${ACME}:floor`]: 2 });
    expectScim(u, 201);
    expect(u.body[ACME]).toEqual({ floor: 2 });
    expectScim(await client.patch(`/Users/${u.body.id}`, [op('Replace', `${ACME}:badgeId`, 'ZZ0001')]), 204);
    expectScim(await client.patch(`/Users/${u.body.id}`, [op('Replace', `${ACME}:badgeId`, 'ZZ0001x')]), 204);
    expect((await client.get(`/Users/${u.body.id}`)).body[ACME]).toEqual({ floor: 2, badgeId: 'ZZ0001' });
  });

  it('rule: title is one of Engineer, Manager, ignoring case as title is not caseExact (RFC 7643 §2.2)', async () => {
    const u = await client.post('/Users', { schemas: [USER], userName: `t.${guid()}@acme.example`, emails: [{ value: 't@acme.example' }], title: 'Director' });
    expectScim(u, 201);
    expect(u.body).not.toHaveProperty('title');
    expectScim(await client.patch(`/Users/${u.body.id}`, [op('Replace', 'title', 'engineer')]), 204);
    expect((await client.get(`/Users/${u.body.id}`)).body.title).toBe('engineer'); // kept as sent
    expectScim(await client.patch(`/Users/${u.body.id}`, [op('Replace', 'title', 'Engineers')]), 204);
    expect((await client.get(`/Users/${u.body.id}`)).body.title).toBe('engineer'); // refused: the stored title stays
    expectScim(await client.patch(`/Users/${u.body.id}`, [op('Replace', 'title', 'Engineer')]), 204);
    expect((await client.get(`/Users/${u.body.id}`)).body.title).toBe('Engineer');
  });

  it('rule: userName is immutable (PATCH and PUT changes ignored, the rest applied)', async () => {
    expectScim(await client.patch(`/Users/${id}`, [op('Replace', 'userName', `renamed.${userName}`), op('Replace', `${ACME}:floor`, 9)]), 204);
    const got = (await client.get(`/Users/${id}`)).body;
    expect(got.userName).toBe(userName);
    expect(got[ACME].floor).toBe(9);
    const put = await client.put(`/Users/${id}`, { schemas: [USER], userName: `put.${userName}`, emails: [{ value: userName }], title: 'Engineer' });
    expectScim(put, 200);
    expect(put.body).toMatchObject({ userName, title: 'Engineer' });
    expectList(await client.get(`/Users?${entraEq('userName', userName)}`), 1);
  });

  it('rule: emails are required (400 invalidValue on create and when a PATCH removes them)', async () => {
    expectScimError(await client.post('/Users', { schemas: [USER], userName: `ne.${guid()}@acme.example` }), 400, 'invalidValue');
    expectScimError(await client.patch(`/Users/${id}`, [op('Remove', 'emails')]), 400, 'invalidValue');
    expect((await client.get(`/Users/${id}`)).body.emails).toEqual([{ value: userName }]);
  });

  it('deactivation keeps the user, inactive; delete → 204 then 404', async () => {
    expectScim(await client.patch(`/Users/${id}`, [op('Replace', 'active', 'False')]), 204);
    expect((await client.get(`/Users/${id}`)).body.active).toBe(false);
    expectScim(await client.delete(`/Users/${id}`), 204);
    expectScimError(await client.get(`/Users/${id}`), 404);
  });
});
