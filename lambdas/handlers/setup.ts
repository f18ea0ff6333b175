/**
 * Lambda entry: the one-time setup page and its API (lambdas/setup/app.ts), on the stack's setup
 * REST API (lib/constructs/setup-api.ts), no authorizer. Env (set by the CDK stack):
 * `SCIM_CONNECTORS`, `SCIM_TABLE_NAME`, `SCIM_TOKEN_SECRET_PREFIX` (the token secrets are
 * `<prefix><connector>/token`), `SCIM_STATUS_LOG_GROUPS` (cloudwatch-status.ts). Configured
 * profiles come in the bundle (lambdas/connectors/deployed-profiles.ts).
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CachedTokenSource, SecretsManagerTokenSource } from '../auth/token-source.js';
import { tokenSecretName } from '../auth/token-secrets-env.js';
import { connectorsFromEnv } from '../connectors/deployed.js';
import { deployedProfiles } from '../connectors/deployed-profiles.js';
import { schemaRegistry } from '../connectors/profiles.js';
import { defaultLogger, documentClient, TABLE_NAME_ENV } from '../http/app.js';
import { setupHandler, TOKEN_SECRET_PREFIX_ENV } from '../setup/app.js';
import { CloudWatchStatus, statusLogGroupsFromEnv } from '../setup/cloudwatch-status.js';
import { SetupLinks } from '../store/setup-links.js';

const profiles = deployedProfiles(schemaRegistry);
const prefix = process.env[TOKEN_SECRET_PREFIX_ENV] ?? 'scim/';
const app = setupHandler({
  connectors: connectorsFromEnv(process.env, profiles),
  profiles,
  links: new SetupLinks(documentClient(), process.env[TABLE_NAME_ENV] ?? ''),
  // A short cache: a rotated token is what the next reveal hands out.
  tokens: new CachedTokenSource(new SecretsManagerTokenSource(new SecretsManagerClient({}), (c) => tokenSecretName(prefix, c)), 5_000),
  status: new CloudWatchStatus(new CloudWatchLogsClient({}), statusLogGroupsFromEnv()),
  logger: defaultLogger('setup'),
});

export const handler = app;
