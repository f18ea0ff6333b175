/**
 * Value filters in `attributes` / `excludedAttributes` over real HTTP (RFC 7644 §3.4.2.5, §3.9,
 * valuePath syntax of §3.4.2.2): `emails[type eq "work"]` narrows `emails` to the matching
 * elements, `….value` to their `value`; in `excludedAttributes` it removes the matching elements
 * (or that sub-attribute of them). Text that does not parse is an unknown name: 200, never 5xx.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectList, expectScim, GROUP, LIST_RESPONSE, startLocal, USER, type Res, type ScimClient, useLocalClient } from './support/local.js';

let alpha: ScimClient;
useLocalClient(startLocal, 'alpha', (c) => (alpha = c));

const WORK = 'pf.work@example.com';
const HOME = 'pf.home@example.net';
const ONLY_HOME = 'pf.other.home@example.net';

let both: string; // user with a work and a home e-mail
let homeOnly: string; // user with only a home e-mail
let group: string;

/** `?name=value&…` with every value percent-encoded (spaces, quotes, brackets, commas). */
function qs(params: Record<string, string>): string {
  return `?${Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&')}`;
}

function byId(res: Res, id: string): Record<string, unknown> {
  const r = (res.body.Resources as Record<string, unknown>[]).find((x) => x.id === id);
  expect(r, `resource ${id} in the page`).toBeDefined();
  return r as Record<string, unknown>;
}

const LIST_FILTER = 'userName sw "pf."';

beforeAll(async () => {
  const a = await alpha.post('/Users', {
    schemas: [USER],
    userName: 'pf.both@example.com',
    emails: [
      { value: WORK, type: 'work', primary: true },
      { value: HOME, type: 'home' },
    ],
  });
  expectScim(a, 201);
  both = a.body.id;
  const b = await alpha.post('/Users', { schemas: [USER], userName: 'pf.homeonly@example.com', emails: [{ value: ONLY_HOME, type: 'home' }] });
  expectScim(b, 201);
  homeOnly = b.body.id;
  const g = await alpha.post('/Groups', {
    schemas: [GROUP],
    displayName: 'PF Team',
    members: [{ value: both }, { value: homeOnly }],
  });
  expectScim(g, 201);
  group = g.body.id;
});

describe('attributes with a value filter', () => {
  it('GET /Users/{id}?attributes=emails[type eq "work"].value → only the work address, only its value', async () => {
    const res = await alpha.get(`/Users/${both}${qs({ attributes: 'emails[type eq "work"].value' })}`);
    expectScim(res, 200);
    expect(res.body).toEqual({ schemas: [USER], id: both, emails: [{ value: WORK }] });
  });

  it('attributes=emails[type eq "work"] → the work element with its default sub-attributes', async () => {
    const res = await alpha.get(`/Users/${both}${qs({ attributes: 'emails[type eq "work"]' })}`);
    expectScim(res, 200);
    expect(res.body).toEqual({ schemas: [USER], id: both, emails: [{ value: WORK, type: 'work', primary: true }] });
  });

  it('names, operator and sub-attribute in any case; URN-qualified form', async () => {
    const upper = await alpha.get(`/Users/${both}${qs({ attributes: 'EMAILS[TYPE EQ "WORK"].VALUE' })}`);
    expectScim(upper, 200);
    expect(upper.body).toEqual({ schemas: [USER], id: both, emails: [{ value: WORK }] });
    const urn = await alpha.get(`/Users/${both}${qs({ attributes: `${USER}:emails[type eq "home"].value,userName` })}`);
    expectScim(urn, 200);
    expect(urn.body).toEqual({ schemas: [USER], id: both, userName: 'pf.both@example.com', emails: [{ value: HOME }] });
  });

  it('on a list page: each user narrowed; a user without a match has no emails', async () => {
    const res = await alpha.get(`/Users${qs({ filter: LIST_FILTER, attributes: 'emails[type eq "work"]' })}`);
    expectList(res, 2);
    expect(byId(res, both)).toEqual({ schemas: [USER], id: both, emails: [{ value: WORK, type: 'work', primary: true }] });
    expect(byId(res, homeOnly)).toEqual({ schemas: [USER], id: homeOnly });
  });

  it('POST /Users/.search with an attributes array: a comma inside the filter does not split it', async () => {
    const res = await alpha.post('/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: LIST_FILTER,
      attributes: ['emails[type eq "a,b" or type eq "home"].value', 'userName'],
    });
    expectList(res, 2);
    expect(byId(res, both)).toEqual({ schemas: [USER], id: both, userName: 'pf.both@example.com', emails: [{ value: HOME }] });
    expect(byId(res, homeOnly)).toEqual({ schemas: [USER], id: homeOnly, userName: 'pf.homeonly@example.com', emails: [{ value: ONLY_HOME }] });
  });

  it('derived attributes too: group members[value eq …], user groups[display eq …]', async () => {
    const g = await alpha.get(`/Groups/${group}${qs({ attributes: `members[value eq "${homeOnly}"].value` })}`);
    expectScim(g, 200);
    expect(g.body).toEqual({ schemas: [GROUP], id: group, members: [{ value: homeOnly }] });
    const u = await alpha.get(`/Users/${both}${qs({ attributes: 'groups[display eq "PF Team"].value' })}`);
    expectScim(u, 200);
    expect(u.body).toEqual({ schemas: [USER], id: both, groups: [{ value: group }] });
  });
});

