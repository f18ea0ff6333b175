/**
 * SCIM responses as API Gateway REST proxy results: `Content-Type: application/scim+json` exactly
 * (strict clients reject variants), `Cache-Control: no-store` (identity data must not be cached by
 * intermediaries), SCIM error bodies for every non-2xx.
 *
 * Size: Lambda returns at most 6 MB (the serialised proxy result) from a synchronous invoke; past
 * that API Gateway answers 502. A response that would not fit is answered 400 `tooMany` instead,
 * saying what to ask for (the service already refuses member-heavy reads from the stored counts;
 * this catches the rest, e.g. long display values).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ScimError } from '../scim/errors.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json';

const BASE_HEADERS = { 'Content-Type': SCIM_CONTENT_TYPE, 'Cache-Control': 'no-store' } as const;

/** Lambda's synchronous response payload limit, in bytes of the serialised result. */
export const LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024;

/** Whether `result` fits a Lambda response (exact only for large bodies: JSON escapes at most 6 bytes per code unit). */
export function fitsLambdaResponse(result: APIGatewayProxyResult): boolean {
  if ((result.body ?? '').length * 6 + 64 * 1024 <= LAMBDA_RESPONSE_BYTES) return true;
  return Buffer.byteLength(JSON.stringify(result)) <= LAMBDA_RESPONSE_BYTES;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  const result = { statusCode: status, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
  if (fitsLambdaResponse(result)) return result;
  const mb = (Buffer.byteLength(JSON.stringify(result)) / 1024 / 1024).toFixed(1); // what Lambda counts, as the limit is stated
  return errorResponse(
    new ScimError(400, 'tooMany', `the response would be ${mb} MB, more than the 6 MB a response can carry; request a smaller count, fewer attributes, or excludedAttributes=members`),
  );
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
