/**
 * The one-time setup page (lambdas/setup/app.ts, `scim-admin setup-link`): one function and one
 * small REST API for the whole stack, whatever the number of connectors — `/{connector}/{link}`
 * (GET the page, POST its API) on a stage `setup`. Not a route on the connectors' SCIM APIs: those
 * may be fenced to the identity provider's addresses (allowedSourceCidrs) and filtered by WAF,
 * while the setup page must open in the IdP admin's browser. It has no authorizer (the admin has no
 * SCIM token); the link's 256-bit secret, sent in the request body, is the credential.
 *
 * Least privilege: GetItem and UpdateItem on setup-link items only (`dynamodb:LeadingKeys`
 * `C#*#SETUP`; links are created by scim-admin, never by the page), GetSecretValue on the connectors' token secrets only (by
 * name pattern: one statement whatever the connector count), FilterLogEvents on the access log
 * group and the users/groups log groups (the connection status; cloudwatch-status.ts).
 *
 * Dashboard: one widget, the token reveals per connector (a SEARCH over `SetupTokenReveals`).
 */
import { Arn, ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import { join } from 'node:path';
import { CONNECTORS_ENV } from '../../lambdas/connectors/deployed.js';
import { TABLE_NAME_ENV } from '../../lambdas/http/app.js';
import { CONNECTOR_DIMENSION, METRIC_NAMESPACE, SETUP_METRICS } from '../../lambdas/http/metric-names.js';
import { TOKEN_SECRET_PREFIX_ENV } from '../../lambdas/setup/app.js';
import { STATUS_LOG_GROUPS_ENV } from '../../lambdas/setup/cloudwatch-status.js';
import { stageObservability } from './scim-api.js';
import { ScimFunction } from './scim-function.js';

/** An admin opens a page now and then: a low ceiling keeps a link-guessing flood cheap and slow. */
export const SETUP_THROTTLING = { rateLimit: 5, burstLimit: 10 } as const;
export const SETUP_STAGE = 'setup';

export interface SetupApiProps {
  readonly stackName: string;
  readonly connectorsJson: string;
  readonly define: Readonly<Record<string, string>>;
  readonly table: dynamodb.ITable;
  /** Token secrets are named `<tokenSecretPrefix><connector>/token`. */
  readonly tokenSecretPrefix: string;
  readonly accessLogGroup: logs.ILogGroup;
  /** The users and groups functions' log groups (failures with their scimType). */
  readonly handlerLogGroups: readonly logs.ILogGroup[];
  readonly logRetentionDays: number;
  readonly cloudWatchAccount: IDependable;
  readonly dashboard: cloudwatch.Dashboard;
}

export class SetupApi extends Construct {
  readonly function: ScimFunction;
  readonly api: apigw.RestApi;
  readonly stage: apigw.Stage;
  /** `https://<id>.execute-api.<region>.amazonaws.com/setup` (stack output SetupPageUrl). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: SetupApiProps) {
    super(scope, id);
    const fn = (this.function = new ScimFunction(this, 'Function', {
      entry: join(import.meta.dirname, '..', '..', 'lambdas', 'handlers', 'setup.ts'),
      description: 'One-time setup page: Tenant URL, one token reveal, IdP guide, connection status',
      logRetentionDays: props.logRetentionDays,
      memorySize: 256,
      timeout: Duration.seconds(10),
      define: props.define,
      environment: {
        [CONNECTORS_ENV]: props.connectorsJson,
        [TABLE_NAME_ENV]: props.table.tableName,
        [TOKEN_SECRET_PREFIX_ENV]: props.tokenSecretPrefix,
        [STATUS_LOG_GROUPS_ENV]: JSON.stringify({ access: props.accessLogGroup.logGroupName, handlers: props.handlerLogGroups.map((g) => g.logGroupName) }),
      },
    }));
    const stack = Stack.of(this);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['C#*#SETUP'] } },
      }),
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [Arn.format({ service: 'secretsmanager', resource: 'secret', resourceName: `${props.tokenSecretPrefix}*/token-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }, stack)],
      }),
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:FilterLogEvents'], resources: [props.accessLogGroup, ...props.handlerLogGroups].map((g) => g.logGroupArn) }),
    );

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `${props.stackName}-setup`,
      description: 'One-time setup pages of the SCIM connectors (scim-admin setup-link)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      deploy: false,
      cloudWatchRole: false,
    });
    const link = this.api.root.addResource('{connector}').addResource('{link}');
    const integration = new apigw.LambdaIntegration(fn.function, { proxy: true, scopePermissionToMethod: false });
    for (const method of ['GET', 'POST']) link.addMethod(method, integration, { authorizationType: apigw.AuthorizationType.NONE });

    const deployment = new apigw.Deployment(this, 'Deployment', { api: this.api, description: 'Setup page routes' });
    deployment.addToLogicalId({ routes: ['GET', 'POST'], path: '/{connector}/{link}' });
    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${SETUP_STAGE}`,
      retention: props.logRetentionDays as logs.RetentionDays,
    });
    this.stage = new apigw.Stage(this, 'Stage', {
      deployment,
      stageName: SETUP_STAGE,
      throttlingRateLimit: SETUP_THROTTLING.rateLimit,
      throttlingBurstLimit: SETUP_THROTTLING.burstLimit,
      // The same access log group as the SCIM stages (stage `setup`): the link id is in the path, its secret never is.
      ...stageObservability(props.accessLogGroup),
    });
    this.stage.node.addDependency(props.cloudWatchAccount, executionLogs);
    this.api.deploymentStage = this.stage;
    this.url = `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${SETUP_STAGE}`;

    props.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Setup links: token reveals per connector',
        width: 12,
        left: [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${METRIC_NAMESPACE},service,${CONNECTOR_DIMENSION}} MetricName="${SETUP_METRICS.tokenReveals}"', 'Sum', 3600)`,
            label: '',
            period: Duration.hours(1),
          }),
        ],
      }),
    );

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The setup page is opened by the identity provider admin, who has no credential but the link: its 256-bit secret (URL fragment, sent in the POST body, only its hash stored) authorises every answer with data; the GET answers the same static page to anyone.',
    });
    Validations.of(this.api).acknowledge({ id: 'AwsSolutions-COG4', reason: 'No user pool: the one-time link secret is the credential (see APIG4).' });
    Validations.of(this.api).acknowledge({ id: 'AwsSolutions-APIG2', reason: 'The setup function validates its one small JSON body itself (400 with what to send).' });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'No WAF on purpose: the page must open from the admin\'s browser wherever it is (the SCIM stages\' WAF and source fences are for the IdP); the stage is throttled to 5 requests/s and links are unguessable.',
    });
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments/PutTelemetryRecords support no resource-level permissions (added by Tracing.ACTIVE).',
    });
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${props.tokenSecretPrefix}*/token-*]`,
      reason: 'The connectors\' token secrets (`<stack>/<connector>/token` plus the random suffix Secrets Manager appends): one statement whatever the connector count, matching no other secret of the stack.',
    });
    Validations.of(fn.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the project targets and tests; runtime upgrades are deliberate changes in lib/constructs/scim-function.ts.',
    });
  }
}
