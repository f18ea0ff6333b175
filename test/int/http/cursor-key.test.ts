/**
 * The cursor key through the users handler on DynamoDB Local, as a Lambda container runs it:
 *  - a key change (another container's key, a replaced secret) makes every cursor handed out
 *    before — /Users, a filtered list, the server root — answer 400 invalidCursor, never a 5xx;
 *  - a rotation with a grace period does not: containers that read the secret before and after it
 *    open each other's cursors until the previous key expires;
 *  - the key is read from Secrets Manager (aws-sdk-client-mock) only by the first cursor request:
 *    creates, reads and index paging never touch it; Secrets Manager unreachable → 503 +
 *    Retry-After for cursor requests only, and the next request after it recovers succeeds;
 *    access denied → 500 with the ConfigurationErrors metric (the alarm's).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import { createProvisioning, usersHandler } from '../../../lambdas/http/app.js';
import { secretsManagerCursorKey } from '../../../lambdas/http/cursor-key.js';
import { RequestLog } from '../../../lambdas/http/request-log.js';
import type { CursorKeySource } from '../../../lambdas/store/cursor-key.js';
import { ScimStore } from '../../../lambdas/store/store.js';
import { apiGatewayEvent } from '../../support/apigw.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:Scim/cursor-key-AbCdEf';
const KEY_A = `key-A-${'a'.repeat(60)}`;
const KEY_B = `key-B-${'b'.repeat(60)}`;
const connectors = parseConnectors([{ name: 'paging' }]);
const context = { awsRequestId: 'lambda-int-ck', functionName: 'scim-users', getRemainingTimeInMillis: () => 20_000 } as unknown as Context;
const sm = mockClient(SecretsManagerClient);
const quiet = new Logger({ serviceName: 'scim', logLevel: 'SILENT' });

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** A users container whose store signs cursors with `key`; `lines` receives its request log lines; `clock` its time (default: real). */
function container(key: CursorKeySource, lines: string[] = [], clock?: { t: number }): Handler {
  const store = new ScimStore({ doc: t.doc, tableName: t.tableName, cursorSecret: key, ...(clock ? { now: () => new Date(clock.t) } : {}) });
  return usersHandler(connectors, createProvisioning(connectors, store), quiet, new RequestLog({ handler: 'users', write: (l) => void lines.push(l) })) as Handler;
}

/** GET or POST under the base path; `query` is the raw query (values as API Gateway delivers them). */
function event(method: string, path: string, query: Record<string, string> = {}, body?: unknown): APIGatewayProxyEvent {
  const relative = path === '' ? '' : `/${path}`;
  const id = /^Users\/(.+)$/.exec(path)?.[1];
  const e = apiGatewayEvent({
    method,
    resource: `/scim/v2${id ? '/Users/{id}' : relative}`,
    path: `/scim/v2${relative}`,
    headers: { 'X-Forwarded-Proto': 'https', ...(body !== undefined ? { 'Content-Type': 'application/scim+json' } : {}) },
    pathParameters: id ? { id } : null,
    stage: 'paging',
    body: body === undefined ? null : JSON.stringify(body),
    requestId: 'api-int-ck',
    authorizer: { connector: 'paging' },
  });
  const entries = Object.entries(query);
  return {
    ...e,
    queryStringParameters: entries.length ? Object.fromEntries(entries) : null,
    multiValueQueryStringParameters: entries.length ? Object.fromEntries(entries.map(([k, v]) => [k, [v]])) : null,
  };
}

async function call(h: Handler, method: string, path: string, query: Record<string, string> = {}, body?: unknown) {
  const res = await h(event(method, path, query, body), context);
  return { status: res.statusCode, headers: res.headers ?? {}, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : undefined };
}

let t: TestTable;
let firstId: string;
beforeAll(async () => {
  t = await createTestTable('cursorkey');
  const seed = container(KEY_A);
  for (let i = 0; i < 5; i++) {
    const r = await call(seed, 'POST', 'Users', {}, { schemas: [USER], userName: `user${i}@example.com`, title: i % 2 ? 'odd' : 'even' });
    expect(r.status).toBe(201);
    if (i === 0) firstId = String(r.body?.id);
  }
});
afterAll(async () => t.drop());
beforeEach(() => sm.reset());

describe('a cursor outlives no key change', () => {
  it('cursors of key A answer 400 invalidCursor under key B (/Users, filtered, root); new walks under B work', async () => {
    const a = container(KEY_A);
    const plain = await call(a, 'GET', 'Users', { cursor: '', count: '2' });
    const filtered = await call(a, 'GET', 'Users', { cursor: '', count: '1', filter: 'title eq "odd"' });
    const root = await call(a, 'GET', '', { cursor: '', count: '2' });
    const cursors = { plain: plain.body?.nextCursor, filtered: filtered.body?.nextCursor, root: root.body?.nextCursor };
    for (const [name, c] of Object.entries(cursors)) expect(typeof c, name).toBe('string');
    // Key A still opens its own cursors (another container with the same key, too).
    expect((await call(container(KEY_A), 'GET', 'Users', { cursor: String(cursors.plain), count: '2' })).status).toBe(200);

    const b = container(KEY_B);
    const again = [
      await call(b, 'GET', 'Users', { cursor: String(cursors.plain), count: '2' }),
      await call(b, 'GET', 'Users', { cursor: String(cursors.filtered), count: '1', filter: 'title eq "odd"' }),
      await call(b, 'GET', '', { cursor: String(cursors.root), count: '2' }),
    ];
    for (const r of again) {
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ schemas: [SCIM_ERROR], status: '400', scimType: 'invalidCursor' });
    }
    const fresh = await call(b, 'GET', 'Users', { cursor: '', count: '2' });
    expect(fresh.status).toBe(200);
    const next = await call(b, 'GET', 'Users', { cursor: String(fresh.body?.nextCursor), count: '2' });
    expect(next.status).toBe(200);
    expect(next.body?.Resources).toHaveLength(2);
  });
});

