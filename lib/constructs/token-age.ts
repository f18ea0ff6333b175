/**
 * The daily token-age check: an EventBridge rule runs a small function once a day
 * (`TOKEN_AGE_SETTINGS.schedule`), which reads every connector's token secret and publishes
 * `TokenAgeDays` per connector (lambdas/handlers/token-age.ts). The per-connector "token too old"
 * alarms and the dashboard widget of each connector's row live in Observability, next to the
 * connector's other alarms; this construct owns the function, its schedule and its own failure alarm.
 *
 * - Least privilege: `secretsmanager:GetSecretValue` on the connectors' token secrets and nothing
 *   else (no DescribeSecret: the value's `rotatedAt` and the version's CreatedDate come with
 *   GetSecretValue; no table, no other secret).
 * - A run fails when a connector's secret cannot be read or parsed (after publishing the others).
 *   Lambda retries a failed asynchronous invocation twice; the failure alarm fires only when all
 *   three attempts of a day failed, so a throttled read that the retry fixes pages nobody. A broken
 *   check leaves the age alarms where they were (they ignore missing data), and this alarm says so.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { TOKEN_SECRETS_ENV } from '../../lambdas/auth/token-source.js';
import { ScimFunction } from './scim-function.js';

export const TOKEN_AGE_SETTINGS = {
  /** Once a day, 06:00 UTC: the age alarms change state in working hours in most time zones. */
  schedule: { minute: '0', hour: '6' },
  memorySize: 256,
  timeoutSeconds: 60,
  /** Lambda's own retries of a failed run (asynchronous invocation). */
  retryAttempts: 2,
} as const;

export interface TokenAgeCheckProps {
  /** Connector name → its token secret and the secret's name (what the authorizer reads). */
  readonly secrets: ReadonlyMap<string, { readonly secret: secretsmanager.ISecret; readonly name: string }>;
  readonly logRetentionDays: number;
  readonly alarmTopic: sns.ITopic;
}

export class TokenAgeCheck extends Construct {
  readonly checker: ScimFunction;
  readonly schedule: events.Rule;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: TokenAgeCheckProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const s = TOKEN_AGE_SETTINGS;

    this.checker = new ScimFunction(this, 'CheckFunction', {
      entry: join(import.meta.dirname, '..', '..', 'lambdas', 'handlers', 'token-age.ts'),
      description: 'SCIM token age: publishes TokenAgeDays per connector, once a day',
      logRetentionDays: props.logRetentionDays,
      memorySize: s.memorySize,
      timeout: Duration.seconds(s.timeoutSeconds),
      environment: { [TOKEN_SECRETS_ENV]: JSON.stringify(Object.fromEntries([...props.secrets].map(([c, x]) => [c, x.name]))) },
    });
    const fn = this.checker.function;
    const secretArns = [...props.secrets.values()].map((x) => x.secret.secretArn);
    if (secretArns.length > 0) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: secretArns }));
    }
    fn.configureAsyncInvoke({ retryAttempts: s.retryAttempts });

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Runs the SCIM token-age check once a day',
      schedule: events.Schedule.cron(s.schedule),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });

    const notify = new actions.SnsAction(props.alarmTopic);
    this.alarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmName: `${stackName}-token-age-check-errors`,
      alarmDescription: `The daily token-age check failed on every attempt: at least one connector's token age is not measured, and its "token older than" alarm keeps its last state. The "token age" ERROR line in the check's log group names the connector and the error (secret unreadable or malformed; the authorizer then fails too).`,
      metric: fn.metricErrors({ statistic: 'Sum', period: Duration.days(1) }),
      threshold: s.retryAttempts + 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(notify);
    this.alarm.addOkAction(notify);

    // cdk-nag (AwsSolutions): the same two findings every ScimFunction has (lib/nag-suppressions.ts).
    Validations.of(this.checker.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments/PutTelemetryRecords support no resource-level permissions (added by Tracing.ACTIVE). The secrets are named by ARN.',
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the project targets and tests; runtime upgrades are deliberate changes in lib/constructs/scim-function.ts.',
    });
  }
}
