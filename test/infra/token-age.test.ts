/**
 * The daily token-age check in the template: a rule that runs it once a day, a function that may
 * read the connectors' token secrets (GetSecretValue only, those secrets only), one "token too old"
 * alarm per connector on `TokenAgeDays` with the `scim:tokenMaxAgeDays` threshold, the check's own
 * failure alarm, a token-age widget in every connector's dashboard row, the setting validated,
 * cdk-nag clean; and its bundle loads in plain Node and exports a handler.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AwsSolutionsChecks } from 'cdk-nag';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_AGE_METRIC } from '../../lambdas/auth/token-age.js';
import { TOKEN_SECRETS_ENV } from '../../lambdas/auth/token-source.js';
import { METRIC_NAMESPACE, SERVICE_NAME } from '../../lambdas/http/metric-names.js';
import { DEFAULT_TOKEN_MAX_AGE_DAYS, DeploymentConfigError, readDeploymentConfig } from '../../lib/config.js';
import { TOKEN_AGE_SETTINGS } from '../../lib/constructs/token-age.js';
import { CDK_ESBUILD } from '../bench/bundles.js';
import { actionsOf, flattenJoin, logicalId, resourcesOfType, roleStatements, synth, type Json, type Synthesised } from './helpers.js';

const CONNECTORS = [{ name: 'askspoke', profile: 'askspoke' }, { name: 'okta-jostle', profile: 'jostle' }];
let s: Synthesised;
let custom: Synthesised;
let fnId: string;
let roleId: string;

beforeAll(() => {
  s = synth({ 'scim:connectors': CONNECTORS });
  custom = synth({ 'scim:connectors': CONNECTORS, 'scim:tokenMaxAgeDays': '90', 'scim:stackName': 'ScimDev' });
  fnId = logicalId(s.stack, s.stack.tokenAge.checker.function);
  roleId = logicalId(s.stack, s.stack.tokenAge.checker.role);
}, 300_000);

const secretIds = (x: Synthesised) => x.stack.connectors.map((c) => logicalId(x.stack, c.secret));

describe('schedule and function', () => {
  it('one rule, once a day at 06:00 UTC, enabled, targeting the check function', () => {
    const rules = resourcesOfType(s, 'AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Targets ?? []).includes(fnId));
    expect(rules).toHaveLength(1);
    const [ruleId, rule] = rules[0]!;
    expect(rule.ScheduleExpression).toBe('cron(0 6 * * ? *)');
    expect(rule.State).toBe('ENABLED');
    expect((rule.Targets as Json[])[0]!.Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    const perms = resourcesOfType(s, 'AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.FunctionName).includes(fnId));
    expect(perms).toHaveLength(1);
    expect(perms[0]![1]).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] } });
  });

  it('arm64 Node 22, the connector → secret name map of the authorizer, Lambda retries a failed run twice', () => {
    const fn = s.json.Resources[fnId]!.Properties!;
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Timeout).toBe(TOKEN_AGE_SETTINGS.timeoutSeconds);
    const vars = (fn.Environment as { Variables: Json }).Variables;
    expect(JSON.parse(vars[TOKEN_SECRETS_ENV] as string)).toEqual({ askspoke: 'Scim/askspoke/token', 'okta-jostle': 'Scim/okta-jostle/token' });
    const authorizerVars = (s.json.Resources[logicalId(s.stack, s.stack.functions.authorizer.function)]!.Properties!.Environment as { Variables: Json }).Variables;
    expect(vars[TOKEN_SECRETS_ENV]).toEqual(authorizerVars[TOKEN_SECRETS_ENV]);
    const configs = resourcesOfType(s, 'AWS::Lambda::EventInvokeConfig').filter(([, c]) => JSON.stringify(c.FunctionName).includes(fnId));
    expect(configs).toHaveLength(1);
    expect(configs[0]![1].MaximumRetryAttempts).toBe(TOKEN_AGE_SETTINGS.retryAttempts);
  });

  it('least privilege: secretsmanager:GetSecretValue on the connector token secrets, nothing else but logs and X-Ray', () => {
    const st = roleStatements(s, roleId);
    const sm = st.filter((x) => actionsOf([x]).some((a) => a.startsWith('secretsmanager:')));
    expect(sm).toHaveLength(1);
    expect(actionsOf(sm)).toEqual(['secretsmanager:GetSecretValue']);
    expect(([] as unknown[]).concat(sm[0]!.Resource)).toEqual(secretIds(s).map((id) => ({ Ref: id })));
    const rest = actionsOf(st.filter((x) => !sm.includes(x)));
    expect(rest.every((a) => a.startsWith('logs:') || a.startsWith('xray:')), rest.join(', ')).toBe(true);
  });
});

describe('alarms', () => {
  const ageAlarm = (x: Synthesised, stack: string, connector: string, threshold: number) => {
    const topicId = logicalId(x.stack, x.stack.observability.topic);
    x.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${stack}-${connector}-token-age`,
      Namespace: METRIC_NAMESPACE,
      MetricName: TOKEN_AGE_METRIC,
      Dimensions: [
        { Name: 'connector', Value: connector },
        { Name: 'service', Value: SERVICE_NAME },
      ],
      Statistic: 'Maximum',
      Period: 86_400,
      EvaluationPeriods: 1,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'ignore',
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
  };

  it('one token-age alarm per connector, default threshold 365 days, missing data keeps the state', () => {
    expect(DEFAULT_TOKEN_MAX_AGE_DAYS).toBe(365);
    for (const c of CONNECTORS) ageAlarm(s, 'Scim', c.name, 365);
    expect(resourcesOfType(s, 'AWS::CloudWatch::Alarm').filter(([, p]) => p.MetricName === TOKEN_AGE_METRIC)).toHaveLength(CONNECTORS.length);
  });

  it('scim:tokenMaxAgeDays sets the threshold (and the description says what to do)', () => {
    for (const c of CONNECTORS) ageAlarm(custom, 'ScimDev', c.name, 90);
    const [, a] = resourcesOfType(custom, 'AWS::CloudWatch::Alarm').find(([, p]) => p.AlarmName === 'ScimDev-askspoke-token-age')!;
    expect(String(a.AlarmDescription)).toContain('older than 90 days');
    expect(String(a.AlarmDescription)).toContain('scim-admin token rotate askspoke');
  });

  it('the check itself: its errors alarm fires when every attempt of a day failed', () => {
    const topicId = logicalId(s.stack, s.stack.observability.topic);
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Scim-token-age-check-errors',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      Period: 86_400,
      Threshold: TOKEN_AGE_SETTINGS.retryAttempts + 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topicId }],
    });
  });
});

describe('dashboard', () => {
  type Widget = { type: string; x: number; y: number; width: number; properties: Json };
  const widgets = (x: Synthesised): Widget[] => {
    const [, dash] = resourcesOfType(x, 'AWS::CloudWatch::Dashboard')[0]!;
    return (JSON.parse(flattenJoin(dash.DashboardBody)) as { widgets: Widget[] }).widgets;
  };

  it("every connector's row shows its token age (latest daily value) next to its other widgets", () => {
    const all = widgets(s);
    for (const c of CONNECTORS) {
      const age = all.filter((w) => String(w.properties.title).startsWith(`${c.name} — token age`));
      expect(age).toHaveLength(1);
      const w = age[0]!;
      expect(w.properties.view).toBe('singleValue');
      expect(String(w.properties.title)).toContain('alarm over 365');
      expect(w.properties.metrics).toEqual([[METRIC_NAMESPACE, TOKEN_AGE_METRIC, 'connector', c.name, 'service', SERVICE_NAME, { label: 'token age (days)', period: 86_400, stat: 'Maximum' }]]);
      // Same row as the connector's last widget, below its heading and above the next connector's.
      const members = all.find((x) => String(x.properties.title).startsWith(`${c.name} — unknown member ids`))!;
      expect([w.y, w.x, w.x + w.width]).toEqual([members.y, members.width, 24]);
      const heading = all.find((x) => x.type === 'text' && String(x.properties.markdown) === `## Connector \`${c.name}\``)!;
      expect(w.y).toBeGreaterThan(heading.y);
    }
    // The alarm status widget lists each connector's token-age alarm.
    const [, dash] = resourcesOfType(s, 'AWS::CloudWatch::Dashboard')[0]!;
    const raw = JSON.stringify(dash.DashboardBody);
    expect(all.filter((w) => w.type === 'alarm')).not.toHaveLength(0);
    for (const c of CONNECTORS) {
      const alarm = s.stack.observability.alarms.find((a) => a.node.id === `TokenAge-${c.name}`);
      expect(alarm, c.name).toBeDefined();
      expect(raw).toContain(`"${logicalId(s.stack, alarm!)}","Arn"`);
    }
  });
});

describe('configuration and nag', () => {
  it('scim:tokenMaxAgeDays: default 365, 1-3650 days, named in the error', () => {
    const read = (v: unknown) => readDeploymentConfig((k) => (k === 'scim:tokenMaxAgeDays' ? v : undefined));
    expect(read(undefined).tokenMaxAgeDays).toBe(365);
    expect(read('180').tokenMaxAgeDays).toBe(180);
    for (const [v, message] of [
      [0, 'scim:tokenMaxAgeDays: must be >= 1'],
      [4000, 'scim:tokenMaxAgeDays: must be <= 3650'],
      [1.5, 'scim:tokenMaxAgeDays: must be an integer'],
      ['a year', 'scim:tokenMaxAgeDays: must be an integer'],
    ] as const) {
      try {
        read(v);
        expect.unreachable(String(v));
      } catch (e) {
        expect(e).toBeInstanceOf(DeploymentConfigError);
        expect((e as DeploymentConfigError).problems).toContain(message);
      }
    }
  });

  it('cdk-nag: nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.stack);
    const findings = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });
});

describe('bundle', () => {
  const out = mkdtempSync(join(tmpdir(), 'scim-token-age-bundle-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds with the construct settings, without zod, and loads in plain Node', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const outfile = join(out, 'index.mjs');
    const r = await build({ ...CDK_ESBUILD, entryPoints: [join(root, 'lambdas/handlers/token-age.ts')], outfile, metafile: true, write: true, absWorkingDir: root });
    const inputs = Object.keys(Object.entries(r.metafile.outputs).find(([p]) => p.endsWith('index.mjs'))![1].inputs);
    expect(inputs.filter((p) => p.includes('node_modules/zod/'))).toEqual([]);
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', "const m = await import('./index.mjs'); console.log(typeof m.handler);"], {
      cwd: out,
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1' },
    });
    expect(stdout.trim()).toBe('function');
  }, 60_000);
});
