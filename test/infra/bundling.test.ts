/**
 * The one synth that really bundles (local esbuild, no Docker) and runs cdk-nag the way `cdk synth`
 * does (as a validation plugin that fails the synth). The bundles are then loaded in a plain Node
 * process, as Lambda would: ESM with the `require` shim, a source map, and handlers that answer.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CfnResource } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { createScimApp } from '../../lib/app.js';

const outdir = mkdtempSync(join(tmpdir(), 'scim-cdk-bundle-'));
let template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
let stackName: string;
let functionIds: Record<'authorizer' | 'users' | 'groups' | 'discovery', string>;

beforeAll(() => {
  const { app, stack } = createScimApp({ context: { 'scim:connectors': [{ name: 'default' }] }, outdir, nag: true });
  const assembly = app.synth(); // throws if cdk-nag reports anything unacknowledged
  stackName = stack.stackName;
  template = assembly.getStackByName(stackName).template as typeof template;
  functionIds = Object.fromEntries(
    (['authorizer', 'users', 'groups', 'discovery'] as const).map((n) => [n, stack.getLogicalId(stack.functions[n].function.node.defaultChild as CfnResource)]),
  ) as typeof functionIds;
}, 180_000);

function bundleDir(name: keyof typeof functionIds): string {
  const code = template.Resources[functionIds[name]]!.Properties.Code as { S3Key: string };
  return join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
}

async function runInNode(dir: string, script: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', ...env },
  });
  return stdout.trim();
}

describe('bundles', () => {
  it('every function is an ESM bundle with the require shim and a source map without sources', () => {
    for (const name of Object.keys(functionIds) as (keyof typeof functionIds)[]) {
      const dir = bundleDir(name);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith('import { createRequire'), name).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      const map = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sourcesContent?: unknown };
      expect(map.sourcesContent).toBeUndefined();
      expect(existsSync(join(dir, 'node_modules')), name).toBe(false);
    }
  });

  it('the discovery bundle answers ServiceProviderConfig as SCIM', async () => {
    const event = {
      httpMethod: 'GET',
      resource: '/scim/v2/ServiceProviderConfig',
      path: '/scim/v2/ServiceProviderConfig',
      headers: { Host: 'abc.execute-api.eu-west-1.amazonaws.com' },
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: { connector: 'default' },
      body: null,
      isBase64Encoded: false,
      requestContext: {
        authorizer: { connector: 'default' },
        requestId: 'req-1',
        domainName: 'abc.execute-api.eu-west-1.amazonaws.com',
        stage: 'default',
        path: '/default/scim/v2/ServiceProviderConfig',
      },
    };
    const out = await runInNode(
      bundleDir('discovery'),
      `const { handler } = await import('./index.mjs');
       const r = await handler(${JSON.stringify(event)}, { functionName: 'discovery', awsRequestId: '1', getRemainingTimeInMillis: () => 1000 });
       console.log(JSON.stringify(r));`,
      { SCIM_CONNECTORS: '[{"name":"default"}]', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    );
    const response = JSON.parse(out.split('\n').pop()!) as { statusCode: number; headers: Record<string, string>; body: string };
    expect(response.statusCode).toBe(200);
    expect(response.headers['Content-Type'] ?? response.headers['content-type']).toBe('application/scim+json');
    expect(JSON.parse(response.body).schemas).toContain('urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig');
  });

  it('the authorizer bundle rejects a request without a token (without calling AWS)', async () => {
    const out = await runInNode(
      bundleDir('authorizer'),
      `const { handler } = await import('./index.mjs');
       try {
         await handler({ type: 'REQUEST', methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc/default/GET/scim/v2/Users', headers: {}, stageVariables: { connector: 'default' }, requestContext: { stage: 'default', requestId: 'r' } }, { functionName: 'authorizer', awsRequestId: '1' });
         console.log('allowed');
       } catch (e) { console.log(e.message); }`,
      { SCIM_CONNECTORS: '[{"name":"default"}]', SCIM_TOKEN_SECRETS: '{"default":"Scim/default/token"}', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    );
    expect(out.split('\n').pop()).toBe('Unauthorized');
  });
});

describe('cdk-nag in the synth', () => {
  it('passed for the real app (the synth above ran the AwsSolutions plugin)', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { violations?: unknown[] }[] };
    for (const r of report.pluginReports) expect(r.violations ?? []).toEqual([]);
  });

  it('fails the synth on an unacknowledged finding', () => {
    const { app, stack } = createScimApp({
      context: { 'scim:connectors': [{ name: 'default' }], 'aws:cdk:bundling-stacks': [] },
      outdir: mkdtempSync(join(tmpdir(), 'scim-cdk-nag-')),
      nag: true,
    });
    new sns.Topic(stack, 'UnencryptedTopicWithoutTls');
    expect(() => app.synth()).toThrow(/AwsSolutions-SNS3/);
  }, 120_000);
});
