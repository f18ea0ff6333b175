/** Discovery endpoints (RFC 7644 §4) as the Okta SPEC suite and Entra's validator read them. */
import { describe, expect, it } from 'vitest';
import { ENTERPRISE, expectList, expectScim, expectScimError, GROUP, startLocal, USER, type ScimClient, useLocalClient } from './support/local.js';

let alpha: ScimClient;
useLocalClient(startLocal, 'alpha', (c) => (alpha = c));

describe('discovery', () => {
  it('ServiceProviderConfig says what is supported', async () => {
    const res = await alpha.get('/ServiceProviderConfig');
    expectScim(res, 200);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig', 'urn:scim-serverless-aws:params:scim:schemas:extension:limits:2.0:ServiceProviderConfig'],
      'urn:scim-serverless-aws:params:scim:schemas:extension:limits:2.0:ServiceProviderConfig': {
        maxPayloadSize: 1048576,
        maxOperations: 1000,
        maxMembersPerRequest: 10000,
        maxMembersPerResponse: 30000,
        maxValueLength: 8192,
        maxMultiValues: 100,
        maxResourceBytes: 262144,
        maxFilterLength: 4096,
        maxFilterDepth: 32,
        maxResults: 1000,
      },
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: expect.any(Number) },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: true },
      meta: { resourceType: 'ServiceProviderConfig', location: `${alpha.tenantUrl}/ServiceProviderConfig` },
    });
    expect(res.body.authenticationSchemes[0]).toMatchObject({ type: 'oauthbearertoken', name: expect.any(String), description: expect.any(String), primary: true });
  });

  it('ResourceTypes and ResourceTypes/{id}', async () => {
    const list = await alpha.get('/ResourceTypes');
    expectList(list, 2);
    expect(list.body.Resources).toEqual([
      expect.objectContaining({ id: 'User', endpoint: '/Users', schema: USER, schemaExtensions: [{ schema: ENTERPRISE, required: false }] }),
      expect.objectContaining({ id: 'Group', endpoint: '/Groups', schema: GROUP }),
    ]);
    const user = await alpha.get('/ResourceTypes/User');
    expectScim(user, 200);
    expect(user.body.meta.location).toBe(`${alpha.tenantUrl}/ResourceTypes/User`);
    expectScimError(await alpha.get('/ResourceTypes/Printer'), 404);
  });

  it('Schemas and Schemas/{id} (URN in the path, encoded or not)', async () => {
    const list = await alpha.get('/Schemas');
    expectList(list, 3);
    expect(list.body.Resources.map((s: { id: string }) => s.id)).toEqual([USER, ENTERPRISE, GROUP]);
    for (const path of [`/Schemas/${USER}`, `/Schemas/${encodeURIComponent(USER)}`]) {
      const one = await alpha.get(path);
      expectScim(one, 200);
      expect(one.body.id).toBe(USER);
      expect(one.body.attributes.find((a: { name: string }) => a.name === 'userName')).toMatchObject({ uniqueness: 'server', required: true });
    }
    expectScimError(await alpha.get('/Schemas/urn:nope'), 404);
  });

  it('POST/PUT/DELETE to discovery endpoints → 405', async () => {
    for (const path of ['/ServiceProviderConfig', '/ResourceTypes', '/Schemas']) {
      const res = await alpha.post(path, {});
      expectScimError(res, 405);
      expect(res.headers.get('allow')).toBe('GET');
    }
  });

  it('requires a token like every other endpoint', async () => {
    expectScimError(await alpha.get('/ServiceProviderConfig', { authorization: null }), 401);
  });
});
