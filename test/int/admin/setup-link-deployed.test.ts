/**
 * `scim-admin setup-link` against a deployed stack: the stack's outputs (CloudFormation mocked: it
 * cannot run here) give the setup page URL, the table is DynamoDB Local (the SDK's
 * AWS_ENDPOINT_URL_DYNAMODB points the deployed backend's client at it).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SetupLinks } from '../../../lambdas/store/setup-links.js';
import { runCli } from '../../support/cli.js';
import { createTestTable, type TestTable } from '../../support/ddb.js';
import { deployedStack } from '../../support/deployed-stack.js';

const cf = mockClient(CloudFormationClient);
/** DynamoDB Local keeps one database per access key and region: the test tables' (`local`). */
const DEPLOYED = ['--stack', 'Scim', '--region', 'local'] as const;
let t: TestTable;
const saved = { ...process.env };

beforeAll(async () => {
  t = await createTestTable('setup-cli');
  process.env.AWS_ENDPOINT_URL_DYNAMODB = process.env.DYNAMODB_ENDPOINT;
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
});
afterAll(async () => {
  process.env = saved;
  await t?.drop();
});
beforeEach(() => cf.reset());

function stack(withSetup: boolean) {
  const answer = deployedStack({ connectors: [{ name: 'app', tenantUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/app/scim/v2' }], tableName: t.tableName });
  if (withSetup) answer.Stacks![0]!.Outputs!.push({ OutputKey: 'SetupPageUrl', OutputValue: 'https://xyz.execute-api.eu-west-1.amazonaws.com/setup', Description: 'Base URL of the one-time setup pages' });
  cf.on(DescribeStacksCommand).resolves(answer);
}

describe('setup-link on a deployed stack', () => {
  it('prints the setup API URL with the link, stores the Tenant URL with it, and revokes', async () => {
    stack(true);
    const r = await runCli(['setup-link', 'app', '--expires', '2h', ...DEPLOYED]);
    expect(r.code, r.stderr).toBe(0);
    const m = /^https:\/\/xyz\.execute-api\.eu-west-1\.amazonaws\.com\/setup\/app\/([A-Za-z0-9_-]{22})#([A-Za-z0-9_-]{43})\n$/.exec(r.stdout);
    expect(m).not.toBeNull();
    const link = await new SetupLinks(t.doc, t.tableName).find('app', m![1]!, m![2]!);
    expect(link).toMatchObject({ tenantUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/app/scim/v2' });
    expect(Date.parse(link!.expiresAt) - Date.parse(link!.createdAt)).toBe(2 * 3600_000);
    const revoke = await runCli(['setup-link', 'app', '--revoke', ...DEPLOYED]);
    expect(revoke.stderr).toContain('revoked 1 setup link of app');
  });

  it('a stack deployed before setup pages: exit 3 saying to deploy, and no link written', async () => {
    stack(false);
    const before = (await new SetupLinks(t.doc, t.tableName).list('app')).length;
    const r = await runCli(['setup-link', 'app', ...DEPLOYED]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no SetupPageUrl output: deploy this version of the stack first/);
    expect((await new SetupLinks(t.doc, t.tableName).list('app')).length).toBe(before);
  });

  it('refuses expiries past 30 days', async () => {
    stack(true);
    const r = await runCli(['setup-link', 'app', '--expires', '60d', ...DEPLOYED]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--expires must be at most 30d');
  });
});
