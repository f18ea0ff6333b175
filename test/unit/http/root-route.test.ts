/**
 * The server-root routes (RFC 7644 §3.4.2.1, §3.4.3) through the users handler's middleware: the
 * query parsed as for /Users, dispatched to the root search, 405 for other methods, and the
 * request line (no resourceType, a read: no provisioning metric).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import { usersHandler } from '../../../lambdas/http/app.js';
import { RequestLog } from '../../../lambdas/http/request-log.js';
import type { ListQuery, ResourceService } from '../../../lambdas/provisioning/index.js';
import type { RootSearch } from '../../../lambdas/provisioning/root-search.js';
import { ScimError } from '../../../lambdas/scim/errors.js';
import { apiGatewayEvent } from '../../support/apigw.js';

const connectors = parseConnectors([{ name: 'alpha' }, { name: 'beta', basePath: 'scim' }]);
const context = { awsRequestId: 'lambda-1', functionName: 'scim-users', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const LIST = { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] };

function event(method: string, resource: string, o: { query?: Record<string, string>; body?: unknown; connector?: string } = {}): APIGatewayProxyEvent {
  const stage = o.connector ?? 'alpha';
  const headers: Record<string, string> = { Authorization: 'Bearer t', 'X-Forwarded-Proto': 'https' };
  if (o.body !== undefined) headers['Content-Type'] = 'application/scim+json';
  const e = apiGatewayEvent({
    method,
    resource,
    path: resource,
    headers,
    pathParameters: null,
    stage,
    body: o.body === undefined ? null : JSON.stringify(o.body),
    requestId: 'api-1',
    authorizer: { connector: stage, principalId: `connector/${stage}` },
  });
  if (o.query) {
    e.queryStringParameters = o.query;
    e.multiValueQueryStringParameters = Object.fromEntries(Object.entries(o.query).map(([k, v]) => [k, [v]]));
  }
  return e;
}

function setup(opts: { root?: boolean; fail?: ScimError } = {}) {
  const calls: { connector: string; q: ListQuery }[] = [];
  const root = {
    list: vi.fn(async (connector: string, q: ListQuery) => {
      calls.push({ connector, q });
      if (opts.fail) throw opts.fail;
      return LIST;
    }),
  } as unknown as RootSearch;
  const usersList = vi.fn(async () => ({ ...LIST, totalResults: 7 }));
  const users = { list: usersList } as unknown as ResourceService;
  const lines: Record<string, unknown>[] = [];
  const log = new RequestLog({ handler: 'users', write: (l) => void lines.push(JSON.parse(l)) });
  const h = usersHandler(connectors, opts.root === false ? { users } : { users, root }, new Logger({ serviceName: 't', logLevel: 'SILENT' }), log);
  return { h, calls, usersList, lines };
}

describe('root queries in the users handler', () => {
  it('GET <base> with query parameters → the root search, parsed and clamped as for /Users', async () => {
    const { h, calls, usersList, lines } = setup();
    const res = await h(event('GET', '/scim/v2', { query: { filter: 'displayName eq "x"', startIndex: '3', count: '5000', excludedAttributes: 'members' } }), context);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual(LIST);
    expect(calls).toEqual([
      {
        connector: 'alpha',
        q: { excludedAttributes: 'members', baseUrl: 'https://api.example.com/alpha/scim/v2', filter: 'displayName eq "x"', count: 1000, startIndex: 3 },
      },
    ]);
    expect(usersList).not.toHaveBeenCalled();
    // A read: no provisioning metric; a root query spans types, so no resourceType either.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ message: 'provisioning', connector: 'alpha', operation: 'rootList', status: 200, outcome: 'success' });
    expect(lines[0]).not.toHaveProperty('resourceType');
    expect(lines[0]).not.toHaveProperty('_aws');
  });

  it('POST <base>/.search with a SearchRequest body (cursor paging) → the root search', async () => {
    const { h, calls, lines } = setup();
    const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName sw "a"', cursor: '', count: 2, attributes: ['userName', 'displayName'] };
    const res = await h(event('POST', '/scim/.search', { body, connector: 'beta' }), context);
    expect(res.statusCode).toBe(200);
    expect(calls).toEqual([
      { connector: 'beta', q: { baseUrl: 'https://api.example.com/beta/scim', attributes: 'userName,displayName', filter: 'userName sw "a"', count: 2, cursor: '' } },
    ]);
    expect(lines[0]).toMatchObject({ operation: 'rootSearch', status: 200 });
    expect(lines[0]).not.toHaveProperty('resourceType');
  });

  it('/Users still goes to the users service', async () => {
    const { h, calls, usersList } = setup();
    const res = await h(event('GET', '/scim/v2/Users'), context);
    expect(JSON.parse(res.body).totalResults).toBe(7);
    expect(usersList).toHaveBeenCalledTimes(1);
    expect(calls).toEqual([]);
  });

  it('other methods → SCIM 405 with Allow; the root search is not called', async () => {
    const { h, calls, lines } = setup();
    const put = await h(event('PUT', '/scim/v2', { body: {} }), context);
    expect([put.statusCode, put.headers?.Allow]).toEqual([405, 'GET']);
    expect(JSON.parse(put.body)).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '405' });
    const get = await h(event('GET', '/scim/v2/.search'), context);
    expect([get.statusCode, get.headers?.Allow]).toEqual([405, 'POST']);
    expect(calls).toEqual([]);
    expect(lines.map((l) => l.status)).toEqual([405, 405]);
  });

  it('a rejected root query is a SCIM 400 and counts as rejected', async () => {
    const { h, lines } = setup({ fail: new ScimError(400, 'invalidFilter', 'bad filter') });
    const res = await h(event('GET', '/scim/v2', { query: { filter: 'x' } }), context);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ scimType: 'invalidFilter', status: '400' });
    expect(lines[0]).toMatchObject({ operation: 'rootList', status: 400, scimType: 'invalidFilter', outcome: 'failure' });
  });

  it('a SearchRequest with the wrong schema → 400 invalidSyntax before any read', async () => {
    const { h, calls } = setup();
    const res = await h(event('POST', '/scim/v2/.search', { body: { schemas: ['urn:x'], filter: 'userName eq "a"' } }), context);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).scimType).toBe('invalidSyntax');
    expect(calls).toEqual([]);
  });

  it('a users handler built without the root search answers 500 there, never another type', async () => {
    const { h, usersList } = setup({ root: false });
    const res = await h(event('GET', '/scim/v2'), context);
    expect(res.statusCode).toBe(500);
    expect(usersList).not.toHaveBeenCalled();
  });
});
