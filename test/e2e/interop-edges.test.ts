/**
 * Interop edges over HTTP (local gateway → real handlers → DynamoDB Local):
 *  - a member is what its id names, whatever `type` / `$ref` the client sent;
 *  - unknown member ids are ignored by default (valid members applied, a WARN line, the
 *    `MembersIgnored` metric), rejected with 400 where the connector says `unknownMembers: reject`;
 *  - a storage misconfiguration (table missing: real; AccessDenied: injected, DynamoDB Local has no
 *    IAM) answers 500 without Retry-After, logs the AWS error code and operation, counts
 *    `ConfigurationErrors`; throttling keeps 503 + Retry-After.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalEndpoint, type LocalEndpoint } from '../../bin/local/endpoint.js';
import { parseConnectors } from '../../lambdas/connectors/config.js';
import { documentClient } from '../../lambdas/http/app.js';
import { RequestLog } from '../../lambdas/http/request-log.js';
import { assertLoopback } from '../support/ddb.js';
import { expectScim, expectScimError, GROUP, ScimClient, USER } from './support/local.js';

const requestLines: Record<string, unknown>[] = [];
const logLines: Record<string, unknown>[] = [];
let restoreStdout: (() => void) | undefined;
/** AWS error name the injected middleware throws on the handlers' DynamoDB calls ('' = none). */
let inject = '';

function awsError(name: string): Error {
  return Object.assign(new Error(`${name}: injected`), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/** Starts an endpoint with `connectors`, capturing its request lines and Powertools log lines. */
async function start(connectors: unknown[], dir: string, tableName: string): Promise<LocalEndpoint> {
  return startLocalEndpoint({
    connectors: parseConnectors(connectors),
    dir,
    port: 0,
    dynamodbEndpoint: assertLoopback(process.env.DYNAMODB_ENDPOINT),
    tableName,
    logLevel: 'WARN',
    instrument: {
      requestLog: (handler) => new RequestLog({ handler, write: (line) => void requestLines.push(JSON.parse(line)) }),
      documentClient: (doc: DynamoDBDocumentClient) =>
        doc.middlewareStack.add(
          (next) => async (args) => {
            if (inject) throw awsError(inject);
            return next(args);
          },
          { step: 'finalizeRequest', name: 'injectConfigurationError' },
        ),
    },
  });
}

let dir: string;
let endpoint: LocalEndpoint;
let lenient: ScimClient;
let strict: ScimClient;
let users: ScimClient;

beforeAll(async () => {
  // Powertools writes WARN/ERROR lines to stderr, the rest to stdout: capture JSON lines of both.
  const restores = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const s = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
      if (s.startsWith('{')) {
        for (const l of s.split('\n').filter(Boolean)) logLines.push(JSON.parse(l));
        return true;
      }
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    return () => (stream.write = write);
  });
  restoreStdout = () => restores.forEach((r) => r());
  dir = mkdtempSync(join(tmpdir(), 'scim-interop-'));
  endpoint = await start(
    [{ name: 'lenient' }, { name: 'strict', unknownMembers: 'reject' }, { name: 'usersonly', profile: 'jostle' }],
    dir,
    `interop-${randomBytes(4).toString('hex')}`,
  );
  const client = (name: string) => new ScimClient(endpoint.connectors[name]!.tenantUrl, endpoint.connectors[name]!.token);
  lenient = client('lenient');
  strict = client('strict');
  users = client('usersonly');
});

