/**
 * Change events for the apps behind each connector: the table's stream → the events function →
 * one EventBridge event per change on a custom bus; consumers subscribe with ordinary rules
 * (`detail.connector`), and an archive keeps every event for replay of a time range.
 *
 * Delivery is durable without code of ours beyond the publisher's own retries: the stream event
 * source mapping retries a failed batch (bisecting it, so one poison record cannot hold back the
 * rest), and a batch that still fails — or is older than `maxRecordAge` — is described in an SQS
 * dead-letter queue (shard and sequence range: the records themselves stay in the stream for
 * 24 h). Any message in that queue raises an alarm on the stack's alarm topic.
 *
 * The mapping's filter criteria keep bookkeeping writes (uniqueness guards, counters, paging
 * bookmarks, purge tasks) from invoking the function at all: only items with a SCIM document
 * (`doc`: users, groups) or a member id (`mid`: memberships) pass.
 *
 * Least privilege: the function may read the stream (granted by the event source), put events on
 * this bus only, and send to its dead-letter queue; it cannot read or write the table.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { DEFAULT_EVENT_SOURCE, EVENT_BUS_ENV, EVENT_SOURCE_ENV } from '../../lambdas/events/schema.js';
import { ScimFunction } from './scim-function.js';

export const EVENT_STREAM_SETTINGS = {
  batchSize: 100,
  maxBatchingWindowSeconds: 1,
  retryAttempts: 10,
  maxRecordAgeHours: 24,
  /** Events kept in the archive for replay. */
  archiveRetentionDays: 90,
} as const;

export interface ChangeEventsProps {
  readonly table: dynamodb.Table;
  readonly logRetentionDays: number;
  readonly alarmTopic: sns.ITopic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly archiveRetentionDays?: number;
}

export class ChangeEvents extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly deadLetterQueue: sqs.Queue;
  readonly publisher: ScimFunction;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ChangeEventsProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;

    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: `${stackName}-scim-events`,
      description: 'SCIM change events (users, groups, memberships), one per change; route by detail.connector',
    });
    this.archive = this.bus.archive('Archive', {
      archiveName: `${stackName}-scim-events`,
      description: 'Every SCIM change event, for replay of a time range',
      eventPattern: { source: [DEFAULT_EVENT_SOURCE] },
      retention: Duration.days(props.archiveRetentionDays ?? EVENT_STREAM_SETTINGS.archiveRetentionDays),
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.publisher = new ScimFunction(this, 'PublisherFunction', {
      entry: join(import.meta.dirname, '..', '..', 'lambdas', 'handlers', 'events.ts'),
      description: 'SCIM change events: table stream to EventBridge bus',
      logRetentionDays: props.logRetentionDays,
      memorySize: 256,
      timeout: Duration.seconds(60),
      environment: { [EVENT_BUS_ENV]: this.bus.eventBusName, [EVENT_SOURCE_ENV]: DEFAULT_EVENT_SOURCE },
    });
    const fn = this.publisher.function;
    this.bus.grantPutEventsTo(fn);

    const exists = lambda.FilterRule.exists();
    fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: EVENT_STREAM_SETTINGS.batchSize,
        maxBatchingWindow: Duration.seconds(EVENT_STREAM_SETTINGS.maxBatchingWindowSeconds),
        bisectBatchOnError: true,
        retryAttempts: EVENT_STREAM_SETTINGS.retryAttempts,
        maxRecordAge: Duration.hours(EVENT_STREAM_SETTINGS.maxRecordAgeHours),
        parallelizationFactor: 1, // one batch per shard at a time: per-item order
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [
          lambda.FilterCriteria.filter({ dynamodb: { NewImage: { doc: { S: exists } } } }),
          lambda.FilterCriteria.filter({ dynamodb: { OldImage: { doc: { S: exists } } } }),
          lambda.FilterCriteria.filter({ dynamodb: { NewImage: { mid: { S: exists } } } }),
          lambda.FilterCriteria.filter({ dynamodb: { OldImage: { mid: { S: exists } } } }),
        ],
      }),
    );

    // ---- alarms into the stack's topic, and a dashboard row ----------------------------------------
    const notify = new actions.SnsAction(props.alarmTopic);
    const alarm = (a: cloudwatch.Alarm) => {
      a.addAlarmAction(notify);
      a.addOkAction(notify);
      this.alarms.push(a);
      return a;
    };
    const period = Duration.minutes(5);
    // Unlabelled for the alarms (a label turns the alarm into metric math), labelled for the graphs.
    const dlqDepth = this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period });
    const iteratorAge = fn.metric('IteratorAge', { statistic: 'Maximum', period });
    alarm(
      new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
        alarmName: `${stackName}-change-events-dead-letters`,
        alarmDescription:
          'Change events could not be published after all retries: the dead-letter queue holds the failed batches (shard and sequence range). Consumers missed these changes; see the publisher log group, fix the cause, then re-drive from the stream (24 h) or reconcile through the SCIM API. README "Change events".',
        metric: dlqDepth,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    alarm(
      new cloudwatch.Alarm(this, 'IteratorAgeAlarm', {
        alarmName: `${stackName}-change-events-lag`,
        alarmDescription:
          'Change events lag more than 15 minutes behind the table (publisher failing and retrying, or throttled). Past 24 h the stream drops records and the batch goes to the dead-letter queue.',
        metric: iteratorAge,
        threshold: 15 * 60 * 1000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    props.dashboard.addWidgets(new cloudwatch.TextWidget({ width: 24, height: 1, markdown: '## Change events' }));
    props.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Change events — publisher invocations / errors',
        width: 6,
        left: [fn.metricInvocations({ statistic: 'Sum', period, label: 'invocations' }), fn.metricErrors({ statistic: 'Sum', period, label: 'errors' })],
      }),
      new cloudwatch.GraphWidget({ title: 'Change events — lag (iterator age, ms)', width: 6, left: [iteratorAge.with({ label: 'iterator age (ms)' })] }),
      new cloudwatch.GraphWidget({ title: 'Change events — dead-letter queue depth', width: 6, left: [dlqDepth.with({ label: 'DLQ messages' })] }),
      new cloudwatch.AlarmStatusWidget({ title: 'Change events alarms', width: 6, alarms: this.alarms }),
    );
  }
}
