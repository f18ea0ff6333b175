/**
 * Lambda entry: the REQUEST authorizer of every stage. Identity sources (set by the CDK stack):
 * `method.request.header.Authorization` and `context.stage`, result TTL 300 s.
 * Env: `SCIM_TOKEN_SECRETS` (optional secret map, see lambdas/auth/token-source.ts): its keys are
 * the known connectors (not `SCIM_CONNECTORS` as well: both lists at 60 connectors would not fit
 * Lambda's 4 KB of environment, lib/limits.ts); `SCIM_CONNECTORS` still works when it is the only one.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { makeAuthorizer } from '../auth/authorizer.js';
import { CachedTokenSource, SecretsManagerTokenSource, TOKEN_SECRETS_ENV } from '../auth/token-source.js';
import { CONNECTORS_ENV, connectorsFromEnv } from '../connectors/deployed.js';

const logger = new Logger({ serviceName: 'scim', persistentKeys: { handler: 'authorizer' } });
const source = new CachedTokenSource(new SecretsManagerTokenSource(new SecretsManagerClient({})));
const secretsEnv = process.env[TOKEN_SECRETS_ENV];
const connectors = secretsEnv
  ? new Set(Object.keys(JSON.parse(secretsEnv) as Record<string, unknown>))
  : process.env[CONNECTORS_ENV]
    ? new Set(connectorsFromEnv().map((c) => c.name))
    : undefined;

export const handler = middy(makeAuthorizer({ source, logger, ...(connectors ? { connectors } : {}) })).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
