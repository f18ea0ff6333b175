/**
 * The provisioning metrics on the real service and DynamoDB Local: an Entra-style lifecycle
 * (create, PATCH "False" deactivation, profile PATCH, duplicate create, delete) through the users
 * handler factory emits one EMF metric per outcome, and nothing personal reaches the output.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import { createProvisioning, usersHandler } from '../../../lambdas/http/app.js';
import { METRIC_NAMESPACE, PROVISIONING_METRICS, SERVICE_NAME } from '../../../lambdas/http/metric-names.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';
import { apiGatewayEvent } from '../../support/apigw.js';

const TOKEN = 'Bearer int-obs-token-456';
const USER_NAME = 'bob.private@example.com';
const PASSWORD = 'Int-P@ss-never-logged';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const connectors = parseConnectors([{ name: 'entra' }]);
const context = { awsRequestId: 'lambda-int-1', functionName: 'scim-users', getRemainingTimeInMillis: () => 20_000 } as unknown as Context;

function event(method: string, resource: string, opts: { id?: string; body?: unknown } = {}): APIGatewayProxyEvent {
  const path = resource.replace('{id}', opts.id ?? '');
  const headers: Record<string, string> = { Authorization: TOKEN, 'X-Forwarded-Proto': 'https' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/scim+json';
  return apiGatewayEvent({
    method,
    resource,
    path,
    headers,
    pathParameters: opts.id !== undefined ? { id: opts.id } : null,
    stage: 'entra',
    body: opts.body === undefined ? null : JSON.stringify(opts.body),
    requestId: 'api-int-1',
    authorizer: { connector: 'entra' },
  });
}

let t: TestTable;
let users: ReturnType<typeof usersHandler>;
beforeAll(async () => {
  t = await createTestTable('obs');
  const store = new ScimStore({ doc: t.doc, tableName: t.tableName });
  users = usersHandler(connectors, createProvisioning(connectors, store), new Logger({ serviceName: SERVICE_NAME, logLevel: 'INFO' }));
});
afterAll(async () => t.drop());

const printed: string[] = [];
beforeEach(() => {
  printed.length = 0;
  const capture = ((chunk: string | Uint8Array) => {
    printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** The metric names emitted since the last call (and a check of each EMF directive). */
function takeMetrics(): string[] {
  const names: string[] = [];
  for (const line of printed.join('').split('\n')) {
    if (!line.includes('"_aws"')) continue;
    const doc = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>;
    const [d] = doc._aws.CloudWatchMetrics;
    expect(d?.Namespace).toBe(METRIC_NAMESPACE);
    expect(d?.Dimensions).toEqual([['service', 'connector']]);
    expect(doc.connector).toBe('entra');
    names.push(...(d?.Metrics.map((m) => m.Name) ?? []));
  }
  const all = printed.join('');
  expect(all).not.toContain('int-obs-token');
  expect(all).not.toContain(USER_NAME);
  expect(all).not.toContain(PASSWORD);
  printed.length = 0;
  return names;
}

describe('provisioning metrics on DynamoDB Local', () => {
  it('create → deactivate → update → conflict → delete, one metric each', async () => {
    const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: USER_NAME, password: PASSWORD, active: true, displayName: 'Bob' };
    const created = await users(event('POST', '/scim/v2/Users', { body: user }), context);
    expect(created.statusCode).toBe(201);
    const id = (JSON.parse(created.body) as { id: string }).id;
    expect(takeMetrics()).toEqual([PROVISIONING_METRICS.created]);

    const off = await users(event('PATCH', '/scim/v2/Users/{id}', { id, body: { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] } }), context);
    expect(off.statusCode).toBe(204);
    expect(takeMetrics()).toEqual([PROVISIONING_METRICS.deactivated]);

    const renamed = await users(event('PATCH', '/scim/v2/Users/{id}', { id, body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Robert' }] } }), context);
    expect(renamed.statusCode).toBe(204);
    expect(takeMetrics()).toEqual([PROVISIONING_METRICS.updated]);

    const dup = await users(event('POST', '/scim/v2/Users', { body: user }), context);
    expect(dup.statusCode).toBe(409);
    expect(takeMetrics()).toEqual([PROVISIONING_METRICS.conflicts]);

    const read = await users(event('GET', '/scim/v2/Users/{id}', { id }), context);
    expect(read.statusCode).toBe(200);
    expect(takeMetrics()).toEqual([]);

    const gone = await users(event('DELETE', '/scim/v2/Users/{id}', { id }), context);
    expect(gone.statusCode).toBe(204);
    expect(takeMetrics()).toEqual([PROVISIONING_METRICS.deleted]);

    // A read or a retried delete of what is gone is not a rejected change (the rejected-requests alarm) …
    const again = await users(event('GET', '/scim/v2/Users/{id}', { id }), context);
    expect(again.statusCode).toBe(404);
    const retried = await users(event('DELETE', '/scim/v2/Users/{id}', { id }), context);
    expect(retried.statusCode).toBe(404);
    expect(takeMetrics()).toEqual([]);
    // … a change of it is.
    const patch = await users(event('PATCH', '/scim/v2/Users/{id}', { id, body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'x' }] } }), context);
    expect(patch.statusCode).toBe(404);
    expect(takeMetrics()).toEqual([PROVISIONING_METRICS.rejected]);
  });
});