afterAll(async () => {
  restoreStdout?.();
  await endpoint?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function createUser(c: ScimClient, userName: string): Promise<string> {
  const res = await c.post('/Users', { schemas: [USER], userName, active: true });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

async function createGroup(c: ScimClient, displayName: string, members: unknown[] = []): Promise<{ id: string; body: Record<string, unknown> }> {
  const res = await c.post('/Groups', { schemas: [GROUP], displayName, members });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.id, body: res.body };
}

async function membersOf(c: ScimClient, gid: string): Promise<{ value: string; type: string; $ref: string }[]> {
  const res = await c.get(`/Groups/${gid}`);
  expectScim(res, 200);
  return ((res.body.members ?? []) as { value: string; type: string; $ref: string }[]).sort((a, b) => a.value.localeCompare(b.value));
}

describe('a member is what its id names', () => {
  it('POST /Groups with a user sent as type Group and $ref /Groups/…: 201, answered and stored as a User', async () => {
    const uid = await createUser(lenient, 'careless-type@example.com');
    const g = await createGroup(lenient, 'careless', [{ value: uid, type: 'Group', $ref: `${lenient.tenantUrl}/Groups/${uid}` }]);
    expect(g.body.members).toEqual([{ value: uid, type: 'User', $ref: `${lenient.tenantUrl}/Users/${uid}` }]);
    expect(await membersOf(lenient, g.id)).toEqual([{ value: uid, type: 'User', $ref: `${lenient.tenantUrl}/Users/${uid}` }]);
    // The user's derived groups follow from the real kind.
    const u = await lenient.get(`/Users/${uid}?attributes=groups`);
    expect(u.body.groups.map((x: { value: string }) => x.value)).toEqual([g.id]);
  });

  it('PATCH add: a user typed Group and a group typed User are both stored as what they are (nested groups keep working)', async () => {
    const uid = await createUser(lenient, 'careless-patch@example.com');
    const child = await createGroup(lenient, 'careless-child');
    const parent = await createGroup(lenient, 'careless-parent');
    const res = await lenient.patch(`/Groups/${parent.id}`, [
      { op: 'add', path: 'members', value: [{ value: uid, type: 'Group' }, { value: child.id, type: 'User', $ref: `${lenient.tenantUrl}/Users/${child.id}` }] },
    ]);
    expectScim(res, 204);
    const expected = [
      { value: uid, type: 'User', $ref: `${lenient.tenantUrl}/Users/${uid}` },
      { value: child.id, type: 'Group', $ref: `${lenient.tenantUrl}/Groups/${child.id}` },
    ].sort((a, b) => a.value.localeCompare(b.value));
    expect(await membersOf(lenient, parent.id)).toEqual(expected);
    // The same holds under reject: a wrong type is not an unknown member.
    const suid = await createUser(strict, 'careless-strict@example.com');
    const sg = await createGroup(strict, 'careless-strict', [{ value: suid, type: 'Group' }]);
    expect(sg.body.members).toEqual([expect.objectContaining({ value: suid, type: 'User' })]);
  });
});

describe('unknown member ids', () => {
  it('ignored by default: valid members applied, success, one WARN line, MembersIgnored in the request line', async () => {
    const uid = await createUser(lenient, 'known-member@example.com');
    const g = await createGroup(lenient, 'with-ghosts');
    const ghosts = ['ghost-a', 'ghost-b'];
    requestLines.length = 0;
    logLines.length = 0;
    const res = await lenient.patch(`/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [{ value: uid }, ...ghosts.map((value) => ({ value, type: 'User' }))] }]);
    expectScim(res, 204);
    expect((await membersOf(lenient, g.id)).map((m) => m.value)).toEqual([uid]);

    const warns = logLines.filter((l) => l.message === 'group members ignored');
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ level: 'WARN', connector: 'lenient', groupId: g.id, operation: 'patch', ignored: 2 });
    expect((warns[0]!.ids as string[]).sort()).toEqual(ghosts);
    const line = requestLines.find((l) => l.operation === 'patch' && l.resourceId === g.id);
    expect(line).toMatchObject({ status: 204, MembersIgnored: 2, ResourcesUpdated: 1 });
    const directive = (line!._aws as { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]!;
    expect(directive.Dimensions).toEqual([['service', 'connector']]);
    expect(directive.Metrics.map((m) => m.Name)).toEqual(['ResourcesUpdated', 'MembersIgnored']);
  });

  it('POST and PUT with an unknown member: 201/200 with the valid members; nothing stored for the unknown id', async () => {
    const uid = await createUser(lenient, 'known-member-2@example.com');
    const g = await createGroup(lenient, 'post-ghost', [{ value: uid }, { value: 'deleted-by-app' }]);
    expect(g.body.members).toEqual([expect.objectContaining({ value: uid })]);
    const put = await lenient.put(`/Groups/${g.id}`, { schemas: [GROUP], displayName: 'post-ghost', members: [{ value: 'deleted-by-app' }, { value: uid }] });
    expectScim(put, 200);
    expect(put.body.members).toEqual([expect.objectContaining({ value: uid })]);
    // Removing an unknown member stays a no-op.
    expectScim(await lenient.patch(`/Groups/${g.id}`, [{ op: 'remove', path: 'members', value: [{ value: 'deleted-by-app' }] }]), 204);
    expect((await membersOf(lenient, g.id)).map((m) => m.value)).toEqual([uid]);
  });

  it('askSpoke flow: a member the app removed on deactivation is skipped in the next group update, not a 400', async () => {
    const askspoke = 'lenient';
    const keep = await createUser(lenient, 'stays@example.com');
    const gone = await createUser(lenient, 'deactivated@example.com');
    const g = await createGroup(lenient, 'askspoke-team', [{ value: keep }, { value: gone }]);
    expectScim(await lenient.delete(`/Users/${gone}`), 204); // what askSpoke's deactivation does
    const res = await lenient.patch(`/Groups/${g.id}`, [
      { op: 'add', path: 'members', value: [{ value: gone }] },
      { op: 'replace', path: 'displayName', value: 'askspoke-team-renamed' },
    ]);
    expectScim(res, 204);
    const after = await lenient.get(`/Groups/${g.id}`);
    expect([after.body.displayName, after.body.members.map((m: { value: string }) => m.value)]).toEqual(['askspoke-team-renamed', [keep]]);
    expect(askspoke).toBe('lenient');
  });

  it('unknownMembers: reject → 400 invalidValue naming the id, and nothing of the request applied', async () => {
    const uid = await createUser(strict, 'strict-member@example.com');
    const g = await createGroup(strict, 'strict-group');
    const res = await strict.patch(`/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [{ value: uid }, { value: 'ghost-strict' }] }]);
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toContain('ghost-strict');
    expect(await membersOf(strict, g.id)).toEqual([]);
  });
});

