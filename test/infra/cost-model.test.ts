/**
 * The cost model's picture of the stack (bin/cost/figures.ts STACK) against the synthesised
 * template, for 1 and 3 connectors: what is priced per connector and what once per stack. A new
 * function, alarm, secret, dashboard or metric filter fails here until `npm run cost` prices it.
 */
import { Stack, type CfnResource } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_LOG_SAMPLE, STACK } from '../../bin/cost/figures.js';
import { ACCESS_LOG_FIELDS } from '../../lib/constructs/scim-api.js';
import { DERIVED_METRICS } from '../../lambdas/http/metric-names.js';
import { logicalId, resourcesOfType, synth, type Json, type Synthesised } from './helpers.js';

const connectors = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `app-${i + 1}` }));
let one: Synthesised;
let three: Synthesised;

beforeAll(() => {
  one = synth({ 'scim:connectors': connectors(1) });
  three = synth({ 'scim:connectors': connectors(3) });
});

/** Alarm metrics as CloudWatch bills them: 1 per single-metric alarm, per metric read by a metric-math alarm. */
function alarmMetrics(s: Synthesised): number {
  return resourcesOfType(s, 'AWS::CloudWatch::Alarm', 'all').reduce((n, [, p]) => {
    const metrics = p.Metrics as { MetricStat?: unknown }[] | undefined;
    return n + (metrics ? metrics.filter((m) => m.MetricStat !== undefined).length : 1);
  }, 0);
}

describe('the cost model knows the stack', () => {
  it('every Lambda function, with its memory size', () => {
    const st = three.stack;
    const ids: Record<keyof typeof STACK.memoryMb, string> = {
      users: logicalId(st, st.functions.users.function),
      groups: logicalId(st, st.functions.groups.function),
      discovery: logicalId(st, st.functions.discovery.function),
      authorizer: logicalId(st, st.functions.authorizer.function),
      publisher: logicalId(st, st.changeEvents.publisher.function),
      purgeSweeper: logicalId(st, st.purgeSweeper.sweeper.function),
      tokenAge: logicalId(st, st.tokenAge.checker.function),
      // nested stack SetupStack (lib/constructs/setup-api.ts)
      setup: `SetupStack/${Stack.of(st.setup.function.function).getLogicalId(st.setup.function.function.node.defaultChild as CfnResource)}`,
    };
    const functions = Object.fromEntries(resourcesOfType(three, 'AWS::Lambda::Function', 'all').map(([id, p]) => [id, p.MemorySize]));
    expect(Object.keys(functions).sort()).toEqual(Object.values(ids).sort());
    for (const [name, id] of Object.entries(ids)) expect(functions[id], name).toBe(STACK.memoryMb[name as keyof typeof STACK.memoryMb]);
    for (const [, p] of resourcesOfType(three, 'AWS::Lambda::Function', 'all')) expect(p.Architectures).toEqual(['arm64']);
  });

  it('alarm metrics: fixed + per connector', () => {
    expect(alarmMetrics(one)).toBe(STACK.alarmMetrics.fixed + STACK.alarmMetrics.perConnector);
    expect(alarmMetrics(three)).toBe(STACK.alarmMetrics.fixed + 3 * STACK.alarmMetrics.perConnector);
    // Standard resolution (a high-resolution alarm costs three times as much).
    for (const [id, p] of resourcesOfType(three, 'AWS::CloudWatch::Alarm', 'all')) {
      const periods = p.Metrics ? (p.Metrics as { MetricStat?: { Period: number } }[]).flatMap((m) => (m.MetricStat ? [m.MetricStat.Period] : [])) : [p.Period as number];
      for (const period of periods) expect(period, id).toBeGreaterThanOrEqual(60);
    }
  });

  it('secrets: one per connector plus the cursor key; one dashboard', () => {
    expect(resourcesOfType(one, 'AWS::SecretsManager::Secret', 'all')).toHaveLength(STACK.secrets.fixed + STACK.secrets.perConnector);
    expect(resourcesOfType(three, 'AWS::SecretsManager::Secret', 'all')).toHaveLength(STACK.secrets.fixed + 3 * STACK.secrets.perConnector);
    expect(resourcesOfType(three, 'AWS::CloudWatch::Dashboard', 'all')).toHaveLength(STACK.dashboards.perRestApi);
  });

  it('custom metrics from logs: exactly the two metric filters the model prices', () => {
    const names = resourcesOfType(three, 'AWS::Logs::MetricFilter', 'all').map(([, p]) => (p.MetricTransformations as Json[])[0]!.MetricName);
    expect(names.sort()).toEqual([DERIVED_METRICS.authorizerDenials, DERIVED_METRICS.authorizerErrors].sort());
  });

  it('authorizer cache, log retention, stream batches, archive retention and schedules as priced', () => {
    for (const [, p] of resourcesOfType(three, 'AWS::ApiGateway::Authorizer', 'all')) expect(p.AuthorizerResultTtlInSeconds).toBe(STACK.authorizerCacheTtlSeconds);
    for (const [, p] of resourcesOfType(three, 'AWS::Logs::LogGroup', 'all')) expect(p.RetentionInDays).toBe(STACK.logRetentionDays);
    const mappings = resourcesOfType(three, 'AWS::Lambda::EventSourceMapping', 'all');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].BatchSize).toBe(STACK.publisherBatchSize);
    for (const [, p] of resourcesOfType(three, 'AWS::Events::Archive', 'all')) expect(p.RetentionDays).toBe(STACK.archiveRetentionDays);
    const schedules = resourcesOfType(three, 'AWS::Events::Rule', 'all').flatMap(([, p]) => (p.ScheduleExpression ? [String(p.ScheduleExpression)] : []));
    expect(schedules.sort()).toEqual([`cron(0 6 * * ? *)`, `rate(${STACK.purgeSweepRateMinutes} minutes)`].sort());
    expect(STACK.tokenAgeRunsPerDay).toBe(1);
  });

  it('the access log sample has exactly the fields the stages log', () => {
    expect(Object.keys(ACCESS_LOG_SAMPLE)).toEqual(Object.keys(ACCESS_LOG_FIELDS));
  });
});
