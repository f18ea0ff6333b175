/**
 * What the users/groups/discovery handlers print for CloudWatch: the EMF metric per provisioning
 * outcome (namespace and exactly the `{service, connector}` dimensions the dashboard reads) and the
 * "provisioning" log line the saved Logs Insights queries read — through the real handler factories
 * with a fake provisioning service, stdout/stderr captured. Nothing personal may reach the logs.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import { profileRegistry } from '../../../lambdas/connectors/profiles.js';
import { discoveryHandler, groupsHandler, usersHandler } from '../../../lambdas/http/app.js';
import { LOG_FIELDS, METRIC_NAMESPACE, PROVISIONING_METRICS, REQUEST_COUNTS, SERVICE_NAME } from '../../../lambdas/http/metric-names.js';
import { PauseGate } from '../../../lambdas/http/pause.js';
import { provisioningMetric, requestedActive } from '../../../lambdas/http/observability.js';
import type { ResourceResult, ResourceService } from '../../../lambdas/provisioning/index.js';
import { ScimError } from '../../../lambdas/scim/errors.js';
import { coerceBoolean } from '../../../lambdas/scim/normalize.js';
import { apiGatewayEvent } from '../../support/apigw.js';

const TOKEN = 'Bearer obs-secret-token-123';
const PASSWORD = 'P@ssw0rd-never-logged';
const USER_NAME = 'alice.personal@example.com';

const connectors = parseConnectors([{ name: 'alpha' }, { name: 'beta' }]);
const context = { awsRequestId: 'lambda-req-9', functionName: 'scim-users', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

function event(
  method: string,
  resource: string,
  opts: { connector?: string; id?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): APIGatewayProxyEvent {
  const connector = opts.connector ?? 'alpha';
  const id = opts.id ?? 'u-1';
  const headers: Record<string, string> = { Authorization: TOKEN, 'X-Forwarded-Proto': 'https', ...opts.headers };
  const body = opts.rawBody ?? (opts.body === undefined ? null : JSON.stringify(opts.body));
  if (body !== null) headers['Content-Type'] = 'application/scim+json';
  return apiGatewayEvent({
    method,
    resource,
    path: resource.replace('{id}', id),
    headers,
    pathParameters: resource.includes('{id}') ? { id } : null,
    stage: connector,
    body,
    requestId: 'api-req-7',
    authorizer: { connector, principalId: `connector/${connector}` },
  });
}

/** A provisioning service that echoes its input (without the password), enough for the HTTP edge. */
function fakeService(): ResourceService {
  const result = (id: string, resource: Record<string, unknown>): ResourceResult => ({
    resource: { ...resource, id, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] },
    id,
    version: 2,
    etag: 'W/"2"',
  });
  const strip = (body: unknown) => {
    const { password: _p, ...rest } = body as Record<string, unknown>;
    return rest;
  };
  const service = {
    create: async (_c: string, body: unknown) => {
      if ((body as { userName?: string }).userName === 'taken') throw ScimError.conflict('userName "taken" already exists');
      return result('u-new', strip(body));
    },
    get: async (_c: string, id: string) => {
      if (id === 'boom') throw new TypeError(`cannot read ${USER_NAME}`.replace(USER_NAME, 'property x'));
      if (id === 'missing') throw ScimError.notFound('User "missing" not found');
      return result(id, { userName: USER_NAME, active: true });
    },
    replace: async (_c: string, id: string, body: unknown, opts: { ifMatch?: string }) => {
      if (opts.ifMatch === 'W/"1"') throw ScimError.preconditionFailed('changed');
      const b = strip(body);
      return result(id, { ...b, active: coerceBoolean(b.active) ?? true });
    },
    patch: async (_c: string, id: string, body: unknown) => result(id, { userName: USER_NAME, active: requestedActive('patch', body) ?? true }),
    delete: async () => undefined,
    list: async () => ({ schemas: ['urn:ietf:params:api:messages:2.0:ListResponse'], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] }),
  };
  return service as unknown as ResourceService;
}

