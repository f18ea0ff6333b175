/**
 * Every Lambda of the service goes through this construct, so the defaults are decided once:
 * Node.js 22 on arm64, an ESM bundle built by esbuild (`NodejsFunction`, local esbuild, never
 * Docker) minified with source maps, active X-Ray tracing, JSON logs into a log group with a
 * retention, the Powertools service name and metrics namespace.
 *
 * Each function gets its own role with nothing but "write to my log group" (and X-Ray, added by
 * the tracing setting); whatever else it may touch is granted by the stack, so a function's
 * permissions are exactly what the stack says.
 *
 * The AWS SDK is bundled rather than taken from the runtime: the deployed code then runs the SDK
 * versions the lockfile pins and the tests ran, not whatever the runtime ships that month.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DeploymentConfigError } from '../config.js';
import { join } from 'node:path';
import { METRIC_NAMESPACE, SERVICE_NAME } from '../../lambdas/http/metric-names.js';

/** Lambda's limit on the environment variables of a function (keys and values, all together). */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * Lambda bundles resolve the SDK's default credential chain to environment credentials only
 * (lambdas/runtime/env-credentials.ts): Lambda always provides them there, and the full chain
 * weighs 130–165 KiB per function.
 */
export const ENV_CREDENTIALS_MODULE = join(import.meta.dirname, '..', '..', 'lambdas', 'runtime', 'env-credentials.ts');

/** Bundled ESM still meets CommonJS dependencies that call `require` (Node built-ins). */
const REQUIRE_SHIM = "import { createRequire as __scimCreateRequire } from 'node:module'; const require = __scimCreateRequire(import.meta.url);";

export interface ScimFunctionProps {
  /** TypeScript entry file exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly environment?: Readonly<Record<string, string>>;
  /** esbuild `define`: expressions replaced in the bundle (configured profiles, lib/scim-stack.ts). */
  readonly define?: Readonly<Record<string, string>>;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly logRetentionDays: number;
}

export class ScimFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ScimFunctionProps) {
    super(scope, id);
    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
      ...props.environment,
    };
    // Fail the synth with a reason rather than the deployment (tokens count with their placeholder
    // length, a slight overestimate for table names).
    const size = Object.entries(environment).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    if (size > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
      throw new DeploymentConfigError([
        `${id}: environment variables take ${size} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}: too many connectors for one deployment (shorten connector names or split into several stacks with scim:stackName)`,
      ]);
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (logs to its own log group only)`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(20),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        platform: 'node',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        banner: REQUIRE_SHIM,
        externalModules: [],
        esbuildArgs: { '--alias:@aws-sdk/credential-provider-node': ENV_CREDENTIALS_MODULE },
        ...(props.define ? { define: { ...props.define } } : {}),
        forceDockerBundling: false,
      },
    });
  }
}
