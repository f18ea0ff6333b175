import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import { profileRegistry } from '../../../lambdas/connectors/profiles.js';
import { discoveryHandler } from '../../../lambdas/http/app.js';
import { scimHandler } from '../../../lambdas/http/middleware.js';
import { ScimError } from '../../../lambdas/scim/errors.js';
import { apiGatewayEvent } from '../../support/apigw.js';

const connectors = parseConnectors([{ name: 'alpha' }, { name: 'beta', basePath: 'scim' }]);
const profiles = profileRegistry();
const context = { awsRequestId: 'lambda-1', functionName: 'scim-test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

function event(method: string, resource: string, opts: { connector?: string; stage?: string; body?: string; contentType?: string } = {}): APIGatewayProxyEvent {
  const stage = opts.stage ?? opts.connector ?? 'alpha';
  const headers: Record<string, string> = { Authorization: 'Bearer super-secret-token', 'X-Forwarded-Proto': 'https' };
  if (opts.contentType) headers['Content-Type'] = opts.contentType;
  return apiGatewayEvent({
    method,
    resource,
    path: resource.replace('{id}', 'x'),
    headers,
    pathParameters: resource.includes('{id}') ? { id: 'x' } : null,
    stage,
    body: opts.body ?? null,
    requestId: 'api-req-1',
    authorizer: opts.connector === '' ? {} : { connector: opts.connector ?? 'alpha', principalId: 'connector/alpha' },
  });
}

function silentLogger() {
  return new Logger({ serviceName: 'test', logLevel: 'SILENT' });
}

describe('SCIM middleware', () => {
  it('serves discovery with SCIM headers and URLs from the request host and stage', async () => {
    const res = await discoveryHandler(connectors, profiles, silentLogger(), null)(event('GET', '/scim/v2/ServiceProviderConfig'), context);
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'Content-Type': 'application/scim+json', 'Cache-Control': 'no-store' });
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: true },
      authenticationSchemes: [{ type: 'oauthbearertoken', primary: true }],
      meta: { location: 'https://api.example.com/alpha/scim/v2/ServiceProviderConfig' },
    });
  });

  it('lists resource types and schemas for the connector', async () => {
    const h = discoveryHandler(connectors, profiles, silentLogger(), null);
    const types = JSON.parse((await h(event('GET', '/scim/v2/ResourceTypes'), context)).body);
    expect(types.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    expect(types).toMatchObject({ totalResults: 2, startIndex: 1, itemsPerPage: 2 });
    const schemas = JSON.parse((await h(event('GET', '/scim/v2/Schemas'), context)).body);
    expect(schemas.Resources.map((r: { id: string }) => r.id)).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ]);
    const missing = await h(event('GET', '/scim/v2/Schemas/{id}'), context);
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
  });

  it('answers 405 with Allow for a method the table does not list (API Gateway ANY)', async () => {
    const res = await discoveryHandler(connectors, profiles, silentLogger(), null)(event('POST', '/scim/v2/Schemas'), context);
    expect(res.statusCode).toBe(405);
    expect(res.headers?.Allow).toBe('GET');
  });

  it("checks the resource against the connector's base path", async () => {
    const h = discoveryHandler(connectors, profiles, silentLogger(), null);
    expect((await h(event('GET', '/scim/v2/Schemas', { connector: 'beta' }), context)).statusCode).toBe(404);
    expect((await h(event('GET', '/scim/Schemas', { connector: 'beta' }), context)).statusCode).toBe(200);
  });

  it('turns ScimError into its body, status and headers', async () => {
    const h = scimHandler({ handler: 'discovery', connectors, logger: silentLogger() }, async () => {
      throw new ScimError(429, undefined, 'slow down', { 'Retry-After': '2' });
    });
    const res = await h(event('GET', '/scim/v2/Schemas'), context);
    expect(res.statusCode).toBe(429);
    expect(res.headers).toMatchObject({ 'Retry-After': '2', 'Content-Type': 'application/scim+json' });
    expect(JSON.parse(res.body)).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429', detail: 'slow down' });
  });

  it('answers anything else with an opaque 500 and logs it without the token or body', async () => {
    const logger = silentLogger();
    const error = vi.spyOn(logger, 'error');
    const h = scimHandler({ handler: 'users', connectors, logger }, async () => {
      throw new TypeError('boom at line 3');
    });
    const res = await h(event('POST', '/scim/v2/Users', { body: '{"password":"hunter2"}', contentType: 'application/json' }), context);
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '500', detail: 'Internal server error' });
    expect(error).toHaveBeenCalledOnce();
    const logged = JSON.stringify(error.mock.calls);
    // The error line carries the request's ids itself (the logger has no per-request context).
    expect(error.mock.calls[0]?.[1]).toMatchObject({ apiRequestId: 'api-req-1', function_request_id: 'lambda-1', connector: 'alpha', method: 'POST' });
    expect((error.mock.calls[0]?.[1] as { error?: Error }).error?.message).toBe('boom at line 3');
    expect(logged).not.toContain('super-secret-token');
    expect(logged).not.toContain('hunter2');
  });

  it('refuses to serve without a connector from the authorizer (500, nothing leaks)', async () => {
    const res = await discoveryHandler(connectors, profiles, silentLogger(), null)(event('GET', '/scim/v2/Schemas', { connector: '' }), context);
    expect(res.statusCode).toBe(500);
    const unknown = await discoveryHandler(connectors, profiles, silentLogger(), null)(event('GET', '/scim/v2/Schemas', { connector: 'gamma' }), context);
    expect(unknown.statusCode).toBe(500);
  });

  it('parses bodies only for POST/PUT/PATCH: malformed JSON → 400 invalidSyntax before the action runs', async () => {
    const action = vi.fn();
    const h = scimHandler({ handler: 'users', connectors, logger: silentLogger() }, action);
    const res = await h(event('POST', '/scim/v2/Users', { body: '{"userName":', contentType: 'application/scim+json' }), context);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).scimType).toBe('invalidSyntax');
    expect(action).not.toHaveBeenCalled();
  });
});
