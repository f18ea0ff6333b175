/**
 * The source-address fence over real HTTP (local API Gateway): a client outside a connector's
 * `allowedSourceCidrs` gets exactly the SCIM 403 the stack's ACCESS_DENIED gateway response
 * answers, before the authorizer runs, while other connectors stay open; the stack-wide default
 * (`scim:allowedSourceCidrs`) fences too but keeps loopback; the real socket address is used
 * unless a test overrides it (`clientAddress`, here from a test-only header).
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalEndpoint, type LocalEndpoint } from '../../bin/local/endpoint.js';
import { startGateway, type Gateway } from '../../bin/local/gateway.js';
import { parseConnectors } from '../../lambdas/connectors/config.js';
import { GATEWAY_RESPONSES } from '../../lambdas/http/gateway-responses.js';
import { gatewayResponseSpecs, gatewayResponseTemplate } from '../../lib/constructs/gateway-responses.js';
import { assertLoopback } from '../support/ddb.js';

/** Test-only: the address the request pretends to come from. */
const FROM = 'x-test-client-address';
const clientAddress = (req: IncomingMessage) => (req.headers[FROM] as string | undefined) ?? req.socket.remoteAddress;

const events: APIGatewayProxyEvent[] = [];
const authorizerCalls: APIGatewayRequestAuthorizerEvent[] = [];
const logged: { path: string; status: number }[] = [];
let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway({
    // fenced: its own list (loopback refused); open: nothing; defaulted: scim:allowedSourceCidrs (+ loopback).
    connectors: parseConnectors([
      { name: 'fenced', allowedSourceCidrs: ['198.51.100.0/24', '2001:db8::/32'] },
      { name: 'everyone', allowedSourceCidrs: ['0.0.0.0/0', '::/0'] },
      { name: 'defaulted' },
    ]),
    defaultAllowedSourceCidrs: ['192.0.2.0/24'],
    clientAddress,
    port: 0,
    handlers: {
      users: async (event) => {
        events.push(event);
        return { statusCode: 200, headers: { 'Content-Type': 'application/scim+json' }, body: '{"ok":true}' };
      },
      groups: async () => ({ statusCode: 200, body: '{}' }),
      discovery: async () => ({ statusCode: 200, body: '{}' }),
    },
    authorizer: async (event) => {
      authorizerCalls.push(event);
      const [apiArn, stage] = event.methodArn.split('/') as [string, string];
      return {
        principalId: 'p',
        policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${apiArn}/${stage}/*/*` }] },
      };
    },
    onRequest: (line) => logged.push({ path: line.path, status: line.status }),
  });
});

afterAll(async () => {
  await gateway?.close();
});

async function call(stage: string, from?: string, init: RequestInit = {}) {
  const headers: Record<string, string> = { Authorization: 'Bearer t', ...(from ? { [FROM]: from } : {}) };
  const res = await fetch(`${gateway.url}/${stage}/scim/v2/Users`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('local source-address fence', () => {
  it("403 from an address outside the connector's list: the stack's ACCESS_DENIED body, no authorizer call, logged like any gateway response", async () => {
    authorizerCalls.length = 0;
    logged.length = 0;
    const denied = await call('fenced', '203.0.113.7');
    expect(denied.status).toBe(403);
    expect(denied.headers.get('content-type')).toBe('application/scim+json');
    expect(denied.headers.get('cache-control')).toBe('no-store');
    expect(denied.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    // Byte for byte what the CDK gateway response template renders.
    const spec = gatewayResponseSpecs().find((s) => s.responseType === GATEWAY_RESPONSES.accessDenied.responseType)!;
    expect(JSON.parse(denied.text)).toEqual(JSON.parse(gatewayResponseTemplate(spec)));
    expect(JSON.parse(denied.text)).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403', detail: 'Access denied' });
    expect(authorizerCalls).toHaveLength(0);
    expect(logged).toEqual([{ path: '/fenced/scim/v2/Users', status: 403 }]);
  });

  it('the same client reaches a connector that is open to everyone', async () => {
    expect((await call('everyone', '203.0.113.7')).status).toBe(200);
  });

  it("an address inside the list passes (IPv4, IPv4-mapped IPv6, IPv6) and is the event's sourceIp", async () => {
    events.length = 0;
    expect((await call('fenced', '198.51.100.20')).status).toBe(200);
    expect(events[0]!.requestContext.identity.sourceIp).toBe('198.51.100.20');
    expect(events[0]!.headers['X-Forwarded-For']).toBe('198.51.100.20');
    expect((await call('fenced', '::ffff:198.51.100.20')).status).toBe(200);
    expect((await call('fenced', '2001:db8::5')).status).toBe(200);
    expect((await call('fenced', '2001:db9::5')).status).toBe(403);
    expect((await call('fenced', '::ffff:203.0.113.7')).status).toBe(403);
  });

  it("loopback: refused by a connector's own list, allowed under the stack-wide default (real socket address)", async () => {
    expect((await call('fenced')).status).toBe(403);
    expect((await call('defaulted')).status).toBe(200);
    expect((await call('defaulted', '192.0.2.44')).status).toBe(200);
    expect((await call('defaulted', '203.0.113.7')).status).toBe(403);
  });

  it('a denied request with a body leaves the keep-alive connection usable', async () => {
    const body = JSON.stringify({ userName: 'x'.repeat(64 * 1024) });
    const denied = await call('fenced', '203.0.113.7', { method: 'POST', body, headers: { 'Content-Type': 'application/scim+json' } });
    expect(denied.status).toBe(403);
    expect((await call('fenced', '198.51.100.1', { method: 'POST', body, headers: { 'Content-Type': 'application/scim+json' } })).status).toBe(200);
  });
});

describe('through the local endpoint (real authorizer and handlers)', () => {
  let endpoint: LocalEndpoint;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scim-fence-'));
    endpoint = await startLocalEndpoint({
      connectors: parseConnectors([{ name: 'alpha' }, { name: 'beta', allowedSourceCidrs: ['198.51.100.0/24'] }]),
      defaultAllowedSourceCidrs: ['203.0.113.0/24'],
      clientAddress,
      dir,
      port: 0,
      dynamodbEndpoint: assertLoopback(process.env.DYNAMODB_ENDPOINT),
      tableName: `fence-${randomBytes(4).toString('hex')}`,
      logLevel: 'SILENT',
    });
  });

  afterAll(async () => {
    await endpoint?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = (connector: string, from?: string, token = endpoint.connectors[connector]!.token) =>
    fetch(`${endpoint.connectors[connector]!.tenantUrl}/Users`, { headers: { Authorization: `Bearer ${token}`, ...(from ? { [FROM]: from } : {}) } });

  it('the default fences alpha but keeps loopback; beta takes only its own list; the token is still checked inside the fence', async () => {
    expect((await get('alpha')).status).toBe(200);
    expect((await get('alpha', '203.0.113.9')).status).toBe(200);
    const outside = await get('alpha', '192.0.2.1');
    expect(outside.status).toBe(403);
    expect(await outside.json()).toMatchObject({ status: '403', detail: 'Access denied' });
    expect((await get('beta')).status).toBe(403);
    expect((await get('beta', '203.0.113.9')).status).toBe(403);
    expect((await get('beta', '198.51.100.9')).status).toBe(200);
    expect((await get('beta', '198.51.100.9', 'wrong-token')).status).toBe(401);
  });
});
