/**
 * Wiring: builds the three SCIM Lambda handlers from their dependencies. The Lambda entry files
 * call these once per container with clients built from the environment (`fromEnvironment`); the
 * local gateway calls them with DynamoDB Local, so both run the same handler code.
 *
 * Lambda environment (set by the CDK stack):
 *  - `SCIM_CONNECTORS`: the validated connector list (JSON, lambdas/connectors/config.ts);
 *  - `SCIM_TABLE_NAME`: the DynamoDB table;
 *  - `DYNAMODB_ENDPOINT`: only for local runs (DynamoDB Local).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConnectorConfig } from '../connectors/config.js';
import { connectorMap, connectorsFromEnv } from '../connectors/deployed.js';
import { profileFor } from '../connectors/profiles.js';
import { Provisioning, RootSearch } from '../provisioning/index.js';
import type { ConnectorOptions } from '../store/context.js';
import { resolvedOnceDocumentClient } from '../store/doc-client.js';
import { ScimStore } from '../store/store.js';
import { TABLE } from '../store/table.js';
import { makeResourceAction, PAGING } from './actions/resources.js';
import { makeRootAction } from './actions/root.js';
import { SERVICE_NAME } from './metric-names.js';
import { scimHandler } from './middleware.js';
import { defaultLogger, discoveryHandler } from './discovery-app.js';

export { defaultLogger, discoveryHandler };
import { RequestLog } from './request-log.js';
import { isRootRoute, type HandlerName } from './routes.js';

export const TABLE_NAME_ENV = 'SCIM_TABLE_NAME';

export interface AppDeps {
  readonly connectors: readonly ConnectorConfig[];
  readonly store: ScimStore;
  /** One logger per handler; default: Powertools logger, service `scim`. */
  readonly logger?: (handler: HandlerName) => Logger;
  /** Per-request provisioning lines; default none (the local endpoint prints its own request lines). */
  readonly requestLog?: (handler: HandlerName) => RequestLog;
}

/** The users and groups services of a store, plus root queries composed from both. */
export type ScimServices = Provisioning & { readonly root: RootSearch };

export function createProvisioning(connectors: readonly ConnectorConfig[], store: ScimStore): ScimServices {
  const byName = connectorMap(connectors);
  const profile = (name: string) => {
    const c = byName.get(name);
    if (!c) throw new Error(`unknown connector ${name}`);
    return profileFor(c.profile);
  };
  const provisioning = new Provisioning({ store, schemas: (name) => profile(name).schemas, profile });
  const root = new RootSearch({ store, users: provisioning.users, groups: provisioning.groups, schemas: (name) => profile(name).schemas, profile });
  return Object.assign(provisioning, { root });
}

/**
 * The store's per-connector options from the configuration: `unknownMembers` is the connector's
 * own setting, else its profile's default (`ignore`).
 */
export function connectorStoreOptions(connectors: readonly ConnectorConfig[]): (name: string) => ConnectorOptions {
  const byName = new Map(connectors.map((c) => [c.name, { unknownMembers: c.unknownMembers ?? profileFor(c.profile).unknownMembers }] as const));
  return (name) => byName.get(name) ?? {};
}

/**
 * The users handler also serves queries at the server root (RFC 7644 §3.4.2.1, §3.4.3): its bundle
 * already holds the Groups service too (one provisioning module), Users come first in the answer,
 * and users-only connectors need nothing else. `root` is optional for tests that only call /Users.
 * `requestLog`: default one line per request to standard output, with EMF metrics; `null` for none.
 */
export function usersHandler(
  connectors: readonly ConnectorConfig[],
  provisioning: Pick<Provisioning, 'users'> & { readonly root?: RootSearch },
  logger: Logger = defaultLogger('users'),
  requestLog: RequestLog | null = new RequestLog({ handler: 'users' }),
) {
  const users = makeResourceAction(provisioning.users, 'Users');
  const root = provisioning.root ? makeRootAction(provisioning.root) : undefined;
  return scimHandler({ handler: 'users', connectors, logger, requestLog: requestLog ?? undefined }, (req) => {
    if (!isRootRoute(req.route)) return users(req);
    if (!root) throw new Error('root queries are not wired into this users handler');
    return root(req);
  });
}

export function groupsHandler(
  connectors: readonly ConnectorConfig[],
  provisioning: Pick<Provisioning, 'groups'>,
  logger: Logger = defaultLogger('groups'),
  requestLog: RequestLog | null = new RequestLog({ handler: 'groups' }),
) {
  return scimHandler({ handler: 'groups', connectors, logger, requestLog: requestLog ?? undefined }, makeResourceAction(provisioning.groups, 'Groups'));
}

/** All three handlers for one store (the local gateway). */
export function createHandlers(deps: AppDeps) {
  const logger = deps.logger ?? defaultLogger;
  const provisioning = createProvisioning(deps.connectors, deps.store);
  return {
    users: usersHandler(deps.connectors, provisioning, logger('users'), deps.requestLog?.('users') ?? null),
    groups: groupsHandler(deps.connectors, provisioning, logger('groups'), deps.requestLog?.('groups') ?? null),
    discovery: discoveryHandler(deps.connectors, logger('discovery'), deps.requestLog?.('discovery') ?? null),
  };
}

/**
 * DynamoDB client settings: a call that hangs is cut after `requestTimeout` and retried at most
 * `maxAttempts` times, so a storage outage turns into a SCIM 503 well inside the Lambda timeout
 * (20 s) instead of a hung request; the handler deadline (middleware.ts) is the last resort.
 * DynamoDB answers in milliseconds; 3 s leaves room for a 100-item transaction on a busy table.
 */
export const DYNAMODB_CLIENT_SETTINGS = { maxAttempts: 3, connectionTimeoutMs: 1000, requestTimeoutMs: 3000 } as const;

export function documentClient(endpoint?: string): DynamoDBDocumentClient {
  return resolvedOnceDocumentClient(
    {
      ...(endpoint ? { endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
      maxAttempts: DYNAMODB_CLIENT_SETTINGS.maxAttempts,
      // throwOnRequestTimeout: without it the handler only logs a warning and keeps waiting.
      requestHandler: {
        connectionTimeout: DYNAMODB_CLIENT_SETTINGS.connectionTimeoutMs,
        requestTimeout: DYNAMODB_CLIENT_SETTINGS.requestTimeoutMs,
        throwOnRequestTimeout: true,
      },
    },
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

/** What a Lambda container builds once: connectors and store from its environment. */
export function fromEnvironment(env: NodeJS.ProcessEnv = process.env): { connectors: ConnectorConfig[]; store: ScimStore } {
  const connectors = connectorsFromEnv(env);
  const store = new ScimStore({
    doc: documentClient(env.DYNAMODB_ENDPOINT),
    tableName: env[TABLE_NAME_ENV] ?? TABLE.defaultName,
    connectorOptions: connectorStoreOptions(connectors),
  });
  return { connectors, store };
}
