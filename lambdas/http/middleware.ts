/**
 * The middy pipeline every SCIM Lambda uses: request telemetry (one provisioning line per request,
 * see observability.ts) → SCIM error edge → the request parsed into a `ScimRequest` → the route's
 * action. One error edge (as in middy's http-error-handler): a `ScimError` goes out as its SCIM
 * body, status and headers; anything else is logged (request ids, connector, route; never headers,
 * token or body) and answered with an opaque SCIM 500.
 *
 * The Powertools logger gets no per-request context (`injectLambdaContext`, `appendKeys`): only
 * the error edge logs through it, rarely, and passes the request's ids itself; the per-request
 * context handling cost ~50 µs of every request (request-log.ts has the figures).
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ConnectorConfig } from '../connectors/config.js';
import { connectorMap } from '../connectors/deployed.js';
import { isScimError, ScimError } from '../scim/errors.js';
import { isStorageError } from '../store/storage-error.js';
import { parseJsonBody } from './body.js';
import { publicBaseUrl } from './location.js';
import { requestTelemetry, telemetryFor, type RequestTelemetry } from './observability.js';
import type { RequestLog } from './request-log.js';
import { QueryParams } from './query.js';
import { errorResponse, internalErrorResponse } from './response.js';
import { endpointOf, resolveRoute, type HandlerName, type HttpMethod, type Route } from './routes.js';

/** The authorizer context key carrying the connector (the only source of the connector). */
export const AUTHORIZER_CONNECTOR_KEY = 'connector';

export interface ScimRequest {
  readonly event: APIGatewayProxyEvent;
  readonly method: HttpMethod;
  readonly route: Route;
  readonly connector: ConnectorConfig;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: QueryParams;
  /** Parsed JSON body of POST/PUT/PATCH (undefined when empty); never read for GET/DELETE. */
  readonly body: unknown;
  /** Public base URL of this connector, e.g. `https://host/prod/scim/v2`. */
  readonly baseUrl: string;
  /** API Gateway's request id (also in every log line). */
  readonly requestId: string;
  /** What the action reports for the provisioning log line and metric (resource id, deactivation). */
  readonly telemetry: RequestTelemetry;
}

export type ScimAction = (request: ScimRequest) => Promise<APIGatewayProxyResult>;

export interface ScimHandlerOptions {
  readonly handler: HandlerName;
  readonly connectors: readonly ConnectorConfig[];
  readonly logger: Logger;
  /** The per-request provisioning line (with its EMF metric); none: no line (unit tests, local runs). */
  readonly requestLog?: RequestLog | undefined;
  /** Longest an action may run before the answer is 503 + Retry-After; default: the Lambda's remaining time − 1.5 s. */
  readonly deadlineMs?: number;
}

/** Kept back from the Lambda timeout so the 503 is sent before Lambda kills the invocation. */
const DEADLINE_MARGIN_MS = 1500;
const RETRY_AFTER_DEADLINE_SECONDS = '5';

/**
 * Races the action against a deadline: storage that hangs (or a retry loop that outlives the
 * function) answers a SCIM 503 with Retry-After instead of a Lambda timeout (API Gateway 502/504)
 * or a client-side hang. What the action was doing either commits atomically or not at all (every
 * write is one transaction), so a client retry is safe.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ScimError(503, undefined, 'The request did not complete in time; retry later', { 'Retry-After': RETRY_AFTER_DEADLINE_SECONDS })),
      Math.max(0, ms),
    );
  });
  work.catch(() => undefined); // a late failure after the deadline is not an unhandled rejection
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function deadlineFor(context: Context | undefined, configured: number | undefined): number {
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 20_000;
  const lambdaBound = Math.max(1000, remaining - DEADLINE_MARGIN_MS);
  return configured === undefined ? lambdaBound : Math.min(configured, lambdaBound);
}

const WITH_BODY = new Set<string>(['POST', 'PUT', 'PATCH']);

class MisconfigurationError extends Error {}

/**
 * Reads the request; throws ScimError for client errors (404/405/413/415/400). Fills `telemetry`
 * as it goes, so a rejected request is still logged with what was known.
 */
