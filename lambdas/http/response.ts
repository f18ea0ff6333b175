/**
 * SCIM responses as API Gateway REST proxy results: `Content-Type: application/scim+json` exactly
 * (strict clients reject variants), `Cache-Control: no-store` (identity data must not be cached by
 * intermediaries), SCIM error bodies for every non-2xx.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ScimError } from '../scim/errors.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json';

const BASE_HEADERS = { 'Content-Type': SCIM_CONTENT_TYPE, 'Cache-Control': 'no-store' } as const;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode: status, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** 204 / 304: no body, no Content-Type. */
export function emptyResponse(status: 204 | 304, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode: status, headers: { 'Cache-Control': 'no-store', ...headers }, body: '' };
}

export function errorResponse(error: ScimError): APIGatewayProxyResult {
  return jsonResponse(error.status, error.toJSON(), { ...error.headers });
}

/** The opaque answer for anything that is not a ScimError (details go to the log only). */
export function internalErrorResponse(): APIGatewayProxyResult {
  return errorResponse(new ScimError(500, undefined, 'Internal server error'));
}
