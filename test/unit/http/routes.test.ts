import { describe, expect, it } from 'vitest';
import { allowedMethods, endpointOf, isRootRoute, matchPath, resolveRoute, resourcePaths, resourceTemplate, ROUTES } from '../../../lambdas/http/routes.js';
import { catchScim } from '../../support/scim-errors.js';

describe('route table', () => {
  it('declares every SCIM endpoint once, with RFC 7644 methods', () => {
    const keys = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(resourcePaths().map((p) => `${p.path} ${p.handler} ${p.methods.join(',')}`)).toEqual([
      'Users users GET,POST',
      'Users/.search users POST',
      'Users/{id} users GET,PUT,PATCH,DELETE',
      'Groups groups GET,POST',
      'Groups/.search groups POST',
      'Groups/{id} groups GET,PUT,PATCH,DELETE',
      ' users GET',
      '.search users POST',
      'ServiceProviderConfig discovery GET',
      'ResourceTypes discovery GET',
      'ResourceTypes/{id} discovery GET',
      'Schemas discovery GET',
      'Schemas/{id} discovery GET',
    ]);
  });

  it('matches static segments before parameters, and decodes parameters', () => {
    expect(matchPath('Users/.search')?.resource.path).toBe('Users/.search');
    expect(matchPath('Users/abc')).toMatchObject({ resource: { path: 'Users/{id}' }, pathParameters: { id: 'abc' } });
    expect(matchPath('Schemas/urn%3Aietf%3Aparams%3Ascim%3Aschemas%3Acore%3A2.0%3AUser')?.pathParameters.id).toBe(
      'urn:ietf:params:scim:schemas:core:2.0:User',
    );
    expect(matchPath('Users/')).toBeUndefined();
    expect(matchPath('Users/a/b')).toBeUndefined();
    expect(matchPath('users')).toBeUndefined();
    expect(matchPath('Bulk')).toBeUndefined();
  });

  it('resolves a route under the base path; unknown → 404, wrong method → 405 with Allow', () => {
    expect(resolveRoute('PATCH', '/scim/v2/Users/{id}', 'scim/v2')).toMatchObject({ handler: 'users', action: 'patch' });
    expect(resolveRoute('get', '/scim/Groups', 'scim')).toMatchObject({ handler: 'groups', action: 'list' });
    expect(catchScim(() => resolveRoute('GET', '/scim/v2/Users', 'scim')).status).toBe(404);
    expect(catchScim(() => resolveRoute('GET', '/scim/v2/Me', 'scim/v2')).status).toBe(404);
    const e = catchScim(() => resolveRoute('DELETE', '/scim/v2/Users', 'scim/v2'));
    expect(e.status).toBe(405);
    expect(e.headers).toEqual({ Allow: 'GET, POST' });
    expect(catchScim(() => resolveRoute('POST', '/scim/v2/ServiceProviderConfig', 'scim/v2')).headers.Allow).toBe('GET');
    expect(allowedMethods('Users/{id}')).toEqual(['GET', 'PUT', 'PATCH', 'DELETE']);
  });

  describe('queries at the server root (RFC 7644 §3.4.2.1, §3.4.3)', () => {
    it('GET on the base path itself and POST on .search under it go to the users handler', () => {
      expect(resolveRoute('GET', '/scim/v2', 'scim/v2')).toMatchObject({ path: '', handler: 'users', action: 'rootList' });
      expect(resolveRoute('post', '/scim/v2/.search', 'scim/v2')).toMatchObject({ path: '.search', handler: 'users', action: 'rootSearch' });
      expect(resolveRoute('GET', '/scim', 'scim')).toMatchObject({ action: 'rootList' });
      // Another connector's base path is not this connector's root.
      expect(catchScim(() => resolveRoute('GET', '/scim/v2', 'scim')).status).toBe(404);
      expect(catchScim(() => resolveRoute('GET', '/scim', 'scim/v2')).status).toBe(404);
    });

    it('other methods → 405 with Allow, as on every route', () => {
      for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const e = catchScim(() => resolveRoute(m, '/scim/v2', 'scim/v2'));
        expect([e.status, e.headers]).toEqual([405, { Allow: 'GET' }]);
      }
      for (const m of ['GET', 'PUT', 'PATCH', 'DELETE']) {
        const e = catchScim(() => resolveRoute(m, '/scim/v2/.search', 'scim/v2'));
        expect([e.status, e.headers]).toEqual([405, { Allow: 'POST' }]);
      }
    });

    it('the local gateway matches them, and they are API Gateway resources under the base path', () => {
      expect(matchPath('')?.resource).toEqual({ path: '', handler: 'users', methods: ['GET'] });
      expect(matchPath('.search')?.resource).toEqual({ path: '.search', handler: 'users', methods: ['POST'] });
      expect(matchPath('.Search')).toBeUndefined();
      expect(resourcePaths().filter((p) => isRootRoute(p)).map((p) => resourceTemplate('scim/v2', p.path))).toEqual(['/scim/v2', '/scim/v2/.search']);
      expect(resourceTemplate('scim', 'Users/{id}')).toBe('/scim/Users/{id}');
    });

    it('carry no resource type (telemetry), unlike the per-type routes', () => {
      const byPath = (p: string) => ROUTES.find((r) => r.path === p)!;
      expect(endpointOf(byPath(''))).toBeUndefined();
      expect(endpointOf(byPath('.search'))).toBeUndefined();
      expect(endpointOf(byPath('Users/.search'))).toBe('Users');
      expect(endpointOf(byPath('Schemas/{id}'))).toBe('Schemas');
      expect(isRootRoute(byPath('Groups/.search'))).toBe(false);
    });
  });
});
