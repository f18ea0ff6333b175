/**
 * The purge sweeper on a schedule: an EventBridge rule runs the sweeper function every
 * `PURGE_SWEEP_RATE_MINUTES`; it finishes the membership clean-up that large group deletes (more
 * than the store's inline limit) and failed clean-ups leave behind, for every connector, within its
 * timeout, and the next run resumes where it stopped (lambdas/provisioning/purge-sweeper.ts).
 *
 * - Lambda's own retries of a failed asynchronous invocation are off: the next scheduled run is the
 *   retry, and retries would only overlap it (harmless, purging is idempotent, but wasted).
 * - A run with failures fails the invocation; two failed runs in a row raise an alarm on the
 *   stack's alarm topic (one transient throttle is retried by the next run without paging anyone).
 * - Least privilege: the function reads and deletes items of this table (and updates the counts of
 *   groups a deleted user was still in), with exactly the actions the purge path issues; no
 *   secrets, no other table, no stream.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { CONNECTORS_ENV } from '../../lambdas/connectors/deployed.js';
import { TABLE_NAME_ENV } from '../../lambdas/http/app.js';
import { METRIC_NAMESPACE, SERVICE_NAME } from '../../lambdas/http/metric-names.js';
import { PURGE_SWEEP_METRICS, PURGE_SWEEP_RATE_MINUTES } from '../../lambdas/provisioning/purge-sweeper.js';
import { ScimFunction } from './scim-function.js';

export const PURGE_SWEEPER_SETTINGS = {
  rateMinutes: PURGE_SWEEP_RATE_MINUTES,
  /** Well under the rate, so runs do not overlap; the sweep stops 30 s before it. */
  timeoutMinutes: 5,
  memorySize: 256,
  /** Consecutive failed runs that raise the alarm. */
  failedRunsToAlarm: 2,
} as const;

/**
 * What the purge path calls (lambdas/store/repository.ts `pendingPurges`, `purge`): Query (the
 * purge partition, a group's member items, a member's groups on GSI1), GetItem (the resource must
 * be gone), BatchWriteItem (member item deletes), DeleteItem (the task; edge deletes inside a
 * transaction) and UpdateItem (a still-existing group's member count, inside a transaction).
 */
export const PURGE_SWEEPER_TABLE_ACTIONS = [
  'dynamodb:Query',
  'dynamodb:GetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:UpdateItem',
] as const;

export interface PurgeSweeperProps {
  readonly table: dynamodb.Table;
  /** `SCIM_CONNECTORS` as the other functions get it (lambdaConnectorsJson). */
  readonly connectorsJson: string;
  readonly logRetentionDays: number;
  readonly alarmTopic: sns.ITopic;
  readonly dashboard: cloudwatch.Dashboard;
}

export class PurgeSweeper extends Construct {
  readonly sweeper: ScimFunction;
  readonly schedule: events.Rule;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PurgeSweeperProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const s = PURGE_SWEEPER_SETTINGS;

    this.sweeper = new ScimFunction(this, 'SweeperFunction', {
      entry: join(import.meta.dirname, '..', '..', 'lambdas', 'handlers', 'purge-sweeper.ts'),
      description: 'SCIM purge sweeper: finishes the membership clean-up of deleted groups and users',
      logRetentionDays: props.logRetentionDays,
      memorySize: s.memorySize,
      timeout: Duration.minutes(s.timeoutMinutes),
      environment: { [CONNECTORS_ENV]: props.connectorsJson, [TABLE_NAME_ENV]: props.table.tableName },
    });
    const fn = this.sweeper.function;
    props.table.grant(fn, ...PURGE_SWEEPER_TABLE_ACTIONS);
    fn.configureAsyncInvoke({ retryAttempts: 0 });

    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Runs the SCIM purge sweeper every ${s.rateMinutes} minutes`,
      schedule: events.Schedule.rate(Duration.minutes(s.rateMinutes)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.minutes(s.rateMinutes) })],
    });

    // ---- alarm into the stack's topic, and a dashboard row ------------------------------------------
    const period = Duration.minutes(s.rateMinutes);
    const notify = new actions.SnsAction(props.alarmTopic);
    this.alarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmName: `${stackName}-purge-sweeper-errors`,
      alarmDescription: `The purge sweeper failed ${s.failedRunsToAlarm} runs in a row: deleted groups' member items are not being cleaned up (they are invisible to SCIM clients but cost storage). See the "purge sweep" lines in the sweeper's log group (failed connector, task and error); \`npx scim-admin stats <connector>\` shows the pending clean-ups. README "Reliability & security".`,
      metric: fn.metricErrors({ statistic: 'Sum', period }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: s.failedRunsToAlarm,
      datapointsToAlarm: s.failedRunsToAlarm,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(notify);
    this.alarm.addOkAction(notify);

    const sweepMetric = (metricName: string, label: string) =>
      new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName, dimensionsMap: { service: SERVICE_NAME }, statistic: 'Sum', period, label });
    props.dashboard.addWidgets(new cloudwatch.TextWidget({ width: 24, height: 1, markdown: '## Purge sweeper' }));
    props.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Purge sweeper — tasks',
        width: 8,
        left: [sweepMetric(PURGE_SWEEP_METRICS.pending, 'left pending'), sweepMetric(PURGE_SWEEP_METRICS.finished, 'finished')],
      }),
      new cloudwatch.GraphWidget({ title: 'Purge sweeper — items deleted', width: 8, left: [sweepMetric(PURGE_SWEEP_METRICS.itemsDeleted, 'items deleted')] }),
      new cloudwatch.GraphWidget({
        title: 'Purge sweeper — runs / errors',
        width: 8,
        left: [fn.metricInvocations({ statistic: 'Sum', period, label: 'runs' }), fn.metricErrors({ statistic: 'Sum', period, label: 'errors' })],
      }),
    );
  }
}
