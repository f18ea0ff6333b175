import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthorizerFailure, makeAuthorizer, stagePolicyResource } from '../../../lambdas/auth/authorizer.js';
import { CachedTokenSource, SecretsManagerTokenSource, secretIdFor } from '../../../lambdas/auth/token-source.js';
import { extractToken, tokenMatches } from '../../../lambdas/auth/tokens.js';

const sm = mockClient(SecretsManagerClient);
const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
const NOW = new Date('2026-01-10T12:00:00Z');
const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234';

function event(stage: string, authorization?: string): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: `${ARN}/${stage}/GET/scim/v2/Users`,
    resource: '/scim/v2/Users',
    path: '/scim/v2/Users',
    httpMethod: 'GET',
    headers: authorization === undefined ? {} : { Authorization: authorization },
    multiValueHeaders: authorization === undefined ? {} : { Authorization: [authorization] },
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: { connector: stage },
    requestContext: { stage, requestId: 'req-1' } as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

function secrets(map: Record<string, object>) {
  sm.reset();
  for (const [connector, value] of Object.entries(map)) {
    sm.on(GetSecretValueCommand, { SecretId: `scim/${connector}/token` }).resolves({ SecretString: JSON.stringify(value) });
  }
}

function authorizer(ttlMs = 60_000, clock = { t: NOW.getTime() }) {
  const source = new CachedTokenSource(new SecretsManagerTokenSource(new SecretsManagerClient({})), ttlMs, () => clock.t);
  return makeAuthorizer({ source, logger, connectors: new Set(['alpha', 'beta']), now: () => new Date(clock.t) });
}

