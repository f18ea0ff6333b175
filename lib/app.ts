/**
 * Builds the CDK app: reads and validates the context, instantiates the stack and (unless turned
 * off) runs the cdk-nag AwsSolutions checks, so `cdk synth` fails on an unsuppressed finding.
 * bin/scim.ts calls it for the CLI; the infra tests call it with their own context.
 */
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readDeploymentConfig, type DeploymentConfig } from './config.js';
import { suppressNagFindings } from './nag-suppressions.js';
import { ScimStack } from './scim-stack.js';

export interface ScimAppOptions {
  /** Extra context (tests); the CLI passes cdk.json and `-c` values through the environment. */
  readonly context?: Record<string, unknown>;
  readonly outdir?: string;
  /** Run cdk-nag AwsSolutions checks (default true). */
  readonly nag?: boolean;
}

export function createScimApp(options: ScimAppOptions = {}): { app: App; stack: ScimStack; config: DeploymentConfig } {
  const appProps: AppProps = {
    // CDK's own 500-resource check would throw a stack trace; lib/limits.ts measures every template
    // after synth instead (bin/scim.ts), with the way out.
    context: { '@aws-cdk/core:stackResourceLimit': 0, ...options.context },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  };
  const app = new App(appProps);
  const config = readDeploymentConfig((key) => app.node.tryGetContext(key));
  // Environment-agnostic: the same template for every account and region, synthesised offline.
  const stack = new ScimStack(app, config.stackName, { config });
  // The findings this design accepts, each with its reason (lib/nag-suppressions.ts).
  suppressNagFindings(stack);
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack, config };
}
