/**
 * `If-Match` / `If-None-Match` (RFC 7644 §3.14, RFC 9110 §13) against a resource version, using
 * the core's ETag parsing (weak comparison: our tags are `W/"<version>"`). Neither Entra nor Okta
 * sends preconditions; without the headers nothing is checked.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ScimError } from '../scim/errors.js';
import { etagMatches } from '../scim/etag.js';
import { headerValues } from './headers.js';

type HeaderEvent = Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>;

function joined(event: HeaderEvent, name: string): string | undefined {
  const values = headerValues(event, name);
  return values.length === 0 ? undefined : values.join(',');
}

/** The raw `If-Match` value (the service checks it against the version it writes on). */
export function ifMatchHeader(event: HeaderEvent): string | undefined {
  return joined(event, 'if-match');
}

/** 412 unless `If-Match` (when sent) matches `version`. */
export function checkIfMatch(event: HeaderEvent, version: number): void {
  const h = joined(event, 'if-match');
  if (h !== undefined && !etagMatches(h, version)) {
    throw ScimError.preconditionFailed('The resource has changed: If-Match does not match its current version');
  }
}

/** For GET: true when `If-None-Match` matches `version`, i.e. answer 304 Not Modified. */
export function isNotModified(event: HeaderEvent, version: number): boolean {
  const h = joined(event, 'if-none-match');
  return h !== undefined && etagMatches(h, version);
}

/** For writes: 412 when `If-None-Match` matches (e.g. `If-None-Match: *` on an existing resource). */
export function checkIfNoneMatch(event: HeaderEvent, version: number): void {
  if (isNotModified(event, version)) throw ScimError.preconditionFailed('The resource matches If-None-Match');
}
