/**
 * The purge sweeper in the template: a rule that runs it every 15 minutes, a function with the
 * table's purge actions and nothing else (no secrets, no other table), no Lambda async retries,
 * an errors alarm into the stack's alarm topic, a dashboard row, cdk-nag clean; and its bundle,
 * built with the CDK construct's esbuild settings, loads in plain Node and exports a handler.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AwsSolutionsChecks } from 'cdk-nag';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTORS_ENV } from '../../lambdas/connectors/deployed.js';
import { TABLE_NAME_ENV } from '../../lambdas/http/app.js';
import { PURGE_SWEEP_METRICS } from '../../lambdas/provisioning/purge-sweeper.js';
import { PURGE_SWEEPER_SETTINGS, PURGE_SWEEPER_TABLE_ACTIONS } from '../../lib/constructs/purge-sweeper.js';
import { CDK_ESBUILD } from '../bench/bundles.js';
import { actionsOf, flattenJoin, logicalId, resourcesOfType, roleStatements, synth, type Json, type Synthesised } from './helpers.js';

let s: Synthesised;
let fnId: string;
let roleId: string;
let tableId: string;

beforeAll(() => {
  s = synth({ 'scim:connectors': [{ name: 'askspoke' }, { name: 'okta-jostle' }] });
  const p = s.stack.purgeSweeper;
  fnId = logicalId(s.stack, p.sweeper.function);
  roleId = logicalId(s.stack, p.sweeper.role);
  tableId = logicalId(s.stack, s.stack.table.table);
}, 180_000);

describe('schedule', () => {
  it('one rule, rate(15 minutes), enabled, targeting the sweeper function', () => {
    // (The daily token-age check has its own scheduled rule: test/infra/token-age.test.ts.)
    const rules = resourcesOfType(s, 'AWS::Events::Rule').filter(([, r]) => r.ScheduleExpression !== undefined && JSON.stringify(r.Targets).includes(`"${fnId}"`));
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0]!;
    expect(rule.ScheduleExpression).toBe('rate(15 minutes)');
    expect(rule.State).toBe('ENABLED');
    const targets = rule.Targets as Json[];
    expect(targets).toHaveLength(1);
    expect(targets[0]!.Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    expect(targets[0]!.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 2 });
  });

  it('EventBridge may invoke the function, from that rule only', () => {
    const [ruleId] = resourcesOfType(s, 'AWS::Events::Rule').find(([, r]) => r.ScheduleExpression !== undefined && JSON.stringify(r.Targets).includes(`"${fnId}"`))!;
    const perms = resourcesOfType(s, 'AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.FunctionName).includes(fnId));
    expect(perms).toHaveLength(1);
    expect(perms[0]![1]).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] } });
  });

  it('no Lambda async retries (the next run is the retry); timeout well under the rate', () => {
    const configs = resourcesOfType(s, 'AWS::Lambda::EventInvokeConfig').filter(([, c]) => JSON.stringify(c.FunctionName).includes(fnId));
    expect(configs).toHaveLength(1);
    expect(configs[0]![1].MaximumRetryAttempts).toBe(0);
    const fn = s.json.Resources[fnId]!.Properties!;
    expect(fn.Timeout).toBe(PURGE_SWEEPER_SETTINGS.timeoutMinutes * 60);
    expect(PURGE_SWEEPER_SETTINGS.timeoutMinutes).toBeLessThan(PURGE_SWEEPER_SETTINGS.rateMinutes);
  });
});

describe('function', () => {
  it('arm64 Node 22 via ScimFunction, connectors and table in its environment', () => {
    const fn = s.json.Resources[fnId]!.Properties!;
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Runtime).toBe('nodejs22.x');
    const vars = (fn.Environment as { Variables: Json }).Variables;
    expect(vars[TABLE_NAME_ENV]).toEqual({ Ref: tableId });
    expect(JSON.parse(vars[CONNECTORS_ENV] as string)).toEqual(['askspoke', 'okta-jostle']);
  });

  it('least privilege: the purge actions on this table (and its index) only; no secrets, no stream, no events', () => {
    const st = roleStatements(s, roleId);
    const actions = actionsOf(st);
    expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('events:') || a.startsWith('sqs:') || a.startsWith('kms:'))).toEqual([]);
    const ddb = st.filter((x) => actionsOf([x]).some((a) => a.startsWith('dynamodb:')));
    expect(ddb).toHaveLength(1);
    expect([...actionsOf(ddb)].sort()).toEqual([...PURGE_SWEEPER_TABLE_ACTIONS].sort());
    for (const forbidden of ['dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:GetRecords', 'dynamodb:DeleteTable', 'dynamodb:*']) expect(actions).not.toContain(forbidden);
    // Resources: this table's ARN and its index ARNs, nothing else.
    const resources = ([] as unknown[]).concat(ddb[0]!.Resource);
    expect(resources).toHaveLength(2);
    expect(resources[0]).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
    expect(flattenJoin(resources[1])).toBe(`«token»/index/*`);
    expect(JSON.stringify(resources[1])).toContain(`"${tableId}"`);
    // Any other statement is logs / X-Ray.
    const rest = actionsOf(st.filter((x) => !ddb.includes(x)));
    expect(rest.every((a) => a.startsWith('logs:') || a.startsWith('xray:')), rest.join(', ')).toBe(true);
  });
});

describe('alarm and dashboard', () => {
  it('errors in two consecutive 15-minute periods alarm into the stack alarm topic (and OK)', () => {
    const topicId = logicalId(s.stack, s.stack.observability.topic);
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Scim-purge-sweeper-errors',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      Period: 900,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
  });

  it('the dashboard has a purge sweeper row with its EMF metrics', () => {
    const [, dash] = resourcesOfType(s, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = flattenJoin(dash.DashboardBody);
    expect(body).toContain('## Purge sweeper');
    for (const m of Object.values(PURGE_SWEEP_METRICS)) expect(body).toContain(m);
  });

  it('cdk-nag: nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.stack);
    const findings = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });
});

describe('bundle', () => {
  const out = mkdtempSync(join(tmpdir(), 'scim-sweeper-bundle-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds with the construct settings, stays within the users/groups budget, and loads in plain Node', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const outfile = join(out, 'index.mjs');
    const r = await build({ ...CDK_ESBUILD, entryPoints: [join(root, 'lambdas/handlers/purge-sweeper.ts')], outfile, metafile: true, write: true, absWorkingDir: root });
    const bytes = Object.entries(r.metafile.outputs).find(([p]) => p.endsWith('index.mjs'))![1].bytes;
    expect(bytes).toBeLessThanOrEqual(380 * 1024);
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', "const m = await import('./index.mjs'); console.log(typeof m.handler);"], {
      cwd: out,
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1' },
    });
    expect(stdout.trim()).toBe('function');
  }, 60_000);
});
