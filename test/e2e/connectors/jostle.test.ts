/**
 * Jostle, played from its Entra ID tutorial (003) over HTTP (connector `jostle` of cdk.json):
 * users only (`/Groups` answers a SCIM 404, discovery leaves Group out), the four e-mail types
 * each set and updated through `emails[type eq "…"].value`, the jostle extension labels, userName
 * filter, disable (kept, inactive), delete; the connector's alarm e-mail stands in for the app's
 * own failure notifications.
 *
 * Parity: every case runs twice, against the built-in `jostle` profile and against `jostle-config`,
 * the same profile declared in configuration (`scim:profiles`, test/fixtures/configured-profiles.json).
 */
import { describe, expect, it } from 'vitest';
import { readCdkConnectors } from '../../../bin/local/config.js';
import { ENTERPRISE, expectList, expectScim, expectScimError, GROUP, guid, USER, type ScimClient, useLocalClient } from '../support/local.js';
import { entraEq, op, startCdkConnectors, startConfiguredConnectors } from './support.js';

const JOSTLE = 'urn:ietf:params:scim:schemas:extension:jostle:2.0:User';

describe.each([
  { connector: 'jostle', start: startCdkConnectors },
  { connector: 'jostle-config', start: startConfiguredConnectors },
])('$connector', ({ connector, start }) => {
  let client: ScimClient;
  useLocalClient(start, connector, (c) => (client = c));

  describe('Jostle + Entra ID (tutorial 003)', () => {
    const userName = `jo.${guid()}@example.com`;
    let id: string;

    it('the example connector has an alarm e-mail (failure notifications) and the jostle profile', () => {
      const c = readCdkConnectors().find((x) => x.name === 'jostle');
      expect(c).toMatchObject({ profile: 'jostle', alarmEmail: expect.stringContaining('@') });
    });

    it('Test Connection → 200 empty', async () => {
      expectList(await client.get(`/Users?${entraEq('userName', guid())}`), 0);
    });

    it('users only: /Groups and /Groups/{id} answer a SCIM 404 for every method', async () => {
      expectScimError(await client.get(`/Groups?excludedAttributes=members&${entraEq('displayName', 'x')}`), 404);
      expectScimError(await client.post('/Groups', { schemas: [GROUP], displayName: 'x' }), 404);
      expectScimError(await client.get(`/Groups/${guid()}`), 404);
      expectScimError(await client.patch(`/Groups/${guid()}`, [op('Add', 'members', [{ value: guid() }])]), 404);
      expectScimError(await client.put(`/Groups/${guid()}`, { displayName: 'x' }), 404);
      expectScimError(await client.delete(`/Groups/${guid()}`), 404);
      expectScimError(await client.post('/Groups/.search', { filter: 'displayName eq "x"' }), 404);
    });

    it('discovery: User only, with the jostle extension; no Group resource type or schema', async () => {
      const types = await client.get('/ResourceTypes');
      expectList(types, 1);
      expect(types.body.Resources[0]).toMatchObject({
        id: 'User',
        schemaExtensions: [
          { schema: ENTERPRISE, required: false },
          { schema: JOSTLE, required: false },
        ],
      });
      expectScimError(await client.get('/ResourceTypes/Group'), 404);
      const schemas = await client.get('/Schemas');
      expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toEqual([USER, ENTERPRISE, JOSTLE]);
      const jostle = await client.get(`/Schemas/${JOSTLE}`);
      expectScim(jostle, 200);
      expect(jostle.body.attributes.map((a: { name: string }) => a.name)).toEqual(['alternateEmail1Label', 'alternateEmail2Label']);
      expectScimError(await client.get(`/Schemas/${GROUP}`), 404);
    });

    it('create with every attribute of the table → 201, read back', async () => {
      expectList(await client.get(`/Users?${entraEq('userName', userName)}`), 0);
      const res = await client.post('/Users', {
        schemas: [USER, ENTERPRISE],
        externalId: guid(),
        userName,
        active: true,
        name: { givenName: 'Jo', familyName: 'Stle' },
        emails: [
          { primary: true, type: 'work', value: userName },
          { type: 'personal', value: 'jo@home.example' },
          { type: 'alternate1', value: 'jo@club.example' },
          { type: 'alternate2', value: 'jo@band.example' },
        ],
        [`${JOSTLE}:alternateEmail1Label`]: 'Club',
        [`${JOSTLE}:alternateEmail2Label`]: 'Band',
        meta: { resourceType: 'User' },
      });
      expectScim(res, 201);
      id = res.body.id;
      expect((await client.get(`/Users/${id}`)).body).toMatchObject({
        schemas: [USER, JOSTLE],
        userName,
        active: true,
        name: { givenName: 'Jo', familyName: 'Stle' },
        emails: [
          { primary: true, type: 'work', value: userName },
          { type: 'personal', value: 'jo@home.example' },
          { type: 'alternate1', value: 'jo@club.example' },
          { type: 'alternate2', value: 'jo@band.example' },
        ],
        [JOSTLE]: { alternateEmail1Label: 'Club', alternateEmail2Label: 'Band' },
      });
      expectList(await client.get(`/Users?${entraEq('userName', userName)}`), 1);
    });

    it('updates: each e-mail type by its filtered path, the labels by URN path, names → 204', async () => {
      expectScim(
        await client.patch(`/Users/${id}`, [
          op('Replace', 'emails[type eq "work"].value', `new.${userName}`),
          op('Replace', 'emails[type eq "personal"].value', 'jo@new-home.example'),
          op('Replace', 'emails[type eq "alternate1"].value', 'jo@gym.example'),
          op('Replace', 'emails[type eq "alternate2"].value', 'jo@choir.example'),
          op('Replace', `${JOSTLE}:alternateEmail1Label`, 'Gym'),
          op('Replace', `${JOSTLE}:alternateEmail2Label`, 'Choir'),
          op('Replace', 'name.givenName', 'Joanna'),
          op('Replace', 'name.familyName', 'Stiles'),
        ]),
        204,
      );
      const got = (await client.get(`/Users/${id}`)).body;
      expect(got.emails).toEqual([
        { primary: true, type: 'work', value: `new.${userName}` },
        { type: 'personal', value: 'jo@new-home.example' },
        { type: 'alternate1', value: 'jo@gym.example' },
        { type: 'alternate2', value: 'jo@choir.example' },
      ]);
      expect(got[JOSTLE]).toEqual({ alternateEmail1Label: 'Gym', alternateEmail2Label: 'Choir' });
      expect(got.name).toEqual({ givenName: 'Joanna', familyName: 'Stiles' });
    });

    it('an e-mail type set for the first time by PATCH is added; removing one leaves the others', async () => {
      const u = await client.post('/Users', { schemas: [USER], userName: `late.${guid()}@example.com`, emails: [{ type: 'work', value: 'late@example.com', primary: true }] });
      expectScim(u, 201);
      expectScim(await client.patch(`/Users/${u.body.id}`, [op('Add', 'emails[type eq "alternate2"].value', 'late@alt.example'), op('Add', `${JOSTLE}:alternateEmail2Label`, 'Alt')]), 204);
      const got = (await client.get(`/Users/${u.body.id}`)).body;
      expect(got.emails).toEqual([{ type: 'work', value: 'late@example.com', primary: true }, { type: 'alternate2', value: 'late@alt.example' }]);
      expect(got[JOSTLE]).toEqual({ alternateEmail2Label: 'Alt' });
      expectScim(await client.patch(`/Users/${u.body.id}`, [op('Remove', 'emails[type eq "alternate2"]')]), 204);
      expect((await client.get(`/Users/${u.body.id}`)).body.emails).toEqual([{ type: 'work', value: 'late@example.com', primary: true }]);
    });

    it('disable keeps the user, inactive; delete → 204 then 404', async () => {
      expectScim(await client.patch(`/Users/${id}`, [op('Replace', 'active', 'False')]), 204);
      expect((await client.get(`/Users/${id}`)).body.active).toBe(false);
      expectScim(await client.delete(`/Users/${id}`), 204);
      expectScimError(await client.get(`/Users/${id}`), 404);
    });
  });
});
