/**
 * `scim-admin webhook secret|rotate` against a "deployed stack" (CloudFormation outputs and Secrets
 * Manager through aws-sdk-client-mock): the secret is found through its output, refused without
 * --reveal (exit 5) like `token show`, rotated with a grace period in the shape the delivery
 * function reads — which then signs with both secrets until the grace ends.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEPLOYED, runCli } from '../../support/cli.js';
import { deployedStack } from '../../support/deployed-stack.js';
import { EXIT } from '../../../bin/admin/backend.js';
import { mainHelp } from '../../../bin/admin/cli.js';
import { parseSigningSecretSet, signingSecrets } from '../../../lambdas/webhooks/secret.js';

const cf = mockClient(CloudFormationClient);
const sm = mockClient(SecretsManagerClient);
// Read and written by its fixed name (lambdas/webhooks/names.ts): the stack lists no output for it.
const HOOK_ARN = 'Scim/askspoke/webhook';
const TOKEN_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:Scim/askspoke/token-XyZ123';
const OLD = 'old-signing-secret-0123456789';
const T0 = new Date('2026-03-01T10:00:00.000Z');
let secret: string;


async function cli(args: string[]) {
  return runCli([...args, ...DEPLOYED], { now: () => T0 });
}

beforeEach(() => {
  cf.reset();
  sm.reset();
  secret = JSON.stringify({ current: OLD });
  cf.on(DescribeStacksCommand).resolves(
    deployedStack({
      createdAt: T0,
      connectors: [
        { name: 'askspoke', tenantUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/askspoke/scim/v2', tokenSecretArn: TOKEN_ARN },
        { name: 'spaceiq', tenantUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/spaceiq/scim' },
      ],
    }),
  );
  // Secrets Manager's answer for a secret that does not exist (a connector without webhook).
  sm.on(GetSecretValueCommand).rejects(Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException' }));
  sm.on(GetSecretValueCommand, { SecretId: HOOK_ARN }).callsFake(() => ({ SecretString: secret }));
  sm.on(PutSecretValueCommand, { SecretId: HOOK_ARN }).callsFake((input: { SecretString: string }) => {
    secret = input.SecretString;
    return { ARN: HOOK_ARN };
  });
});

describe('webhook secret', () => {
  it('refused on a deployment without --reveal (exit 5), nothing read', async () => {
    const r = await cli(['webhook', 'secret', 'askspoke']);
    expect(r.code).toBe(EXIT.refused);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('scim-admin: webhook secret prints a live credential of stack Scim (eu-west-1): add --reveal to confirm\n');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('--reveal prints the current secret alone on stdout (the webhook secret, not the token)', async () => {
    const r = await cli(['webhook', 'secret', 'askspoke', '--reveal']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toBe(`${OLD}\n`);
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([HOOK_ARN]);
  });

  it('a connector without webhook: exit 3 saying how to add one', async () => {
    const r = await cli(['webhook', 'secret', 'spaceiq', '--reveal']);
    expect(r.code).toBe(EXIT.notFound);
    expect(r.stderr).toMatch(/^scim-admin: connector spaceiq has no webhook in stack Scim \(eu-west-1\): add "webhook": \{"url": "https:\/\/…"\} to its entry in scim:connectors \(cdk\.json\) and deploy/);
  });
});

describe('webhook rotate', () => {
  it('prints the new secret once; the previous keeps signing for the grace period (default 24 h), then only the new one', async () => {
    const r = await cli(['webhook', 'rotate', 'askspoke']);
    expect(r.code).toBe(EXIT.ok);
    const fresh = r.stdout.trim();
    expect(r.stdout).toBe(`${fresh}\n`);
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.stderr).not.toContain(fresh);
    expect(r.stderr).toContain('until 2026-03-02T10:00:00.000Z (24h)');
    const set = parseSigningSecretSet(secret);
    expect(set).toEqual({ current: fresh, previous: OLD, previousExpiresAt: '2026-03-02T10:00:00.000Z', rotatedAt: '2026-03-01T10:00:00.000Z' });
    expect(signingSecrets(set, new Date('2026-03-02T09:59:59.000Z'))).toEqual([fresh, OLD]);
    expect(signingSecrets(set, new Date('2026-03-02T10:00:00.000Z'))).toEqual([fresh]);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
  });

  it('--grace 0 drops the previous secret at once; a bad --grace is a usage error (exit 2) before anything is written', async () => {
    expect((await cli(['webhook', 'rotate', 'askspoke', '--grace', '0'])).code).toBe(EXIT.ok);
    expect(Object.keys(parseSigningSecretSet(secret))).toEqual(['current', 'rotatedAt']);
    const bad = await cli(['webhook', 'rotate', 'askspoke', '--grace', 'tomorrow']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('--grace must look like 90s, 30m, 24h, 7d or 0 (got tomorrow)');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
  });

  it('access denied on the secret: exit 4 with the AWS error, no stack trace', async () => {
    sm.on(PutSecretValueCommand).rejects(Object.assign(new Error('not authorized to perform secretsmanager:PutSecretValue'), { name: 'AccessDeniedException' }));
    const r = await cli(['webhook', 'rotate', 'askspoke']);
    expect(r.code).toBe(EXIT.auth);
    expect(r.stderr).toMatch(/AWS refused the request \(AccessDeniedException\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('help', () => {
  it('lists the webhook and events commands and exit code 130', () => {
    const h = mainHelp();
    expect(h).toMatch(/webhook secret <connector>/);
    expect(h).toMatch(/webhook rotate <connector>/);
    expect(h).toMatch(/events resync <connector>/);
    expect(h).toContain('130 interrupted');
  });
});
