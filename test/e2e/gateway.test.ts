/**
 * The local API Gateway itself (no DynamoDB needed): the proxy event it builds, API Gateway's
 * authorizer semantics (identity sources, caching per Authorization + stage, 401/403/503) and
 * integration failures.
 */
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../bin/local/gateway.js';
import { parseConnectors } from '../../lambdas/connectors/config.js';

const events: APIGatewayProxyEvent[] = [];
const authorizerCalls: APIGatewayRequestAuthorizerEvent[] = [];
let gateway: Gateway;

function allow(event: APIGatewayRequestAuthorizerEvent, resource?: string): APIGatewayAuthorizerResult {
  const [apiArn, stage] = event.methodArn.split('/') as [string, string];
  return {
    principalId: 'p',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource ?? `${apiArn}/${stage}/*/*` }] },
    context: { connector: event.stageVariables?.connector ?? '' },
  };
}

beforeAll(async () => {
  const ok = async (event: APIGatewayProxyEvent) => {
    events.push(event);
    // ?bytes=N: a body of N bytes (for Lambda's 6 MB response payload limit).
    const bytes = Number(event.queryStringParameters?.bytes ?? 0);
    if (bytes > 0) return { statusCode: 200, headers: { 'Content-Type': 'application/scim+json' }, body: JSON.stringify({ pad: 'x'.repeat(bytes - 10) }) };
    return { statusCode: 200, headers: { 'Content-Type': 'application/scim+json' }, body: '{"ok":true}' };
  };
  gateway = await startGateway({
    connectors: parseConnectors([{ name: 'alpha' }, { name: 'beta' }]),
    port: 0,
    handlers: {
      users: ok,
      discovery: ok,
      groups: async () => {
        throw new Error('lambda crashed');
      },
    },
    authorizer: async (event) => {
      authorizerCalls.push(event);
      const auth = event.headers?.Authorization ?? event.headers?.authorization;
      if (auth === 'Bearer good') return allow(event);
      if (auth === 'Bearer narrow') return allow(event, event.methodArn.replace(/\/GET\/.*$/, '/GET/nothing'));
      if (auth === 'Bearer broken') throw new Error('secret store down');
      throw new Error('Unauthorized');
    },
  });
});

afterAll(async () => {
  await gateway?.close();
});

