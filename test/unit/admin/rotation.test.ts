/**
 * `scim-admin token …` against a "deployed stack": CloudFormation outputs and Secrets Manager through
 * aws-sdk-client-mock. The rotated secret is then read by the REAL authorizer (same token source as
 * the Lambda): the old token is accepted until the grace period ends, then denied (401).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { capture, DEPLOYED, runCli } from '../../support/cli.js';
import { deployedStack } from '../../support/deployed-stack.js';
import { makeAuthorizer, UNAUTHORIZED } from '../../../lambdas/auth/authorizer.js';
import { SecretsManagerTokenSource } from '../../../lambdas/auth/token-source.js';
import { parseTokenSet } from '../../../lambdas/auth/tokens.js';
import { run } from '../../../bin/admin/cli.js';
import { EXIT } from '../../../bin/admin/backend.js';
import { parseDuration } from '../../../bin/admin/tokens.js';

const cf = mockClient(CloudFormationClient);
const sm = mockClient(SecretsManagerClient);
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:Scim/askspoke/token-AbCdEf';
const OLD = 'old-token-0123456789';
const T0 = new Date('2026-03-01T10:00:00.000Z');

let secret: string;


async function cli(args: string[], now = T0) {
  return runCli([...args, ...DEPLOYED], { now: () => now });
}

function authorizerAt(now: Date) {
  const source = new SecretsManagerTokenSource(new SecretsManagerClient({ region: 'eu-west-1' }), () => ARN);
  return makeAuthorizer({ source, logger: new Logger({ logLevel: 'SILENT' }), connectors: new Set(['askspoke']), now: () => now });
}

const request = (token: string): APIGatewayRequestAuthorizerEvent =>
  ({
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/askspoke/GET/scim/v2/Users',
    headers: { Authorization: `Bearer ${token}` },
    stageVariables: { connector: 'askspoke' },
    requestContext: { stage: 'askspoke', requestId: 'r1' },
  }) as unknown as APIGatewayRequestAuthorizerEvent;

async function allowed(token: string, now: Date): Promise<boolean> {
  try {
    const r = await authorizerAt(now)(request(token));
    return r.policyDocument.Statement[0]?.Effect === 'Allow';
  } catch (e) {
    if ((e as Error).message === UNAUTHORIZED) return false;
    throw e;
  }
}

beforeEach(() => {
  cf.reset();
  sm.reset();
  secret = JSON.stringify({ current: OLD });
  cf.on(DescribeStacksCommand).resolves(
    deployedStack({
      createdAt: T0,
      connectors: [
        { name: 'askspoke', tenantUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/askspoke/scim/v2', tokenSecretArn: ARN },
        { name: 'spaceiq', tenantUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/spaceiq/scim' },
      ],
      tableName: 'Scim-StoreTable',
    }),
  );
  sm.on(GetSecretValueCommand, { SecretId: ARN }).callsFake(() => ({ SecretString: secret }));
  sm.on(PutSecretValueCommand, { SecretId: ARN }).callsFake((input: { SecretString: string }) => {
    secret = input.SecretString;
    return { ARN };
  });
});

describe('token rotate', () => {
  it('prints the new token once, keeps the old one as previous for the grace period (default 24 h)', async () => {
    const r = await cli(['token', 'rotate', 'askspoke']);
    expect(r.code).toBe(EXIT.ok);
    const token = r.stdout.trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.stdout).toBe(`${token}\n`); // the token alone on stdout, notes on stderr
    expect(r.stderr).toContain('2026-03-02T10:00:00.000Z');
    expect(parseTokenSet(secret)).toEqual({ current: token, previous: OLD, previousExpiresAt: '2026-03-02T10:00:00.000Z', rotatedAt: T0.toISOString() });
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(r.stderr).not.toContain(token);
  });

  it('the real authorizer honours the overlap: old token valid until the grace ends, then 401; new token valid', async () => {
    const r = await cli(['token', 'rotate', 'askspoke', '--grace', '2h']);
    const token = r.stdout.trim();
    const during = new Date(T0.getTime() + 2 * 3_600_000 - 1000);
    const after = new Date(T0.getTime() + 2 * 3_600_000 + 1000);
    expect(await allowed(token, T0)).toBe(true);
    expect(await allowed(OLD, T0)).toBe(true);
    expect(await allowed(OLD, during)).toBe(true);
    expect(await allowed(OLD, after)).toBe(false);
    expect(await allowed(token, after)).toBe(true);
  });

  it('rotating twice keeps only the latest previous (the first token is gone)', async () => {
    const first = (await cli(['token', 'rotate', 'askspoke'])).stdout.trim();
    const second = (await cli(['token', 'rotate', 'askspoke'], new Date(T0.getTime() + 60_000))).stdout.trim();
    expect(await allowed(OLD, new Date(T0.getTime() + 120_000))).toBe(false);
    expect(await allowed(first, new Date(T0.getTime() + 120_000))).toBe(true);
    expect(await allowed(second, new Date(T0.getTime() + 120_000))).toBe(true);
  });

  it('--grace 0 drops the old token at once; a malformed grace is a usage error', async () => {
    const r = await cli(['token', 'rotate', 'askspoke', '--grace', '0']);
    expect(parseTokenSet(secret)).toEqual({ current: r.stdout.trim(), rotatedAt: T0.toISOString() });
    expect(await allowed(OLD, T0)).toBe(false);
    const bad = await cli(['token', 'rotate', 'askspoke', '--grace', 'tomorrow']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/--grace must look like/);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
  });
});

describe('token revoke-previous', () => {
  it('ends the grace period now: the old token is denied, the current one still works', async () => {
    const token = (await cli(['token', 'rotate', 'askspoke'])).stdout.trim();
    const r = await cli(['token', 'revoke-previous', 'askspoke']);
    expect(r.code).toBe(EXIT.ok);
    expect(parseTokenSet(secret)).toEqual({ current: token, rotatedAt: T0.toISOString() }); // the token did not get younger
    expect(await allowed(OLD, T0)).toBe(false);
    expect(await allowed(token, T0)).toBe(true);
  });

  it('nothing to revoke is not an error and writes nothing', async () => {
    const r = await cli(['token', 'revoke-previous', 'askspoke']);
    expect(r.code).toBe(EXIT.ok);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});

describe('token show and errors', () => {
  it('refuses to print a deployed token without --reveal (exit 5), prints it with --reveal', async () => {
    const refused = await cli(['token', 'show', 'askspoke']);
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.stdout).toBe('');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    const shown = await cli(['token', 'show', 'askspoke', '--reveal']);
    expect([shown.code, shown.stdout]).toEqual([EXIT.ok, `${OLD}\n`]);
  });

  it('an unknown connector lists the known ones (exit 3)', async () => {
    const r = await cli(['token', 'rotate', 'askspok']);
    expect(r.code).toBe(EXIT.notFound);
    expect(r.stderr).toContain('unknown connector "askspok" in stack Scim (eu-west-1); known connectors: askspoke, spaceiq');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('a missing stack is exit 3, access denied exit 4', async () => {
    cf.reset();
    cf.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id Scim does not exist'), { name: 'ValidationError' }));
    expect((await cli(['connectors'])).code).toBe(EXIT.notFound);
    cf.reset();
    cf.on(DescribeStacksCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    const denied = await cli(['connectors']);
    expect(denied.code).toBe(EXIT.auth);
    expect(denied.stderr).toMatch(/--profile/);
  });

  it('usage errors are exit 2 with the command help; --help is exit 0 on every command', async () => {
    const stdout = capture();
    const stderr = capture();
    const io = { stdout: stdout.w, stderr: stderr.w };
    expect(await run(['token', 'rotate'], io)).toBe(EXIT.usage);
    expect(stderr.text()).toContain('missing <connector>');
    expect(await run(['users', 'list', 'x', '--grace', '1h'], io)).toBe(EXIT.usage);
    expect(await run(['frobnicate'], io)).toBe(EXIT.usage);
    expect(await run(['--bogus'], io)).toBe(EXIT.usage);
    for (const c of [[], ['connectors'], ['check'], ['token', 'show'], ['token', 'rotate'], ['token', 'revoke-previous'], ['users', 'list'], ['users', 'export'], ['groups', 'list'], ['stats']]) {
      expect(await run([...c, '--help'], io), c.join(' ')).toBe(EXIT.ok);
    }
    expect(stdout.text()).toContain('Usage: scim-admin users export <connector> [--format csv|json|jsonl]');
  });
});
