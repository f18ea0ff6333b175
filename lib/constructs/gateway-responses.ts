/**
 * API Gateway's own answers (no token, unknown path, throttled, authorizer down, …) as SCIM Error
 * bodies with `application/scim+json`, so an IdP never sees `{"message": …}`.
 *
 * The shared table (lambdas/http/gateway-responses.ts, also served by the local gateway) is used as
 * is; the types it does not list are added here, each with the status API Gateway would have used,
 * so `DEFAULT_4XX`/`DEFAULT_5XX` only catch response types AWS may add later. Those two must name a
 * status in the body, and a gateway response template has no variable for the status, so they fix
 * it (400/500) and carry API Gateway's own message as `detail`.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import { GATEWAY_RESPONSES, gatewayResponseBody, type GatewayResponseSpec } from '../../lambdas/http/gateway-responses.js';
import { SCIM_CONTENT_TYPE } from '../../lambdas/http/response.js';

const scim = { 'Content-Type': SCIM_CONTENT_TYPE, 'Cache-Control': 'no-store' } as const;

interface CdkGatewayResponseSpec extends GatewayResponseSpec {
  /** Template expression used verbatim as the JSON value of `detail` (instead of `detail`). */
  readonly detailExpression?: string;
}

const EXTRA: readonly CdkGatewayResponseSpec[] = [
  { responseType: 'UNSUPPORTED_MEDIA_TYPE', status: 415, detail: 'Unsupported media type: send application/scim+json', headers: scim },
  { responseType: 'QUOTA_EXCEEDED', status: 429, detail: 'Too many requests', headers: { ...scim, 'Retry-After': '1' } },
  { responseType: 'BAD_REQUEST_BODY', status: 400, detail: 'Invalid request body', headers: scim },
  { responseType: 'BAD_REQUEST_PARAMETERS', status: 400, detail: 'Invalid request parameters', headers: scim },
  { responseType: 'RESOURCE_NOT_FOUND', status: 404, detail: 'Resource not found', headers: scim },
  { responseType: 'WAF_FILTERED', status: 403, detail: 'Request blocked', headers: scim },
  { responseType: 'EXPIRED_TOKEN', status: 403, detail: 'Access denied', headers: scim },
  { responseType: 'INVALID_API_KEY', status: 403, detail: 'Access denied', headers: scim },
  { responseType: 'INVALID_SIGNATURE', status: 403, detail: 'Access denied', headers: scim },
  { responseType: 'API_CONFIGURATION_ERROR', status: 500, detail: 'Internal server error', headers: scim },
  {
    responseType: 'DEFAULT_4XX',
    status: 400,
    detail: 'Bad request',
    detailExpression: '$context.error.messageString',
    headers: scim,
  },
  { responseType: 'DEFAULT_5XX', status: 500, detail: 'Internal server error', headers: scim },
];

/** Every gateway response the stack configures: the shared table first, then the extras. */
export function gatewayResponseSpecs(): CdkGatewayResponseSpec[] {
  const shared: CdkGatewayResponseSpec[] = Object.values(GATEWAY_RESPONSES);
  const known = new Set(shared.map((s) => s.responseType));
  return [...shared, ...EXTRA.filter((s) => !known.has(s.responseType))];
}

/** The body template: a SCIM Error with `status` as a string (RFC 7644 §3.12). */
export function gatewayResponseTemplate(spec: CdkGatewayResponseSpec): string {
  const body = JSON.stringify(gatewayResponseBody(spec));
  if (!spec.detailExpression) return body;
  return body.replace(JSON.stringify(spec.detail), spec.detailExpression);
}

function responseType(name: string): apigw.ResponseType {
  const known = (apigw.ResponseType as unknown as Record<string, apigw.ResponseType | undefined>)[name];
  return known ?? apigw.ResponseType.of(name);
}

/** Adds every gateway response to `api`; returns them (the deployment must depend on them). */
export function addScimGatewayResponses(scope: Construct, api: apigw.IRestApi): apigw.GatewayResponse[] {
  return gatewayResponseSpecs().map(
    (spec) =>
      new apigw.GatewayResponse(scope, `GatewayResponse${spec.responseType}`, {
        restApi: api,
        type: responseType(spec.responseType),
        statusCode: String(spec.status),
        // API Gateway header values are mapping expressions: literals are single-quoted.
        responseHeaders: Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k, `'${v}'`])),
        templates: { 'application/json': gatewayResponseTemplate(spec), [SCIM_CONTENT_TYPE]: gatewayResponseTemplate(spec) },
      }),
  );
}