async function call(path: string, authorization?: string, init: RequestInit = {}) {
  const headers: Record<string, string> = {};
  if (authorization !== undefined) headers.Authorization = authorization;
  const res = await fetch(`${gateway.url}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  return { status: res.status, headers: res.headers, body: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined };
}

describe('local API Gateway', () => {
  it('builds a REST v1 proxy event like API Gateway does', async () => {
    events.length = 0;
    const res = await call('/alpha/scim/v2/Users/abc%20d?filter=userName+eq+%22a%2Bb%22&count=2&count=3', 'Bearer good', {
      headers: { 'X-Custom': 'One', 'User-Agent': 'Okta SCIM Client 1.0.0' },
    });
    expect(res.status).toBe(200);
    const e = events[0] as APIGatewayProxyEvent;
    expect(e).toMatchObject({
      resource: '/scim/v2/Users/{id}',
      path: '/scim/v2/Users/abc%20d',
      httpMethod: 'GET',
      pathParameters: { id: 'abc d' },
      stageVariables: { connector: 'alpha' },
      queryStringParameters: { filter: 'userName eq "a+b"', count: '3' },
      multiValueQueryStringParameters: { filter: ['userName eq "a+b"'], count: ['2', '3'] },
      body: null,
      isBase64Encoded: false,
    });
    expect(e.headers).toMatchObject({ Authorization: 'Bearer good', 'X-Custom': 'One', 'X-Forwarded-Proto': 'http' });
    expect(e.multiValueHeaders['X-Custom']).toEqual(['One']);
    expect(e.requestContext).toMatchObject({
      stage: 'alpha',
      path: '/alpha/scim/v2/Users/abc%20d',
      resourcePath: '/scim/v2/Users/{id}',
      domainName: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      identity: { sourceIp: expect.any(String), userAgent: 'Okta SCIM Client 1.0.0' },
      authorizer: { connector: 'alpha', principalId: 'p' },
    });
    expect(e.requestContext.requestId).toBe(res.headers.get('x-amzn-requestid'));
  });

  it('caches the authorizer result per Authorization + stage', async () => {
    gateway.flushAuthorizerCache();
    authorizerCalls.length = 0;
    await call('/alpha/scim/v2/Users', 'Bearer good');
    await call('/alpha/scim/v2/Schemas', 'Bearer good');
    expect(authorizerCalls).toHaveLength(1);
    expect(authorizerCalls[0]).toMatchObject({ type: 'REQUEST', stageVariables: { connector: 'alpha' }, requestContext: { stage: 'alpha' } });
    expect(authorizerCalls[0]?.methodArn).toMatch(/^arn:aws:execute-api:local:\d+:local\/alpha\/GET\/scim\/v2\/Users$/);
    await call('/beta/scim/v2/Users', 'Bearer good');
    expect(authorizerCalls).toHaveLength(2);
    await call('/alpha/scim/v2/Users', 'Bearer  good');
    expect(authorizerCalls).toHaveLength(3);
  });

  it('401 without calling the authorizer when Authorization is missing; denials are not cached', async () => {
    authorizerCalls.length = 0;
    const missing = await call('/alpha/scim/v2/Users');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(authorizerCalls).toHaveLength(0);
    expect((await call('/alpha/scim/v2/Users', 'Bearer bad')).status).toBe(401);
    expect((await call('/alpha/scim/v2/Users', 'Bearer bad')).status).toBe(401);
    expect(authorizerCalls).toHaveLength(2);
  });

  it('authorizer failure → 503 + Retry-After, policy not covering the method → 403, Lambda crash → 502 (all SCIM bodies)', async () => {
    const broken = await call('/alpha/scim/v2/Users', 'Bearer broken');
    expect(broken.status).toBe(503);
    expect(broken.headers.get('retry-after')).toBe('5');
    expect(broken.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
    expect(JSON.stringify(broken.body)).not.toContain('secret store');
    const narrow = await call('/alpha/scim/v2/Users', 'Bearer narrow');
    expect(narrow.status).toBe(403);
    expect(narrow.body).toMatchObject({ status: '403' });
    const crash = await call('/alpha/scim/v2/Groups', 'Bearer good');
    expect(crash.status).toBe(502);
    expect(crash.headers.get('content-type')).toBe('application/scim+json');
    expect(JSON.stringify(crash.body)).not.toContain('crashed');
  });

  it('a Lambda result over the 6 MB response payload → 502, as on AWS; just under it passes', async () => {
    const limit = 6 * 1024 * 1024;
    const under = await call(`/alpha/scim/v2/Users?bytes=${limit - 1024}`, 'Bearer good');
    expect(under.status).toBe(200);
    const over = await call(`/alpha/scim/v2/Users?bytes=${limit + 1}`, 'Bearer good');
    expect(over.status).toBe(502);
    expect(over.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '502' });
  });

  it('passes bodies through (base64 when not UTF-8)', async () => {
    events.length = 0;
    await call('/alpha/scim/v2/Users', 'Bearer good', { method: 'POST', body: '{"a":1}', headers: { 'Content-Type': 'application/scim+json' } });
    expect(events[0]).toMatchObject({ httpMethod: 'POST', body: '{"a":1}', isBase64Encoded: false });
    await call('/alpha/scim/v2/Users', 'Bearer good', { method: 'POST', body: new Uint8Array([0xff, 0x00]) });
    expect(events[1]).toMatchObject({ body: '/wA=', isBase64Encoded: true });
  });
});
