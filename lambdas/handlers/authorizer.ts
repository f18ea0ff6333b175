/**
 * Lambda entry: the REQUEST authorizer of every stage. Identity sources (set by the CDK stack):
 * `method.request.header.Authorization` and `context.stage`, result TTL 300 s.
 * Env: `SCIM_CONNECTORS` (optional, known connectors), `SCIM_TOKEN_SECRETS` (optional secret map,
 * see lambdas/auth/token-source.ts).
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { makeAuthorizer } from '../auth/authorizer.js';
import { CachedTokenSource, SecretsManagerTokenSource } from '../auth/token-source.js';
import { CONNECTORS_ENV, connectorsFromEnv } from '../connectors/deployed.js';

const logger = new Logger({ serviceName: 'scim', persistentKeys: { handler: 'authorizer' } });
const source = new CachedTokenSource(new SecretsManagerTokenSource(new SecretsManagerClient({})));
const connectors = process.env[CONNECTORS_ENV] ? new Set(connectorsFromEnv().map((c) => c.name)) : undefined;

export const handler = middy(makeAuthorizer({ source, logger, ...(connectors ? { connectors } : {}) })).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
