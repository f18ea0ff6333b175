/**
 * Bad configuration fails the synth with a message naming the field, before any construct exists:
 * the validation itself (fast, no synth), and once through the real CDK app entry point the way
 * `cdk synth` runs it (context in CDK_CONTEXT_JSON), which must print the problems, not a stack trace.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { problemsOf } from '../support/config-errors.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS, DeploymentConfigError, MAX_CONNECTORS, contextValue, readDeploymentConfig } from '../../lib/config.js';

const read = (context: Record<string, unknown>) => readDeploymentConfig((k) => context[k]);
const problems = (context: Record<string, unknown>): string[] => problemsOf(() => read(context), DeploymentConfigError);

describe('deployment config', () => {
  it('defaults: one generic connector, TTL 300 s, 10 stages per API, 24 h idle alarm, 90 days of logs', () => {
    const c = read({});
    expect(c.connectors.map((x) => [x.name, x.profile, x.basePath])).toEqual([['default', 'generic', 'scim/v2']]);
    expect(c).toMatchObject({
      authorizerCacheTtlSeconds: DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS,
      stagesPerApi: 10,
      idleAlarmHours: 24,
      logRetentionDays: 90,
      stackName: 'Scim',
      alarmEmails: [],
    });
    expect(DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS).toBe(300);
    expect(c.customDomain).toBeUndefined();
  });

  it('`-c key=value` strings are read as JSON where they look like it', () => {
    expect(contextValue('[{"name":"okta"}]')).toEqual([{ name: 'okta' }]);
    expect(contextValue('60')).toBe(60);
    expect(contextValue('scim.example.com')).toBe('scim.example.com');
    const c = read({ 'scim:connectors': '[{"name":"okta","alarmEmail":"a@example.com"}]', 'scim:authorizerCacheTtlSeconds': '0', 'scim:alarmEmail': 'b@example.com' });
    expect(c.connectors.map((x) => x.name)).toEqual(['okta']);
    expect(c.authorizerCacheTtlSeconds).toBe(0);
    expect(c.alarmEmails).toEqual(['b@example.com', 'a@example.com']);
  });

  it.each([
    [{ 'scim:connectors': [{ name: 'bad name' }] }, 'scim:connectors[0].name: must be 1-128 characters'],
    [{ 'scim:connectors': [{ name: 'a' }, { name: 'A' }] }, 'scim:connectors[1].name: duplicates connector [0]'],
    [{ 'scim:connectors': [{ name: 'a', profile: 'nope' }] }, 'scim:connectors[0].profile: must be one of'],
    [{ 'scim:connectors': [{ name: 'a', throttling: { rateLimit: -1 } }] }, 'scim:connectors[0].throttling.rateLimit: must be > 0'],
    [{ 'scim:connectors': [{ name: 'a', alarmEmail: 'not-mail' }] }, 'scim:connectors[0].alarmEmail: must be an e-mail address'],
    [{ 'scim:connectors': [{ name: 'a', colour: 'red' }] }, 'scim:connectors[0]'],
    [{ 'scim:connectors': { name: 'a' } }, 'scim:connectors: must be an array'],
    [{ 'scim:authorizerCacheTtlSeconds': 7200 }, 'scim:authorizerCacheTtlSeconds: must be <= 3600'],
    [{ 'scim:authorizerCacheTtlSeconds': 'soon' }, 'scim:authorizerCacheTtlSeconds: must be an integer'],
    [{ 'scim:customDomain': { domainName: 'scim.example.com' } }, 'scim:customDomain.certificateArn'],
    [{ 'scim:customDomain': { domainName: 'not a domain', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } }, 'scim:customDomain.domainName: must be a DNS name'],
    [{ 'scim:stagesPerApi': 11 }, 'scim:stagesPerApi: must be <= 10'],
    [{ 'scim:idleAlarmHours': 0 }, 'scim:idleAlarmHours: must be >= 1'],
    [{ 'scim:logRetentionDays': 10 }, "scim:logRetentionDays: must be one of CloudWatch Logs' retention periods"],
    [{ 'scim:stackName': '1scim' }, 'scim:stackName: must start with a letter'],
    [{ 'scim:connectors': Array.from({ length: MAX_CONNECTORS + 1 }, (_, i) => ({ name: `c${i}` })) }, `at most ${MAX_CONNECTORS} per stack`],
  ])('%j → %s', (context, expected) => {
    expect(problems(context).join('\n')).toContain(expected);
  });

  it('reports every bad field at once', () => {
    const p = problems({ 'scim:connectors': [{ name: 'ok' }, { name: '' }], 'scim:authorizerCacheTtlSeconds': -5, 'scim:alarmEmail': 'x' });
    expect(p).toHaveLength(3);
    expect(p.join('\n')).toMatch(/scim:connectors\[1\]\.name[\s\S]*scim:authorizerCacheTtlSeconds[\s\S]*scim:alarmEmail/);
  });
});

describe('the CDK app entry point', () => {
  it('prints the bad fields and exits 1, without a stack trace', async () => {
    const run = promisify(execFile);
    const outdir = mkdtempSync(join(tmpdir(), 'scim-cdk-bad-'));
    const error = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'bin', 'scim.ts')], {
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ 'scim:connectors': [{ name: 'bad/name' }], 'scim:authorizerCacheTtlSeconds': -1 }),
      },
    }).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(error?.code).toBe(1);
    expect(error?.stderr).toContain('invalid CDK context');
    expect(error?.stderr).toContain('scim:connectors[0].name');
    expect(error?.stderr).toContain('scim:authorizerCacheTtlSeconds');
    expect(error?.stderr).not.toMatch(/^\s+at /m);
  });
});
