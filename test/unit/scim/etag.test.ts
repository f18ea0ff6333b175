import { describe, expect, it } from 'vitest';
import { etagFor, etagMatches, parseEtag, versionFromEtag } from '../../../lambdas/scim/etag.js';

describe('etagFor', () => {
  it.each([
    [1, 'W/"1"'],
    [42, 'W/"42"'],
  ])('%d → %s', (v, tag) => expect(etagFor(v)).toBe(tag));
});

describe('parseEtag', () => {
  it.each([
    [undefined, undefined],
    [null, undefined],
    ['', undefined],
    ['   ', undefined],
    ['W/"3"', { any: false, tags: ['3'] }],
    ['"3"', { any: false, tags: ['3'] }],
    ['w/"3"', { any: false, tags: ['3'] }],
    ['3', { any: false, tags: ['3'] }],
    ['*', { any: true, tags: [] }],
    [' * ', { any: true, tags: [] }],
    ['W/"1", "2",W/"3"', { any: false, tags: ['1', '2', '3'] }],
    ['"a,b", W/"c"', { any: false, tags: ['a,b', 'c'] }],
    ['W/"unterminated', { any: false, tags: ['unterminated'] }],
    ['"", W/"x"', { any: false, tags: ['', 'x'] }],
  ] as const)('%j', (header, expected) => {
    expect(parseEtag(header)).toEqual(expected);
  });
});

describe('versionFromEtag / etagMatches', () => {
  it.each([
    ['W/"7"', 7],
    ['"7"', 7],
    ['W/"abc"', undefined],
    ['W/"-1"', undefined],
  ] as const)('versionFromEtag(%s) = %j', (tag, v) => expect(versionFromEtag(tag)).toBe(v));

  it.each([
    ['W/"7"', 7, true],
    ['"7"', 7, true], // weak comparison
    ['W/"6"', 7, false],
    ['W/"6", W/"7"', 7, true],
    ['*', 7, true],
    [undefined, 7, false],
    ['', 7, false],
  ] as const)('etagMatches(%j, %d) = %s', (header, version, expected) => {
    expect(etagMatches(header, version)).toBe(expected);
  });

  it('round-trips', () => {
    for (const v of [0, 1, 99, 123456]) expect(versionFromEtag(etagFor(v))).toBe(v);
  });
});
