/**
 * Wiring: builds the three SCIM Lambda handlers from their dependencies. The Lambda entry files
 * call these once per container with clients built from the environment (`fromEnvironment`); the
 * local gateway calls them with DynamoDB Local, so both run the same handler code.
 *
 * Lambda environment (set by the CDK stack):
 *  - `SCIM_CONNECTORS`: the validated connector list (JSON, lambdas/connectors/config.ts); the
 *    configured profiles it names are not in the environment but in the bundle
 *    (lambdas/connectors/deployed-profiles.ts);
 *  - `SCIM_TABLE_NAME`: the DynamoDB table;
 *  - `SCIM_CURSOR_KEY_SECRET_ARN`: the secret holding the paging cursors' signing key (read on the
 *    first cursor request, cursor-key.ts); required;
 *  - `DYNAMODB_ENDPOINT`: only for local runs (DynamoDB Local).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { connectorsFromEnv, type LambdaConnector } from '../connectors/deployed.js';
import { deployedProfiles } from '../connectors/deployed-profiles.js';
import { profileRegistry } from '../connectors/profiles.js';
import type { ProfileRegistry } from '../connectors/registry.js';
import type { ResolvedProfile } from '../connectors/rules.js';
import { Provisioning, RootSearch } from '../provisioning/index.js';
import type { ConnectorOptions } from '../store/context.js';
import { resolvedOnceDocumentClient } from '../store/doc-client.js';
import { readConnectorState } from '../store/connector-state.js';
import { ScimStore } from '../store/store.js';
import { TABLE } from '../store/table.js';
import { makeResourceAction, PAGING } from './actions/resources.js';
import { makeRootAction } from './actions/root.js';
import { CURSOR_KEY_SECRET_ENV, secretsManagerCursorKey } from './cursor-key.js';
import { SERVICE_NAME } from './metric-names.js';
import { PauseGate, pausable } from './pause.js';
import { scimHandler } from './middleware.js';
import { defaultLogger, discoveryHandler } from './discovery-app.js';

export { defaultLogger, discoveryHandler };
import { RequestLog } from './request-log.js';
import { isRootRoute, type HandlerName } from './routes.js';

export const TABLE_NAME_ENV = 'SCIM_TABLE_NAME';

export interface AppDeps {
  readonly connectors: readonly LambdaConnector[];
  /** Built-in and configured profiles (default: the built-in ones). */
  readonly profiles?: ProfileRegistry;
  readonly store: ScimStore;
  /** One logger per handler; default: Powertools logger, service `scim`. */
  readonly logger?: (handler: HandlerName) => Logger;
  /** Per-request provisioning lines; default none (the local endpoint prints its own request lines). */
  readonly requestLog?: (handler: HandlerName) => RequestLog;
}

/** The users and groups services of a store, root queries composed from both, each connector's profile and the pause check. */
export type ScimServices = Provisioning & { readonly root: RootSearch; readonly profile: (connector: string) => ResolvedProfile; readonly pause: PauseGate };

/** `profiles`: built-in and configured profiles (default: the built-in ones). */
export function createProvisioning(connectors: readonly LambdaConnector[], store: ScimStore, profiles: ProfileRegistry = profileRegistry()): ScimServices {
  const profile = profiles.forConnectors(connectors);
  const provisioning = new Provisioning({ store, schemas: (name) => profile(name).schemas, profile });
  const root = new RootSearch({ store, users: provisioning.users, groups: provisioning.groups, schemas: (name) => profile(name).schemas, profile });
  const pause = new PauseGate((c) => readConnectorState(store.ctx, c).then((s) => s.paused));
  return Object.assign(provisioning, { root, profile, pause });
}

/**
 * The store's per-connector options from the configuration: `unknownMembers` is the connector's
 * own setting, else its profile's default (`ignore`).
 */
export function connectorStoreOptions(connectors: readonly LambdaConnector[], profiles: ProfileRegistry = profileRegistry()): (name: string) => ConnectorOptions {
  const byName = new Map(connectors.map((c) => [c.name, { unknownMembers: c.unknownMembers ?? profiles.get(c.profile).unknownMembers }] as const));
  return (name) => byName.get(name) ?? {};
}

