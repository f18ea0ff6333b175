/**
 * Filter engine (RFC 7644 §3.4.2.2): fixture-driven evaluation vectors, error vectors, AST shapes,
 * printing, DNF and the planner's equality lookup.
 */
import { describe, expect, it } from 'vitest';
import { catchScim } from '../../support/scim-errors.js';
import type { Filter } from '../../../lambdas/scim/filter/ast.js';
import { findEquality, toDnf } from '../../../lambdas/scim/filter/dnf.js';
import { compileFilter, matchesFilter } from '../../../lambdas/scim/filter/evaluate.js';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseAttrPath, parseFilter } from '../../../lambdas/scim/filter/parse.js';
import { printFilter } from '../../../lambdas/scim/filter/print.js';
import { groupResource, userResource } from '../../../lambdas/scim/schema/resource-schema.js';
import type { ScimResource } from '../../../lambdas/scim/schema/types.js';
import vectors from '../../fixtures/scim/filter-vectors.json' with { type: 'json' };

const users = vectors.users as Record<string, ScimResource>;
const groups = vectors.groups as Record<string, ScimResource>;
const userRs = userResource();
const groupRs = groupResource();

describe('filter vectors', () => {
  for (const v of vectors.vectors) {
    it(`${v.filter}  [${v.ref}]`, () => {
      const [set, rs] = v.type === 'Group' ? [groups, groupRs] : [users, userRs];
      const f = parseFilter(v.filter);
      const got = Object.entries(set)
        .filter(([, r]) => matchesFilter(f, r, rs))
        .map(([k]) => k);
      expect(got.sort()).toEqual([...v.matches].sort());
    });
  }
});

describe('filter error vectors', () => {
  for (const v of vectors.errors) {
    it(`${v.stage}: ${JSON.stringify(v.filter)}`, () => {
      const e = catchScim(() => {
        const f = parseFilter(v.filter);
        // Type errors surface at compile time, without any resource to compare against.
        compileFilter(f, v.type === 'Group' ? groupRs : userRs);
      });
      expect(e.status).toBe(v.status);
      expect(e.scimType).toBe(v.scimType);
      expect(e.detail).toContain(v.detail);
      if (v.stage === 'evaluate') expect(() => parseFilter(v.filter)).not.toThrow();
    });
  }

  it(`caps the length at ${MAX_FILTER_LENGTH} characters`, () => {
    const ok = `userName eq "${'x'.repeat(MAX_FILTER_LENGTH - 14)}"`;
    expect(ok.length).toBe(MAX_FILTER_LENGTH);
    expect(() => parseFilter(ok)).not.toThrow();
    const e = catchScim(() => parseFilter(`${ok} `));
    expect([e.status, e.scimType]).toEqual([400, 'invalidFilter']);
    expect(e.detail).toContain('longer than');
  });

  it(`caps nesting at ${MAX_FILTER_DEPTH} levels (parentheses and not)`, () => {
    const nest = (n: number) => `${'('.repeat(n)}a pr${')'.repeat(n)}`;
    expect(() => parseFilter(nest(MAX_FILTER_DEPTH - 1))).not.toThrow();
    expect(catchScim(() => parseFilter(nest(MAX_FILTER_DEPTH))).detail).toContain('nested deeper');
    expect(catchScim(() => parseFilter(`${'not ('.repeat(1000)}a pr${')'.repeat(1000)}`)).scimType).toBe('invalidFilter');
    expect(catchScim(() => parseFilter('('.repeat(4000))).scimType).toBe('invalidFilter');
  });

  it('long flat and/or chains are fine (no recursion per term in the parser)', () => {
    const chain = Array.from({ length: 300 }, (_, i) => `a eq ${i}`).join(' and ');
    expect(chain.length).toBeLessThanOrEqual(MAX_FILTER_LENGTH);
    const f = parseFilter(chain);
    expect(matchesFilter(f, {}, userRs)).toBe(false);
    expect(parseFilter(printFilter(f))).toEqual(f);
  });
});

