/**
 * The gateway edge under faults, with the real local gateway, authorizer and handlers:
 *  - the token secret cannot be read (Secrets Manager down/throttled): 503 + Retry-After with a
 *    generic SCIM body (never a 401 that would make the IdP quarantine the job, never the reason),
 *    and the next request after it is back succeeds;
 *  - rotation: the new token works at once (well inside the 60 s secret cache), the previous one
 *    until its grace ends, then 401;
 *  - per-connector throttling (rate/burst of the connector config): over it → SCIM 429 +
 *    Retry-After, another connector unaffected.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import { makeAuthorizer } from '../../lambdas/auth/authorizer.js';
import { CachedTokenSource, type TokenSource } from '../../lambdas/auth/token-source.js';
import type { TokenSet } from '../../lambdas/auth/tokens.js';
import { parseConnectors } from '../../lambdas/connectors/config.js';
import { createHandlers, documentClient } from '../../lambdas/http/app.js';
import { ScimStore } from '../../lambdas/store/store.js';
import { ensureTable } from '../../bin/local/endpoint.js';
import { startGateway, type Gateway } from '../../bin/local/gateway.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScimClient, SCIM_ERROR } from '../e2e/support/local.js';
import { assertLoopback } from '../support/ddb.js';

const clock = { t: Date.parse('2026-01-10T00:00:00Z') };
const secrets = new Map<string, TokenSet>();
let secretsDown = false;
const reads: string[] = [];
const logs: string[] = [];

/** A Secrets Manager stand-in that can fail as the real one does (throttled, unreachable). */
const source: TokenSource = {
  get: async (connector) => {
    reads.push(connector);
    if (secretsDown) throw Object.assign(new Error(`Rate exceeded for secret scim/${connector}/token`), { name: 'ThrottlingException' });
    const s = secrets.get(connector);
    if (!s) throw new Error('no secret');
    return s;
  },
};

let gateway: Gateway;
let store: ScimStore;
const url = (stage: string) => `${gateway.url}/${stage}/scim/v2`;

beforeAll(async () => {
  const endpoint = assertLoopback(process.env.DYNAMODB_ENDPOINT);
  const tableName = `gwfaults-${randomBytes(4).toString('hex')}`;
  const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(raw, tableName);
  raw.destroy();
  const connectors = parseConnectors([{ name: 'alpha' }, { name: 'slow', throttling: { rateLimit: 2, burstLimit: 4 } }]);
  store = new ScimStore({ doc: documentClient(endpoint), tableName });
  const logger = (handler: string) => new Logger({ serviceName: 'scim', logLevel: 'SILENT', persistentKeys: { handler } });
  const authLogger = new Logger({ serviceName: 'scim', logLevel: 'INFO', persistentKeys: { handler: 'authorizer' } });
  // Capture every authorizer log line instead of printing it (they must never carry a token).
  (authLogger as unknown as { printLog: unknown }).printLog = (_level: unknown, log: { getAttributes(): unknown }) => {
    logs.push(JSON.stringify(log.getAttributes()));
  };
  gateway = await startGateway({
    connectors,
    handlers: createHandlers({ connectors, store, logger: () => logger('h') }),
    authorizer: makeAuthorizer({ source: new CachedTokenSource(source, 60_000, () => clock.t), connectors: new Set(['alpha', 'slow']), logger: authLogger, now: () => new Date(clock.t) }),
    authorizerTtlSeconds: 0,
  });
  secrets.set('alpha', { current: 'alpha-token-1' });
  secrets.set('slow', { current: 'slow-token' });
});

afterAll(async () => {
  await gateway?.close();
  store?.ctx.doc.destroy();
});

const get = (stage: string, token: string, path = '/Users?count=1') => new ScimClient(url(stage), token).get(path);

describe('secrets unavailable', () => {
  it('503 + Retry-After without the reason, then recovers', async () => {
    secretsDown = true;
    const res = await get('alpha', 'alpha-token-1');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.headers.get('content-type')).toBe('application/scim+json');
    expect(res.body).toMatchObject({ schemas: [SCIM_ERROR], status: '503' });
    expect(res.text).not.toMatch(/Rate exceeded|Throttling|secret|scim\/alpha/i);
    expect(logs.some((l) => l.includes('Cannot read the connector token secret'))).toBe(true);
    expect(logs.join('\n')).not.toContain('alpha-token-1');
    secretsDown = false;
    expect((await get('alpha', 'alpha-token-1')).status).toBe(200);
    expect((await get('alpha', 'wrong-token')).status).toBe(401);
  });

  it('a cached secret keeps serving known tokens while Secrets Manager is down', async () => {
    secretsDown = true;
    expect((await get('alpha', 'alpha-token-1')).status).toBe(200);
    secretsDown = false;
  });
});

describe('rotation', () => {
  it('new token accepted at once, previous until its grace ends', async () => {
    expect((await get('alpha', 'alpha-token-1')).status).toBe(200); // cache warm
    clock.t += 2_000;
    secrets.set('alpha', { current: 'alpha-token-2', previous: 'alpha-token-1', previousExpiresAt: new Date(clock.t + 3_600_000).toISOString() });
    expect((await get('alpha', 'alpha-token-2')).status).toBe(200); // 2 s into a 60 s cache
    expect((await get('alpha', 'alpha-token-1')).status).toBe(200); // grace
    clock.t += 3_600_001;
    expect((await get('alpha', 'alpha-token-1')).status).toBe(401);
    expect((await get('alpha', 'alpha-token-2')).status).toBe(200);
  });
});

describe('per-connector throttling', () => {
  it('over rate/burst → SCIM 429 + Retry-After; another connector unaffected', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => get('slow', 'slow-token')));
    const limited = answers.filter((r) => r.status === 429);
    expect(answers.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(4);
    expect(limited.length).toBeGreaterThanOrEqual(6);
    for (const r of limited) {
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.body).toMatchObject({ schemas: [SCIM_ERROR], status: '429', detail: expect.any(String) });
    }
    const other = await Promise.all(Array.from({ length: 12 }, () => get('alpha', 'alpha-token-2')));
    expect(other.map((r) => r.status)).toEqual(Array(12).fill(200));
    await new Promise((r) => setTimeout(r, 1100)); // refilled at 2/s
    expect((await get('slow', 'slow-token')).status).toBe(200);
  });
});
