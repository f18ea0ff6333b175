/**
 * Property tests for the filter parser (seeded, so failures reproduce):
 *  - any input either parses or fails with ScimError 400 invalidFilter — never another error;
 *  - for any AST the parser can produce, parse(print(ast)) deep-equals ast.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isScimError } from '../../../lambdas/scim/errors.js';
import type { AttrPath, CompareOperator, CompareValue, Filter } from '../../../lambdas/scim/filter/ast.js';
import { matchesFilter } from '../../../lambdas/scim/filter/evaluate.js';
import { parseFilter } from '../../../lambdas/scim/filter/parse.js';
import { printFilter } from '../../../lambdas/scim/filter/print.js';
import { userResource } from '../../../lambdas/scim/schema/resource-schema.js';

const SEED = 20261122;
const rs = userResource();

function parsesOrRejects(text: string): void {
  try {
    const f = parseFilter(text);
    // Whatever parses must also evaluate (or be rejected as invalidFilter) without crashing.
    matchesFilter(f, { userName: 'x', emails: [{ value: 'a', type: 'work' }], active: true }, rs);
  } catch (e) {
    if (!isScimError(e) || e.status !== 400 || e.scimType !== 'invalidFilter') throw e;
  }
}

const TOKENS = [
  '(', ')', '[', ']', '"', '\\', ' ', '.', ':', 'a', 'emails', 'urn:x:y:', 'eq', 'EQ', 'pr', 'gt', 'and',
  'OR', 'not', 'not (', 'true', 'null', '1', '-2.5e3', '"x"', '"\\u00e9"', 'value', 'type', '\t', 'ü', '$ref',
];

describe('parseFilter on arbitrary input', () => {
  it('returns or throws 400 invalidFilter for any string', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), parsesOrRejects), { seed: SEED, numRuns: 2000 });
  });

  it('returns or throws 400 invalidFilter for token soup', () => {
    const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join(''));
    fc.assert(fc.property(soup, parsesOrRejects), { seed: SEED, numRuns: 5000 });
  });

  it('returns or throws 400 invalidFilter for full-unicode strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 100 }), parsesOrRejects), { seed: SEED, numRuns: 1000 });
  });
});

// ---- AST generator -------------------------------------------------------------------------

const nameChar = fc.constantFrom(...'abcXYZ019_-$'.split(''));
const attrName = fc
  .tuple(fc.constantFrom(...'abcdefgHIJKLMxyz_$'.split('')), fc.array(nameChar, { maxLength: 8 }))
  .map(([h, t]) => h + t.join(''))
  .filter((n) => n.toLowerCase() !== 'not');
const knownName = fc.constantFrom('userName', 'emails', 'value', 'type', 'active', 'meta', 'and', 'or', 'pr', 'eq', 'true', 'null');
const name = fc.oneof(knownName, attrName);
const urn = fc.oneof(
  fc.constantFrom('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'urn:ietf:params:scim:schemas:core:2.0:User'),
  fc
    .array(fc.stringMatching(/^[A-Za-z0-9.\-]{1,6}$/), { minLength: 1, maxLength: 4 })
    .map((segs) => `urn:${segs.join(':')}`),
);
const attrPath: fc.Arbitrary<AttrPath> = fc
  .record({ uri: fc.option(urn, { nil: undefined }), attr: name, subAttr: fc.option(name, { nil: undefined }) })
  .map(({ uri, attr, subAttr }) => ({
    ...(uri !== undefined ? { uri } : {}),
    attr,
    ...(subAttr !== undefined ? { subAttr } : {}),
  }));
const simplePath: fc.Arbitrary<AttrPath> = fc
  .record({ uri: fc.option(urn, { nil: undefined }), attr: name })
  .map(({ uri, attr }) => (uri !== undefined ? { uri, attr } : { attr }));
const value: fc.Arbitrary<CompareValue> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const op = fc.constantFrom<CompareOperator>('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');

function filterArb(allowValuePath: boolean): fc.Arbitrary<Filter> {
  const { f } = fc.letrec<{ f: Filter; atom: Filter }>((tie) => ({
    atom: fc.oneof(
      fc.record({ kind: fc.constant('compare' as const), op, path: attrPath, value }),
      fc.record({ kind: fc.constant('present' as const), path: attrPath }),
    ),
    f: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('atom'),
      fc.record({ kind: fc.constant('and' as const), left: tie('f'), right: tie('f') }),
      fc.record({ kind: fc.constant('or' as const), left: tie('f'), right: tie('f') }),
      fc.record({ kind: fc.constant('not' as const), filter: tie('f') }),
      ...(allowValuePath
        ? [fc.record({ kind: fc.constant('valuePath' as const), path: simplePath, filter: filterArb(false) })]
        : []),
    ),
  }));
  return f;
}

describe('printFilter', () => {
  it('parse(print(ast)) deep-equals ast', () => {
    fc.assert(
      fc.property(filterArb(true), (ast) => {
        const text = printFilter(ast);
        expect(parseFilter(text)).toEqual(ast);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
