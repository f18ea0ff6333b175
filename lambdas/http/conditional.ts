/**
 * `If-Match` / `If-None-Match` (RFC 7644 §3.14, RFC 9110 §13) with the core's ETag parsing (weak
 * comparison: our tags are `W/"<version>"`). `If-Match` is passed to the service, which checks it
 * against the version its conditional write uses (412, no lost updates); `If-None-Match` on GET
 * gives 304 here. Neither Entra nor Okta sends preconditions; without the headers nothing is checked.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
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

/** For GET: true when `If-None-Match` matches `version`, i.e. answer 304 Not Modified. */
export function isNotModified(event: HeaderEvent, version: number): boolean {
  const h = joined(event, 'if-none-match');
  return h !== undefined && etagMatches(h, version);
}
