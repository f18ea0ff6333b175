/**
 * askSpoke, played from its two tutorials over HTTP through the local gateway (connector
 * `askspoke` of cdk.json):
 *  - 000 (Entra ID): Test Connection, a user with every attribute of the table (SpokeCustom
 *    `startDate` verbatim, enterprise department + manager, work address), read back, one Entra
 *    PATCH per attribute, userName filter, groups + memberships, deactivation, delete;
 *  - 002 (Okta): credentials test, push new users, paged import, PUT and PATCH profile pushes,
 *    push groups, deactivation that removes the account;
 *  - the app's rules: only valid 10-digit US phone numbers (no toll-free), invalid ones silently
 *    dropped; email and userName changes ignored; PATCH answered 200 with the user.
 * Parity: every case runs twice, against the built-in `askspoke` profile and against
 * `askspoke-config`, the same profile declared in configuration (test/fixtures/configured-profiles.json).
 */
import { describe, expect, it } from 'vitest';
import { ENTERPRISE, expectList, expectScim, expectScimError, GROUP, guid, USER, type ScimClient, useLocalClient } from '../support/local.js';
import { entraEq, oktaEq, op, startCdkConnectors, startConfiguredConnectors } from './support.js';

const SPOKE = 'urn:ietf:params:scim:schemas:extension:SpokeCustom:2.0:User';

