/** Discovery endpoints (RFC 7644 §4) as the Okta SPEC suite and Entra's validator read them. */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ENTERPRISE, expectList, expectScim, expectScimError, GROUP, startLocal, USER, type ScimClient, useLocalClient } from './support/local.js';

/**
 * A closed schema of RFC 7643 §5 (plus `schemas`/`meta` of §3.1 and RFC 9865 §4 `pagination`):
 * any key a strict client library would not know fails it.
 */
const supported = z.strictObject({ supported: z.boolean() });
const SERVICE_PROVIDER_CONFIG = z.strictObject({
  schemas: z.tuple([z.literal('urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig')]),
  documentationUri: z.optional(z.string()),
  patch: supported,
  bulk: z.strictObject({ supported: z.boolean(), maxOperations: z.int().nonnegative(), maxPayloadSize: z.int().nonnegative() }),
  filter: z.strictObject({ supported: z.boolean(), maxResults: z.int().positive() }),
  changePassword: supported,
  sort: supported,
  etag: supported,
  authenticationSchemes: z.array(
    z.strictObject({
      type: z.string(),
      name: z.string(),
      description: z.string(),
      specUri: z.optional(z.string()),
      documentationUri: z.optional(z.string()),
      primary: z.optional(z.boolean()),
    }),
  ).min(1),
  pagination: z.optional(
    z.strictObject({
      cursor: z.boolean(),
      index: z.boolean(),
      defaultPaginationMethod: z.optional(z.enum(['cursor', 'index'])),
      defaultPageSize: z.optional(z.int().positive()),
      maxPageSize: z.optional(z.int().positive()),
      cursorTimeout: z.optional(z.int().positive()),
    }),
  ),
  meta: z.strictObject({ resourceType: z.literal('ServiceProviderConfig'), location: z.string(), created: z.optional(z.string()), lastModified: z.optional(z.string()), version: z.optional(z.string()) }),
});

let alpha: ScimClient;
useLocalClient(startLocal, 'alpha', (c) => (alpha = c));

describe('discovery', () => {
  it('ServiceProviderConfig says what is supported', async () => {
    const res = await alpha.get('/ServiceProviderConfig');
    expectScim(res, 200);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: true },
      pagination: { cursor: true, index: true, maxPageSize: 1000 },
      meta: { resourceType: 'ServiceProviderConfig', location: `${alpha.tenantUrl}/ServiceProviderConfig` },
    });
    expect(res.body.authenticationSchemes[0]).toMatchObject({ type: 'oauthbearertoken', name: expect.any(String), description: expect.any(String), primary: true });
  });

  it('ServiceProviderConfig has only RFC 7643 §5 attributes and RFC 9865 pagination (strict clients parse it)', async () => {
    const res = await alpha.get('/ServiceProviderConfig');
    expectScim(res, 200);
    const parsed = SERVICE_PROVIDER_CONFIG.safeParse(res.body);
    expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
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
