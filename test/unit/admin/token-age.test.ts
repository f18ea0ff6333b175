/**
 * Token age: `rotatedAt` written by rotation (kept by revoke-previous), accepted by the real
 * authorizer (and never able to break it), the age rule (rotatedAt, else the secret's write date),
 * and the daily check's Lambda entry: one EMF datapoint per connector with exactly the dimensions
 * the dashboard and the alarms use, failures logged and failing the run after the others are
 * published, no token in any output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { revokePrevious, rotate } from '../../../bin/admin/tokens.js';
import { makeAuthorizer } from '../../../lambdas/auth/authorizer.js';
import { ageInDays, measureTokenAges, rotatedAtOf, tokenAge, TOKEN_AGE_METRIC } from '../../../lambdas/auth/token-age.js';
import { TOKEN_SECRETS_ENV as SOURCE_ENV } from '../../../lambdas/auth/token-source.js';
import { parseTokenSet } from '../../../lambdas/auth/tokens.js';
import { makeTokenAgeHandler, tokenSecretsFromEnv } from '../../../lambdas/handlers/token-age.js';
import { CONNECTOR_DIMENSION, METRIC_NAMESPACE, SERVICE_NAME } from '../../../lambdas/http/metric-names.js';

const NOW = new Date('2027-03-01T06:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

describe('rotatedAt', () => {
  it('rotate records when it rotated (with or without grace); revoke-previous keeps it', () => {
    const at = new Date('2027-02-01T10:00:00.000Z');
    const r = rotate({ current: 'old' }, 3_600_000, at, 'new');
    expect(r).toEqual({ current: 'new', previous: 'old', previousExpiresAt: '2027-02-01T11:00:00.000Z', rotatedAt: '2027-02-01T10:00:00.000Z' });
    expect(rotate({ current: 'old' }, 0, at, 'new')).toEqual({ current: 'new', rotatedAt: '2027-02-01T10:00:00.000Z' });
    expect(revokePrevious(r)).toEqual({ current: 'new', rotatedAt: '2027-02-01T10:00:00.000Z' });
    expect(revokePrevious({ current: 'x', previous: 'y', previousExpiresAt: '2027-01-01T00:00:00Z' })).toEqual({ current: 'x' });
  });

  it('the secret shape accepts it; a malformed rotatedAt is dropped instead of failing the secret', () => {
    expect(parseTokenSet('{"current":"t","rotatedAt":"2027-02-01T10:00:00.000Z"}')).toEqual({ current: 't', rotatedAt: '2027-02-01T10:00:00.000Z' });
    expect(parseTokenSet('{"current":"t","rotatedAt":"last tuesday"}').rotatedAt).toBeUndefined();
    expect(parseTokenSet('{"current":"t","rotatedAt":1767225600}')).toEqual({ current: 't' });
    expect(() => parseTokenSet('{"rotatedAt":"2027-02-01T10:00:00Z"}')).toThrow(/invalid shape \(fields: current\)/);
  });

  it('the real authorizer allows a token whose secret carries rotatedAt, well-formed or not', async () => {
    for (const rotatedAt of ['2027-02-01T10:00:00.000Z', 'not a date']) {
      const authorize = makeAuthorizer({
        source: { get: async () => parseTokenSet(JSON.stringify({ current: 'tok-1', rotatedAt })) },
        logger: new Logger({ logLevel: 'SILENT' }),
        connectors: new Set(['alpha']),
      });
      const event = {
        type: 'REQUEST',
        methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc/alpha/GET/scim/v2/Users',
        headers: { Authorization: 'Bearer tok-1' },
        stageVariables: { connector: 'alpha' },
        requestContext: { stage: 'alpha', requestId: 'r' },
      } as unknown as APIGatewayRequestAuthorizerEvent;
      const r = await authorize(event);
      expect(r.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    }
  });
});

describe('age rule', () => {
  it('counts from rotatedAt, else from when the secret value was written; tenths of days, rounded down, never negative', () => {
    expect(tokenAge({ rotatedAt: daysAgo(400).toISOString() }, daysAgo(3), NOW)).toEqual({ since: daysAgo(400), source: 'rotatedAt', days: 400 });
    expect(tokenAge({}, daysAgo(12.25), NOW)).toEqual({ since: daysAgo(12.25), source: 'secretWritten', days: 12.2 });
    expect(tokenAge({}, undefined, NOW)).toBeUndefined();
    expect(ageInDays(new Date(NOW.getTime() + 3_600_000), NOW)).toBe(0);
  });

  it('a rotatedAt later than the secret version was written (or than now) is not trusted: the write date counts', () => {
    // README's old example: rotatedAt in 2030 held the age at 0 and silenced the alarm for years.
    expect(tokenAge({ rotatedAt: '2030-01-30T00:00:00Z' }, daysAgo(400), NOW)).toEqual({ since: daysAgo(400), source: 'secretWritten', days: 400 });
    expect(tokenAge({ rotatedAt: daysAgo(10).toISOString() }, daysAgo(400), NOW)?.source).toBe('secretWritten');
    // No write date known: a future rotatedAt gives no age (reported as a failure), never 0.
    expect(tokenAge({ rotatedAt: '2030-01-30T00:00:00Z' }, undefined, NOW)).toBeUndefined();
    // Clock skew between the writer and Secrets Manager / the file system: a few minutes are tolerated.
    const justAfter = new Date(daysAgo(3).getTime() + 60_000);
    expect(tokenAge({ rotatedAt: justAfter.toISOString() }, daysAgo(3), NOW)).toMatchObject({ since: justAfter, source: 'rotatedAt' });
  });

  it("the README's hand rotation example writes no rotatedAt and no fixed date (it had a 2030 rotatedAt)", () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('**Rotate a token**'));
    const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    expect(block).toContain('put-secret-value');
    expect(block).not.toContain('rotatedAt');
    expect(block).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('the daily check measures a future rotatedAt from the secret version, so the alarm can fire', async () => {
    const r = await measureTokenAges(['alpha', 'nodate'], async (c) =>
      c === 'alpha'
        ? { text: JSON.stringify({ current: 'a', rotatedAt: '2030-01-30T00:00:00Z' }), writtenAt: daysAgo(500) }
        : { text: JSON.stringify({ current: 'b', rotatedAt: '2030-01-30T00:00:00Z' }) },
    NOW);
    expect(r.ages).toEqual([{ connector: 'alpha', ageDays: 500, since: daysAgo(500).toISOString(), source: 'secretWritten' }]);
    expect(r.failures.map((f) => [f.connector, f.errorName])).toEqual([['nodate', 'NoTokenDate']]);
  });

  it('rotatedAtOf: reads rotatedAt only when it is an ISO date-time; refuses what is not a token secret without quoting it', () => {
    expect(rotatedAtOf('{"current":"t","rotatedAt":"2027-02-01T10:00:00+01:00"}')).toBe('2027-02-01T10:00:00+01:00');
    expect(rotatedAtOf('{"current":"t","rotatedAt":"2027-02-01"}')).toBeUndefined();
    expect(rotatedAtOf('{"current":"t"}')).toBeUndefined();
    expect(() => rotatedAtOf('s3cr3t-not-json')).toThrow('token secret is not JSON');
    try {
      rotatedAtOf('{"token":"s3cr3t"}');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain('s3cr3t');
    }
  });

  it('measures every connector it can and reports the others', async () => {
    const secrets: Record<string, { text: string; writtenAt?: Date }> = {
      alpha: { text: JSON.stringify({ current: 'a', rotatedAt: daysAgo(30).toISOString() }), writtenAt: daysAgo(2) },
      beta: { text: JSON.stringify({ current: 'b' }), writtenAt: daysAgo(500) },
      broken: { text: '{"current":' },
      dateless: { text: JSON.stringify({ current: 'd' }) },
    };
    const r = await measureTokenAges(['alpha', 'beta', 'broken', 'dateless', 'denied'], async (c) => {
      if (c === 'denied') throw Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
      return secrets[c]!;
    }, NOW);
    expect(r.ages).toEqual([
      { connector: 'alpha', ageDays: 30, since: daysAgo(30).toISOString(), source: 'rotatedAt' },
      { connector: 'beta', ageDays: 500, since: daysAgo(500).toISOString(), source: 'secretWritten' },
    ]);
    expect(r.failures.map((f) => [f.connector, f.errorName])).toEqual([
      ['broken', 'Error'],
      ['dateless', 'NoTokenDate'],
      ['denied', 'AccessDeniedException'],
    ]);
  });
});

describe('daily check (Lambda entry)', () => {
  afterEach(() => vi.restoreAllMocks());

  function capture() {
    const lines: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      }) as typeof stream.write);
    }
    return lines;
  }

  const emf = (lines: string[]) =>
    lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } });

  it('one EMF datapoint per connector, dimensions exactly {service, connector}, in the stack namespace', async () => {
    const lines = capture();
    const handler = makeTokenAgeHandler({
      connectors: ['alpha', 'beta'],
      read: async (c) => (c === 'alpha' ? { text: JSON.stringify({ current: 'tok-alpha', rotatedAt: daysAgo(10).toISOString() }) } : { text: JSON.stringify({ current: 'tok-beta' }), writtenAt: daysAgo(366) }),
      logger: new Logger({ serviceName: SERVICE_NAME, logLevel: 'INFO' }),
      metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME }),
    });
    const summary = await handler({ time: NOW.toISOString() });
    vi.restoreAllMocks();
    expect(summary).toMatchObject({ connectorsTotal: 2, oldestDays: 366, failures: 0 });
    const docs = emf(lines);
    expect(docs).toHaveLength(2);
    for (const [i, connector] of ['alpha', 'beta'].entries()) {
      const d = docs[i]!;
      expect(d._aws.CloudWatchMetrics[0]!.Namespace).toBe(METRIC_NAMESPACE);
      expect([...d._aws.CloudWatchMetrics[0]!.Dimensions[0]!].sort()).toEqual([CONNECTOR_DIMENSION, 'service'].sort());
      expect(d._aws.CloudWatchMetrics[0]!.Metrics).toEqual([{ Name: TOKEN_AGE_METRIC, Unit: 'None' }]);
      expect(d[CONNECTOR_DIMENSION]).toBe(connector);
      expect(d.service).toBe(SERVICE_NAME);
    }
    expect(docs[0]![TOKEN_AGE_METRIC]).toBe(10);
    expect(docs[1]![TOKEN_AGE_METRIC]).toBe(366);
    const text = lines.join('');
    expect(text).toContain('"message":"token age"');
    expect(text).not.toContain('tok-alpha');
    expect(text).not.toContain('tok-beta');
  });

  it('a secret it cannot read: the others are still published, then the run fails naming the connector (not the token)', async () => {
    const lines = capture();
    const handler = makeTokenAgeHandler({
      connectors: ['alpha', 'gone'],
      read: async (c) => {
        if (c === 'gone') throw Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException' });
        return { text: JSON.stringify({ current: 'tok-alpha' }), writtenAt: daysAgo(1) };
      },
      logger: new Logger({ serviceName: SERVICE_NAME, logLevel: 'INFO' }),
      metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME }),
    });
    await expect(handler({ time: NOW.toISOString() })).rejects.toThrow(/1 connector\(s\) not measured \(gone\)/);
    vi.restoreAllMocks();
    expect(emf(lines).map((d) => d[CONNECTOR_DIMENSION])).toEqual(['alpha']);
    const error = lines.flatMap((l) => l.split('\n')).find((l) => l.includes('"level":"ERROR"'));
    expect(error).toBeDefined();
    expect(JSON.parse(error!)).toMatchObject({ message: 'token age', failed: [{ connector: 'gone', errorName: 'ResourceNotFoundException' }] });
    expect(lines.join('')).not.toContain('tok-alpha');
  });

  it('reads the connectors and secret names from the env var the authorizer gets', () => {
    expect(tokenSecretsFromEnv({ [SOURCE_ENV]: JSON.stringify({ alpha: 'Scim/alpha/token', beta: 'Scim/beta/token' }) })).toEqual(
      new Map([
        ['alpha', 'Scim/alpha/token'],
        ['beta', 'Scim/beta/token'],
      ]),
    );
    expect(() => tokenSecretsFromEnv({})).toThrow(`${SOURCE_ENV} is not set`);
  });
});