const logger = (handler: string) => new Logger({ serviceName: SERVICE_NAME, logLevel: 'INFO', persistentKeys: { handler } });
const service = fakeService();
const users = usersHandler(connectors, { users: service }, logger('users'));
const groups = groupsHandler(connectors, { groups: service }, logger('groups'));
const discovery = discoveryHandler(connectors, profileRegistry(), logger('discovery'));

const out: string[] = [];
const err: string[] = [];
beforeEach(() => {
  out.length = 0;
  err.length = 0;
  const capture = (sink: string[]) => (chunk: string | Uint8Array) => {
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture(out) as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture(err) as typeof process.stderr.write);
});
afterEach(() => {
  vi.restoreAllMocks();
});

type Json = Record<string, unknown>;
/** Every JSON line printed (Powertools writes ERROR/WARN to stderr, the rest and EMF to stdout). */
function lines(): Json[] {
  return [...out, ...err]
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Json);
}
const emf = () => lines().filter((l) => '_aws' in l);
const provisioningLines = () => lines().filter((l) => l.message === 'provisioning');

/** The single EMF document of the request, checked against the dashboard's contract. */
function onlyMetric(connector = 'alpha'): string {
  const docs = emf();
  expect(docs).toHaveLength(1);
  const doc = docs[0] as Json;
  const aws = doc._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  expect(aws.CloudWatchMetrics).toHaveLength(1);
  const [directive] = aws.CloudWatchMetrics;
  expect(directive?.Namespace).toBe(METRIC_NAMESPACE);
  expect(directive?.Dimensions).toEqual([['service', 'connector']]);
  expect(directive?.Metrics).toHaveLength(1);
  const name = directive?.Metrics[0]?.Name as string;
  expect(directive?.Metrics[0]?.Unit).toBe('Count');
  expect(doc.service).toBe(SERVICE_NAME);
  expect(doc.connector).toBe(connector);
  expect(doc[name]).toBe(1);
  return name;
}

function onlyProvisioningLine(): Json {
  const ls = provisioningLines();
  expect(ls).toHaveLength(1);
  const l = ls[0] as Json;
  expect(l.level).toBe('INFO');
  expect(l.apiRequestId).toBe('api-req-7');
  expect(l.function_request_id).toBe('lambda-req-9');
  return l;
}

function nothingPersonal(): void {
  const all = out.join('') + err.join('');
  expect(all).not.toContain('obs-secret-token');
  expect(all).not.toContain(PASSWORD);
  expect(all).not.toContain(USER_NAME);
}

const newUser = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: USER_NAME, password: PASSWORD, active: true };

