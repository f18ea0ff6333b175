/**
 * Configured profiles (`scim:profiles`) in the CDK app: validated with the rest of the context (a
 * mistake fails `cdk synth` with the field's name, through the real entry point without a stack
 * trace), and delivered to the functions that serve profiles inside their bundles — esbuild
 * `define`, not the environment (Lambda's 4 KB) — which this file proves by synthesising with real
 * bundling and running the bundles: discovery serves the configured extension, the users function
 * applies its rules, and no function's environment carries a profile.
 */
import { problemsOf } from '../support/config-errors.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CfnResource } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createScimApp } from '../../lib/app.js';
import { DeploymentConfigError, MAX_BUNDLED_PROFILES_BYTES, readDeploymentConfig } from '../../lib/config.js';
import { LAMBDA_ENVIRONMENT_LIMIT_BYTES } from '../../lib/constructs/scim-function.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'configured-profiles.json'), 'utf8')) as Record<string, Record<string, any>>;
const ACME_URN = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';
const CONTEXT = {
  'scim:connectors': [{ name: 'default' }, { name: 'acme-hr', profile: 'acme' }],
  'scim:profiles': { acme: FIXTURE.acme, 'jostle-config': FIXTURE['jostle-config'] },
};

const read = (context: Record<string, unknown>) => readDeploymentConfig((k) => context[k]);
const problems = (context: Record<string, unknown>): string[] => problemsOf(() => read(context), DeploymentConfigError);

describe('scim:profiles in the deployment config', () => {
  it('connectors name configured profiles; the validated profiles come with the config (also from -c as a string)', () => {
    const c = read(CONTEXT);
    expect(c.connectors.map((x) => [x.name, x.profile])).toEqual([['default', 'generic'], ['acme-hr', 'acme']]);
    expect(Object.keys(c.profiles)).toEqual(['acme', 'jostle-config']);
    expect(read({ ...CONTEXT, 'scim:profiles': JSON.stringify(CONTEXT['scim:profiles']) }).profiles).toEqual(c.profiles);
  });

  it('every bad field of profiles, connectors and settings at once', () => {
    const bad = structuredClone(FIXTURE.acme!);
    bad.rules.User.dropInvalid[1].accept.pattern = '(?<=A)B';
    const p = problems({ 'scim:connectors': [{ name: 'acme-hr', profile: 'acme' }, { name: 'x', profile: 'acme3' }], 'scim:profiles': { acme: bad, generic: FIXTURE.acme }, 'scim:idleAlarmHours': 0 });
    expect(p).toEqual([
      expect.stringMatching(/^scim:profiles\.acme\.rules\.User\.dropInvalid\[1\]\.accept\.pattern: lookaround is not supported/),
      'scim:profiles.generic: "generic" is a built-in profile; give the configured one another name',
      expect.stringMatching(/^scim:connectors\[1\]\.profile: must be one of: generic, askspoke, spaceiq, jostle, ideo, acme$/),
      'scim:idleAlarmHours: must be >= 1',
    ]);
  });

  it(`the profiles the connectors use must fit one command-line argument (${MAX_BUNDLED_PROFILES_BYTES} bytes); unused ones do not count`, () => {
    const huge = { ...FIXTURE.acme, description: 'x'.repeat(MAX_BUNDLED_PROFILES_BYTES) };
    expect(problems({ 'scim:connectors': [{ name: 'big', profile: 'huge' }], 'scim:profiles': { huge } })).toEqual([
      expect.stringMatching(new RegExp(`^scim:profiles: the profiles the connectors use take \\d+ bytes as JSON, at most ${MAX_BUNDLED_PROFILES_BYTES}`)),
    ]);
    expect(read({ 'scim:connectors': [{ name: 'default' }], 'scim:profiles': { huge } }).profiles).toHaveProperty('huge');
  });
});

describe('the CDK app entry point', () => {
  it('a bad profile: prints the field and exits 1, without a stack trace', async () => {
    const bad = structuredClone(FIXTURE.acme!);
    bad.rules.User.dropInvalid[1].accept.pattern = '^(a+)\\1$';
    const error = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'bin', 'scim.ts')], {
      env: { ...process.env, CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'scim-cdk-bad-profile-')), CDK_CONTEXT_JSON: JSON.stringify({ 'scim:profiles': { acme: bad } }) },
    }).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(error?.code).toBe(1);
    expect(error?.stderr).toContain('invalid CDK context');
    expect(error?.stderr).toContain('scim:profiles.acme.rules.User.dropInvalid[1].accept.pattern: backreferences are not supported');
    expect(error?.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);
});

