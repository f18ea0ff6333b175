/**
 * One REST API serving a group of connectors, one stage each (API Gateway allows 10 stages per API
 * by default; the stack splits larger connector lists over several of these).
 *
 * Built from the shared route table (lambdas/http/routes.ts): every path under each base path used
 * by this API's connectors, its methods plus an `ANY` method to the same handler (so a wrong method
 * reaches the handler and gets a SCIM 405 with `Allow`); paths outside the table are API Gateway's
 * MISSING_AUTHENTICATION_TOKEN, rendered as a SCIM 404 by the gateway responses.
 *
 * Every method goes through the REQUEST authorizer, whose cache key is the `Authorization` header
 * plus the stage, so a cached "allow" can never carry a token over to another connector.
 *
 * One deployment serves all stages. API Gateway only changes what a stage serves when a new
 * deployment is created, so the deployment's logical id hashes the API model (routes, base paths,
 * authorizer settings, gateway responses, resource policy): any change to them redeploys every
 * stage.
 *
 * Source-address fence (lib/source-fence.ts): the API's resource policy allows everyone and, for
 * each connector with allowed source CIDRs (its own or `scim:allowedSourceCidrs`), denies every
 * other address on that connector's stage. A resource policy only reaches a stage through a new
 * deployment, so the policy is part of the deployment's hash.
 *
 * WAF (`scim:webAclArn`): one association of the web ACL per stage.
 */
import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct, type IDependable } from 'constructs';
import type { ConnectorConfig } from '../../lambdas/connectors/config.js';
import { resourcePaths, resourceTemplate, type HandlerName } from '../../lambdas/http/routes.js';
import { sourceFencePolicy, type PolicyJson } from '../source-fence.js';
import { addScimGatewayResponses, gatewayResponseSpecs } from './gateway-responses.js';

/** Per-stage throttling when a connector does not set its own (IdPs send a few requests a second). */
export const DEFAULT_THROTTLING = { rateLimit: 50, burstLimit: 100 } as const;

export interface ScimApiProps {
  readonly restApiName: string;
  readonly connectors: readonly ConnectorConfig[];
  readonly handlers: Readonly<Record<HandlerName, lambda.IFunction>>;
  readonly authorizer: lambda.IFunction;
  readonly authorizerCacheTtlSeconds: number;
  /** Shared JSON access log group of every stage. */
  readonly accessLogGroup: logs.ILogGroup;
  readonly logRetentionDays: number;
  /** The account's API Gateway CloudWatch role setting, which stage logging needs first. */
  readonly cloudWatchAccount: IDependable;
  /** `scim:allowedSourceCidrs`: the fence of connectors without their own `allowedSourceCidrs`. */
  readonly defaultAllowedSourceCidrs?: readonly string[];
  /** `scim:webAclArn`: regional WAF web ACL to associate with every stage. */
  readonly webAclArn?: string;
}

/** Stage access log line (JSON). Never a header: the Authorization header carries the token. */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  stage: '$context.stage',
  connector: '$context.authorizer.connector',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  responseType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  authorizerStatus: '$context.authorizer.status',
  authorizerLatency: '$context.authorizer.latency',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  responseLength: '$context.responseLength',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  xrayTraceId: '$context.xrayTraceId',
};

// Numbers are written unquoted so metric filters and Logs Insights can compare them.
const NUMERIC_FIELDS = new Set(['status', 'responseLatency']);

export function accessLogFormat(): string {
  const parts = Object.entries(ACCESS_LOG_FIELDS).map(([k, v]) => `"${k}":${NUMERIC_FIELDS.has(k) ? v : `"${v}"`}`);
  return `{${parts.join(',')}}`;
}

/**
 * Logging and tracing of every stage of the stack (connectors' and the setup page's): JSON access
 * lines into the shared access log group, metrics, X-Ray, execution logs at ERROR. Data tracing
 * would log full requests, Authorization header included: never.
 */
export function stageObservability(accessLogGroup: logs.ILogGroup): Pick<
  apigw.StageProps,
  'accessLogDestination' | 'accessLogFormat' | 'metricsEnabled' | 'tracingEnabled' | 'loggingLevel' | 'dataTraceEnabled'
> {
  return {
    accessLogDestination: new apigw.LogGroupLogDestination(accessLogGroup),
    accessLogFormat: apigw.AccessLogFormat.custom(accessLogFormat()),
    metricsEnabled: true,
    tracingEnabled: true,
    loggingLevel: apigw.MethodLoggingLevel.ERROR,
    dataTraceEnabled: false,
  };
}