describe('filter AST', () => {
  const cmp = (attr: string, op: string, value: unknown, extra: object = {}) => ({
    kind: 'compare',
    op,
    path: { attr, ...extra },
    value,
  });

  it('splits URN-qualified paths at the last colon', () => {
    expect(parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "1"')).toEqual(
      cmp('manager', 'eq', '1', { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', subAttr: 'value' }),
    );
    expect(parseAttrPath('urn:ietf:params:scim:schemas:extension:SpokeCustom:2.0:User:startDate')).toEqual({
      uri: 'urn:ietf:params:scim:schemas:extension:SpokeCustom:2.0:User',
      attr: 'startDate',
    });
    expect(parseAttrPath('name.givenName')).toEqual({ attr: 'name', subAttr: 'givenName' });
    expect(parseAttrPath('$ref')).toEqual({ attr: '$ref' });
    expect(catchScim(() => parseAttrPath('emails[type eq "x"]')).scimType).toBe('invalidFilter');
    expect(catchScim(() => parseAttrPath('')).scimType).toBe('invalidFilter');
  });

  it('keeps names as written and lower-cases operators', () => {
    expect(parseFilter('UserName EQ "X"')).toEqual(cmp('UserName', 'eq', 'X'));
  });

  it('normalises Entra `attr[f].sub op v` to a valuePath whose element satisfies both', () => {
    expect(parseFilter('emails[type eq "work"].value eq "x"')).toEqual({
      kind: 'valuePath',
      path: { attr: 'emails' },
      filter: { kind: 'and', left: cmp('type', 'eq', 'work'), right: cmp('value', 'eq', 'x') },
    });
    expect(parseFilter('emails[type eq "work"].value pr')).toEqual({
      kind: 'valuePath',
      path: { attr: 'emails' },
      filter: { kind: 'and', left: cmp('type', 'eq', 'work'), right: { kind: 'present', path: { attr: 'value' } } },
    });
  });

  it('parses literals: strings with escapes, numbers, booleans, null, unquoted words', () => {
    const value = (text: string) => (parseFilter(`a eq ${text}`) as { value: unknown }).value;
    expect(value('"a\\"b\\\\c\\u00e9\\n"')).toBe('a"b\\cé\n');
    expect(value('42')).toBe(42);
    expect(value('-1.5e3')).toBe(-1500);
    expect(value('True')).toBe(true);
    expect(value('false')).toBe(false);
    expect(value('NULL')).toBe(null);
    expect(value('jyoung')).toBe('jyoung');
    expect(value('2011-05-13T04:42:34Z')).toBe('2011-05-13T04:42:34Z');
    expect(value('007')).toBe('007');
  });

  it('gives not > and > or precedence, left-associative', () => {
    const f = parseFilter('a pr or b pr and not (c pr) or d pr');
    const p = (attr: string) => ({ kind: 'present', path: { attr } });
    expect(f).toEqual({
      kind: 'or',
      left: { kind: 'or', left: p('a'), right: { kind: 'and', left: p('b'), right: { kind: 'not', filter: p('c') } } },
      right: p('d'),
    });
  });

  it('prints canonically and re-parses to the same AST', () => {
    for (const text of [
      'a eq 1 and (b eq 2 or c eq 3)',
      'a pr and (b pr and c pr)',
      '(a pr or b pr) and c pr',
      'a pr or (b pr or c pr)',
      'not (a pr or b pr) and x[y eq "z" or not (w pr)]',
      'urn:x:y:Z:attr.sub ne -0',
      'meta.lastModified gt "2011-05-13T04:42:34Z"',
    ]) {
      const f = parseFilter(text);
      expect(parseFilter(printFilter(f))).toEqual(f);
    }
    expect(printFilter(parseFilter('emails[type EQ "work"].value Eq "x"'))).toBe('emails[type eq "work" and value eq "x"]');
  });
});

describe('compileFilter', () => {
  it('caches per filter object and schema', () => {
    const f = parseFilter('userName eq "x"');
    expect(compileFilter(f, userRs)).toBe(compileFilter(f, userRs));
  });
});

describe('toDnf', () => {
  const p = (attr: string): Filter => ({ kind: 'present', path: { attr } });
  const text = (dnf: Filter[][]) => dnf.map((c) => c.map(printFilter));

  it('distributes and over or', () => {
    expect(text(toDnf(parseFilter('(a pr or b pr) and (c pr or d pr)')))).toEqual([
      ['a pr', 'c pr'],
      ['a pr', 'd pr'],
      ['b pr', 'c pr'],
      ['b pr', 'd pr'],
    ]);
  });

  it('pushes not inward; eq/ne flip, other atoms stay negated', () => {
    expect(text(toDnf(parseFilter('not (a eq 1 or b ne 2) and not (not (c pr))')))).toEqual([['a ne 1', 'b eq 2', 'c pr']]);
    expect(text(toDnf(parseFilter('not (a gt 1 and b pr)')))).toEqual([['not (a gt 1)'], ['not (b pr)']]);
    expect(text(toDnf(parseFilter('not (emails[type eq "work"])')))).toEqual([['not (emails[type eq "work"])']]);
  });

  it('is equivalent to the original filter on the vector resources', () => {
    for (const v of vectors.vectors.filter((x) => x.type === 'User')) {
      const f = parseFilter(v.filter);
      const dnf = toDnf(f);
      for (const r of Object.values(users)) {
        const viaDnf = dnf.some((c) => c.every((atom) => matchesFilter(atom, r, userRs)));
        expect(viaDnf, v.filter).toBe(matchesFilter(f, r, userRs));
      }
    }
  });

  it('falls back to one opaque conjunct when the expansion is too big', () => {
    const big = Array.from({ length: 10 }, (_, i) => `(a${i} pr or b${i} pr)`).join(' and ');
    const f = parseFilter(big);
    expect(toDnf(f)).toEqual([[f]]);
    expect(toDnf(f, 2048)).toHaveLength(1024);
    expect(toDnf(p('x'))).toEqual([[p('x')]]);
  });
});

describe('findEquality', () => {
  const conj = (text: string) => {
    const d = toDnf(parseFilter(text));
    expect(d).toHaveLength(1);
    return d[0] ?? [];
  };

  it('finds `userName eq X` case-insensitively, with or without the core URN', () => {
    expect(findEquality(conj('USERNAME eq "bob" and active eq true'), userRs, 'userName')).toBe('bob');
    expect(findEquality(conj('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob"'), userRs, 'userName')).toBe('bob');
    expect(findEquality(conj('userName ne "bob"'), userRs, 'userName')).toBeUndefined();
    expect(findEquality(conj('userName eq null'), userRs, 'userName')).toBeUndefined();
    expect(findEquality(conj('not (userName ne "bob")'), userRs, 'userName')).toBe('bob');
  });

  it('finds extension and common attributes', () => {
    const c = conj('id eq "u1" and manager eq "u3" and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7"');
    expect(findEquality(c, userRs, 'id')).toBe('u1');
    expect(findEquality(c, userRs, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager')).toBe('u3');
    expect(findEquality(c, userRs, 'employeeNumber')).toBe('7');
    expect(findEquality(c, userRs, 'externalId')).toBeUndefined();
    expect(findEquality(conj('displayName eq "Sales"'), groupRs, 'displayname')).toBe('Sales');
  });

  it('falls back to a textual match for attributes the schema does not know', () => {
    expect(findEquality(conj('custom eq "x"'), userRs, 'Custom')).toBe('x');
    expect(findEquality(conj('emails.value eq "x"'), userRs, 'emails.value')).toBe('x');
    expect(findEquality(conj('emails.value eq "x"'), userRs, 'emails')).toBeUndefined();
  });
});