describe('excludedAttributes with a value filter', () => {
  it('excludedAttributes=emails[type eq "work"] removes the work element, the rest stays', async () => {
    const res = await alpha.get(`/Users/${both}${qs({ excludedAttributes: 'emails[type eq "work"]' })}`);
    expectScim(res, 200);
    expect(res.body.emails).toEqual([{ value: HOME, type: 'home' }]);
    expect(res.body.userName).toBe('pf.both@example.com');
    expect(res.body.meta?.resourceType).toBe('User');
  });

  it('excludedAttributes=emails[type eq "work"].value removes value from the work element only', async () => {
    const res = await alpha.get(`/Users${qs({ filter: LIST_FILTER, excludedAttributes: 'emails[type eq "work"].value' })}`);
    expectList(res, 2);
    expect(byId(res, both).emails).toEqual([
      { type: 'work', primary: true },
      { value: HOME, type: 'home' },
    ]);
    expect(byId(res, homeOnly).emails).toEqual([{ value: ONLY_HOME, type: 'home' }]);
  });
});

describe('unparsable value filters', () => {
  const GARBAGE = ['emails[type eq', 'emails[', 'emails]', 'emails[type eq "work"', 'emails[type eq "work"]]', 'emails[type eq "work"]x', 'emails[primary gt 1]', 'emails[[type eq "x"]]', 'emails[type eq "\\', 'name[givenName eq "x"]', '[', '"'];

  it('emails[type eq → 200, ignored like an unknown name (only id and schemas)', async () => {
    const res = await alpha.get(`/Users/${both}${qs({ attributes: 'emails[type eq' })}`);
    expectScim(res, 200);
    expect(res.body).toEqual({ schemas: [USER], id: both });
  });

  it('a broken entry does not hide the names after it', async () => {
    const res = await alpha.get(`/Users/${both}${qs({ attributes: 'emails[type eq,userName' })}`);
    expectScim(res, 200);
    expect(res.body).toEqual({ schemas: [USER], id: both, userName: 'pf.both@example.com' });
  });

  it('never a 5xx: every garbage form in attributes and excludedAttributes, single and list', async () => {
    const full = await alpha.get(`/Users/${both}`);
    expectScim(full, 200);
    for (const text of GARBAGE) {
      for (const path of [`/Users/${both}`, '/Users', `/Groups/${group}`]) {
        const sel = await alpha.get(`${path}${qs({ attributes: text })}`);
        expect(sel.status, `${path} attributes=${text}: ${sel.text}`).toBe(200);
        expect(sel.headers.get('content-type')).toBe('application/scim+json');
        if (path === '/Users') expect(sel.body.schemas).toEqual([LIST_RESPONSE]);
        const exc = await alpha.get(`${path}${qs({ excludedAttributes: text })}`);
        expect(exc.status, `${path} excludedAttributes=${text}: ${exc.text}`).toBe(200);
      }
      // Excluding something that does not parse excludes nothing.
      const exc = await alpha.get(`/Users/${both}${qs({ excludedAttributes: text })}`);
      expect(exc.body).toEqual(full.body);
    }
  });
});