describe.each([
  { connector: 'askspoke', start: startCdkConnectors },
  { connector: 'askspoke-config', start: startConfiguredConnectors },
])('$connector', ({ connector, start }) => {
  let client: ScimClient;
  useLocalClient(start, connector, (c) => (client = c));

  /** Entra's POST for the 000 attribute table (extension data not listed in `schemas`, as Entra does). */
  function entraUser(userName: string, extra: Record<string, unknown> = {}) {
    return {
      schemas: [USER, ENTERPRISE],
      externalId: guid(),
      userName,
      active: true,
      emails: [{ primary: true, type: 'work', value: userName }],
      title: 'Engineer',
      name: { formatted: 'Ann Lee', familyName: 'Lee', givenName: 'Ann' },
      addresses: [{ type: 'work', locality: 'Seattle', country: 'US', region: 'WA', primary: true }],
      [ENTERPRISE]: { department: 'IT' },
      [SPOKE]: { startDate: '20240115000000.0Z' },
      meta: { resourceType: 'User' },
      ...extra,
    };
  }

  describe('askSpoke + Entra ID (tutorial 000)', () => {
    const userName = `ann.${guid()}@example.com`;
    let id: string;
    let managerId: string;
    let gid: string;

    it('Test Connection: random userName filter and the group probe → 200, empty', async () => {
      expectList(await client.get(`/Users?${entraEq('userName', guid())}`), 0);
      expectList(await client.get(`/Groups?excludedAttributes=members&${entraEq('displayName', guid())}`), 0);
    });

    it('/Schemas and /ResourceTypes list the SpokeCustom extension', async () => {
      const schemas = await client.get('/Schemas');
      expectScim(schemas, 200);
      const ids = schemas.body.Resources.map((s: { id: string }) => s.id);
      expect(ids).toEqual([USER, ENTERPRISE, SPOKE, GROUP]);
      const spoke = await client.get(`/Schemas/${SPOKE}`);
      expectScim(spoke, 200);
      expect(spoke.body.attributes).toEqual([expect.objectContaining({ name: 'startDate', type: 'string', multiValued: false })]);
      const user = await client.get('/ResourceTypes/User');
      expect(user.body.schemaExtensions).toEqual([
        { schema: ENTERPRISE, required: false },
        { schema: SPOKE, required: false },
      ]);
    });

    it('create: match (0) → POST with every attribute of the table → 201, read back verbatim', async () => {
      const mgr = await client.post('/Users', entraUser(`boss.${guid()}@example.com`));
      expectScim(mgr, 201);
      managerId = mgr.body.id;
      expectList(await client.get(`/Users?${entraEq('userName', userName)}`), 0);
      const body = entraUser(userName);
      const res = await client.post('/Users', body);
      expectScim(res, 201);
      id = res.body.id;
      // Entra sets the manager with a separate PATCH once both users exist (bare id as value).
      expectScim(await client.patch(`/Users/${id}`, [op('Add', `${ENTERPRISE}:manager`, managerId)]), 200);
      const got = await client.get(`/Users/${id}`);
      expectScim(got, 200);
      expect(got.body).toMatchObject({
        schemas: [USER, ENTERPRISE, SPOKE],
        userName,
        externalId: body.externalId,
        active: true,
        title: 'Engineer',
        emails: [{ primary: true, type: 'work', value: userName }],
        name: { formatted: 'Ann Lee', familyName: 'Lee', givenName: 'Ann' },
        addresses: [{ type: 'work', locality: 'Seattle', country: 'US', region: 'WA', primary: true }],
        [ENTERPRISE]: { department: 'IT', manager: { value: managerId } },
        [SPOKE]: { startDate: '20240115000000.0Z' },
      });
    });

    it('userName is the matching attribute: filter finds the user (any case)', async () => {
      const res = await client.get(`/Users?${entraEq('userName', userName.toUpperCase())}`);
      expectList(res, 1);
      expect(res.body.Resources[0].id).toBe(id);
    });

    it('updates: one Entra PATCH per attribute of the table, answered 200 with the user', async () => {
      const res = await client.patch(`/Users/${id}`, [
        op('Replace', 'title', 'Lead'),
        op('Replace', 'name.givenName', 'Anna'),
        op('Replace', 'name.familyName', 'Li'),
        op('Replace', 'name.formatted', 'Anna Li'),
        op('Replace', 'addresses[type eq "work"].locality', 'Portland'),
        op('Replace', 'addresses[type eq "work"].region', 'OR'),
        op('Replace', 'addresses[type eq "work"].country', 'USA'),
        op('Replace', 'externalId', 'ext-2'),
        op('Replace', `${ENTERPRISE}:department`, 'Finance'),
        op('Replace', `${SPOKE}:startDate`, '2024-02-01'),
      ]);
      expectScim(res, 200);
      expect(res.headers.get('etag')).toMatch(/^W\/"\d+"$/);
      expect(res.body).toMatchObject({
        id,
        title: 'Lead',
        externalId: 'ext-2',
        name: { givenName: 'Anna', familyName: 'Li', formatted: 'Anna Li' },
        addresses: [{ type: 'work', locality: 'Portland', region: 'OR', country: 'USA', primary: true }],
        [ENTERPRISE]: { department: 'Finance', manager: { value: managerId } },
        [SPOKE]: { startDate: '2024-02-01' },
      });
      // manager cleared the way Entra does it, then set again
      expectScim(await client.patch(`/Users/${id}`, [op('Remove', `${ENTERPRISE}:manager`)]), 200);
      expect((await client.get(`/Users/${id}`)).body[ENTERPRISE]).toEqual({ department: 'Finance' });
      expectScim(await client.patch(`/Users/${id}`, [op('Replace', `${ENTERPRISE}:manager`, managerId)]), 200);
      expect((await client.get(`/Users/${id}`)).body[ENTERPRISE].manager).toEqual({ value: managerId });
    });

    it('email and userName changes are ignored (200, nothing changed, still found by the old userName)', async () => {
      const before = (await client.get(`/Users/${id}`)).body;
      const res = await client.patch(`/Users/${id}`, [
        op('Replace', 'userName', `renamed.${userName}`),
        op('Replace', 'emails[type eq "work"].value', 'other@example.com'),
      ]);
      expectScim(res, 200);
      expect(res.body).toMatchObject({ userName, emails: [{ primary: true, type: 'work', value: userName }] });
      expect((await client.get(`/Users/${id}`)).body).toEqual(before);
      expectList(await client.get(`/Users?${entraEq('userName', userName)}`), 1);
      expectList(await client.get(`/Users?${entraEq('userName', `renamed.${userName}`)}`), 0);
    });

    it('groups: create, displayName filter, PATCH add/remove members, the user lists the group', async () => {
      const name = `Spoke Team ${guid()}`;
      expectList(await client.get(`/Groups?excludedAttributes=members&${entraEq('displayName', name)}`), 0);
      const res = await client.post('/Groups', { schemas: [GROUP], displayName: name, externalId: guid(), members: [] });
      expectScim(res, 201);
      gid = res.body.id;
      expectScim(await client.patch(`/Groups/${gid}`, [op('Add', 'members', [{ value: id }, { value: managerId }])]), 200);
      const found = await client.get(`/Groups?excludedAttributes=members&${entraEq('displayName', name)}`);
      expectList(found, 1);
      expect(found.body.Resources[0]).not.toHaveProperty('members');
      const g = await client.get(`/Groups/${gid}`);
      expect(g.body.members.map((m: { value: string }) => m.value).sort()).toEqual([id, managerId].sort());
      expect((await client.get(`/Users/${id}?attributes=groups`)).body.groups).toEqual([expect.objectContaining({ value: gid, display: name })]);
      expectScim(await client.patch(`/Groups/${gid}`, [op('Remove', `members[value eq "${managerId}"]`)]), 200);
      expect((await client.get(`/Groups/${gid}`)).body.members).toEqual([expect.objectContaining({ value: id })]);
    });

    it('deactivation (PATCH active "False") removes the account: answered with active false, then 404', async () => {
      const res = await client.patch(`/Users/${id}`, [op('Replace', 'active', 'False')]);
      expectScim(res, 200);
      expect(res.body).toMatchObject({ id, userName, active: false });
      expectScimError(await client.get(`/Users/${id}`), 404);
      expectList(await client.get(`/Users?${entraEq('userName', userName)}`), 0);
      // membership edges go with the account
      const g = await client.get(`/Groups/${gid}`);
      expect(g.body.members ?? []).toEqual([]);
      // a later reactivation of the removed account → 404; Entra's next cycle matches by userName
      // (0) and creates the user again, with a new id
      expectScimError(await client.patch(`/Users/${id}`, [op('Replace', 'active', 'True')]), 404);
      const again = await client.post('/Users', entraUser(userName));
      expectScim(again, 201);
      expect(again.body.id).not.toBe(id);
    });

    it('delete: user and group → 204, then 404', async () => {
      expectScim(await client.delete(`/Users/${managerId}`), 204);
      expectScimError(await client.get(`/Users/${managerId}`), 404);
      expectScim(await client.delete(`/Groups/${gid}`), 204);
      expectScimError(await client.get(`/Groups/${gid}`), 404);
    });
  });

  /** Okta's POST body with the askSpoke app's mappings (phone numbers included). */
  function oktaUser(userName: string, phones: { type: string; value: string }[] = []) {
    return {
      schemas: [USER],
      userName,
      name: { givenName: 'Olli', familyName: 'Okta' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Olli Okta',
      title: 'Analyst',
      phoneNumbers: phones,
      externalId: `00u${guid().replace(/-/g, '').slice(0, 17)}`,
      groups: [],
      password: 'n0tStored!',
      active: true,
    };
  }

  describe('askSpoke + Okta (guide 002)', () => {
    const userName = `olli.${guid()}@example.com`;
    let id: string;

    it('API credentials test → 200 with integer paging', async () => {
      const res = await client.get('/Users?startIndex=1&count=2');
      expectScim(res, 200);
      expect(res.body.startIndex).toBe(1);
      expectScim(await client.get('/Groups?startIndex=1&count=100'), 200);
    });

    it('push new user: invalid phone numbers (1-800, 1-888, 7 digits) silently dropped, the rest created', async () => {
      expectList(await client.get(`/Users?${oktaEq('userName', userName)}`), 0);
      const res = await client.post(
        '/Users',
        oktaUser(userName, [
          { type: 'work', value: '(206) 555-0100' },
          { type: 'mobile', value: '1-800-555-0199' },
          { type: 'home', value: '1-888-555-0142' },
          { type: 'other', value: '555-0100' },
        ]),
      );
      expectScim(res, 201);
      id = res.body.id;
      expect(res.body).toMatchObject({ userName, title: 'Analyst', active: true, phoneNumbers: [{ type: 'work', value: '(206) 555-0100' }] });
      expect(res.body).not.toHaveProperty('password');
    });

    it('a user without an e-mail is refused (email is askSpoke\'s identifier)', async () => {
      const { emails: _e, ...noEmail } = oktaUser(`nomail.${guid()}@example.com`);
      expectScimError(await client.post('/Users', noEmail), 400, 'invalidValue');
    });

    it('import users: paged list (startIndex/count) walks every user once', async () => {
      for (let i = 0; i < 4; i++) expectScim(await client.post('/Users', oktaUser(`import${i}.${guid()}@example.com`)), 201);
      const total = (await client.get('/Users?startIndex=1&count=1')).body.totalResults as number;
      expect(total).toBeGreaterThanOrEqual(5);
      const seen: string[] = [];
      for (let start = 1; start <= total; start += 2) {
        const page = await client.get(`/Users?startIndex=${start}&count=2`);
        expectScim(page, 200);
        expect(page.body.startIndex).toBe(start);
        seen.push(...page.body.Resources.map((u: { id: string }) => u.id));
      }
      expect(new Set(seen).size).toBe(total);
      expect(seen).toContain(id);
    });

    it('profile push by PUT: changes applied, email/userName changes ignored, invalid phone keeps the stored one', async () => {
      const current = (await client.get(`/Users/${id}`)).body;
      const res = await client.put(`/Users/${id}`, {
        ...current,
        userName: `changed.${userName}`,
        emails: [{ primary: true, value: `changed.${userName}`, type: 'work' }],
        title: 'Senior Analyst',
        name: { givenName: 'Olivia', familyName: 'Okta' },
        phoneNumbers: [
          { type: 'work', value: '1-877-555-0100' },
          { type: 'mobile', value: '+1 (503) 555-0177' },
        ],
      });
      expectScim(res, 200);
      expect(res.body).toMatchObject({
        userName,
        emails: [{ primary: true, value: userName, type: 'work' }],
        title: 'Senior Analyst',
        name: { givenName: 'Olivia', familyName: 'Okta' },
      });
      expect(res.body.phoneNumbers).toEqual(
        expect.arrayContaining([
          { type: 'mobile', value: '+1 (503) 555-0177' },
          { type: 'work', value: '(206) 555-0100' },
        ]),
      );
      expect(res.body.phoneNumbers).toHaveLength(2);
      expect((await client.get(`/Users/${id}`)).body).toEqual(res.body);
    });

    it('profile push by PATCH (Okta\'s path-less replace) → 200 with the user', async () => {
      const res = await client.patch(`/Users/${id}`, [{ op: 'replace', value: { title: 'Manager', 'name.familyName': 'Oak', userName: 'x@example.com' } }]);
      expectScim(res, 200);
      expect(res.body).toMatchObject({ id, userName, title: 'Manager', name: { givenName: 'Olivia', familyName: 'Oak' } });
    });

    it('push groups: POST with members, rename + member PATCH, list shows the memberships', async () => {
      const other = (await client.post('/Users', oktaUser(`member.${guid()}@example.com`))).body.id as string;
      const name = `Okta Group ${guid()}`;
      const res = await client.post('/Groups', { schemas: [GROUP], displayName: name, members: [{ value: id, display: userName }] });
      expectScim(res, 201);
      const gid = res.body.id as string;
      const renamed = await client.patch(`/Groups/${gid}`, [
        { op: 'replace', value: { id: gid, displayName: `${name} (renamed)` } },
        { op: 'add', path: 'members', value: [{ value: other }] },
      ]);
      expectScim(renamed, 200);
      const list = await client.get(`/Groups?${oktaEq('displayName', `${name} (renamed)`)}`);
      expectList(list, 1);
      expect(list.body.Resources[0].members.map((m: { value: string }) => m.value).sort()).toEqual([id, other].sort());
      expectScim(await client.patch(`/Groups/${gid}`, [{ op: 'remove', path: `members[value eq "${other}"]` }]), 200);
      expect((await client.get(`/Groups/${gid}`)).body.members).toEqual([expect.objectContaining({ value: id })]);
      expectScim(await client.delete(`/Groups/${gid}`), 204);
    });

    it('deactivation by PATCH {"active": false} removes the account; GET → 404', async () => {
      const res = await client.patch(`/Users/${id}`, [{ op: 'replace', value: { active: false } }]);
      expectScim(res, 200);
      expect(res.body).toMatchObject({ id, active: false });
      expectScimError(await client.get(`/Users/${id}`), 404);
      expectList(await client.get(`/Users?${oktaEq('userName', userName)}`), 0);
      expectScimError(await client.put(`/Users/${id}`, { ...oktaUser(userName), active: true }), 404);
    });

    it('deactivation by PUT active:false removes the account too', async () => {
      const u = (await client.post('/Users', oktaUser(`put.${guid()}@example.com`))).body;
      const res = await client.put(`/Users/${u.id}`, { ...u, active: false });
      expectScim(res, 200);
      expect(res.body.active).toBe(false);
      expectScimError(await client.get(`/Users/${u.id}`), 404);
    });
  });
});
