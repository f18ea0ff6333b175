/**
 * The public base URL of this request's connector (`https://host/stage/scim/v2`), from which
 * `Location` and `meta.location` are built, so both are right behind the execute-api URL, any
 * stage, and custom domains with base-path mappings, without configuring a public URL anywhere.
 *
 *  - host: `requestContext.domainName` (the name the client called: execute-api or custom domain);
 *  - scheme: `X-Forwarded-Proto` (API Gateway sets `https`; the local gateway `http`);
 *  - prefix: `requestContext.path` is the path the client called (`/prod/scim/v2/Users/42` on
 *    execute-api, `/mapping/scim/v2/Users/42` on a custom domain); its trailing segments match the
 *    `resource` template (`/scim/v2/Users/{id}`), the segments before them are the stage or the
 *    base-path mapping (possibly none).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { header } from './headers.js';

type LocationEvent = Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders' | 'path' | 'resource'> & {
  requestContext: Pick<APIGatewayProxyEvent['requestContext'], 'domainName' | 'stage' | 'path'>;
};

const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export function publicBaseUrl(event: LocationEvent, basePath: string): string {
  const forwarded = header(event, 'x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const scheme = forwarded === 'http' ? 'http' : 'https';
  const candidate = event.requestContext.domainName ?? header(event, 'host') ?? 'localhost';
  const host = HOST.test(candidate) ? candidate : 'localhost';
  return `${scheme}://${host}${mappingPrefix(event)}/${basePath}`;
}

/** `/prod`, `/mapping`, `/a/b` or `` (the part of the called path before the API's own resource). */
export function mappingPrefix(event: LocationEvent): string {
  const called = event.requestContext.path ?? `/${event.requestContext.stage}${event.path}`;
  const calledSegments = called.split('/').filter((s, i) => i > 0 || s !== '');
  const resourceSegments = event.resource.split('/').filter((s) => s !== '').length;
  // Drop a trailing slash the client may have added.
  if (calledSegments.at(-1) === '') calledSegments.pop();
  const keep = calledSegments.length - resourceSegments;
  if (keep <= 0) return '';
  return '/' + calledSegments.slice(0, keep).join('/');
}

/** `<base>/Users/<id>` with the id percent-encoded as one path segment. */
export function resourceUrl(baseUrl: string, endpoint: string, id: string): string {
  return `${baseUrl}/${endpoint}/${encodeURIComponent(id)}`;
}
