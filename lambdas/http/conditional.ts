/**
 * `If-Match` / `If-None-Match` (RFC 7644 §3.14, RFC 9110 §13). SCIM versions are weak ETags
 * (`W/"3"`), and RFC 7644's own examples send them in `If-Match`, so tags are compared by their
 * opaque part (weak comparison). Neither Entra nor Okta sends preconditions; without the headers
 * nothing is checked.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ScimError } from '../scim/errors.js';
import { headerValues } from './headers.js';

type HeaderEvent = Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>;

/** `*`, a list of opaque tags (quotes kept, `W/` dropped), or undefined when the header is absent. */
export function parseEntityTags(values: readonly string[]): '*' | string[] | undefined {
  if (values.length === 0) return undefined;
  const joined = values.join(',').trim();
  if (joined === '*') return '*';
  const tags: string[] = [];
  const re = /\s*(?:W\/)?("[^"]*")\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < joined.length && (m = re.exec(joined)) !== null) tags.push(m[1] as string);
  return tags;
}

function opaque(etag: string): string {
  return etag.startsWith('W/') ? etag.slice(2) : etag;
}

function matches(tags: '*' | string[], current: string | undefined): boolean {
  if (current === undefined) return false;
  if (tags === '*') return true;
  const c = opaque(current);
  return tags.some((t) => t === c);
}

/** For PUT/PATCH/DELETE: 412 unless `If-Match` (when sent) matches the current ETag. */
export function checkIfMatch(event: HeaderEvent, currentEtag: string | undefined): void {
  const tags = parseEntityTags(headerValues(event, 'if-match'));
  if (tags !== undefined && !matches(tags, currentEtag)) {
    throw ScimError.preconditionFailed('The resource has changed (If-Match does not match its current version)');
  }
}

/** For GET: true when `If-None-Match` matches, i.e. answer 304 Not Modified. */
export function isNotModified(event: HeaderEvent, currentEtag: string | undefined): boolean {
  const tags = parseEntityTags(headerValues(event, 'if-none-match'));
  return tags !== undefined && matches(tags, currentEtag);
}

/** For writes: 412 when `If-None-Match` matches (e.g. `If-None-Match: *` on an existing resource). */
export function checkIfNoneMatchOnWrite(event: HeaderEvent, currentEtag: string | undefined): void {
  if (isNotModified(event, currentEtag)) {
    throw ScimError.preconditionFailed('The resource matches If-None-Match');
  }
}

/** True when the request carries `If-Match` (writes must then not retry past a version conflict). */
export function hasIfMatch(event: HeaderEvent): boolean {
  return headerValues(event, 'if-match').length > 0;
}
