/**
 * The discovery handler's wiring, apart from app.ts: discovery needs no DynamoDB, and importing
 * app.ts would bundle the DynamoDB client into the discovery Lambda (400 KiB instead of ~70).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LambdaConnector } from '../connectors/deployed.js';
import type { ProfileRegistry } from '../connectors/registry.js';
import type { ProfileShape } from '../connectors/rules.js';
import { makeDiscoveryAction } from './actions/discovery.js';
import { PAGING } from './actions/resources.js';
import { SERVICE_NAME } from './metric-names.js';
import { RequestLog } from './request-log.js';
import { scimHandler } from './middleware.js';

export function defaultLogger(handler: string): Logger {
  return new Logger({ serviceName: SERVICE_NAME, persistentKeys: { handler } });
}

/** `requestLog`: default one line per request to standard output (discovery counts no metric); `null` for none. */
/** `profiles`: built-in and configured profiles; each connector's is resolved here (fail at init). */
export function discoveryHandler(
  connectors: readonly LambdaConnector[],
  profiles: ProfileRegistry<ProfileShape>,
  logger: Logger = defaultLogger('discovery'),
  requestLog: RequestLog | null = new RequestLog({ handler: 'discovery' }),
) {
  return scimHandler(
    { handler: 'discovery', connectors, logger, requestLog: requestLog ?? undefined },
    makeDiscoveryAction({ maxResults: PAGING.maxCount, defaultPageSize: PAGING.defaultCount, cursorPaging: true }, profiles.forConnectors(connectors)),
  );
}
