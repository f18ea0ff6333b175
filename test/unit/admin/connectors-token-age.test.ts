/**
 * `scim-admin connectors` against a "deployed stack" (CloudFormation, Secrets Manager, DynamoDB and
 * CloudWatch through aws-sdk-client-mock) prints each token's age: from `rotatedAt` once
 * `token rotate` wrote it, else from the secret version's creation date; `-` (never a failure)
 * when the secret cannot be read. No token appears in the output.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEPLOYED, runCli } from '../../support/cli.js';
import { EXIT } from '../../../bin/admin/backend.js';

const cf = mockClient(CloudFormationClient);
const sm = mockClient(SecretsManagerClient);
const ddb = mockClient(DynamoDBDocumentClient);
const cw = mockClient(CloudWatchClient);
const ARN = {
  askspoke: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:Scim/askspoke/token-AbCdEf',
  spaceiq: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:Scim/spaceiq/token-GhIjKl',
};
const NOW = new Date('2027-03-01T12:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
const OLD = 'askspoke-token-never-printed';

let secret: string;
let created: Date;


async function cli(args: string[], now = NOW) {
  return runCli([...args, ...DEPLOYED], { now: () => now });
}

beforeEach(() => {
  for (const m of [cf, sm, ddb, cw]) m.reset();
  secret = JSON.stringify({ current: OLD });
  created = daysAgo(400);
  const out = (key: string, value: string, description: string) => ({ OutputKey: key, OutputValue: value, Description: description });
  cf.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Scim',
        CreationTime: daysAgo(500),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [
          out('TenantUrlaskspoke', 'https://abc123.execute-api.eu-west-1.amazonaws.com/askspoke/scim/v2', 'Tenant URL of connector askspoke (paste into Entra ID / Okta)'),
          out('TokenSecretArnaskspoke', ARN.askspoke, 'Secret holding the token of connector askspoke: aws secretsmanager get-secret-value …'),
          out('TenantUrlspaceiq', 'https://abc123.execute-api.eu-west-1.amazonaws.com/spaceiq/scim', 'Tenant URL of connector spaceiq (paste into Entra ID / Okta)'),
          out('TokenSecretArnspaceiq', ARN.spaceiq, 'Secret holding the token of connector spaceiq: aws secretsmanager get-secret-value …'),
          out('TableName', 'Scim-StoreTable', 'DynamoDB table'),
        ],
      },
    ],
  });
  sm.on(GetSecretValueCommand, { SecretId: ARN.askspoke }).callsFake(() => ({ SecretString: secret, CreatedDate: created }));
  sm.on(GetSecretValueCommand, { SecretId: ARN.spaceiq }).rejects(Object.assign(new Error('User is not authorized to perform secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }));
  sm.on(PutSecretValueCommand, { SecretId: ARN.askspoke }).callsFake((input: { SecretString: string }) => {
    secret = input.SecretString;
    created = NOW; // the new version
    return { ARN: ARN.askspoke };
  });
  ddb.on(QueryCommand).resolves({ Items: [] });
  cw.on(ListMetricsCommand).resolves({ Metrics: [] });
});

describe('connectors: token age', () => {
  it('without rotatedAt: days since the secret version was written; unreadable secret: "-", not a failure', async () => {
    const r = await cli(['connectors', '--format', 'json']);
    expect(r.code).toBe(EXIT.ok);
    const rows = JSON.parse(r.stdout) as { name: string; tokenAgeDays: number | null; tokenSince: string | null }[];
    expect(rows.map((x) => [x.name, x.tokenAgeDays, x.tokenSince])).toEqual([
      ['askspoke', 400, daysAgo(400).toISOString()],
      ['spaceiq', null, null],
    ]);
    const table = await cli(['connectors']);
    expect(table.stdout.split('\n')[0]).toMatch(/TOKEN AGE$/);
    expect(table.stdout).toMatch(/^askspoke .* 400 d$/m);
    expect(table.stdout).toMatch(/^spaceiq .* -$/m);
    expect(table.stdout + table.stderr).not.toContain(OLD);
  });

  it('after token rotate: counted from rotatedAt; revoke-previous does not make the token younger', async () => {
    const rotatedAt = daysAgo(10);
    expect((await cli(['token', 'rotate', 'askspoke'], rotatedAt)).code).toBe(EXIT.ok);
    expect(JSON.parse(secret)).toMatchObject({ rotatedAt: rotatedAt.toISOString() });
    expect((await cli(['token', 'revoke-previous', 'askspoke'], daysAgo(2))).code).toBe(EXIT.ok);
    created = daysAgo(2); // revoke-previous wrote a new version two days ago
    const rows = JSON.parse((await cli(['connectors', '--format', 'json'])).stdout) as { name: string; tokenAgeDays: number | null; tokenSince: string | null }[];
    expect(rows[0]).toMatchObject({ name: 'askspoke', tokenAgeDays: 10, tokenSince: rotatedAt.toISOString() });
  });
});
