/**
 * `scim-admin check` against a real local endpoint (loopback HTTP through the local gateway, the
 * real authorizer and handlers, DynamoDB Local): every step passes on a healthy deployment and
 * writes nothing; a token secret changed behind the endpoint's back fails at step 2 with a reason
 * a person can act on (and the suggested fix works); a malformed secret fails at step 1; two
 * connectors sharing a token fail the isolation step; users-only connectors pass step 5 with 404.
 * The deployed path (stack outputs, Secrets Manager) runs with aws-sdk-client-mock, its Tenant URLs
 * pointing at the same loopback endpoint. Also `connectors --local` prints each token's age.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../support/cli.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../bin/admin/backend.js';
import type { CheckReport } from '../../bin/admin/check.js';
import { startLocalEndpoint, type LocalEndpoint } from '../../bin/local/endpoint.js';
import { parseConnectors } from '../../lambdas/connectors/config.js';
import { assertLoopback, testClient } from '../support/ddb.js';

// default (generic) and jostle/askspoke are named in cdk.json, so the CLI knows their profiles;
// hr-users (users only, like jostle) is not: step 5 then goes by the endpoint's /ResourceTypes.
const CONNECTORS = parseConnectors([{ name: 'default' }, { name: 'jostle', profile: 'jostle' }, { name: 'askspoke', profile: 'askspoke' }, { name: 'hr-users', profile: 'jostle' }]);
const NAMES = CONNECTORS.map((c) => c.name);

let dir: string;
let endpoint: LocalEndpoint;
const tokenFile = (c: string) => join(dir, 'tokens', `${c}.json`);
const original = new Map<string, string>();


/** Every token any connector ever had in this file (none may appear in the CLI's output). */
const seenTokens = new Set<string>();
function rememberTokens() {
  for (const f of readdirSync(join(dir, 'tokens'))) {
    const set = JSON.parse(readFileSync(join(dir, 'tokens', f), 'utf8')) as Record<string, unknown>;
    for (const k of ['current', 'previous']) if (typeof set[k] === 'string') seenTokens.add((set[k] as string).trim());
  }
}

async function cli(args: string[], target: string[] = ['--local', '--dir', dir]) {
  rememberTokens();
  const out = await runCli([...args, ...target]);
  for (const t of seenTokens) expect(out.stdout + out.stderr, 'a token in the output').not.toContain(t);
  return out;
}

async function check(args: string[] = [], target?: string[]) {
  const r = await cli(['check', ...args, '--format', 'json'], target);
  return { ...r, report: JSON.parse(r.stdout) as CheckReport };
}

const outcomes = (report: CheckReport, connector: string) => report.connectors.find((c) => c.connector === connector)!.steps.map((s) => s.outcome);
const step = (report: CheckReport, connector: string, n: number) => report.connectors.find((c) => c.connector === connector)!.steps.find((s) => s.step === n)!;