describe('key rotation with a grace period (scim-admin cursor-key rotate)', () => {
  it('containers that read the secret before and after the rotation open each other\'s cursors until the grace ends; then the old key\'s cursors are 400', async () => {
    const clock = { t: Date.now() };
    let secret = KEY_A; // a bare key, as the stack generates it and as deployed before the shape
    const old = container(() => secret, [], clock);
    const fromOld = await call(old, 'GET', 'Users', { cursor: '', count: '2' });
    expect(fromOld.status).toBe(200);
    clock.t += 5_000;
    secret = JSON.stringify({ current: KEY_B, previous: KEY_A, previousExpiresAt: new Date(clock.t + 3_600_000).toISOString() });
    const young = container(() => secret, [], clock);
    const fromYoung = await call(young, 'GET', 'Users', { cursor: '', count: '2' });
    expect(fromYoung.status).toBe(200);

    // Before: the old container kept KEY_A for its life and answered 400 to the young one's cursors.
    for (const [h, c] of [[old, fromYoung], [young, fromOld]] as const) {
      const r = await call(h, 'GET', 'Users', { cursor: String(c.body?.nextCursor), count: '2' });
      expect(r.status).toBe(200);
      expect(r.body?.Resources).toHaveLength(2);
    }
    // The young container signs with the new key only: a container holding KEY_B alone opens it.
    expect((await call(container(KEY_B), 'GET', 'Users', { cursor: String(fromYoung.body?.nextCursor), count: '2' })).status).toBe(200);

    clock.t += 3_600_000;
    const late = await call(young, 'GET', 'Users', { cursor: String(fromOld.body?.nextCursor), count: '2' });
    expect(late.status).toBe(400);
    expect(late.body).toMatchObject({ scimType: 'invalidCursor' });
  });
});

describe('the key from Secrets Manager, read lazily', () => {
  it('creates, reads and index paging never read the key; the first cursor request reads it once for the container', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: KEY_A });
    const h = container(secretsManagerCursorKey(ARN));
    expect((await call(h, 'POST', 'Users', {}, { schemas: [USER], userName: 'lazy@example.com' })).status).toBe(201);
    expect((await call(h, 'GET', `Users/${firstId}`)).status).toBe(200);
    expect((await call(h, 'GET', 'Users', { startIndex: '1', count: '2' })).status).toBe(200);
    expect((await call(h, 'GET', 'Users', { startIndex: '3', count: '2', filter: 'title eq "odd"' })).status).toBe(200);
    expect((await call(h, 'GET', '', { startIndex: '1', count: '2' })).status).toBe(200);
    expect(sm.calls()).toHaveLength(0);

    const first = await call(h, 'GET', 'Users', { cursor: '', count: '2' });
    expect(first.status).toBe(200);
    const second = await call(h, 'GET', 'Users', { cursor: String(first.body?.nextCursor), count: '2' });
    expect(second.status).toBe(200);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: ARN });
  });

  it('Secrets Manager unreachable: cursor requests answer 503 + Retry-After (never 500), other requests are unaffected, the next request after recovery succeeds', async () => {
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' }));
    const h = container(secretsManagerCursorKey(ARN));
    for (const r of [await call(h, 'GET', 'Users', { cursor: '', count: '2' }), await call(h, 'GET', '', { cursor: '', count: '2' })]) {
      expect(r.status).toBe(503);
      expect(Number(r.headers['Retry-After'])).toBeGreaterThan(0);
      expect(r.body).toMatchObject({ schemas: [SCIM_ERROR], status: '503' });
      expect(JSON.stringify(r.body)).not.toMatch(/ETIMEDOUT|secretsmanager|arn:/i);
    }
    expect((await call(h, 'GET', 'Users', { startIndex: '1', count: '2' })).status).toBe(200);

    sm.reset();
    sm.on(GetSecretValueCommand).resolves({ SecretString: KEY_A });
    const ok = await call(h, 'GET', 'Users', { cursor: '', count: '2' });
    expect(ok.status).toBe(200);
    // The key is the deployed one: a container with KEY_A opens the cursor.
    expect((await call(container(KEY_A), 'GET', 'Users', { cursor: String(ok.body?.nextCursor), count: '2' })).status).toBe(200);
  });

  it('access denied to the secret: 500 without Retry-After and the ConfigurationErrors metric (the alarm)', async () => {
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('not authorized to perform secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }));
    const lines: string[] = [];
    const h = container(secretsManagerCursorKey(ARN), lines);
    const r = await call(h, 'GET', 'Users', { cursor: '', count: '2' });
    expect(r.status).toBe(500);
    expect(r.headers['Retry-After']).toBeUndefined();
    expect(JSON.stringify(r.body)).not.toMatch(/arn:|GetSecretValue/);
    const line = JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>;
    expect(line.ConfigurationErrors).toBe(1);
  });
});