export function parseScimRequest(
  event: APIGatewayProxyEvent,
  connectors: ReadonlyMap<string, ConnectorConfig>,
  handler: HandlerName,
  telemetry: RequestTelemetry = {},
): ScimRequest {
  const name = event.requestContext.authorizer?.[AUTHORIZER_CONNECTOR_KEY] as unknown;
  if (typeof name !== 'string' || name === '') throw new MisconfigurationError('no connector in the authorizer context');
  const connector = connectors.get(name);
  if (!connector) throw new MisconfigurationError(`authorizer context names an unknown connector`);
  telemetry.connector = connector.name;
  const method = event.httpMethod.toUpperCase();
  const route = resolveRoute(method, event.resource, connector.basePath);
  telemetry.operation = route.action;
  // Root queries (RFC 7644 §3.4.2.1) span every type: the line carries no resourceType.
  const endpoint = endpointOf(route);
  if (endpoint !== undefined) telemetry.resourceType = endpoint;
  const id = event.pathParameters?.id;
  if (id !== undefined && route.path.endsWith('{id}')) telemetry.resourceId = id;
  if (route.handler !== handler) throw new MisconfigurationError(`route ${route.path} belongs to the ${route.handler} handler`);
  const pathParameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.pathParameters ?? {})) if (v !== undefined) pathParameters[k] = v;
  return {
    event,
    method: route.method,
    route,
    connector,
    pathParameters,
    query: QueryParams.fromEvent(event),
    body: WITH_BODY.has(method) ? parseJsonBody(event) : undefined,
    baseUrl: publicBaseUrl(event, connector.basePath),
    requestId: event.requestContext.requestId,
    telemetry,
  };
}

/** Who asked, for an error line: ids and route only, never headers or the body. */
function requestIds(event: APIGatewayProxyEvent, context: Context | undefined): Record<string, string | undefined> {
  return {
    apiRequestId: event.requestContext?.requestId,
    function_request_id: context?.awsRequestId,
    connector: telemetryFor(event).connector,
    resource: event.resource,
    method: event.httpMethod,
  };
}

/** The SCIM error edge as a middy middleware. */
export function scimErrorEdge(logger: Logger): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    onError: (request) => {
      const error = request.error;
      if (isScimError(error)) {
        const cause = error.cause;
        if (isStorageError(cause, 'configuration')) {
          // Never heals by retrying: say which call DynamoDB refused and why (code only, never items).
          telemetryFor(request.event).configurationError = true;
          logger.error('storage configuration error', {
            ...requestIds(request.event, request.context),
            status: error.status,
            awsErrorCode: cause.code,
            operation: cause.operation,
          });
        } else if (error.status >= 500) logger.error('SCIM server error', { ...requestIds(request.event, request.context), status: error.status, detail: error.detail });
        request.response = errorResponse(error);
        return;
      }
      // Never the event: it carries the Authorization header and possibly personal data.
      logger.error('Unhandled error', { ...requestIds(request.event, request.context), error: error instanceof Error ? error : String(error) });
      request.response = internalErrorResponse();
    },
  };
}

/** Builds a SCIM Lambda handler: one per resource handler (users, groups, discovery). */
export function scimHandler(options: ScimHandlerOptions, action: ScimAction) {
  const connectors = connectorMap(options.connectors);
  const { logger } = options;
  // onError/after run in reverse order: the error edge answers first, then telemetry sees the final status.
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(requestTelemetry(options.requestLog, logger))
    .use(scimErrorEdge(logger))
    .handler(async (event, context) => {
      const request = parseScimRequest(event, connectors, options.handler, telemetryFor(event));
      return withDeadline(action(request), deadlineFor(context, options.deadlineMs));
    });
}
