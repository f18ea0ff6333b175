/**
 * The HTTP edge over real HTTP: routing (404/405), bodies (400/413/415), tokens (401) and
 * connector isolation through the authorizer cache. Every error is a SCIM error and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectList, expectScim, expectScimError, startLocal, USER, type Local, type ScimClient } from './support/local.js';

let local: Local;
let alpha: ScimClient;
let beta: ScimClient;
let userId: string;

beforeAll(async () => {
  local = await startLocal();
  alpha = local.client('alpha');
  beta = local.client('beta');
  const created = await alpha.post('/Users', { schemas: [USER], userName: 'edge@example.com', active: true });
  expectScim(created, 201);
  userId = created.body.id;
});

afterAll(async () => {
  await local?.stop();
});

describe('routing', () => {
  it('unknown paths → SCIM 404 (even without a token)', async () => {
    for (const path of ['/Nope', '/Users/a/b', '/Bulk', '/Me', '/users']) {
      expectScimError(await alpha.get(path), 404);
    }
    expectScimError(await alpha.get('/Nope', { authorization: null }), 404);
    const offBase = await fetch(`${local.endpoint.url}/alpha/scim/Users`, { headers: { Authorization: `Bearer ${alpha.token}` } });
    expect(offBase.status).toBe(404);
    const unknownStage = await fetch(`${local.endpoint.url}/gamma/scim/v2/Users`, { headers: { Authorization: `Bearer ${alpha.token}` } });
    expect(unknownStage.status).toBe(404);
    expect(unknownStage.headers.get('content-type')).toBe('application/scim+json');
  });

  it('wrong methods → SCIM 405 with Allow, nothing changed', async () => {
    const before = await alpha.snapshot();
    const cases: [string, string, string][] = [
      ['DELETE', '/Users', 'GET, POST'],
      ['PUT', '/Users', 'GET, POST'],
      ['POST', `/Users/${userId}`, 'GET, PUT, PATCH, DELETE'],
      ['GET', '/Users/.search', 'POST'],
      ['POST', '/ServiceProviderConfig', 'GET'],
      ['PUT', '/Schemas', 'GET'],
      ['DELETE', '/ResourceTypes/User', 'GET'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await alpha.req(method, path, method === 'GET' || method === 'DELETE' ? {} : { body: { schemas: [USER], userName: 'x' } });
      expectScimError(res, 405);
      expect(res.headers.get('allow')).toBe(allow);
    }
    expect(await alpha.snapshot()).toEqual(before);
  });

  it("serves a connector under its own base path only (spaceiq: /scim)", async () => {
    const spaceiq = local.client('spaceiq');
    expect(spaceiq.tenantUrl).toMatch(/\/spaceiq\/scim$/);
    expectList(await spaceiq.get('/Users'), 0);
    const wrongBase = await fetch(`${local.endpoint.url}/spaceiq/scim/v2/Users`, { headers: { Authorization: `Bearer ${spaceiq.token}` } });
    expect(wrongBase.status).toBe(404);
  });
});

describe('request bodies', () => {
  it('malformed JSON → 400 invalidSyntax; nothing changed', async () => {
    const before = await alpha.snapshot();
    expectScimError(await alpha.req('POST', '/Users', { raw: '{"userName": "x",' }), 400, 'invalidSyntax');
    expectScimError(await alpha.req('PATCH', `/Users/${userId}`, { raw: 'Operations=1' }), 400, 'invalidSyntax');
    expectScimError(await alpha.req('PUT', `/Users/${userId}`, { raw: '[1,2]' }), 400, 'invalidSyntax');
    expectScimError(await alpha.req('POST', '/Users', {}), 400, 'invalidSyntax');
    expect(await alpha.snapshot()).toEqual(before);
  });

  it('accepts application/json with a charset and a body without Content-Type', async () => {
    const a = await alpha.post('/Users', { schemas: [USER], userName: 'json@example.com' }, { contentType: 'application/json; charset=UTF-8' });
    expectScim(a, 201);
    const b = await alpha.post('/Users', { schemas: [USER], userName: 'notype@example.com' }, { contentType: null });
    expectScim(b, 201);
    for (const id of [a.body.id, b.body.id]) expectScim(await alpha.delete(`/Users/${id}`), 204);
  });

  it('other content types → 415; nothing changed', async () => {
    const before = await alpha.snapshot();
    expectScimError(await alpha.post('/Users', { userName: 'x@example.com' }, { contentType: 'text/plain' }), 415);
    expectScimError(await alpha.post('/Users', { userName: 'x@example.com' }, { contentType: 'application/x-www-form-urlencoded' }), 415);
    expect(await alpha.snapshot()).toEqual(before);
  });

  it('wrong types → 400 invalidValue/invalidSyntax; nothing changed', async () => {
    const before = await alpha.snapshot();
    for (const body of [
      { schemas: [USER], userName: 'typed@example.com', active: 'maybe' },
      { schemas: [USER], userName: 'typed@example.com', name: 'not an object' },
      { schemas: [USER], userName: { value: 'x' } },
    ]) {
      expectScimError(await alpha.post('/Users', body), 400, 'invalidValue');
    }
    expectScimError(await alpha.put(`/Users/${userId}`, { schemas: [USER], userName: 'edge@example.com', active: 'maybe' }), 400, 'invalidValue');
    const r2 = await alpha.post('/Users', { schemas: [USER] });
    expect(r2.status).toBe(400);
    expectScimError(r2, 400, r2.body.scimType);
    const r3 = await alpha.patch(`/Users/${userId}`, [{ op: 'explode', path: 'active', value: false }]);
    expect(r3.status).toBe(400);
    expectScimError(r3, 400, r3.body.scimType);
    expect(await alpha.snapshot()).toEqual(before);
  });

  it('bad filters → 400 invalidFilter (query and .search)', async () => {
    expectScimError(await alpha.get('/Users?filter=userName+eq'), 400, 'invalidFilter');
    expectScimError(await alpha.get('/Users?filter=' + encodeURIComponent('userName eq "a" and (')), 400, 'invalidFilter');
    expectScimError(await alpha.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName zz "a"' }), 400, 'invalidFilter');
  });

  it('bodies above 1 MiB → 413 from the handler, above 10 MB → 413 from the gateway; nothing changed', async () => {
    const before = await alpha.snapshot();
    const big = { schemas: [USER], userName: 'big@example.com', nickName: 'x'.repeat(1024 * 1024 + 10) };
    expectScimError(await alpha.post('/Users', big), 413);
    const huge = { schemas: [USER], userName: 'huge@example.com', nickName: 'x'.repeat(11 * 1024 * 1024) };
    expectScimError(await alpha.post('/Users', huge), 413);
    expect(await alpha.snapshot()).toEqual(before);
  });
});

describe('query strings', () => {
  it('decodes + as space and %2B as plus, once (Entra and Okta encodings)', async () => {
    const plus = await alpha.post('/Users', { schemas: [USER], userName: 'a+b@example.com' });
    expectScim(plus, 201);
    const entra = await alpha.get('/Users?filter=userName+eq+%22a%2Bb%40example.com%22');
    expectList(entra, 1);
    expect(entra.body.Resources[0].id).toBe(plus.body.id);
    const okta = await alpha.get('/Users?filter=userName%20eq%20%22a%2Bb%40example.com%22&startIndex=1&count=100');
    expectList(okta, 1);
    // A literal + in the value is a space: a different userName.
    expectList(await alpha.get('/Users?filter=userName+eq+%22a+b%40example.com%22'), 0);
    expectScim(await alpha.delete(`/Users/${plus.body.id}`), 204);
  });
});

describe('tokens', () => {
  it('missing or empty Authorization → 401 with WWW-Authenticate: Bearer', async () => {
    for (const authorization of [null, '', 'Bearer ']) {
      const res = await alpha.get('/Users', { authorization });
      expectScimError(res, 401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('accepts the token with and without "Bearer "', async () => {
    expectList(await alpha.get('/Users', { authorization: alpha.token as string }), 1);
    expectList(await alpha.get('/Users', { authorization: `bearer ${alpha.token}` }), 1);
  });

  it('invalid tokens → 401; nothing changed', async () => {
    const before = await alpha.snapshot();
    const wrong = local.client('alpha', 'not-the-token');
    const res = await wrong.post('/Users', { schemas: [USER], userName: 'intruder@example.com' });
    expectScimError(res, 401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expectScimError(await wrong.delete(`/Users/${userId}`), 401);
    expectScimError(await alpha.get('/Users', { authorization: `Basic ${Buffer.from('alpha:x').toString('base64')}` }), 401);
    expect(await alpha.snapshot()).toEqual(before);
  });

  it("another connector's token → 401, also right after it was accepted on its own stage (authorizer cache)", async () => {
    const alphaTokenOnBeta = local.client('beta', alpha.token);
    expectList(await alpha.get('/Users'), 1); // accepted and cached for (token, alpha)
    const res = await alphaTokenOnBeta.get('/Users');
    expectScimError(res, 401);
    expectScimError(await alphaTokenOnBeta.get(`/Users/${userId}`), 401);
    expectScimError(await alphaTokenOnBeta.post('/Users', { schemas: [USER], userName: 'cross@example.com' }), 401);
    // And the other way round, with beta's token cached on beta.
    expectList(await beta.get('/Users'), 0);
    expectScimError(await local.client('alpha', beta.token).get('/Users'), 401);
    // Isolation of data: beta does not see alpha's user.
    expectScimError(await beta.get(`/Users/${userId}`), 404);
    expectList(await beta.get('/Users?filter=userName+eq+%22edge%40example.com%22'), 0);
  });
});

describe('responses', () => {
  it('builds Location and meta.location from the request host and stage', async () => {
    const res = await alpha.get(`/Users/${userId}`);
    expectScim(res, 200);
    expect(res.body.meta.location).toBe(`${alpha.tenantUrl}/Users/${userId}`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('etag')).toMatch(/^W\/"\d+"$/);
    const viaLocalhost = await fetch(`${alpha.tenantUrl.replace('127.0.0.1', 'localhost')}/Users/${userId}`, {
      headers: { Authorization: `Bearer ${alpha.token}` },
    });
    const body = (await viaLocalhost.json()) as { meta: { location: string } };
    expect(body.meta.location).toMatch(/^http:\/\/localhost:\d+\/alpha\/scim\/v2\/Users\//);
  });

  it('honours If-None-Match (304) and If-Match (412, nothing changed)', async () => {
    const res = await alpha.get(`/Users/${userId}`);
    const etag = res.headers.get('etag') as string;
    const notModified = await alpha.get(`/Users/${userId}`, { headers: { 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(etag);
    const before = await alpha.snapshot();
    const stale = await alpha.patch(`/Users/${userId}`, [{ op: 'replace', path: 'active', value: false }], { headers: { 'If-Match': 'W/"999"' } });
    expectScimError(stale, 412);
    expectScimError(await alpha.delete(`/Users/${userId}`, { headers: { 'If-Match': 'W/"999"' } }), 412);
    expect(await alpha.snapshot()).toEqual(before);
    const ok = await alpha.patch(`/Users/${userId}`, [{ op: 'replace', path: 'displayName', value: 'Edge' }], { headers: { 'If-Match': etag } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('etag')).not.toBe(etag);
  });

  it("a group response over Lambda's 6 MB payload → 400 tooMany (not the gateway's 502); without members it reads fine; a PATCH asking for it back answers 204", async () => {
    // 800 members with 8,000-character display values: ~6.5 MB of JSON; each PATCH stays under 1 MiB.
    const ids: string[] = [];
    for (let i = 0; i < 800; i += 16) {
      const batch = await Promise.all(Array.from({ length: 16 }, (_, j) => alpha.post('/Users', { schemas: [USER], userName: `wide-${i + j}`, active: true })));
      for (const r of batch) ids.push(r.body.id);
    }
    const g = await alpha.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Wide' });
    expectScim(g, 201);
    for (let i = 0; i < ids.length; i += 100) {
      const value = ids.slice(i, i + 100).map((id, j) => ({ value: id, display: `${i + j}`.padEnd(8000, 'x') }));
      expect((await alpha.patch(`/Groups/${g.body.id}`, [{ op: 'add', path: 'members', value }])).status).toBe(204);
    }
    const full = await alpha.get(`/Groups/${g.body.id}`);
    expectScimError(full, 400, 'tooMany');
    expect(full.body.detail).toContain('excludedAttributes=members');
    const lean = await alpha.get(`/Groups/${g.body.id}?excludedAttributes=members`);
    expectScim(lean, 200);
    expect(lean.body.displayName).toBe('Wide');
    // A PATCH asking for the resource back is done; its too-large answer becomes 204 (RFC 7644 §3.5.2), not an error.
    const renamed = await alpha.patch(`/Groups/${g.body.id}?attributes=displayName,members`, [{ op: 'replace', path: 'displayName', value: 'Wider' }]);
    expect(renamed.status).toBe(204);
    expect(renamed.headers.get('etag')).toMatch(/^W\/"\d+"$/);
    expect((await alpha.get(`/Groups/${g.body.id}?attributes=displayName`)).body.displayName).toBe('Wider');
    expect((await alpha.delete(`/Groups/${g.body.id}`)).status).toBe(204);
    await Promise.all(ids.map((id) => alpha.delete(`/Users/${id}`)));
  });

  it('GET of a missing id → 404 SCIM error; an empty filter → 200 empty list', async () => {
    expectScimError(await alpha.get('/Users/00000000-0000-0000-0000-000000000000'), 404);
    expectScimError(await alpha.get('/Groups/nope'), 404);
    expectList(await alpha.get('/Groups?filter=displayName+eq+%22nobody%22'), 0);
  });
});
