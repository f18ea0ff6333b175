import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, parseJsonBody, requireObjectBody } from '../../../lambdas/http/body.js';
import { isNotModified, ifMatchHeader } from '../../../lambdas/http/conditional.js';
import { header } from '../../../lambdas/http/headers.js';
import { mappingPrefix, publicBaseUrl } from '../../../lambdas/http/location.js';
import { decodeRawQuery, QueryParams } from '../../../lambdas/http/query.js';
import { catchScim } from '../../support/scim-errors.js';

type BodyEvent = Parameters<typeof parseJsonBody>[0];

function bodyEvent(body: string | null, contentType?: string, isBase64Encoded = false): BodyEvent {
  const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
  return { body, isBase64Encoded, headers, multiValueHeaders: {} };
}

describe('query strings', () => {
  it('decodes the raw query as API Gateway REST does: + is a space, %2B a plus, once', () => {
    const q = decodeRawQuery('filter=userName+eq+%22a%2Bb%40x.com%22&count=2&count=3&flag&=x');
    expect(q?.multi).toEqual({ filter: ['userName eq "a+b@x.com"'], count: ['2', '3'], flag: [''] });
    expect(q?.single.count).toBe('3');
    expect(decodeRawQuery('filter=displayName%20eq%20%22Sales%22')?.single.filter).toBe('displayName eq "Sales"');
    expect(decodeRawQuery('filter=%zz+x')?.single.filter).toBe('%zz x');
    expect(decodeRawQuery('')).toBeUndefined();
  });

  it('reads parameters case-insensitively, first value wins, never decodes again', () => {
    const q = QueryParams.fromEvent({
      queryStringParameters: null,
      multiValueQueryStringParameters: { startindex: ['5', '9'], Filter: ['userName eq "a+b%40x"'] },
    });
    expect(q.get('startIndex')).toBe('5');
    expect(q.get('filter')).toBe('userName eq "a+b%40x"');
    expect(q.has('count')).toBe(false);
    expect(QueryParams.fromEvent({ queryStringParameters: { count: '2' }, multiValueQueryStringParameters: null }).get('count')).toBe('2');
  });
});

describe('bodies', () => {
  it('accepts scim+json and json with any charset, and no content type', () => {
    expect(parseJsonBody(bodyEvent('{"a":1}', 'application/scim+json; charset=utf-8'))).toEqual({ a: 1 });
    expect(parseJsonBody(bodyEvent('{"a":1}', 'Application/JSON;charset=ISO-8859-1'))).toEqual({ a: 1 });
    expect(parseJsonBody(bodyEvent('{"a":1}'))).toEqual({ a: 1 });
    expect(parseJsonBody(bodyEvent(Buffer.from('{"a":"é"}').toString('base64'), 'application/json', true))).toEqual({ a: 'é' });
    expect(parseJsonBody(bodyEvent('\uFEFF{"a":1}', 'application/json'))).toEqual({ a: 1 });
    expect(parseJsonBody(bodyEvent(null, 'text/plain'))).toBeUndefined();
    expect(parseJsonBody(bodyEvent('', 'text/plain'))).toBeUndefined();
  });

  it('rejects malformed JSON (400 invalidSyntax), other types (415), big bodies (413)', () => {
    expect(catchScim(() => parseJsonBody(bodyEvent('{"a":', 'application/scim+json')))).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    expect(catchScim(() => parseJsonBody(bodyEvent(Buffer.from([0xff, 0xfe]).toString('base64'), undefined, true)))).toMatchObject({
      status: 400,
      scimType: 'invalidSyntax',
    });
    expect(catchScim(() => parseJsonBody(bodyEvent('a=b', 'application/x-www-form-urlencoded'))).status).toBe(415);
    expect(catchScim(() => parseJsonBody(bodyEvent(`"${'x'.repeat(MAX_BODY_BYTES)}"`, 'application/json'))).status).toBe(413);
  });

  it('requires an object body', () => {
    expect(catchScim(() => requireObjectBody(undefined))).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    expect(catchScim(() => requireObjectBody([1]))).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    expect(requireObjectBody({ a: 1 })).toEqual({ a: 1 });
  });
});

describe('public URLs', () => {
  const base = { headers: { 'X-Forwarded-Proto': 'https' }, multiValueHeaders: {} };
  it('uses the execute-api stage', () => {
    const event = {
      ...base,
      path: '/scim/v2/Users/42',
      resource: '/scim/v2/Users/{id}',
      requestContext: { domainName: 'abc.execute-api.eu-west-1.amazonaws.com', stage: 'askspoke', path: '/askspoke/scim/v2/Users/42' },
    };
    expect(publicBaseUrl(event, 'scim/v2')).toBe('https://abc.execute-api.eu-west-1.amazonaws.com/askspoke/scim/v2');
  });

  it('uses a custom domain base-path mapping, or none', () => {
    const mapped = {
      ...base,
      path: '/hr/spaceiq/scim/Users',
      resource: '/scim/Users',
      requestContext: { domainName: 'scim.example.com', stage: 'spaceiq', path: '/hr/spaceiq/scim/Users' },
    };
    expect(publicBaseUrl(mapped, 'scim')).toBe('https://scim.example.com/hr/spaceiq/scim');
    const root = { ...mapped, path: '/scim/Users', requestContext: { domainName: 'scim.example.com', stage: 'spaceiq', path: '/scim/Users' } };
    expect(mappingPrefix(root)).toBe('');
  });

  it('falls back to the stage when requestContext.path is missing, and sanitises the host', () => {
    const e = {
      headers: { 'x-forwarded-proto': 'http', Host: 'evil"host' },
      multiValueHeaders: {},
      path: '/scim/v2/Users',
      resource: '/scim/v2/Users',
      requestContext: { domainName: 'bad host\r\n', stage: 'dev' },
    } as unknown as Parameters<typeof publicBaseUrl>[0];
    expect(publicBaseUrl(e, 'scim/v2')).toBe('http://localhost/dev/scim/v2');
  });
});

describe('headers and preconditions', () => {
  const event = {
    headers: { 'IF-NONE-MATCH': 'W/"3"' },
    multiValueHeaders: { 'If-Match': ['W/"1"', '"2"'] },
  } as unknown as Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>;

  it('reads headers case-insensitively', () => {
    expect(header(event, 'if-none-match')).toBe('W/"3"');
    expect(ifMatchHeader(event)).toBe('W/"1","2"');
  });

  it('304 only when If-None-Match matches the version', () => {
    expect(isNotModified(event, 3)).toBe(true);
    expect(isNotModified(event, 4)).toBe(false);
    expect(isNotModified({ headers: {}, multiValueHeaders: {} }, 3)).toBe(false);
  });
});
