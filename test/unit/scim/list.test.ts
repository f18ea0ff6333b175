import { describe, expect, it } from 'vitest';
import { isScimError } from '../../../lambdas/scim/errors.js';
import { listResponse, normalizePaging, type PagingQuery } from '../../../lambdas/scim/list.js';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const limits = { defaultCount: 100, maxCount: 200 };

describe('listResponse (RFC 7644 §3.4.2)', () => {
  it('empty result for a filter that matches nothing (never 404, scim-clients.md §0 #1)', () => {
    expect(listResponse({ resources: [], totalResults: 0, startIndex: 1 })).toEqual({
      schemas: [LIST],
      totalResults: 0,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    });
  });

  it('echoes startIndex and uses integers only; Resources (capital R) last', () => {
    const body = listResponse({ resources: [{ id: 'a' }, { id: 'b' }], totalResults: 12, startIndex: 6 });
    expect(body).toEqual({ schemas: [LIST], totalResults: 12, itemsPerPage: 2, startIndex: 6, Resources: [{ id: 'a' }, { id: 'b' }] });
    expect(Object.keys(body).at(-1)).toBe('Resources');
    for (const k of ['totalResults', 'itemsPerPage', 'startIndex'] as const) expect(Number.isInteger(body[k])).toBe(true);
    expect(JSON.stringify(body)).toContain('"startIndex":6');
  });

  it('coerces non-integer inputs to integers (Okta breaks on "1")', () => {
    const body = listResponse({ resources: [], totalResults: 3.7, startIndex: 0, itemsPerPage: -2 });
    expect(body).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 0 });
  });

  it('explicit itemsPerPage wins', () => {
    expect(listResponse({ resources: [], totalResults: 5, startIndex: 1, itemsPerPage: 0 }).itemsPerPage).toBe(0);
  });

  it('cursor paging (RFC 9865): nextCursor/previousCursor, no startIndex', () => {
    const body = listResponse({ resources: [{ id: 'a' }], totalResults: 100, nextCursor: 'VZUTiyhEQJ94IR', previousCursor: 'ze7L30kMiiLX6x' });
    expect(body).toEqual({
      schemas: [LIST],
      totalResults: 100,
      itemsPerPage: 1,
      nextCursor: 'VZUTiyhEQJ94IR',
      previousCursor: 'ze7L30kMiiLX6x',
      Resources: [{ id: 'a' }],
    });
  });

  it('omits nextCursor on the last page', () => {
    expect(listResponse({ resources: [], totalResults: 0, nextCursor: '' })).not.toHaveProperty('nextCursor');
    expect(listResponse({ resources: [], totalResults: 0 })).not.toHaveProperty('nextCursor');
  });
});

describe('normalizePaging', () => {
  it.each([
    [{}, { kind: 'index', startIndex: 1, count: 100 }],
    [{ startIndex: '1', count: '100' }, { kind: 'index', startIndex: 1, count: 100 }],
    [{ startIndex: '101', count: '100' }, { kind: 'index', startIndex: 101, count: 100 }],
    [{ startIndex: 6, count: 5 }, { kind: 'index', startIndex: 6, count: 5 }],
    [{ startIndex: '0' }, { kind: 'index', startIndex: 1, count: 100 }],
    [{ startIndex: '-5' }, { kind: 'index', startIndex: 1, count: 100 }],
    [{ startIndex: 'abc' }, { kind: 'index', startIndex: 1, count: 100 }],
    [{ startIndex: '' }, { kind: 'index', startIndex: 1, count: 100 }],
    [{ startIndex: '2.5' }, { kind: 'index', startIndex: 1, count: 100 }],
    [{ count: '-1' }, { kind: 'index', startIndex: 1, count: 0 }],
    [{ count: '0' }, { kind: 'index', startIndex: 1, count: 0 }],
    [{ count: '1000' }, { kind: 'index', startIndex: 1, count: 200 }],
    [{ count: 'ten' }, { kind: 'index', startIndex: 1, count: 100 }],
    [{ count: '' }, { kind: 'index', startIndex: 1, count: 100 }],
    [{ count: ' 7 ' }, { kind: 'index', startIndex: 1, count: 7 }],
    [{ cursor: '' }, { kind: 'cursor', cursor: '', count: 100 }],
    [{ cursor: '', count: '10' }, { kind: 'cursor', cursor: '', count: 10 }],
    [{ cursor: 'VZUTiyhEQJ94IR', count: '10' }, { kind: 'cursor', cursor: 'VZUTiyhEQJ94IR', count: 10 }],
    [{ cursor: 'a-b_c.d~e' }, { kind: 'cursor', cursor: 'a-b_c.d~e', count: 100 }],
    [{ cursor: 'x', startIndex: '' }, { kind: 'cursor', cursor: 'x', count: 100 }],
  ] as const)('%j', (query: PagingQuery, expected) => {
    expect(normalizePaging(query, limits)).toEqual(expected);
  });

  it.each([
    [{ cursor: 'abc', startIndex: '1' }, 'invalidValue'],
    [{ cursor: '', startIndex: 5 }, 'invalidValue'],
    [{ cursor: 'a b' }, 'invalidCursor'],
    [{ cursor: 'abc=' }, 'invalidCursor'],
    [{ cursor: 'a/b' }, 'invalidCursor'],
  ] as const)('%j → 400 %s', (query: PagingQuery, scimType) => {
    let err: unknown;
    try {
      normalizePaging(query, limits);
    } catch (e) {
      err = e;
    }
    expect(isScimError(err)).toBe(true);
    if (!isScimError(err)) return;
    expect(err.status).toBe(400);
    expect(err.scimType).toBe(scimType);
  });
});