describe('configured profiles reach the functions in their bundles', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'scim-cdk-profiles-'));
  type Fn = 'authorizer' | 'users' | 'groups' | 'discovery';
  let resources: Record<string, { Type: string; Properties: Record<string, any> }>;
  let ids: Record<Fn, string>;

  beforeAll(() => {
    const { app, stack } = createScimApp({ context: CONTEXT, outdir, nag: false });
    resources = (app.synth().getStackByName(stack.stackName).template as { Resources: typeof resources }).Resources;
    ids = Object.fromEntries((['authorizer', 'users', 'groups', 'discovery'] as const).map((n) => [n, stack.getLogicalId(stack.functions[n].function.node.defaultChild as CfnResource)])) as Record<Fn, string>;
  }, 300_000);

  const bundle = (fn: Fn) => join(outdir, `asset.${(resources[ids[fn]]!.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '')}`);
  const env = (fn: Fn) => resources[ids[fn]]!.Properties.Environment.Variables as Record<string, unknown>;

  it('in the users, groups and discovery bundles (only the used profile), never in an environment', () => {
    for (const fn of ['users', 'groups', 'discovery'] as const) {
      const code = readFileSync(join(bundle(fn), 'index.mjs'), 'utf8');
      expect(code, fn).toContain(ACME_URN);
      expect(code, fn).not.toContain('jostle-config');
    }
    expect(readFileSync(join(bundle('authorizer'), 'index.mjs'), 'utf8')).not.toContain(ACME_URN);
    for (const fn of ['authorizer', 'users', 'groups', 'discovery'] as const) {
      expect(Object.keys(env(fn)), fn).not.toContain('SCIM_PROFILES');
      expect(JSON.stringify(env(fn)), fn).not.toContain('acme:2.0');
      expect(JSON.stringify(env(fn)).length, fn).toBeLessThan(LAMBDA_ENVIRONMENT_LIMIT_BYTES);
    }
  });

  async function invoke(fn: Fn, event: Record<string, unknown>, extraEnv: Record<string, string>): Promise<{ statusCode: number; body: string }> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { handler } = await import('./index.mjs');
         const r = await handler(${JSON.stringify(event)}, { functionName: '${fn}', awsRequestId: '1', getRemainingTimeInMillis: () => 10000 });
         console.log(JSON.stringify(r));`,
      ],
      {
        cwd: bundle(fn),
        env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', POWERTOOLS_LOG_LEVEL: 'SILENT', SCIM_CONNECTORS: env(fn).SCIM_CONNECTORS as string, ...extraEnv },
      },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!) as { statusCode: number; body: string };
  }

  const event = (connector: string, method: string, path: string, body?: unknown) => ({
    httpMethod: method,
    resource: path,
    path,
    headers: { Host: 'abc.execute-api.eu-west-1.amazonaws.com', 'Content-Type': 'application/scim+json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: { connector },
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { authorizer: { connector }, requestId: 'req-1', domainName: 'abc.execute-api.eu-west-1.amazonaws.com', stage: connector, path: `/${connector}${path}` },
  });

  it('the discovery bundle serves the configured extension to its connector only', async () => {
    const acme = await invoke('discovery', event('acme-hr', 'GET', '/scim/v2/Schemas'), {});
    expect(acme.statusCode).toBe(200);
    expect((JSON.parse(acme.body) as { Resources: { id: string }[] }).Resources.map((s) => s.id)).toContain(ACME_URN);
    const plain = await invoke('discovery', event('default', 'GET', '/scim/v2/Schemas'), {});
    expect((JSON.parse(plain.body) as { Resources: { id: string }[] }).Resources.map((s) => s.id)).not.toContain(ACME_URN);
  }, 30_000);

  it('the users bundle applies the configured rules (emails required: 400 before any storage call)', async () => {
    const tableEnv = { SCIM_TABLE_NAME: 'scim', SCIM_CURSOR_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:Scim/cursor-key-AbCdEf' };
    const res = await invoke('users', event('acme-hr', 'POST', '/scim/v2/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ada@acme.example' }), tableEnv);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ scimType: 'invalidValue', detail: "Attribute 'emails' is required by this connector" });
  }, 30_000);
});
