/**
 * Warnings before the damage (issue 22), in the template: per connector a mass-deprovisioning
 * alarm (deleted + deactivated EMF metrics over an hour, `scim:deprovisionAlarm` with a
 * per-connector override) and a rejected-requests alarm (RequestsRejected over the stage's Count,
 * from 10 requests an hour, > 50 % in 2 of 3 hours), both on the alarm topic, one dashboard widget
 * per connector row; the setting validated. No new permission (metrics only); the alarms live in a
 * nested stack, so 60 connectors stay inside the main template's resource budget.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC_NAMESPACE, PROVISIONING_METRICS, REQUEST_COUNTS } from '../../lambdas/http/metric-names.js';
import { DeploymentConfigError, readDeploymentConfig } from '../../lib/config.js';
import { DEFAULT_DEPROVISION_ALARM, REJECTED_MIN_REQUESTS, REJECTED_RATE_PERCENT } from '../../lib/constructs/connector-safety.js';
import { flattenJoin, resourcesOfType, synth, type Json, type Synthesised } from './helpers.js';

const CONNECTORS = [{ name: 'askspoke', profile: 'askspoke' }, { name: 'hr' }];
let s: Synthesised;
let custom: Synthesised;

beforeAll(() => {
  s = synth({ 'scim:connectors': CONNECTORS });
  custom = synth({ 'scim:connectors': CONNECTORS, 'scim:deprovisionAlarm': { '*': 250, hr: 2000 } });
}, 300_000);

const alarmNamed = (x: Synthesised, name: string): Json => {
  const found = resourcesOfType(x, 'AWS::CloudWatch::Alarm', 'all').filter(([, a]) => a.AlarmName === name);
  expect(found, name).toHaveLength(1);
  return found[0]![1];
};
type Query = { Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] }; Period: number; Stat: string } };

describe('alarms', () => {
  it('in their own nested stack (ConnectorSafety): 120 alarms at 60 connectors would not fit the main template', () => {
    const nested = s.nested.find((n) => n.id === 'ConnectorSafety');
    expect(nested).toBeDefined();
    expect(Object.values(nested!.json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')).toHaveLength(2 * CONNECTORS.length);
    expect(resourcesOfType(s, 'AWS::CloudWatch::Alarm').filter(([, a]) => String(a.AlarmName).endsWith('-mass-deprovisioning'))).toEqual([]);
  });

  it('mass deprovisioning: deleted + deactivated within an hour over the threshold, runbook in the description', () => {
    for (const c of CONNECTORS) {
      const a = alarmNamed(s, `Scim-${c.name}-mass-deprovisioning`);
      expect(a).toMatchObject({ Threshold: DEFAULT_DEPROVISION_ALARM, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
      const q = a.Metrics as Query[];
      expect(q.find((m) => m.Expression)?.Expression).toBe('FILL(d, 0) + FILL(x, 0)');
      const stats = q.filter((m) => m.MetricStat).map((m) => [m.MetricStat!.Metric.Namespace, m.MetricStat!.Metric.MetricName, m.MetricStat!.Period, m.MetricStat!.Stat, m.MetricStat!.Metric.Dimensions.find((d) => d.Name === 'connector')?.Value]);
      expect(stats.sort()).toEqual([
        [METRIC_NAMESPACE, PROVISIONING_METRICS.deleted, 3600, 'Sum', c.name],
        [METRIC_NAMESPACE, PROVISIONING_METRICS.deactivated, 3600, 'Sum', c.name],
      ].sort());
      expect(String(a.AlarmDescription)).toContain(`scim-admin pause ${c.name}`);
      expect(String(a.AlarmDescription)).toContain('Undo a mass deprovisioning');
      expect(a.AlarmActions).toHaveLength(1);
      expect(a.OKActions).toHaveLength(1);
    }
  });

  it('rejected requests: share of the stage Count, from 10 requests an hour, > 50 % in 2 of 3 hours', () => {
    for (const c of CONNECTORS) {
      const a = alarmNamed(s, `Scim-${c.name}-rejected-rate`);
      expect(a).toMatchObject({ Threshold: REJECTED_RATE_PERCENT, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching' });
      const q = a.Metrics as Query[];
      expect(q.find((m) => m.Expression)?.Expression).toBe(`IF(n >= ${REJECTED_MIN_REQUESTS}, 100 * FILL(r, 0) / n, 0)`);
      const byId = Object.fromEntries(q.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat!]));
      expect(byId.r).toMatchObject({ Metric: { Namespace: METRIC_NAMESPACE, MetricName: PROVISIONING_METRICS.rejected }, Period: 3600, Stat: 'Sum' });
      expect(byId.n).toMatchObject({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count' }, Period: 3600, Stat: 'Sum' });
      expect(byId.n!.Metric.Dimensions).toContainEqual({ Name: 'Stage', Value: c.name });
    }
  });

  it('scim:deprovisionAlarm: a default and per-connector values', () => {
    expect(alarmNamed(custom, 'Scim-askspoke-mass-deprovisioning').Threshold).toBe(250);
    expect(alarmNamed(custom, 'Scim-hr-mass-deprovisioning').Threshold).toBe(2000);
    const read = (v: unknown) => readDeploymentConfig((k) => (k === 'scim:deprovisionAlarm' ? v : undefined));
    expect(read(undefined).deprovisionAlarm('x')).toBe(DEFAULT_DEPROVISION_ALARM);
    expect(read('500').deprovisionAlarm('x')).toBe(500);
    // The shipped cdk.json has a connector named `default`: a key of that name is the connector's, `*` is every other one's.
    expect(read({ default: 7 }).deprovisionAlarm('default')).toBe(7);
    expect(read({ default: 7 }).deprovisionAlarm('other')).toBe(DEFAULT_DEPROVISION_ALARM);
    expect(read({ '*': 9 }).deprovisionAlarm('default')).toBe(9);
    // A key that names no connector (a typo) would silently keep the default: refused, naming it.
    try {
      read({ defualt: 7 });
      expect.unreachable('a key that names no connector');
    } catch (e) {
      expect((e as DeploymentConfigError).problems).toEqual([expect.stringMatching(/^scim:deprovisionAlarm\.defualt: no connector is named "defualt".*"\*"/)]);
    }
    for (const v of [0, 'many', { default: -1 }]) {
      try {
        read(v);
        expect.unreachable(JSON.stringify(v));
      } catch (e) {
        expect(e).toBeInstanceOf(DeploymentConfigError);
        expect((e as DeploymentConfigError).problems.join('\n')).toContain('scim:deprovisionAlarm');
      }
    }
  });
});

describe('dashboard', () => {
  it("each connector's row has one widget: deprovisioned per hour (threshold in the title), requests answered 503 while paused, the rejected %", () => {
    const [, dash] = resourcesOfType(s, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = flattenJoin(dash.DashboardBody);
    const widgets = (JSON.parse(body) as { widgets: { properties: Json }[] }).widgets;
    for (const c of CONNECTORS) {
      const w = widgets.filter((x) => String(x.properties.title).startsWith(`${c.name} — deprovisioned per hour (alarm over ${DEFAULT_DEPROVISION_ALARM})`));
      expect(w).toHaveLength(1);
      expect(JSON.stringify(w[0]!.properties.metrics)).toContain('rejected %');
      expect(JSON.stringify(w[0]!.properties.metrics)).toContain(`"${METRIC_NAMESPACE}","${REQUEST_COUNTS.paused}","connector","${c.name}"`);
    }
  });
});
