import { describe, expect, it } from 'vitest';
import { fitsLambdaResponse, jsonResponse, LAMBDA_RESPONSE_BYTES } from '../../../lambdas/http/response.js';

const serialisedBytes = (r: object) => Buffer.byteLength(JSON.stringify(r));

describe('jsonResponse and the Lambda response payload limit', () => {
  it('a body that fits is returned as is', () => {
    const r = jsonResponse(200, { pad: 'a'.repeat(LAMBDA_RESPONSE_BYTES - 400) }, { ETag: 'W/"1"' });
    expect(r.statusCode).toBe(200);
    expect(r.headers).toMatchObject({ 'Content-Type': 'application/scim+json', ETag: 'W/"1"' });
    expect(serialisedBytes(r)).toBeLessThanOrEqual(LAMBDA_RESPONSE_BYTES);
  });

  it('over the limit → 400 tooMany SCIM error saying what to request instead', () => {
    const r = jsonResponse(200, { pad: 'a'.repeat(LAMBDA_RESPONSE_BYTES) });
    expect(r.statusCode).toBe(400);
    expect(r.headers).toMatchObject({ 'Content-Type': 'application/scim+json' });
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'tooMany' });
    expect(body.detail).toContain('excludedAttributes=members');
    expect(body.detail).toContain('6.0 MB');
  });

  it('counts what Lambda counts: the serialised result (escapes) in UTF-8 (multi-byte characters)', () => {
    // 4,000,000 characters of body (3.8 MiB), but every quote is escaped again in the proxy result:
    // 8,000,000 bytes serialised (7.6 MiB; the limit's "6 MB" is 6 MiB, as Lambda states it).
    const quotes = jsonResponse(200, { v: '"'.repeat(2_000_000) });
    expect(quotes.statusCode).toBe(400);
    expect(JSON.parse(quotes.body).detail).toContain('would be 7.6 MB'); // the serialised size, not the body's 3.8
    // 3.2 M characters, 6.4 MB of UTF-8.
    const accents = jsonResponse(200, { v: 'é'.repeat(3_200_000) });
    expect(accents.statusCode).toBe(400);
    const ok = { statusCode: 200, headers: {}, body: 'é'.repeat(3_000_000) };
    expect(fitsLambdaResponse(ok)).toBe(serialisedBytes(ok) <= LAMBDA_RESPONSE_BYTES);
    expect(fitsLambdaResponse(ok)).toBe(true);
  });
});