function restore(c: string) {
  writeFileSync(tokenFile(c), original.get(c)!);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scim-check-'));
  endpoint = await startLocalEndpoint({
    connectors: CONNECTORS,
    dir,
    port: 0,
    dynamodbEndpoint: assertLoopback(process.env.DYNAMODB_ENDPOINT),
    tableName: `check-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
    logLevel: 'SILENT',
  });
  for (const c of NAMES) original.set(c, readFileSync(tokenFile(c), 'utf8'));
});

afterAll(async () => {
  await endpoint?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  for (const c of NAMES) restore(c);
  endpoint.gateway.flushAuthorizerCache();
});

describe('a healthy local endpoint', () => {
  it('every step of every connector passes (exit 0); users-only connectors answer /Groups with 404; nothing is written', async () => {
    const ddb = testClient(endpoint.dynamodbEndpoint);
    const items = async () => (await ddb.send(new ScanCommand({ TableName: endpoint.tableName, Select: 'COUNT', ConsistentRead: true }))).Count;
    const files = () => ['connectors.json', ...NAMES.map((c) => `tokens/${c}.json`)].map((f) => readFileSync(join(dir, f), 'utf8'));
    const before = { items: await items(), files: files() };

    const { code, report } = await check();
    expect(code).toBe(EXIT.ok);
    expect(report.passed).toBe(true);
    expect(report.connectors.map((c) => c.connector)).toEqual(NAMES);
    for (const c of NAMES) {
      expect(outcomes(report, c), c).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
      for (const s of report.connectors.find((x) => x.connector === c)!.steps) expect(s.ms).toBeGreaterThanOrEqual(0);
      expect(step(report, c, 3).detail).toMatch(/^Entra ID: 0 results; Okta: ListResponse, 0 users$/);
      expect(step(report, c, 4).detail).toMatch(/^no token: 401, WWW-Authenticate: Bearer; \S+'s token: 401$/);
    }
    expect(step(report, 'default', 1).detail).toMatch(/^current token, 0 d old$/);
    expect(step(report, 'default', 5).detail).toBe('200 ListResponse (groups offered: profile generic)');
    expect(step(report, 'askspoke', 5).detail).toBe('200 ListResponse (groups offered: profile askspoke)');
    expect(step(report, 'jostle', 5).detail).toBe('404 (users only: profile jostle)');
    expect(step(report, 'hr-users', 5).detail).toBe('404 (users only: /ResourceTypes)');

    expect(await items()).toBe(before.items);
    expect(files()).toEqual(before.files);
    ddb.destroy();
  });

  it('the table: one row per connector, ✓ with the latency per step, and the verdict', async () => {
    const r = await cli(['check']);
    expect(r.code).toBe(EXIT.ok);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CONNECTOR\s+1 SECRET\s+2 CONFIG\s+3 PROBES\s+4 AUTH\s+5 GROUPS$/);
    for (const [i, c] of NAMES.entries()) expect(lines[i + 1]).toMatch(new RegExp(`^${c}\\s+(✓ \\d+ ms\\s*){5}$`));
    expect(lines.at(-1)).toBe(`All 4 connectors ready to paste into Entra ID / Okta (local ${dir}).`);
  });

  it('checks only the connectors named; unknown connector exit 3 with the known ones; bad --format exit 2', async () => {
    const { code, report } = await check(['jostle', 'default']);
    expect(code).toBe(EXIT.ok);
    expect(report.connectors.map((c) => c.connector)).toEqual(['jostle', 'default']);
    const unknown = await cli(['check', 'jostle', 'nope']);
    expect(unknown.code).toBe(EXIT.notFound);
    expect(unknown.stderr).toContain('unknown connector "nope"');
    expect(unknown.stderr).toContain('known connectors: default, jostle, askspoke, hr-users');
    expect((await cli(['check', '--format', 'csv'])).code).toBe(EXIT.usage);
  });

  it('no endpoint running on the data folder: exit 3 saying what to do', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'scim-check-empty-'));
    try {
      writeFileSync(join(empty, 'connectors.json'), readFileSync(join(dir, 'connectors.json')));
      const r = await cli(['check'], ['--local', '--dir', empty]);
      expect(r.code).toBe(EXIT.notFound);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`no local endpoint is running on local ${empty}: start it (npm start), then check again`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('broken connectors', () => {
  it('a token secret changed behind its back (a new token written by hand with a line break): step 1 passes, step 2 fails saying why and what to do; the fix it names works', async () => {
    const token = randomBytes(32).toString('base64url');
    writeFileSync(tokenFile('askspoke'), JSON.stringify({ current: `${token}\n`, rotatedAt: new Date().toISOString() }));
    // What an identity provider would send with this token is refused (the header cannot carry the line break).
    const idp = await fetch(`${endpoint.connectors.askspoke!.tenantUrl}/Users`, { headers: { Authorization: `Bearer ${token}` } });
    expect(idp.status).toBe(401);

    const { code, report } = await check(['askspoke']);
    expect(code).toBe(EXIT.error);
    expect(report.passed).toBe(false);
    expect(outcomes(report, 'askspoke')).toEqual(['pass', 'fail', 'skip', 'pass', 'skip']);
    const reason = step(report, 'askspoke', 2).detail;
    expect(reason).toMatch(/^401: the endpoint does not accept the token stored in the secret \(refused twice, a second apart, so not a token-cache delay\)\./);
    expect(reason).toContain('The token in the secret ends with a line break, which an HTTP header cannot carry');
    expect(reason).toContain('scim-admin token rotate askspoke --grace 0');
    expect(step(report, 'askspoke', 3).detail).toBe('not run: the token is not accepted (step 2)');

    const table = await cli(['check', 'askspoke']);
    expect(table.code).toBe(EXIT.error);
    expect(table.stdout).toMatch(/^askspoke\s+✓ \d+ ms\s+✗ \[1\]\s+–\s+✓ \d+ ms\s+–$/m);
    expect(table.stdout).toContain('[1] askspoke, step 2 (GET /ServiceProviderConfig with the token): 401: the endpoint does not accept');
    expect(table.stdout.trimEnd().split('\n').at(-1)).toMatch(/^0 of 1 connectors ready \(local .*\); not ready: askspoke\./);

    // The suggested fix: a clean token (printed once by rotate), then the check passes.
    const rotated = await cli(['token', 'rotate', 'askspoke', '--grace', '0']);
    expect(rotated.code).toBe(EXIT.ok);
    const after = await check(['askspoke']);
    expect(after.code).toBe(EXIT.ok);
    expect(outcomes(after.report, 'askspoke')).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
  });

  it('a malformed secret fails at step 1 with the expected shape (and the endpoint answers it with 503, seen at step 4)', async () => {
    writeFileSync(tokenFile('hr-users'), JSON.stringify({ token: 'abc' }));
    const { code, report } = await check(['hr-users']);
    expect(code).toBe(EXIT.error);
    expect(outcomes(report, 'hr-users')).toEqual(['fail', 'skip', 'skip', 'fail', 'skip']);
    expect(step(report, 'hr-users', 1).detail).toMatch(/^token secret has an invalid shape \(fields: current\): the authorizer cannot use it, so every request of this connector is answered 503\. Write it again in the shape \{"current"/);
    expect(step(report, 'hr-users', 2).detail).toBe('not run: no token (step 1 failed)');
    // No token → 401 still holds; another connector's token now meets an unreadable secret: 503.
    expect(step(report, 'hr-users', 4).detail).toBe("default's token: 503 instead of 401: the authorizer cannot read hr-users's token secret (step 1)");
  });

  // (beforeEach then flushes the gateway's cached allow for that token on jostle's stage, which would
  // otherwise outlive the fix until its TTL, as API Gateway's cache does.)
  it('two connectors holding the same token: step 4 names both and the fix', async () => {
    const shared = (JSON.parse(original.get('default')!) as { current: string }).current;
    writeFileSync(tokenFile('jostle'), JSON.stringify({ current: shared }));
    const { code, report } = await check(['jostle']);
    expect(code).toBe(EXIT.error);
    expect(outcomes(report, 'jostle')).toEqual(['pass', 'pass', 'pass', 'fail', 'pass']);
    expect(step(report, 'jostle', 4).detail).toBe("default's token opens jostle: both secrets hold the same token. Give jostle its own: scim-admin token rotate jostle");
  });
});

describe('deployed path (outputs and Secrets Manager mocked; Tenant URLs on this loopback endpoint)', () => {
  const cf = mockClient(CloudFormationClient);
  const sm = mockClient(SecretsManagerClient);
  const arn = (c: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:Scim/${c}/token-AbCdEf`;
  const deployed = ['--stack', 'Scim', '--region', 'eu-west-1'];
  let tenantUrls: Record<string, string>;

  beforeEach(() => {
    cf.reset();
    sm.reset();
    tenantUrls = Object.fromEntries(NAMES.map((c) => [c, endpoint.connectors[c]!.tenantUrl]));
    cf.on(DescribeStacksCommand).callsFake(() => ({
      Stacks: [
        {
          StackName: 'Scim',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: NAMES.flatMap((c) => [
            { OutputKey: `TenantUrl${c}`, OutputValue: tenantUrls[c], Description: `Tenant URL of connector ${c} (paste into Entra ID / Okta)` },
            { OutputKey: `TokenSecretArn${c}`, OutputValue: arn(c), Description: `Secret holding the token of connector ${c}: aws secretsmanager get-secret-value …` },
          ]),
        },
      ],
    }));
    // The endpoint reads the token files; the "deployed" secrets are the same values.
    for (const c of NAMES) sm.on(GetSecretValueCommand, { SecretId: arn(c) }).callsFake(() => ({ SecretString: readFileSync(tokenFile(c), 'utf8'), CreatedDate: new Date() }));
  });
  afterAll(() => {
    cf.restore();
    sm.restore();
  });

  it('reads the outputs and the secrets, checks the Tenant URLs: all pass', async () => {
    const { code, report } = await check([], deployed);
    expect(code).toBe(EXIT.ok);
    expect(report.target).toBe('stack Scim (eu-west-1)');
    for (const c of NAMES) expect(outcomes(report, c)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
  });

  it('a secret this identity may not read: step 1 says so; the steps that need the token are not run', async () => {
    sm.on(GetSecretValueCommand, { SecretId: arn('askspoke') }).rejects(Object.assign(new Error('User: arn:aws:iam::123456789012:user/ops is not authorized to perform: secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }));
    const { code, report } = await check(['askspoke'], deployed);
    expect(code).toBe(EXIT.error);
    expect(outcomes(report, 'askspoke')).toEqual(['fail', 'skip', 'skip', 'pass', 'skip']);
    expect(step(report, 'askspoke', 1).detail).toMatch(/^cannot read the secret: your AWS identity may not read the secret \(it needs secretsmanager:GetSecretValue/);
  });

  it("a secret scheduled for deletion: step 1 names the restore command", async () => {
    sm.on(GetSecretValueCommand, { SecretId: arn('default') }).rejects(
      Object.assign(new Error("You can't perform this operation on the secret because it was marked for deletion."), { name: 'InvalidRequestException' }),
    );
    const { report } = await check(['default'], deployed);
    expect(step(report, 'default', 1).detail).toContain('the secret is scheduled for deletion: restore it with aws secretsmanager restore-secret');
  });

  it('the Tenant URL is served by another deployment than the secret belongs to: step 2 fails with 401 and says where to look', async () => {
    sm.on(GetSecretValueCommand, { SecretId: arn('default') }).resolves({ SecretString: JSON.stringify({ current: randomBytes(32).toString('base64url') }), CreatedDate: new Date() });
    const { code, report } = await check(['default'], deployed);
    expect(code).toBe(EXIT.error);
    expect(outcomes(report, 'default')).toEqual(['pass', 'fail', 'skip', 'pass', 'skip']);
    const reason = step(report, 'default', 2).detail;
    expect(reason).toMatch(/^401: the endpoint does not accept the token stored in the secret/);
    expect(reason).toContain('another stack or region, or a custom domain mapped elsewhere: check --stack/--region');
  });

  it('nothing answers at the Tenant URL: step 2 says so, the HTTP steps after it are not run', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    tenantUrls.default = `http://127.0.0.1:${port}/default/scim/v2`;
    const { code, report } = await check(['default'], deployed);
    expect(code).toBe(EXIT.error);
    expect(outcomes(report, 'default')).toEqual(['pass', 'fail', 'skip', 'skip', 'skip']);
    expect(step(report, 'default', 2).detail).toBe(`nothing answers at http://127.0.0.1:${port} (connection refused)`);
    expect(step(report, 'default', 4).detail).toBe('not run: the endpoint cannot be reached (step 2)');
  });
});

describe('connectors --local: token age', () => {
  it('new token files record rotatedAt; the age counts from it, else from the file modification time', async () => {
    const days = (n: number) => new Date(Date.now() - n * 86_400_000);
    const set = JSON.parse(original.get('default')!) as { current: string; rotatedAt?: string };
    expect(Date.parse(set.rotatedAt ?? '')).toBeGreaterThan(Date.now() - 3_600_000);
    writeFileSync(tokenFile('jostle'), JSON.stringify({ current: 'jostle-token-a', rotatedAt: days(400).toISOString() }));
    writeFileSync(tokenFile('askspoke'), JSON.stringify({ current: 'askspoke-token-b' }));
    utimesSync(tokenFile('askspoke'), days(30), days(30));
    rmSync(tokenFile('hr-users'));
    const r = await cli(['connectors', '--format', 'json']);
    expect(r.code).toBe(EXIT.ok);
    const rows = JSON.parse(r.stdout) as { name: string; tokenAgeDays: number | null; tokenSince: string | null }[];
    expect(rows.map((x) => [x.name, x.tokenAgeDays])).toEqual([
      ['default', 0],
      ['jostle', 400],
      ['askspoke', 30],
      ['hr-users', null],
    ]);
    expect(rows[0]!.tokenSince).toBe(set.rotatedAt);
    const table = await cli(['connectors']);
    expect(table.stdout).toMatch(/^jostle .* 400 d$/m);
    expect(table.stdout).toMatch(/^hr-users .* -$/m);
  });
});
