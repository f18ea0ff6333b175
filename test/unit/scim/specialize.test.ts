/**
 * Filters specialised to one resource type for root queries (RFC 7644 §3.4.2.1): terms on
 * attributes the type does not have fold to the evaluator's own constant, so a type can be skipped
 * (false) or listed unfiltered (true), and what remains matches exactly what the filter matches.
 */
import { describe, expect, it } from 'vitest';
import type { Filter } from '../../../lambdas/scim/filter/ast.js';
import { matchesFilter } from '../../../lambdas/scim/filter/evaluate.js';
import { parseFilter } from '../../../lambdas/scim/filter/parse.js';
import { printFilter } from '../../../lambdas/scim/filter/print.js';
import { specializeFilter } from '../../../lambdas/scim/filter/specialize.js';
import { groupResource, userResource } from '../../../lambdas/scim/schema/resource-schema.js';
import type { ScimResource } from '../../../lambdas/scim/schema/types.js';
import vectors from '../../fixtures/scim/filter-vectors.json' with { type: 'json' };
import { catchScim } from '../../support/scim-errors.js';

const userRs = userResource();
const groupRs = groupResource();
const show = (s: boolean | Filter) => (typeof s === 'boolean' ? s : printFilter(s));
const forUsers = (f: string) => show(specializeFilter(parseFilter(f), userRs));
const forGroups = (f: string) => show(specializeFilter(parseFilter(f), groupRs));

describe('specializeFilter', () => {
  it('a term on an attribute only the other type has: false for eq/co/pr, true for ne', () => {
    expect(forGroups('userName eq "a"')).toBe(false);
    expect(forGroups('userName ne "a"')).toBe(true);
    expect(forGroups('name.givenName pr')).toBe(false);
    expect(forGroups('emails[type eq "work"]')).toBe(false);
    expect(forGroups('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"')).toBe(false);
    expect(forGroups('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"')).toBe(false);
    expect(forUsers('members.value eq "g"')).toBe(false);
    expect(forUsers('members[value eq "g"]')).toBe(false);
    expect(forUsers('members eq "g"')).toBe(false);
  });

  it('absent-value semantics are the evaluator’s: eq null and not(…) are true', () => {
    expect(forGroups('userName eq null')).toBe(true);
    expect(forGroups('userName ne null')).toBe(false);
    expect(forGroups('not (userName eq "a")')).toBe(true);
    expect(forGroups('not (not (userName eq "a"))')).toBe(false);
  });

  it('folds and/or around the constants; attributes both types have stay', () => {
    expect(forGroups('userName eq "a" or displayName eq "b"')).toBe('displayName eq "b"');
    expect(forGroups('userName eq "a" and displayName eq "b"')).toBe(false);
    expect(forGroups('userName ne "a" and displayName eq "b"')).toBe('displayName eq "b"');
    expect(forGroups('userName ne "a" or displayName eq "b"')).toBe(true);
    expect(forGroups('not (userName eq "a" or displayName eq "b")')).toBe('not (displayName eq "b")');
    expect(forUsers('members.value eq "g" or (userName sw "a" and active eq true)')).toBe('userName sw "a" and active eq true');
    expect(forGroups('id eq "x"')).toBe('id eq "x"');
    expect(forGroups('meta.lastModified gt "2020-01-01T00:00:00Z"')).toBe('meta.lastModified gt "2020-01-01T00:00:00Z"');
  });

  it('returns the very filter object when nothing folds (the caller keeps the client’s text)', () => {
    const f = parseFilter('displayName eq "x" and externalId pr');
    expect(specializeFilter(f, userRs)).toBe(f);
    expect(specializeFilter(f, groupRs)).toBe(f);
  });

  it('an operand invalid for an attribute the type has is still 400 invalidFilter', () => {
    expect(catchScim(() => specializeFilter(parseFilter('active eq "maybe"'), userRs)).scimType).toBe('invalidFilter');
    expect(forGroups('active eq "maybe"')).toBe(false); // groups have no `active`
    expect(catchScim(() => specializeFilter(parseFilter('userName gt null'), groupRs)).scimType).toBe('invalidFilter');
  });

  it('the specialised filter matches exactly what the filter matches, on every vector and fixture resource', () => {
    const sets: [Record<string, ScimResource>, ReturnType<typeof userResource>][] = [
      [vectors.users as Record<string, ScimResource>, userRs],
      [vectors.groups as Record<string, ScimResource>, groupRs],
    ];
    let compared = 0;
    let folded = 0;
    for (const v of vectors.vectors) {
      const f = parseFilter(v.filter);
      for (const [set, rs] of sets) {
        let s: boolean | Filter;
        try {
          s = specializeFilter(f, rs);
        } catch {
          continue; // invalid for this type (400 at the root too)
        }
        if (s !== f) folded++;
        for (const [key, r] of Object.entries(set)) {
          const want = matchesFilter(f, r, rs);
          const got = typeof s === 'boolean' ? s : matchesFilter(s, r, rs);
          expect(got, `${v.filter} on ${key}`).toBe(want);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
    expect(folded).toBeGreaterThan(10);
  });
});