describe('a misconfiguration is not an outage', () => {
  it('AccessDeniedException: 500 SCIM error without Retry-After, ERROR line with code and operation, ConfigurationErrors counted', async () => {
    requestLines.length = 0;
    logLines.length = 0;
    inject = 'AccessDeniedException';
    let res;
    try {
      res = await lenient.get('/Users?filter=userName%20eq%20%22x%22');
    } finally {
      inject = '';
    }
    expectScimError(res, 500);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.text).not.toMatch(/AccessDenied|GetItem|arn:/);
    const error = logLines.find((l) => l.message === 'storage configuration error');
    expect(error).toMatchObject({ level: 'ERROR', connector: 'lenient', awsErrorCode: 'AccessDeniedException', operation: 'GetItem', status: 500 });
    const line = requestLines.find((l) => l.status === 500);
    expect(line).toMatchObject({ connector: 'lenient', ConfigurationErrors: 1 });
    const directives = (line!._aws as { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] }).CloudWatchMetrics;
    expect(directives).toEqual([expect.objectContaining({ Dimensions: [['service', 'connector'], ['service']], Metrics: [{ Name: 'ConfigurationErrors', Unit: 'Count' }] })]);
  });

  it('throttling keeps 503 + Retry-After and is not a configuration error', async () => {
    requestLines.length = 0;
    inject = 'ProvisionedThroughputExceededException';
    let res;
    try {
      res = await users.get('/Users');
    } finally {
      inject = '';
    }
    expectScimError(res, 503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(requestLines.find((l) => l.status === 503)?.ConfigurationErrors).toBeUndefined();
  });

  it('table missing (deleted for real on DynamoDB Local): 500 for reads and writes, ResourceNotFoundException logged', async () => {
    const own = mkdtempSync(join(tmpdir(), 'scim-interop-missing-'));
    const tableName = `interop-missing-${randomBytes(4).toString('hex')}`;
    const ep = await start([{ name: 'lonely' }], own, tableName);
    const raw = documentClient(ep.dynamodbEndpoint);
    try {
      const c = new ScimClient(ep.connectors.lonely!.tenantUrl, ep.connectors.lonely!.token);
      await createUser(c, 'before@example.com');
      await raw.send(new DeleteTableCommand({ TableName: tableName }));
      logLines.length = 0;
      for (const res of [await c.get('/Users'), await c.post('/Users', { schemas: [USER], userName: 'after@example.com' })]) {
        expectScimError(res, 500);
        expect(res.headers.get('retry-after')).toBeNull();
      }
      const errors = logLines.filter((l) => l.message === 'storage configuration error');
      expect(errors.map((l) => l.awsErrorCode)).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException']);
      expect(errors.every((l) => typeof l.operation === 'string' && l.operation !== '')).toBe(true);
    } finally {
      raw.destroy();
      await ep.stop();
      rmSync(own, { recursive: true, force: true });
    }
  });
});
