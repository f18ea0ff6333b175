/**
 * Warnings before an identity provider's mistake does its damage (issue 22), per connector: a
 * mass-deprovisioning alarm (deletions + deactivations within an hour over `scim:deprovisionAlarm`)
 * and a rejected-requests alarm (most requests answered with a 4xx that means a failed change,
 * the state in which Entra ID quarantines a job while the 5XX alarms stay green), plus one
 * dashboard widget (which also shows requests answered 503 while the connector is paused). Both read the handlers' EMF metrics (lambdas/http/metric-names.ts): no code
 * in the hot path. Kept short: every alarm is repeated per connector in the template.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { CONNECTOR_DIMENSION, METRIC_NAMESPACE, PROVISIONING_METRICS, REQUEST_COUNTS, SERVICE_NAME } from '../../lambdas/http/metric-names.js';

/**
 * Default of `scim:deprovisionAlarm`: users deleted or deactivated (and groups deleted) in one
 * hour. Ordinary offboarding is a few a day even in a 10,000-person directory (the cost model's
 * 1 % daily churn is mostly profile changes); a narrowed scope removes hundreds to thousands in
 * one cycle. Raise it per connector for planned bulk offboarding or very large directories.
 */
export const DEFAULT_DEPROVISION_ALARM = 100;
/** Share of a connector's requests (percent) answered with a rejecting 4xx that raises the alarm. */
export const REJECTED_RATE_PERCENT = 50;
/** Fewer requests than this in an hour never raise the rejected-requests alarm (one bad probe is not a trend). */
export const REJECTED_MIN_REQUESTS = 10;

const HOUR = Duration.hours(1);

export interface ConnectorSafetyProps {
  readonly stackName: string;
  readonly connector: string;
  /** The stage's API Gateway `Count` metric (any period: re-periodised here). */
  readonly requests: cloudwatch.Metric;
  readonly deprovisionAlarm: number;
}

/** Creates the connector's two alarms (returned, for the caller's alarm actions) and its dashboard widget. */
export function connectorSafety(scope: Construct, p: ConnectorSafetyProps): { alarms: cloudwatch.Alarm[]; widget: cloudwatch.IWidget } {
  const emf = (metricName: string) =>
    new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName, dimensionsMap: { service: SERVICE_NAME, [CONNECTOR_DIMENSION]: p.connector }, statistic: 'Sum', period: HOUR });
  const deprovisioned = new cloudwatch.MathExpression({
    expression: 'FILL(d, 0) + FILL(x, 0)',
    usingMetrics: { d: emf(PROVISIONING_METRICS.deleted), x: emf(PROVISIONING_METRICS.deactivated) },
    period: HOUR,
    label: 'deleted + deactivated per hour',
  });
  const rejectedRate = new cloudwatch.MathExpression({
    expression: `IF(n >= ${REJECTED_MIN_REQUESTS}, 100 * FILL(r, 0) / n, 0)`,
    usingMetrics: { r: emf(PROVISIONING_METRICS.rejected), n: p.requests.with({ statistic: 'Sum', period: HOUR }) },
    period: HOUR,
    label: 'rejected %',
  });
  const id = p.connector;
  const alarms = [
    new cloudwatch.Alarm(scope, `Deprovision-${id}`, {
      alarmName: `${p.stackName}-${id}-mass-deprovisioning`,
      alarmDescription: `Connector ${id}: over ${p.deprovisionAlarm} users/groups deleted or deactivated within an hour. If the IdP's scope or filter was narrowed by mistake: scim-admin pause ${id}, then README "Undo a mass deprovisioning".`,
      metric: deprovisioned,
      threshold: p.deprovisionAlarm,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    new cloudwatch.Alarm(scope, `Rejected-${id}`, {
      alarmName: `${p.stackName}-${id}-rejected-rate`,
      alarmDescription: `Connector ${id}: over ${REJECTED_RATE_PERCENT}% of requests rejected with a 4xx (not 404 on reads/deletes, not 409/412) in 2 of 3 hours; Entra ID quarantines such a job. Read the failures query (scimType) and fix the mapping or the profile.`,
      metric: rejectedRate,
      threshold: REJECTED_RATE_PERCENT,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  ];
  const widget = new cloudwatch.GraphWidget({
    title: `${id} — deprovisioned per hour (alarm over ${p.deprovisionAlarm}), paused, rejected %`,
    width: 24,
    height: 4,
    left: [deprovisioned, emf(REQUEST_COUNTS.paused).with({ label: 'answered 503: paused (scim-admin pause)' })],
    right: [rejectedRate],
    rightYAxis: { min: 0, max: 100 },
  });
  return { alarms, widget };
}
