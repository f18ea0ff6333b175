/**
 * What a SCIM handler tells the platform team about each request, derived at the HTTP edge (route
 * action + answered status + ScimError scimType + what the action reported), so the provisioning
 * service stays free of telemetry: one "provisioning" line per request (request-log.ts) with the
 * `LOG_FIELDS` keys (never the token, the body or attribute values: a `userName` is personal
 * data), carrying at most one EMF metric (Count 1), namespace `METRIC_NAMESPACE`, dimensions
 * exactly `{service, connector}` — what lib/constructs/observability.ts charts.
 *
 * The line is built once the response is known, synchronously, from a record keyed by the event
 * object, so two concurrent invocations (the local gateway runs them in one process) never mix.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { isScimError } from '../scim/errors.js';
import { coerceBoolean } from '../scim/normalize.js';
import type { ProvisioningMetric } from './metric-names.js';
import type { Action } from './routes.js';
import type { RequestLog, RequestTelemetry } from './request-log.js';

/** Member ids named in the WARN line of a write that skipped unknown members (ids are not personal data). */
export const IGNORED_IDS_LOGGED = 5;

const byEvent = new WeakMap<APIGatewayProxyEvent, RequestTelemetry>();

/** The telemetry record of one invocation (keyed by its event object: safe under concurrency). */
export function telemetryFor(event: APIGatewayProxyEvent): RequestTelemetry {
  let t = byEvent.get(event);
  if (!t) byEvent.set(event, (t = {}));
  return t;
}

/**
 * The provisioning outcome a response counts as, if any. Reads (get, list, search) and server
 * errors count as none: API Gateway's Count/5XXError and the Lambda metrics already cover them.
 */
export function provisioningMetric(operation: Action | undefined, status: number, deactivated = false): ProvisioningMetric | undefined {
  if (status === 409 || status === 412) return 'conflicts';
  // 404 on a read is a lookup that found nothing, on a delete a resource already gone (Entra and
  // Okta treat both as done): neither is a rejected change (the rejected-requests alarm).
  if (status >= 400 && status < 500) return status === 404 && /^(get|delete)$/.test(operation as string) ? undefined : 'rejected';
  if (status < 200 || status >= 300) return undefined;
  switch (operation) {
    case 'create':
      return status === 201 ? 'created' : undefined;
    case 'replace':
    case 'patch':
      return deactivated ? 'deactivated' : 'updated';
    case 'delete':
      return status === 204 ? 'deleted' : undefined;
    default:
      return undefined;
  }
}

const USER_SCHEMA_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:user:';

/** `active`, `urn:…:core:2.0:User:active` (any case) → true. */
function isActiveKey(key: string): boolean {
  const k = key.toLowerCase();
  return k === 'active' || k === `${USER_SCHEMA_PREFIX}active`;
}

/** `active` of an attribute object (PUT body, path-less PATCH value), keys case-insensitive. */
function activeIn(value: unknown): { found: boolean; value?: boolean | undefined } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { found: false };
  let out: { found: boolean; value?: boolean | undefined } = { found: false };
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (isActiveKey(k)) out = { found: true, value: coerceBoolean(v) };
    else if (k.toLowerCase() === USER_SCHEMA_PREFIX.slice(0, -1)) {
      const nested = activeIn(v);
      if (nested.found) out = nested;
    }
  }
  return out;
}

/**
 * The `active` value a user PUT or PATCH body asks for: `false`/`true` (string forms in any case,
 * as Entra sends `"False"`), `undefined` when the request does not touch `active` (or removes it).
 * PATCH operations apply in order, so the last one that touches `active` wins. Malformed bodies
 * answer undefined (the service rejects them anyway).
 */
export function requestedActive(operation: Action, body: unknown): boolean | undefined {
  if (operation === 'replace') return activeIn(body).value;
  if (operation !== 'patch' || typeof body !== 'object' || body === null) return undefined;
  const ops = Object.entries(body as Record<string, unknown>).find(([k]) => k.toLowerCase() === 'operations')?.[1];
  if (!Array.isArray(ops)) return undefined;
  let result: boolean | undefined;
  for (const raw of ops) {
    if (typeof raw !== 'object' || raw === null) continue;
    const o = raw as Record<string, unknown>;
    const op = typeof o.op === 'string' ? o.op.toLowerCase() : '';
    const path = typeof o.path === 'string' ? o.path.trim() : undefined;
    if (op === 'remove') {
      if (path !== undefined && isActiveKey(path)) result = undefined;
      continue;
    }
    if (op !== 'add' && op !== 'replace') continue;
    if (path === undefined || path === '') {
      const a = activeIn(o.value);
      if (a.found) result = a.value;
    } else if (isActiveKey(path)) result = coerceBoolean(o.value);
  }
  return result;
}

/**
 * Whether a user PUT/PATCH deactivated the user: the request set `active` to false and the
 * resulting resource is not active (when the answer's projection carries `active`).
 *
 * Known limit: the HTTP edge does not see the state before the write, so re-sending
 * `active: false` to an already inactive user counts again.
 */
export function isDeactivation(operation: Action, body: unknown, result: Readonly<Record<string, unknown>> | undefined): boolean {
  if (requestedActive(operation, body) !== false) return false;
  const after = result?.active;
  return after === undefined || coerceBoolean(after) === false;
}

/**
 * The middleware: after the error edge has turned any error into a response, writes the request's
 * line. Telemetry never changes or fails the response.
 */
export function requestTelemetry(log: RequestLog | undefined, logger: Logger): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  const record = (request: { event: APIGatewayProxyEvent; context: Context; response: APIGatewayProxyResult | undefined | null; error?: unknown }): void => {
    const t = telemetryFor(request.event);
    if (t.membersIgnored && t.membersIgnored.length > 0) {
      // The write succeeded; the IdP still holds ids this connector does not have (e.g. an account
      // askSpoke removed on deactivation). Nothing was stored for them.
      logger.warn('group members ignored', {
        connector: t.connector,
        groupId: t.resourceId,
        operation: t.operation,
        ignored: t.membersIgnored.length,
        ids: t.membersIgnored.slice(0, IGNORED_IDS_LOGGED),
        apiRequestId: request.event.requestContext?.requestId,
      });
    }
    if (!log) return;
    try {
      const { event } = request;
      const status = request.response?.statusCode ?? 500;
      const error = request.error;
      log.record(
        t,
        {
          status,
          scimType: isScimError(error) ? error.scimType : undefined,
          metric: provisioningMetric(t.operation, status, t.deactivated),
          membersIgnored: t.membersIgnored?.length ?? 0,
          configurationError: t.configurationError === true,
          apiRequestId: event.requestContext?.requestId,
          method: event.httpMethod,
          resource: event.resource,
        },
        request.context,
      );
    } catch (e) {
      logger.warn('telemetry failed', e instanceof Error ? e : String(e));
    }
  };
  return {
    before: (request) => {
      byEvent.set(request.event, {});
    },
    after: record,
    onError: record,
  };
}
