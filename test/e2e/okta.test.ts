/**
 * Replays of what Okta sends (scim-clients.md §2, §3 rows 23–39): the API-credentials test, a paged
 * import over 250 users, create with Okta's body, GET + full PUT profile push, the path-less
 * `{"active": false}` PATCH, and group push (POST, PATCH rename + members, PUT, DELETE). Query
 * strings use `%20` as Okta does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectList, expectScim, expectScimError, GROUP, guid, startLocal, USER, type Local, type ScimClient } from './support/local.js';

let local: Local;
let okta: ScimClient;

function eqFilter(attr: string, value: string): string {
  return `filter=${encodeURIComponent(`${attr} eq "${value}"`)}`;
}

beforeAll(async () => {
  local = await startLocal();
  okta = local.client('beta');
});

afterAll(async () => {
  await local?.stop();
});

function oktaUser(userName: string, given = 'Test', family = 'User') {
  return {
    schemas: [USER],
    userName,
    name: { givenName: given, familyName: family },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: `${given} ${family}`,
    locale: 'en-US',
    externalId: `00u${guid().replace(/-/g, '').slice(0, 17)}`,
    groups: [],
    password: '1mz050nq',
    active: true,
  };
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe('Okta: API credentials test', () => {
  it('GET /Users?startIndex=1&count=2 and GET /Groups?startIndex=1&count=100 → 200 with integer paging', async () => {
    for (const path of ['/Users?startIndex=1&count=2', '/Groups?startIndex=1&count=100']) {
      const res = await okta.get(path);
      expectList(res, 0);
      expect(res.body.startIndex).toBe(1);
      expect(res.body.itemsPerPage).toBe(0);
    }
  });
});

describe('Okta: users', () => {
  const userName = `test.user.${guid()}@okta.local`;
  let id: string;

  it('existence check (0) → POST with password, groups: [], externalId → 201 with the full object, no password', async () => {
    expectList(await okta.get(`/Users?${eqFilter('userName', userName)}&startIndex=1&count=100`), 0);
    const body = oktaUser(userName);
    const res = await okta.post('/Users', body);
    expectScim(res, 201);
    id = res.body.id;
    expect(res.body).toMatchObject({
      id: expect.any(String),
      userName,
      active: true,
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      externalId: body.externalId,
      locale: 'en-US',
      meta: { resourceType: 'User', location: `${okta.tenantUrl}/Users/${id}` },
    });
    expect(res.body.password).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain('1mz050nq');
  });

  it('SPEC checks: uppercase userName filter → 200 with the user; unknown id → 404 with detail; duplicate → 409', async () => {
    const upper = await okta.get(`/Users?${eqFilter('userName', userName.toUpperCase())}`);
    expectList(upper, 1);
    expect(upper.body.Resources[0].id).toBe(id);
    expectScimError(await okta.get(`/Users/${guid()}`), 404);
    const before = await okta.snapshot();
    expectScimError(await okta.post('/Users', oktaUser(userName)), 409, 'uniqueness');
    expect(await okta.snapshot()).toEqual(before);
  });

  it('profile push: GET, then PUT the whole object back with changes → 200 with the update', async () => {
    const current = await okta.get(`/Users/${id}`);
    expectScim(current, 200);
    const updated = { ...current.body, name: { ...current.body.name, givenName: 'Tess' }, password: 'rotated1', groups: [] };
    const res = await okta.put(`/Users/${id}`, updated);
    expectScim(res, 200);
    expect(res.body).toMatchObject({ id, userName, name: { givenName: 'Tess', familyName: 'User' }, active: true });
    expect(res.body.meta.version).not.toBe(current.body.meta.version);
    expect((await okta.get(`/Users/${id}`)).body.name.givenName).toBe('Tess');
  });

  it('deactivate with a path-less {"active": false} → 200/204; still readable; reactivate', async () => {
    const res = await okta.patch(`/Users/${id}`, [{ op: 'replace', value: { active: false } }]);
    expect([200, 204]).toContain(res.status);
    const read = await okta.get(`/Users/${id}`);
    expectScim(read, 200);
    expect(read.body).toMatchObject({ active: false, name: { givenName: 'Tess' } });
    expectScim(await okta.patch(`/Users/${id}`, [{ op: 'replace', value: { active: true } }]), 204);
    expect((await okta.get(`/Users/${id}`)).body.active).toBe(true);
  });

  it('AIW deactivation: PUT of the full object with active false', async () => {
    const current = (await okta.get(`/Users/${id}`)).body;
    const res = await okta.put(`/Users/${id}`, { ...current, active: false });
    expectScim(res, 200);
    expect(res.body.active).toBe(false);
  });

  it('password sync PATCH is accepted and the password never stored', async () => {
    const res = await okta.patch(`/Users/${id}`, [{ op: 'replace', value: { password: 'n3wPassw0rd' } }]);
    expect([200, 204]).toContain(res.status);
    expect(JSON.stringify((await okta.get(`/Users/${id}`)).body)).not.toContain('n3wPassw0rd');
  });

  it('PUT of a missing id → 404; of a bad body → 400, nothing changed', async () => {
    const before = await okta.snapshot();
    expectScimError(await okta.put(`/Users/${guid()}`, oktaUser(`x-${guid()}@okta.local`)), 404);
    expectScimError(await okta.put(`/Users/${id}`, { ...oktaUser(userName), active: 'perhaps' }), 400, 'invalidValue');
    expect(await okta.snapshot()).toEqual(before);
  });
});

describe('Okta: paged import over 250 users', () => {
  it('walks startIndex 1, 101, 201 with count=100: stable order, every user exactly once', async () => {
    const fresh = local.client('spaceiq'); // an empty connector keeps the totals exact
    const names = Array.from({ length: 250 }, (_, i) => `import.${String(i).padStart(3, '0')}.${guid().slice(0, 8)}@okta.local`);
    const created = new Set<string>();
    await inBatches(names, 10, async (n) => {
      const res = await fresh.post('/Users', oktaUser(n));
      expectScim(res, 201);
      created.add(res.body.id);
    });
    const seen: string[] = [];
    for (const startIndex of [1, 101, 201]) {
      const res = await fresh.get(`/Users?startIndex=${startIndex}&count=100`);
      expectList(res, 250);
      expect(res.body.startIndex).toBe(startIndex);
      expect(res.body.itemsPerPage).toBe(startIndex === 201 ? 50 : 100);
      for (const u of res.body.Resources) {
        expect(u).toMatchObject({ id: expect.any(String), userName: expect.any(String), active: true, name: { givenName: 'Test', familyName: 'User' } });
        seen.push(u.id);
      }
    }
    expect(seen).toHaveLength(250);
    expect(new Set(seen)).toEqual(created);
    // Stable: the same walk again gives the same order.
    const again: string[] = [];
    for (const startIndex of [1, 101, 201]) again.push(...(await fresh.get(`/Users?startIndex=${startIndex}&count=100`)).body.Resources.map((u: { id: string }) => u.id));
    expect(again).toEqual(seen);
    // Past the end: 200 with no resources.
    const past = await fresh.get('/Users?startIndex=301&count=100');
    expectList(past, 250);
    expect(past.body.Resources).toEqual([]);
  }, 120_000);
});

describe('Okta: group push', () => {
  const displayName = `Test SCIMv2 ${guid()}`;
  let gid: string;
  let u1: string;
  let u2: string;
  let u3: string;

  beforeAll(async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await okta.post('/Users', oktaUser(`push${i}.${guid()}@okta.local`));
      expectScim(res, 201);
      ids.push(res.body.id);
    }
    [u1, u2, u3] = ids as [string, string, string];
  });

  async function members(): Promise<string[]> {
    const res = await okta.get(`/Groups/${gid}`);
    expectScim(res, 200);
    return ((res.body.members ?? []) as { value: string }[]).map((m) => m.value).sort();
  }

  it('existence check (0) → POST {displayName, members: []} → 201 with the group', async () => {
    expectList(await okta.get(`/Groups?${eqFilter('displayName', displayName)}`), 0);
    const res = await okta.post('/Groups', { schemas: [GROUP], displayName, members: [] });
    expectScim(res, 201);
    gid = res.body.id;
    expect(res.body).toMatchObject({ id: expect.any(String), displayName, meta: { resourceType: 'Group' } });
    expect(res.headers.get('location')).toBe(`${okta.tenantUrl}/Groups/${gid}`);
    expectList(await okta.get(`/Groups?${eqFilter('displayName', displayName)}`), 1);
  });

  it('PATCH rename carrying the id + membership add in one request', async () => {
    const res = await okta.patch(`/Groups/${gid}`, [
      { op: 'replace', value: { id: gid, displayName: `${displayName} renamed` } },
      { op: 'add', path: 'members', value: [{ value: u1, display: 'push0' }, { value: u2, display: 'push1' }] },
    ]);
    expect([200, 204]).toContain(res.status);
    const read = await okta.get(`/Groups/${gid}`);
    expect(read.body.displayName).toBe(`${displayName} renamed`);
    expect(await members()).toEqual([u1, u2].sort());
  });

  it('PATCH remove members[value eq] + add in one request', async () => {
    const res = await okta.patch(`/Groups/${gid}`, [
      { op: 'replace', value: { id: gid, displayName: `${displayName} renamed` } },
      { op: 'remove', path: `members[value eq "${u1}"]` },
      { op: 'add', path: 'members', value: [{ value: u3, display: 'push2' }] },
    ]);
    expect([200, 204]).toContain(res.status);
    expect(await members()).toEqual([u2, u3].sort());
  });

  it('PATCH replace members with the full list', async () => {
    expectScim(await okta.patch(`/Groups/${gid}`, [{ op: 'replace', path: 'members', value: [{ value: u1 }, { value: u3 }] }]), 204);
    expect(await members()).toEqual([u1, u3].sort());
  });

  // Okta imports memberships from group lists and reads PUT answers back (scim-clients.md §2.5, §2.9).
  it('PUT /Groups/{id} with the full member list (AIW) → 200 with members in the answer', async () => {
    const res = await okta.put(`/Groups/${gid}`, { schemas: [GROUP], id: gid, displayName, members: [{ value: u2 }, { value: u3 }] });
    expectScim(res, 200);
    expect(res.body.displayName).toBe(displayName);
    expect(((res.body.members ?? []) as { value: string }[]).map((m) => m.value).sort()).toEqual([u2, u3].sort());
    expect(await members()).toEqual([u2, u3].sort());
  });

  it('PUT /Groups/{id} with the full member list (AIW) → 200, members replaced', async () => {
    const res = await okta.put(`/Groups/${gid}`, { schemas: [GROUP], id: gid, displayName, members: [{ value: u2 }, { value: u3 }] });
    expectScim(res, 200);
    expect(res.body.displayName).toBe(displayName);
    expect(await members()).toEqual([u2, u3].sort());
  });

  it('import lists groups with their members', async () => {
    const res = await okta.get('/Groups?startIndex=1&count=100');
    expectList(res, 1);
    const g = res.body.Resources.find((x: { id: string }) => x.id === gid);
    expect(((g?.members ?? []) as { value: string }[]).map((m) => m.value).sort()).toEqual([u2, u3].sort());
  });

  it('an unknown member id is ignored (204, the default unknownMembers policy): nothing stored, memberships unchanged', async () => {
    const before = await okta.snapshot();
    const res = await okta.patch(`/Groups/${gid}`, [{ op: 'add', path: 'members', value: [{ value: guid() }] }]);
    expectScim(res, 204);
    expect(await okta.snapshot()).toEqual(before);
  });

  it('DELETE → 204, then 404; members keep existing as users', async () => {
    expectScim(await okta.delete(`/Groups/${gid}`), 204);
    expectScimError(await okta.get(`/Groups/${gid}`), 404);
    expectScim(await okta.get(`/Users/${u2}`), 200);
    expect((await okta.get(`/Users/${u2}`)).body.groups ?? []).toEqual([]);
  });
});
