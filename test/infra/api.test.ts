/**
 * The REST API construct on its own (imported functions, no bundling, fast): API Gateway serves a
 * change only after a new deployment, so the deployment's logical id must follow the API model —
 * stable when nothing changed (no needless redeploys), new when routes, base paths, the authorizer
 * or the gateway responses change.
 */
import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { parseConnectors } from '../../lambdas/connectors/config.js';
import { ScimApi, accessLogFormat } from '../../lib/constructs/scim-api.js';

function deploymentId(options: { ttl?: number; connectors?: unknown } = {}): string {
  const stack = new Stack(new App(), 'T');
  const fn = (name: string) => lambda.Function.fromFunctionArn(stack, name, `arn:aws:lambda:eu-west-1:123456789012:function:${name}`);
  const api = new ScimApi(stack, 'Api', {
    restApiName: 'T',
    connectors: parseConnectors(options.connectors ?? [{ name: 'a' }, { name: 'b' }]),
    handlers: { users: fn('users'), groups: fn('groups'), discovery: fn('discovery') },
    authorizer: fn('authorizer'),
    authorizerCacheTtlSeconds: options.ttl ?? 300,
    accessLogGroup: new logs.LogGroup(stack, 'Access'),
    logRetentionDays: 90,
    cloudWatchAccount: new apigw.CfnAccount(stack, 'Account', { cloudWatchRoleArn: 'arn:aws:iam::123456789012:role/x' }),
  });
  return stack.resolve((api.deployment.node.defaultChild as CfnResource).logicalId) as string;
}

describe('deployment logical id', () => {
  it('is stable for the same model', () => {
    expect(deploymentId()).toBe(deploymentId());
  });

  it('changes with the authorizer TTL and with the base paths', () => {
    const base = deploymentId();
    expect(deploymentId({ ttl: 60 })).not.toBe(base);
    expect(deploymentId({ connectors: [{ name: 'a' }, { name: 'b', basePath: 'scim' }] })).not.toBe(base);
  });
});

describe('access log format', () => {
  it('is valid JSON once API Gateway fills in the numbers', () => {
    const line = accessLogFormat().replace(/\$context\.[A-Za-z.]+/g, (v) => (v === '$context.status' || v === '$context.responseLatency' ? '200' : 'x'));
    expect(() => JSON.parse(line) as unknown).not.toThrow();
  });
});