/**
 * The users handler also serves queries at the server root (RFC 7644 §3.4.2.1, §3.4.3): its bundle
 * already holds the Groups service too (one provisioning module), Users come first in the answer,
 * and users-only connectors need nothing else. `root` is optional for tests that only call /Users.
 * `profile`: each connector's profile (createProvisioning); without it, the connectors must name
 * built-in profiles (tests with a stub service).
 * `requestLog`: default one line per request to standard output, with EMF metrics; `null` for none.
 */
export function usersHandler(
  connectors: readonly LambdaConnector[],
  provisioning: Pick<Provisioning, 'users'> & { readonly root?: RootSearch; readonly profile?: (connector: string) => ResolvedProfile; readonly pause?: PauseGate },
  logger: Logger = defaultLogger('users'),
  requestLog: RequestLog | null = new RequestLog({ handler: 'users' }),
) {
  const users = makeResourceAction(provisioning.users, 'Users', provisioning.profile ?? profileRegistry().forConnectors(connectors));
  const root = provisioning.root ? makeRootAction(provisioning.root) : undefined;
  return scimHandler(
    { handler: 'users', connectors, logger, requestLog: requestLog ?? undefined },
    pausable(provisioning.pause, (req) => {
      if (!isRootRoute(req.route)) return users(req);
      if (!root) throw new Error('root queries are not wired into this users handler');
      return root(req);
    }),
  );
}

export function groupsHandler(
  connectors: readonly LambdaConnector[],
  provisioning: Pick<Provisioning, 'groups'> & { readonly profile?: (connector: string) => ResolvedProfile; readonly pause?: PauseGate },
  logger: Logger = defaultLogger('groups'),
  requestLog: RequestLog | null = new RequestLog({ handler: 'groups' }),
) {
  const groups = makeResourceAction(provisioning.groups, 'Groups', provisioning.profile ?? profileRegistry().forConnectors(connectors));
  return scimHandler({ handler: 'groups', connectors, logger, requestLog: requestLog ?? undefined }, pausable(provisioning.pause, groups));
}

/** All three handlers for one store (the local gateway). */
export function createHandlers(deps: AppDeps) {
  const logger = deps.logger ?? defaultLogger;
  const profiles = deps.profiles ?? profileRegistry();
  const provisioning = createProvisioning(deps.connectors, deps.store, profiles);
  return {
    users: usersHandler(deps.connectors, provisioning, logger('users'), deps.requestLog?.('users') ?? null),
    groups: groupsHandler(deps.connectors, provisioning, logger('groups'), deps.requestLog?.('groups') ?? null),
    discovery: discoveryHandler(deps.connectors, profiles, logger('discovery'), deps.requestLog?.('discovery') ?? null),
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

/**
 * What a Lambda container builds once: connectors, profiles and store from its environment (the
 * configured profiles from the bundle: deployed-profiles.ts).
 */
export function fromEnvironment(env: NodeJS.ProcessEnv = process.env): { connectors: LambdaConnector[]; profiles: ProfileRegistry; store: ScimStore } {
  const profiles = deployedProfiles(profileRegistry);
  const connectors = connectorsFromEnv(env, profiles);
  // No built-in key: a cursor signed in one container must open in every other one.
  const cursorKeySecret = env[CURSOR_KEY_SECRET_ENV];
  if (!cursorKeySecret) throw new Error(`${CURSOR_KEY_SECRET_ENV} is not set: the users and groups functions need the cursor key secret (set by lib/scim-stack.ts)`);
  const store = new ScimStore({
    doc: documentClient(env.DYNAMODB_ENDPOINT),
    tableName: env[TABLE_NAME_ENV] ?? TABLE.defaultName,
    connectorOptions: connectorStoreOptions(connectors, profiles),
    cursorSecret: secretsManagerCursorKey(cursorKeySecret),
  });
  return { connectors, profiles, store };
}