export class ScimApi extends Construct {
  readonly api: apigw.RestApi;
  readonly deployment: apigw.Deployment;
  /** Stage per connector name. */
  readonly stages = new Map<string, apigw.Stage>();
  readonly requestAuthorizer: apigw.RequestAuthorizer;
  /** The API's resource policy: the source-address fence (only the Allow when no connector is fenced). */
  readonly resourcePolicy: PolicyJson;
  /** WAF web ACL association per connector name (empty without `webAclArn`). */
  readonly webAclAssociations = new Map<string, wafv2.CfnWebACLAssociation>();

  constructor(scope: Construct, id: string, props: ScimApiProps) {
    super(scope, id);
    const basePaths = [...new Set(props.connectors.map((c) => c.basePath))].sort();
    this.resourcePolicy = sourceFencePolicy(props.connectors, props.defaultAllowedSourceCidrs);

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: `SCIM 2.0 endpoint, one stage per connector: ${props.connectors.map((c) => c.name).join(', ')}`,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      deploy: false,
      cloudWatchRole: false,
      // Always set, even with nothing fenced: CloudFormation would not clear a removed policy.
      policy: iam.PolicyDocument.fromJson(this.resourcePolicy),
    });

    this.requestAuthorizer = new apigw.RequestAuthorizer(this, 'Authorizer', {
      handler: props.authorizer,
      identitySources: [apigw.IdentitySource.header('Authorization'), apigw.IdentitySource.context('stage')],
      resultsCacheTtl: Duration.seconds(props.authorizerCacheTtlSeconds),
    });

    const integrations = new Map<HandlerName, apigw.LambdaIntegration>();
    const integration = (name: HandlerName): apigw.LambdaIntegration => {
      let i = integrations.get(name);
      if (!i) {
        // One invoke permission per function and API (not one per method: the function policy
        // would outgrow its 20 KB limit once connectors span several APIs).
        i = new apigw.LambdaIntegration(props.handlers[name], { proxy: true, scopePermissionToMethod: false });
        integrations.set(name, i);
      }
      return i;
    };
    const methodOptions: apigw.MethodOptions = {
      authorizer: this.requestAuthorizer,
      authorizationType: apigw.AuthorizationType.CUSTOM,
    };

    const model: unknown[] = [];
    for (const basePath of basePaths) {
      for (const route of resourcePaths()) {
        // The root route (path '') is the base path's own resource, already the parent of Users.
        const resource = this.api.root.resourceForPath(resourceTemplate(basePath, route.path));
        for (const method of [...route.methods, 'ANY']) {
          resource.addMethod(method, integration(route.handler), methodOptions);
        }
        model.push({ basePath, path: route.path, handler: route.handler, methods: route.methods });
      }
    }

    const responses = addScimGatewayResponses(this, this.api);

    this.deployment = new apigw.Deployment(this, 'Deployment', {
      api: this.api,
      description: 'SCIM routes, authorizer and gateway responses',
    });
    this.deployment.addToLogicalId({
      model,
      authorizer: { ttl: props.authorizerCacheTtlSeconds, identitySources: ['Authorization', 'stage'] },
      gatewayResponses: gatewayResponseSpecs(),
      // A resource policy change only applies once deployed: it must give a new deployment. (CDK
      // also hashes the RestApi's properties today; this keeps it true whatever CDK does.)
      resourcePolicy: this.resourcePolicy,
    });
    for (const r of responses) this.deployment.node.addDependency(r);

    for (const connector of props.connectors) {
      const throttling = { ...DEFAULT_THROTTLING, ...connector.throttling };
      // Execution logs (errors only, never request data) go to a group API Gateway names itself;
      // creating it here gives it a retention instead of "never expire".
      const executionLogs = new logs.LogGroup(this, `ExecutionLogs-${connector.name}`, {
        logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${connector.name}`,
        retention: props.logRetentionDays as logs.RetentionDays,
      });
      const stage = new apigw.Stage(this, `Stage-${connector.name}`, {
        deployment: this.deployment,
        stageName: connector.name,
        description: `Connector ${connector.name} (${connector.profile})`,
        variables: { connector: connector.name },
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
        ...stageObservability(props.accessLogGroup),
      });
      stage.node.addDependency(props.cloudWatchAccount, executionLogs);
      this.stages.set(connector.name, stage);
      if (props.webAclArn) {
        const association = new wafv2.CfnWebACLAssociation(this, `WebAcl-${connector.name}`, {
          resourceArn: stage.stageArn,
          webAclArn: props.webAclArn,
        });
        // Explicit, not only through the ARN's reference to the stage: WAF must find the stage
        // deployed, whatever form CDK renders the ARN in.
        association.node.addDependency(stage);
        this.webAclAssociations.set(connector.name, association);
      }
    }
  }
}