describe('provisioning metrics and log line', () => {
  it('POST 201 → ResourcesCreated; the log line names the new id, never the userName or password', async () => {
    const res = await users(event('POST', '/scim/v2/Users', { body: newUser }), context);
    expect(res.statusCode).toBe(201);
    expect(onlyMetric()).toBe(PROVISIONING_METRICS.created);
    const l = onlyProvisioningLine();
    const f = LOG_FIELDS;
    expect({ ...l }).toMatchObject({
      [f.connector]: 'alpha',
      [f.operation]: 'create',
      [f.resourceType]: 'Users',
      [f.resourceId]: 'u-new',
      [f.outcome]: 'success',
      [f.status]: 201,
    });
    expect(l).not.toHaveProperty(f.scimType);
    nothingPersonal();
    expect(err.join('')).toBe('');
  });

  it('the connector dimension is the validated connector of the request', async () => {
    await users(event('DELETE', '/scim/v2/Users/{id}', { connector: 'beta' }), context);
    expect(onlyMetric('beta')).toBe(PROVISIONING_METRICS.deleted);
    expect(onlyProvisioningLine()).toMatchObject({ connector: 'beta', operation: 'delete', resourceId: 'u-1', status: 204 });
  });

  it('PUT 200 → ResourcesUpdated; PUT with active "False" → UsersDeactivated (not also updated)', async () => {
    await users(event('PUT', '/scim/v2/Users/{id}', { body: { ...newUser, active: true } }), context);
    expect(onlyMetric()).toBe(PROVISIONING_METRICS.updated);
    out.length = 0;
    await users(event('PUT', '/scim/v2/Users/{id}', { body: { ...newUser, active: 'False' } }), context);
    expect(onlyMetric()).toBe(PROVISIONING_METRICS.deactivated);
    expect(onlyProvisioningLine()).toMatchObject({ operation: 'replace', resourceType: 'Users', resourceId: 'u-1', outcome: 'success', status: 200 });
    nothingPersonal();
  });

  it.each([
    ['Entra (path active, "False")', [{ op: 'Replace', path: 'active', value: 'False' }]],
    ['Okta (path-less value)', [{ op: 'replace', value: { active: false } }]],
    ['URN path', [{ op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:active', value: false }]],
  ])('PATCH that deactivates, %s → UsersDeactivated (204)', async (_name, ops) => {
    const res = await users(
      event('PATCH', '/scim/v2/Users/{id}', { body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops } }),
      context,
    );
    expect(res.statusCode).toBe(204);
    expect(onlyMetric()).toBe(PROVISIONING_METRICS.deactivated);
    expect(onlyProvisioningLine()).toMatchObject({ operation: 'patch', status: 204, outcome: 'success' });
    nothingPersonal();
  });

  it('PATCH of other attributes or re-enabling → ResourcesUpdated; a group PATCH → ResourcesUpdated', async () => {
    const patch = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
    await users(event('PATCH', '/scim/v2/Users/{id}', { body: patch([{ op: 'replace', path: 'displayName', value: 'Alice P' }]) }), context);
    expect(onlyMetric()).toBe(PROVISIONING_METRICS.updated);
    out.length = 0;
    await users(event('PATCH', '/scim/v2/Users/{id}', { body: patch([{ op: 'replace', path: 'active', value: 'True' }]) }), context);
    expect(onlyMetric()).toBe(PROVISIONING_METRICS.updated);
    out.length = 0;
    await groups(event('PATCH', '/scim/v2/Groups/{id}', { id: 'g-1', body: patch([{ op: 'replace', value: { active: false } }]) }), context);
    expect(onlyMetric()).toBe(PROVISIONING_METRICS.updated);
    expect(onlyProvisioningLine()).toMatchObject({ resourceType: 'Groups', resourceId: 'g-1', operation: 'patch' });
    expect(onlyProvisioningLine().handler).toBe('groups');
  });

  it('409 and 412 → Conflicts with outcome failure and the scimType', async () => {
    const res = await users(event('POST', '/scim/v2/Users', { body: { ...newUser, userName: 'taken' } }), context);
    expect(res.statusCode).toBe(409);
    expect(onlyMetric()).toBe(PROVISIONING_METRICS.conflicts);
    expect(onlyProvisioningLine()).toMatchObject({ operation: 'create', outcome: 'failure', status: 409, scimType: 'uniqueness' });
    out.length = 0;
    const stale = await users(event('PUT', '/scim/v2/Users/{id}', { body: newUser, headers: { 'If-Match': 'W/"1"' } }), context);
    expect(stale.statusCode).toBe(412);
    expect(onlyMetric()).toBe(PROVISIONING_METRICS.conflicts);
    expect(onlyProvisioningLine()).toMatchObject({ operation: 'replace', outcome: 'failure', status: 412 });
    nothingPersonal();
  });

  it('other 4xx → RequestsRejected: malformed body (400 invalidSyntax), wrong method (405)', async () => {
    const bad = await users(event('POST', '/scim/v2/Users', { rawBody: `{"userName":"${USER_NAME}", "password": "${PASSWORD}"` }), context);
    expect(bad.statusCode).toBe(400);
    expect(onlyMetric()).toBe(PROVISIONING_METRICS.rejected);
    expect(onlyProvisioningLine()).toMatchObject({ operation: 'create', outcome: 'failure', status: 400, scimType: 'invalidSyntax' });
    out.length = 0;
    const wrong = await users(event('PATCH', '/scim/v2/Users', { body: {} }), context);
    expect(wrong.statusCode).toBe(405);
    expect(onlyMetric()).toBe(PROVISIONING_METRICS.rejected);
    expect(onlyProvisioningLine()).toMatchObject({ connector: 'alpha', status: 405, outcome: 'failure' });
    nothingPersonal();
  });

  it('reads (GET 200, list) log the line but emit no metric and no empty-metrics warning', async () => {
    await users(event('GET', '/scim/v2/Users/{id}'), context);
    await users(event('GET', '/scim/v2/Users'), context);
    expect(emf()).toHaveLength(0);
    expect(provisioningLines().map((l) => [l.operation, l.status, l.outcome])).toEqual([
      ['get', 200, 'success'],
      ['list', 200, 'success'],
    ]);
    expect(err.join('')).toBe('');
    nothingPersonal();
  });

  it('discovery logs the line and never flushes metrics', async () => {
    const res = await discovery(event('GET', '/scim/v2/ServiceProviderConfig'), context);
    expect(res.statusCode).toBe(200);
    expect(emf()).toHaveLength(0);
    expect(onlyProvisioningLine()).toMatchObject({ operation: 'serviceProviderConfig', resourceType: 'ServiceProviderConfig', status: 200 });
    expect(err.join('')).toBe('');
  });

  it('an unexpected error: opaque 500, the error name and message logged, no metric, nothing personal', async () => {
    const res = await users(event('GET', '/scim/v2/Users/{id}', { id: 'boom' }), context);
    expect(res.statusCode).toBe(500);
    expect(emf()).toHaveLength(0);
    const error = lines().find((l) => l.level === 'ERROR') as Json;
    expect(error.message).toBe('Unhandled error');
    expect(error.error).toMatchObject({ name: 'TypeError', message: 'cannot read property x' });
    expect(error.apiRequestId).toBe('api-req-7');
    expect(onlyProvisioningLine()).toMatchObject({ operation: 'get', status: 500, outcome: 'failure' });
    nothingPersonal();
  });

  it('no metric without a configured connector (misconfigured authorizer context → 500)', async () => {
    const res = await users(event('GET', '/scim/v2/Users', { connector: 'gamma' }), context);
    expect(res.statusCode).toBe(500);
    expect(emf()).toHaveLength(0);
    expect(onlyProvisioningLine()).not.toHaveProperty('operation');
  });
});

describe('paused connector', () => {
  it('503 + Retry-After before the service runs, RequestsPaused on its line (the dashboard row)', async () => {
    let called = 0;
    const counting = new Proxy(service, { get: (t, k) => (typeof t[k as keyof ResourceService] === 'function' ? (...a: unknown[]) => (called++, (t[k as keyof ResourceService] as (...x: unknown[]) => unknown)(...a)) : t[k as keyof ResourceService]) });
    const paused = usersHandler(connectors, { users: counting, pause: new PauseGate(async () => true) }, logger('users'));
    const res = await paused(event('POST', '/scim/v2/Users', { body: newUser }), context);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('60');
    expect(called).toBe(0);
    expect(onlyMetric()).toBe(REQUEST_COUNTS.paused);
    expect(onlyProvisioningLine()).toMatchObject({ status: 503, outcome: 'failure' });
  });
});

describe('one line per request', () => {
  it('the EMF document is the provisioning line itself, written whatever the logger level', async () => {
    const quiet = usersHandler(connectors, { users: service }, new Logger({ serviceName: SERVICE_NAME, logLevel: 'SILENT' }));
    await quiet(event('POST', '/scim/v2/Users', { body: newUser }), context);
    const printed = lines();
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatchObject({ message: 'provisioning', operation: 'create', status: 201, [PROVISIONING_METRICS.created]: 1, service: SERVICE_NAME, handler: 'users' });
    expect(onlyMetric()).toBe(PROVISIONING_METRICS.created);
    const aws = printed[0]?._aws as { Timestamp: number };
    expect(Date.parse(String(printed[0]?.timestamp))).toBe(aws.Timestamp);
    nothingPersonal();
  });

  it('cold_start is true on the first request of a handler only; the X-Ray root is reported', async () => {
    const fresh = usersHandler(connectors, { users: service }, logger('users'));
    const saved = process.env._X_AMZN_TRACE_ID;
    process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    try {
      await fresh(event('GET', '/scim/v2/Users/{id}'), context);
      await fresh(event('GET', '/scim/v2/Users/{id}'), context);
    } finally {
      if (saved === undefined) delete process.env._X_AMZN_TRACE_ID;
      else process.env._X_AMZN_TRACE_ID = saved;
    }
    expect(provisioningLines().map((l) => l.cold_start)).toEqual([true, false]);
    expect(provisioningLines()[0]?.xray_trace_id).toBe('1-5759e988-bd862e3fe1be46a994272793');
  });

  it('a handler built with no request log writes nothing for a successful request', async () => {
    const none = usersHandler(connectors, { users: service }, logger('users'), null);
    await none(event('POST', '/scim/v2/Users', { body: newUser }), context);
    expect(lines()).toEqual([]);
  });
});

describe('outcome rules', () => {
  it('maps action and status to one metric at most', () => {
    expect(provisioningMetric('create', 201)).toBe('created');
    expect(provisioningMetric('replace', 200)).toBe('updated');
    expect(provisioningMetric('patch', 204)).toBe('updated');
    expect(provisioningMetric('patch', 200, true)).toBe('deactivated');
    expect(provisioningMetric('delete', 204)).toBe('deleted');
    expect(provisioningMetric('patch', 409)).toBe('conflicts');
    expect(provisioningMetric('delete', 412)).toBe('conflicts');
    expect(provisioningMetric('list', 400)).toBe('rejected');
    expect(provisioningMetric('patch', 404)).toBe('rejected');
    expect(provisioningMetric('get', 404)).toBeUndefined(); // a lookup that found nothing
    expect(provisioningMetric('delete', 404)).toBeUndefined(); // already gone: the IdP's retry
    expect(provisioningMetric('get', 200)).toBeUndefined();
    expect(provisioningMetric('get', 304)).toBeUndefined();
    expect(provisioningMetric('create', 500)).toBeUndefined();
  });

  it('reads the requested active value of PUT bodies and PATCH operations (last one wins)', () => {
    expect(requestedActive('replace', { userName: 'x', active: false })).toBe(false);
    expect(requestedActive('replace', { Active: 'false' })).toBe(false);
    expect(requestedActive('replace', { userName: 'x' })).toBeUndefined();
    const ops = (...o: unknown[]) => ({ Operations: o });
    expect(requestedActive('patch', ops({ op: 'Replace', path: 'active', value: 'False' }))).toBe(false);
    expect(requestedActive('patch', ops({ op: 'Add', path: 'Active', value: false }))).toBe(false);
    expect(requestedActive('patch', ops({ op: 'replace', value: { active: false, displayName: 'x' } }))).toBe(false);
    expect(requestedActive('patch', ops({ op: 'replace', value: { 'urn:ietf:params:scim:schemas:core:2.0:User:active': 'false' } }))).toBe(false);
    expect(requestedActive('patch', ops({ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'active', value: true }))).toBe(true);
    expect(requestedActive('patch', ops({ op: 'replace', path: 'active', value: false }, { op: 'remove', path: 'active' }))).toBeUndefined();
    expect(requestedActive('patch', ops({ op: 'replace', path: 'displayName', value: 'false' }))).toBeUndefined();
    expect(requestedActive('patch', { Operations: 'nope' })).toBeUndefined();
    expect(requestedActive('create', { active: false })).toBeUndefined();
  });
});
