import { describe, expect, it } from 'vitest';
import { allowedMethods, matchPath, resolveRoute, resourcePaths, ROUTES } from '../../../lambdas/http/routes.js';
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
});
