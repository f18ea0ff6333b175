/**
 * What API Gateway itself answers (before or instead of a Lambda), as SCIM errors. The CDK stack
 * turns each entry into a gateway response (`responseType`, status, headers, body template) and
 * the local gateway answers from the same entries, so a 401 looks the same locally and on AWS.
 */
import { SCIM_ERROR_SCHEMA } from '../scim/errors.js';
import { SCIM_CONTENT_TYPE } from './response.js';

export interface GatewayResponseSpec {
  /** API Gateway `ResponseType`. */
  readonly responseType: string;
  readonly status: number;
  readonly detail: string;
  readonly headers: Readonly<Record<string, string>>;
}

const scim = { 'Content-Type': SCIM_CONTENT_TYPE, 'Cache-Control': 'no-store' } as const;

export const GATEWAY_RESPONSES = {
  /** Missing/empty Authorization, or the authorizer threw `Unauthorized`. */
  unauthorized: {
    responseType: 'UNAUTHORIZED',
    status: 401,
    detail: 'Authentication required: send the connector token as "Authorization: Bearer <token>"',
    headers: { ...scim, 'WWW-Authenticate': 'Bearer' },
  },
  /**
   * The API's resource policy denies the caller's source address (`allowedSourceCidrs`), or the
   * authorizer's policy does not cover this method (should not happen: it covers the stage).
   */
  accessDenied: { responseType: 'ACCESS_DENIED', status: 403, detail: 'Access denied', headers: scim },
  /** No resource matches the path (API Gateway's answer for unknown paths is this type, as 403). */
  notFound: { responseType: 'MISSING_AUTHENTICATION_TOKEN', status: 404, detail: 'Resource not found', headers: scim },
  requestTooLarge: { responseType: 'REQUEST_TOO_LARGE', status: 413, detail: 'Request body is too large', headers: scim },
  /**
   * The authorizer failed (e.g. Secrets Manager unreachable or throttled): never an allow, never a
   * 401 (IdPs quarantine on auth failures), and no reason: a transient 503 the IdP retries.
   */
  authorizerFailure: {
    responseType: 'AUTHORIZER_FAILURE',
    status: 503,
    detail: 'Service temporarily unavailable; retry later',
    headers: { ...scim, 'Retry-After': '5' },
  },
  authorizerConfigurationError: {
    responseType: 'AUTHORIZER_CONFIGURATION_ERROR',
    status: 500,
    detail: 'Internal server error',
    headers: scim,
  },
  throttled: { responseType: 'THROTTLED', status: 429, detail: 'Too many requests', headers: { ...scim, 'Retry-After': '1' } },
  integrationFailure: { responseType: 'INTEGRATION_FAILURE', status: 502, detail: 'Bad gateway', headers: scim },
  integrationTimeout: { responseType: 'INTEGRATION_TIMEOUT', status: 504, detail: 'Gateway timeout', headers: scim },
} as const satisfies Record<string, GatewayResponseSpec>;

export type GatewayResponseName = keyof typeof GATEWAY_RESPONSES;

/** The SCIM error body of a gateway response (RFC 7644 §3.12: `status` is a string). */
export function gatewayResponseBody(spec: GatewayResponseSpec): { schemas: [string]; status: string; detail: string } {
  return { schemas: [SCIM_ERROR_SCHEMA], status: String(spec.status), detail: spec.detail };
}