describe('authorizer', () => {
  beforeEach(() => {
    secrets({
      alpha: { current: 'alpha-current-token', previous: 'alpha-old-token', previousExpiresAt: '2026-01-11T00:00:00Z' },
      beta: { current: 'beta-current-token', previous: 'beta-old-token', previousExpiresAt: '2026-01-01T00:00:00Z' },
    });
  });

  it('allows the current token, with or without "Bearer", scoped to the stage', async () => {
    const auth = authorizer();
    for (const header of ['Bearer alpha-current-token', 'bearer  alpha-current-token ', 'alpha-current-token']) {
      const r = await auth(event('alpha', header));
      expect(r.context).toEqual({ connector: 'alpha' });
      expect(r.policyDocument.Statement).toEqual([
        { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${ARN}/alpha/*/*` },
      ]);
      expect(r.principalId).not.toContain('token');
    }
  });

  it('allows the previous token within its grace period', async () => {
    const r = await authorizer()(event('alpha', 'Bearer alpha-old-token'));
    expect(r.context.connector).toBe('alpha');
  });

  it('denies a previous token after its expiry', async () => {
    await expect(authorizer()(event('beta', 'Bearer beta-old-token'))).rejects.toThrow(/^Unauthorized$/);
  });

  it("denies another connector's token (current and previous)", async () => {
    const auth = authorizer();
    await expect(auth(event('beta', 'Bearer alpha-current-token'))).rejects.toThrow(/^Unauthorized$/);
    await expect(auth(event('beta', 'Bearer alpha-old-token'))).rejects.toThrow(/^Unauthorized$/);
    await expect(auth(event('alpha', 'Bearer beta-current-token'))).rejects.toThrow(/^Unauthorized$/);
  });

  it('denies missing, empty and wrong tokens, and unknown stages', async () => {
    const auth = authorizer();
    await expect(auth(event('alpha'))).rejects.toThrow(/^Unauthorized$/);
    await expect(auth(event('alpha', 'Bearer '))).rejects.toThrow(/^Unauthorized$/);
    await expect(auth(event('alpha', 'Basic YWxwaGE6eA=='))).rejects.toThrow(/^Unauthorized$/);
    await expect(auth(event('alpha', 'Bearer alpha-current-tokenX'))).rejects.toThrow(/^Unauthorized$/);
    await expect(auth(event('gamma', 'Bearer alpha-current-token'))).rejects.toThrow(/^Unauthorized$/);
  });

  it('fails closed without leaking when Secrets Manager fails, and recovers', async () => {
    sm.reset();
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('Rate exceeded for secret alpha-current-token'), { name: 'ThrottlingException' }));
    const error = vi.spyOn(logger, 'error');
    const auth = authorizer();
    const failure = await auth(event('alpha', 'Bearer alpha-current-token')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AuthorizerFailure);
    expect((failure as Error).message).toBe('AuthorizerFailure');
    expect(JSON.stringify(error.mock.calls)).not.toContain('Bearer');
    // Not cached: the next request reads the secret again and succeeds.
    secrets({ alpha: { current: 'alpha-current-token' } });
    await expect(auth(event('alpha', 'Bearer alpha-current-token'))).resolves.toMatchObject({ context: { connector: 'alpha' } });
  });

  it('fails closed on a malformed secret', async () => {
    sm.reset();
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'not json' });
    await expect(authorizer()(event('alpha', 'Bearer x'))).rejects.toBeInstanceOf(AuthorizerFailure);
    sm.reset();
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"current":""}' });
    await expect(authorizer()(event('alpha', 'Bearer x'))).rejects.toBeInstanceOf(AuthorizerFailure);
  });

  it('caches the secret for its TTL; a rotated token re-reads it at once (at most once a second)', async () => {
    const clock = { t: NOW.getTime() };
    const auth = authorizer(60_000, clock);
    await auth(event('alpha', 'Bearer alpha-current-token'));
    await auth(event('alpha', 'Bearer alpha-current-token'));
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    secrets({ alpha: { current: 'rotated-token', previous: 'alpha-current-token', previousExpiresAt: '2026-01-12T00:00:00Z' } });
    // The copy was read in this very second: a mismatch does not re-read it (wrong-token floods stay cheap).
    await expect(auth(event('alpha', 'Bearer rotated-token'))).rejects.toThrow(/^Unauthorized$/);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    clock.t += 1_500; // well inside the 60 s TTL
    await expect(auth(event('alpha', 'Bearer rotated-token'))).resolves.toBeDefined();
    await expect(auth(event('alpha', 'Bearer alpha-current-token'))).resolves.toBeDefined(); // grace
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    await expect(auth(event('alpha', 'Bearer never-issued'))).rejects.toThrow(/^Unauthorized$/);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1); // re-read < 1 s ago
  });
});

describe('tokens', () => {
  it('extracts bearer and bare tokens', () => {
    expect(extractToken('Bearer abc')).toBe('abc');
    expect(extractToken('BEARER abc')).toBe('abc');
    expect(extractToken('abc')).toBe('abc');
    expect(extractToken('  ')).toBeUndefined();
    expect(extractToken(undefined)).toBeUndefined();
  });

  it('never accepts a previous token without an expiry', () => {
    expect(tokenMatches('old', { current: 'new', previous: 'old' }, NOW)).toBeUndefined();
    expect(tokenMatches('new', { current: 'new', previous: 'old' }, NOW)).toBe('current');
  });

  it('resolves secret ids from the env map, else by convention', () => {
    expect(secretIdFor('alpha', {})).toBe('scim/alpha/token');
    expect(secretIdFor('alpha', { SCIM_TOKEN_SECRETS: '{"alpha":"arn:aws:secretsmanager:x"}' })).toBe('arn:aws:secretsmanager:x');
    expect(secretIdFor('beta', { SCIM_TOKEN_SECRETS: '{"alpha":"arn:aws:secretsmanager:x"}' })).toBe('scim/beta/token');
  });

  it('builds the stage-scoped policy resource', () => {
    expect(stagePolicyResource(`${ARN}/prod/POST/scim/v2/Users/abc`, 'prod')).toBe(`${ARN}/prod/*/*`);
  });
});
