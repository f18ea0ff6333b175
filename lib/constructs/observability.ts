/**
 * What the platform team watches: one dashboard, alarms into one SNS topic, and saved Logs Insights
 * queries.
 *
 * Sources, all without extra code in the hot path:
 *  - API Gateway stage metrics (requests, 4XX, 5XX, latency) — per connector, since each connector
 *    is a stage;
 *  - authorizer denials: a metric filter on the stage access logs (401/403 answered by the
 *    authorizer, including requests without a token that never reach the Lambda);
 *  - authorizer errors: a metric filter on the authorizer's ERROR log lines (its Lambda `Errors`
 *    metric is useless for alarms: every rejected token is a thrown `Unauthorized`);
 *  - provisioning operations: the EMF metrics in the handlers' request lines, names and
 *    dimensions from the shared module lambdas/http/metric-names.ts;
 *  - token age: `TokenAgeDays` per connector, published once a day by the token-age check
 *    (lib/constructs/token-age.ts, lambdas/handlers/token-age.ts);
 *  - Lambda and DynamoDB service metrics.
 */
import { Aws, Duration, Fn, NestedStack, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { connectorSafety, DEFAULT_DEPROVISION_ALARM } from './connector-safety.js';
import {
  CONNECTOR_DIMENSION,
  DERIVED_METRICS,
  LOG_FIELDS,
  METRIC_NAMESPACE,
  PROVISIONING_METRICS,
  REQUEST_COUNTS,
  SERVICE_NAME,
} from '../../lambdas/http/metric-names.js';
import { TOKEN_AGE_METRIC } from '../../lambdas/auth/token-age.js';
import { DEFAULT_TOKEN_MAX_AGE_DAYS } from '../config.js';

export interface ObservedConnector {
  readonly name: string;
  /** The REST API serving the connector's stage (its `ApiName` metric dimension). */
  readonly apiName: string;
  /** What its alarm names start with (lib/placement.ts observabilityPrefix). */
  readonly namePrefix: string;
}

export interface ObservedFunction {
  readonly name: string;
  readonly function: lambda.IFunction;
  readonly logGroup: logs.ILogGroup;
}

export interface ObservabilityProps {
  readonly connectors: readonly ObservedConnector[];
  readonly authorizer: ObservedFunction;
  /** users, groups, discovery. */
  readonly handlers: readonly ObservedFunction[];
  readonly table: dynamodb.Table;
  readonly gsiName: string;
  readonly accessLogGroup: logs.ILogGroup;
  readonly alarmEmails: readonly string[];
  readonly idleAlarmHours: number;
  /** A connector token older than this (days) raises the connector's token-age alarm; default 365. */
  readonly tokenMaxAgeDays?: number;
  /** The REST APIs in nested stacks (name, dashboard name prefix), whose connectors have their own dashboard (ApiGroupObservability). */
  readonly otherApis?: readonly { readonly apiName: string; readonly namePrefix: string }[];
  /** Deletions + deactivations in an hour that raise a connector's mass-deprovisioning alarm (connector-safety.ts). */
  readonly deprovisionAlarm?: (connector: string) => number;
}

/** The 5XX share of a connector's requests (percent over 5 minutes) that raises the alarm. */
export const SERVER_ERROR_RATE_PERCENT = 5;

const FIVE_MINUTES = Duration.minutes(5);
// DynamoDB operations the store issues (latency is only published per operation).
const TABLE_OPERATIONS = ['GetItem', 'Query', 'TransactWriteItems', 'BatchGetItem'] as const;

export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly dashboardName: string;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;

    // ---- alarm topic ---------------------------------------------------------------------------
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: `${stackName} SCIM alarms`, enforceSSL: true });
    for (const email of props.alarmEmails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    const notify = new actions.SnsAction(this.topic);
    const alarm = (a: cloudwatch.Alarm): cloudwatch.Alarm => {
      a.addAlarmAction(notify);
      a.addOkAction(notify);
      this.alarms.push(a);
      return a;
    };

    // ---- metrics derived from logs ---------------------------------------------------------------
    new logs.MetricFilter(this, 'AuthorizerDenialsFilter', {
      logGroup: props.accessLogGroup,
      filterPattern: logs.FilterPattern.any(
        logs.FilterPattern.stringValue('$.responseType', '=', 'UNAUTHORIZED'),
        logs.FilterPattern.stringValue('$.responseType', '=', 'ACCESS_DENIED'),
      ),
      metricNamespace: METRIC_NAMESPACE,
      metricName: DERIVED_METRICS.authorizerDenials,
      metricValue: '1',
      dimensions: { [CONNECTOR_DIMENSION]: '$.stage' },
      unit: cloudwatch.Unit.COUNT,
    });
    new logs.MetricFilter(this, 'AuthorizerErrorsFilter', {
      logGroup: props.authorizer.logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.level', '=', 'ERROR'),
      metricNamespace: METRIC_NAMESPACE,
      metricName: DERIVED_METRICS.authorizerErrors,
      metricValue: '1',
      defaultValue: 0,
      unit: cloudwatch.Unit.COUNT,
    });

    // ---- dashboard -------------------------------------------------------------------------------
    this.dashboardName = Fn.join('-', [Aws.STACK_NAME, Aws.REGION]);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: this.dashboardName,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        width: 24,
        height: 2,
        markdown: [
          `# SCIM — ${stackName}`,
          'One row per connector (API Gateway stage), then the Lambda functions and the DynamoDB table. ' +
            'Provisioning operations come from the handlers\' EMF metrics; authorizer denials from the stage access logs.' +
            (props.otherApis?.length
              ? ` Connectors of the other REST APIs: ${props.otherApis.map((a) => `[${a.apiName}](#dashboards:name=${apiDashboardName(a.namePrefix)})`).join(', ')}.`
              : ''),
        ].join('\n'),
      }),
    );

    // The first API's connectors get their two safety alarms (connector-safety.ts) in a nested stack
    // of their own: the main template is near its resource budget at 60 connectors (lib/limits.ts).
    // Not in the alarm status widget: each would be an output of that nested stack; the connector's
    // safety widget names its thresholds instead.
    const safetyScope = props.connectors.length > 0
      ? new NestedStack(this, 'ConnectorSafety', { description: 'SCIM mass-deprovisioning and rejected-requests alarms of the connectors on the first REST API' })
      : undefined;
    addConnectorObservability(this, {
      ...props,
      dashboard: this.dashboard,
      alarm,
      ...(safetyScope
        ? {
            safety: {
              scope: safetyScope,
              alarm: (a: cloudwatch.Alarm) => {
                a.addAlarmAction(notify);
                a.addOkAction(notify);
                return a;
              },
            },
          }
        : {}),
    });

    // ---- functions -------------------------------------------------------------------------------
    const all = [props.authorizer, ...props.handlers];
    const perFunction = (title: string, metric: (f: ObservedFunction) => cloudwatch.IMetric) =>
      new cloudwatch.GraphWidget({ title, width: 6, left: all.map(metric) });
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ width: 24, height: 1, markdown: '## Lambda functions' }));
    this.dashboard.addWidgets(
      perFunction('Errors', (f) => f.function.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES, label: f.name })),
      perFunction('Throttles', (f) => f.function.metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES, label: f.name })),
      perFunction('Duration p99 (ms)', (f) => f.function.metricDuration({ statistic: 'p99', period: FIVE_MINUTES, label: f.name })),
      perFunction('Concurrent executions (max)', (f) =>
        f.function.metric('ConcurrentExecutions', { statistic: 'Maximum', period: FIVE_MINUTES, label: f.name }),
      ),
    );

    for (const h of props.handlers) {
      alarm(
        new cloudwatch.Alarm(this, `LambdaErrors-${h.name}`, {
          alarmName: `${stackName}-lambda-${h.name}-errors`,
          alarmDescription: `The ${h.name} function failed (crash, timeout or out of memory) at least once in 5 minutes. The handlers answer every expected error themselves, so any Lambda error is a bug or a resource limit: see the function's log group.`,
          metric: h.function.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    alarm(
      new cloudwatch.Alarm(this, 'AuthorizerErrorsAlarm', {
        alarmName: `${stackName}-lambda-authorizer-errors`,
        alarmDescription:
          'The authorizer logged an error (usually: a token secret cannot be read). Every connector gets 500s until it is fixed. Rejected tokens are not errors.',
        metric: new cloudwatch.Metric({
          namespace: METRIC_NAMESPACE,
          metricName: DERIVED_METRICS.authorizerErrors,
          statistic: 'Sum',
          period: FIVE_MINUTES,
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    // Never transient (IAM, missing table, credentials): one request is enough to wake someone.
    alarm(
      new cloudwatch.Alarm(this, 'ConfigurationErrorsAlarm', {
        alarmName: `${stackName}-storage-configuration-errors`,
        alarmDescription:
          'DynamoDB refused a SCIM function for a reason retrying does not fix (AccessDenied, table or index missing, unrecognised credentials, invalid request). Requests are answered 500 until it is fixed: the ERROR line "storage configuration error" in the users/groups log groups names the AWS error code and operation.',
        metric: new cloudwatch.Metric({
          namespace: METRIC_NAMESPACE,
          metricName: REQUEST_COUNTS.configurationErrors,
          dimensionsMap: { service: SERVICE_NAME },
          statistic: 'Sum',
          period: FIVE_MINUTES,
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    // ---- table -----------------------------------------------------------------------------------
    const table = props.table;
    const throttleMetric = (metricName: string, label: string, index?: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: table.tableName, ...(index ? { GlobalSecondaryIndexName: index } : {}) },
        statistic: 'Sum',
        period: FIVE_MINUTES,
        label,
      });
    const throttles = {
      read: throttleMetric('ReadThrottleEvents', 'read throttles'),
      write: throttleMetric('WriteThrottleEvents', 'write throttles'),
      gsiWrite: throttleMetric('WriteThrottleEvents', `${props.gsiName} write throttles`, props.gsiName),
    };
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ width: 24, height: 1, markdown: '## DynamoDB table' }));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'DynamoDB latency (ms, average)',
        width: 8,
        left: TABLE_OPERATIONS.map((op) =>
          table.metricSuccessfulRequestLatency({
            dimensionsMap: { TableName: table.tableName, Operation: op },
            statistic: 'Average',
            period: FIVE_MINUTES,
            label: op,
          }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'DynamoDB throttles',
        width: 8,
        left: [throttles.read, throttles.write, throttles.gsiWrite],
      }),
      new cloudwatch.GraphWidget({
        title: 'DynamoDB consumed capacity',
        width: 8,
        left: [
          table.metricConsumedReadCapacityUnits({ statistic: 'Sum', period: FIVE_MINUTES, label: 'RCU' }),
          table.metricConsumedWriteCapacityUnits({ statistic: 'Sum', period: FIVE_MINUTES, label: 'WCU' }),
        ],
      }),
    );
    alarm(
      new cloudwatch.Alarm(this, 'TableThrottlesAlarm', {
        alarmName: `${stackName}-dynamodb-throttles`,
        alarmDescription:
          'DynamoDB throttled reads or writes in the last 5 minutes (on-demand tables throttle on sudden traffic far above the previous peak, or on a hot partition). Requests were retried or answered 5XX.',
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(r, 0) + FILL(w, 0) + FILL(g, 0)',
          usingMetrics: { r: throttles.read, w: throttles.write, g: throttles.gsiWrite },
          period: FIVE_MINUTES,
          label: 'throttle events',
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    // An alarm status widget shows at most 100 alarms.
    for (let i = 0; i < this.alarms.length; i += 100) {
      this.dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({ title: i === 0 ? 'Alarms' : `Alarms (${i + 1}-)`, width: 24, alarms: this.alarms.slice(i, i + 100) }),
      );
    }

    // ---- saved Logs Insights queries ----------------------------------------------------------
    const f = LOG_FIELDS;
    const handlerLogGroups = props.handlers.map((h) => h.logGroup);
    new logs.QueryDefinition(this, 'FailuresByConnectorQuery', {
      queryDefinitionName: `${stackName}/SCIM failures by connector and scimType`,
      logGroups: handlerLogGroups,
      queryString: new logs.QueryString({
        fields: ['@timestamp', f.connector, f.operation, f.status, f.scimType],
        filterStatements: [`${f.outcome} = "failure" or ${f.status} >= 400 or level = "ERROR"`],
        statsStatements: [`count(*) as failures by ${f.connector}, ${f.scimType}, ${f.status}`],
        sort: 'failures desc',
      }),
    });
    new logs.QueryDefinition(this, 'UserHistoryQuery', {
      queryDefinitionName: `${stackName}/SCIM history of one user`,
      logGroups: handlerLogGroups,
      queryString: new logs.QueryString({
        fields: ['@timestamp', f.connector, f.operation, f.outcome, f.status, f.scimType, f.resourceId, 'apiRequestId'],
        // Replace the two placeholders before running.
        filterStatements: [`${f.connector} = "CONNECTOR" and ${f.resourceType} = "Users" and ${f.resourceId} = "USER_ID"`],
        sort: '@timestamp asc',
        limit: 1000,
      }),
    });
    new logs.QueryDefinition(this, 'DenialsQuery', {
      queryDefinitionName: `${stackName}/SCIM authorizer denials by connector`,
      logGroups: [props.accessLogGroup],
      queryString: new logs.QueryString({
        fields: ['@timestamp', 'stage', 'status', 'responseType', 'sourceIp', 'userAgent'],
        filterStatements: ['responseType in ["UNAUTHORIZED", "ACCESS_DENIED"]'],
        statsStatements: ['count(*) as denials by stage, sourceIp, userAgent'],
        sort: 'denials desc',
      }),
    });
  }
}

export interface ConnectorObservabilityProps {
  readonly connectors: readonly ObservedConnector[];
  /** The dashboard that gets one row per connector. */
  readonly dashboard: cloudwatch.Dashboard;
  /** Wires an alarm to the alarm topic (and the dashboard's alarm status widget). */
  readonly alarm: (a: cloudwatch.Alarm) => cloudwatch.Alarm;
  readonly idleAlarmHours: number;
  readonly tokenMaxAgeDays?: number;
  /** Deletions + deactivations in an hour that raise a connector's mass-deprovisioning alarm (default DEFAULT_DEPROVISION_ALARM). */
  readonly deprovisionAlarm?: (connector: string) => number;
  /** Where the two safety alarms go and how they are wired (default: `scope` and `alarm`). */
  readonly safety?: { readonly scope: Construct; readonly alarm: (a: cloudwatch.Alarm) => cloudwatch.Alarm };
}

/**
 * Each connector's dashboard row and alarms, in `scope`. Alarm names start with the prefix of the
 * REST API serving the connector (lib/placement.ts observabilityPrefix): the stack's name for the
 * first API, so a stack of up to 10 connectors keeps `<stack>-<connector>-…`; `<stack>_api<n>` for
 * the nested API stacks, which have their alarms there (ApiGroupObservability below) — a name
 * moved between two stacks would be taken when CloudFormation creates it in the new one.
 */
export function addConnectorObservability(scope: Construct, props: ConnectorObservabilityProps): void {
  const tokenMaxAgeDays = props.tokenMaxAgeDays ?? DEFAULT_TOKEN_MAX_AGE_DAYS;
  for (const c of props.connectors) {
    // Literal dimensions (not the Stage's token), so the dashboard source reads like the console.
    const api = (metricName: string, options: cloudwatch.MetricOptions) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiName: c.apiName, Stage: c.name },
        ...options,
      });
    const requests = api('Count', { statistic: 'Sum', period: FIVE_MINUTES, label: 'Requests' });
    const clientErrors = api('4XXError', { statistic: 'Sum', period: FIVE_MINUTES, label: '4XX' });
    const serverErrors = api('5XXError', { statistic: 'Sum', period: FIVE_MINUTES, label: '5XX' });
    const connectorDims = { [CONNECTOR_DIMENSION]: c.name };
    const tokenAge = new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: TOKEN_AGE_METRIC,
      dimensionsMap: { service: SERVICE_NAME, ...connectorDims },
      statistic: 'Maximum',
      period: Duration.days(1),
    });
    const emf = (metricName: string, label: string) =>
      new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE_NAME, ...connectorDims },
        statistic: 'Sum',
        period: FIVE_MINUTES,
        label,
      });

    props.dashboard.addWidgets(
      new cloudwatch.TextWidget({ width: 24, height: 1, markdown: `## Connector \`${c.name}\`` }),
    );
    props.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${c.name} — requests, 4XX, 5XX`,
        width: 6,
        left: [requests, clientErrors, serverErrors],
      }),
      new cloudwatch.GraphWidget({
        title: `${c.name} — latency p50 / p99 (ms)`,
        width: 6,
        left: [
          api('Latency', { statistic: 'p50', period: FIVE_MINUTES, label: 'p50' }),
          api('Latency', { statistic: 'p99', period: FIVE_MINUTES, label: 'p99' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: `${c.name} — authorizer denials`,
        width: 6,
        left: [
          new cloudwatch.Metric({
            namespace: METRIC_NAMESPACE,
            metricName: DERIVED_METRICS.authorizerDenials,
            dimensionsMap: connectorDims,
            statistic: 'Sum',
            period: FIVE_MINUTES,
            label: 'Denied (401/403)',
          }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: `${c.name} — provisioning operations`,
        width: 6,
        stacked: true,
        left: [
          emf(PROVISIONING_METRICS.created, 'created'),
          emf(PROVISIONING_METRICS.updated, 'updated'),
          emf(PROVISIONING_METRICS.deactivated, 'deactivated'),
          emf(PROVISIONING_METRICS.deleted, 'deleted'),
          emf(PROVISIONING_METRICS.conflicts, 'conflicts'),
          emf(PROVISIONING_METRICS.rejected, 'rejected'),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: `${c.name} — unknown member ids ignored, storage configuration errors`,
        width: 16,
        height: 4,
        left: [emf(REQUEST_COUNTS.membersIgnored, 'member ids ignored')],
        right: [emf(REQUEST_COUNTS.configurationErrors, 'configuration errors (500)')],
      }),
      new cloudwatch.SingleValueWidget({
        title: `${c.name} — token age (days; alarm over ${tokenMaxAgeDays})`,
        width: 8,
        height: 4,
        sparkline: true,
        setPeriodToTimeRange: false,
        metrics: [tokenAge.with({ label: 'token age (days)' })],
      }),
    );

    // Mass deprovisioning and rejected requests (issue 22): named after the API like the others.
    const safety = connectorSafety(props.safety?.scope ?? scope, {
      stackName: c.namePrefix,
      connector: c.name,
      requests,
      deprovisionAlarm: props.deprovisionAlarm?.(c.name) ?? DEFAULT_DEPROVISION_ALARM,
    });
    props.dashboard.addWidgets(safety.widget);
    for (const a of safety.alarms) (props.safety?.alarm ?? props.alarm)(a);

    // Nobody rotates a token that works: say so before an auditor (or a leak) does.
    props.alarm(
      new cloudwatch.Alarm(scope, `TokenAge-${c.name}`, {
        alarmName: `${c.namePrefix}-${c.name}-token-age`,
        alarmDescription: `Connector ${c.name}: its token is older than ${tokenMaxAgeDays} days (scim:tokenMaxAgeDays), counted from rotatedAt in the token secret, else from when the secret's value was last written. Rotate it without a provisioning gap: npx scim-admin token rotate ${c.name}, paste the new token into the identity provider, then npx scim-admin check ${c.name}. The alarm clears at the next daily check (06:00 UTC).`,
        metric: tokenAge,
        threshold: tokenMaxAgeDays,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // One datapoint a day: a missed run keeps the last state (the check's own alarm reports it).
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      }),
    );

    // 5XX rate: a share, so one failed request on a quiet connector is not an outage.
    props.alarm(
      new cloudwatch.Alarm(scope, `ServerErrorRate-${c.name}`, {
        alarmName: `${c.namePrefix}-${c.name}-5xx-rate`,
        alarmDescription: `Connector ${c.name}: more than ${SERVER_ERROR_RATE_PERCENT}% of requests answered 5XX in 2 of the last 3 five-minute periods (handler failures, authorizer failures, DynamoDB errors). The IdP retries, but a lasting 5XX rate quarantines the provisioning job.`,
        metric: new cloudwatch.MathExpression({
          expression: 'IF(requests > 0, 100 * errors / requests, 0)',
          usingMetrics: { requests, errors: serverErrors },
          period: FIVE_MINUTES,
          label: '5XX %',
        }),
        threshold: SERVER_ERROR_RATE_PERCENT,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    // The IdP stopped syncing (disabled job, expired token on its side, quarantine): no 2xx/3xx.
    const hour = Duration.hours(1);
    props.alarm(
      new cloudwatch.Alarm(scope, `NoSuccess-${c.name}`, {
        alarmName: `${c.namePrefix}-${c.name}-no-successful-request`,
        alarmDescription: `Connector ${c.name}: no successful request for ${props.idleAlarmHours} hours. The identity provider stopped provisioning (job paused or quarantined, token rejected, app unassigned). Check the provisioning logs in Entra ID / Okta.`,
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(requests, 0) - FILL(clientErrors, 0) - FILL(serverErrors, 0)',
          usingMetrics: {
            requests: api('Count', { statistic: 'Sum', period: hour }),
            clientErrors: api('4XXError', { statistic: 'Sum', period: hour }),
            serverErrors: api('5XXError', { statistic: 'Sum', period: hour }),
          },
          period: hour,
          label: 'successful requests',
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: props.idleAlarmHours,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    );
  }
}

/** The dashboard of the connectors of a REST API in a nested stack: `<name prefix>-<region>` (`<stack>_api<n>-<region>`). */
export function apiDashboardName(namePrefix: string): string {
  return `${namePrefix}-${Aws.REGION}`;
}

export interface ApiGroupObservabilityProps {
  /** The REST API's name (`<stack>-2`, …), for the dashboard's title. */
  readonly apiName: string;
  /** What its dashboard's and its connectors' alarm names start with (`<stack>_api2`, …; lib/placement.ts). */
  readonly namePrefix: string;
  /** The deployment's stack name (its dashboard `<stack>-<region>` holds the stack-wide widgets). */
  readonly stackName: string;
  readonly connectors: readonly ObservedConnector[];
  readonly alarmTopic: sns.ITopic;
  readonly idleAlarmHours: number;
  readonly tokenMaxAgeDays?: number;
  readonly deprovisionAlarm?: (connector: string) => number;
}

/**
 * The rows and alarms of the connectors of one REST API in a nested stack (`ApiGroup2`, …), built
 * in that nested stack: each template then carries the observability of at most `scim:stagesPerApi`
 * connectors, so the stack template stays under CloudFormation's size and resource limits at 60
 * connectors (lib/limits.ts). The stack's own dashboard links here.
 */
export class ApiGroupObservability extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ApiGroupObservabilityProps) {
    super(scope, id);
    const notify = new actions.SnsAction(props.alarmTopic);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: apiDashboardName(props.namePrefix),
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        width: 24,
        height: 1,
        markdown: `# SCIM — REST API ${props.apiName}: one row per connector (functions, table, stack alarms: [${props.stackName}](#dashboards:name=${props.stackName}-${Aws.REGION}))`,
      }),
    );
    addConnectorObservability(this, {
      ...props,
      dashboard: this.dashboard,
      alarm: (a) => {
        a.addAlarmAction(notify);
        a.addOkAction(notify);
        this.alarms.push(a);
        return a;
      },
    });
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: `Alarms of ${props.apiName}`, width: 24, alarms: this.alarms }));
  }
}
