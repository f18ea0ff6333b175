/** The planner picks a key lookup whenever one conjunct allows it; everything else is a bounded scan. */
import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../lambdas/scim/filter/parse.js';
import { planFilter } from '../../../lambdas/store/planner.js';

const plan = (kind: 'User' | 'Group', f: string, displayNameIndexed = true) => planFilter(kind, parseFilter(f), { displayNameIndexed });

describe('planFilter', () => {
  it.each([
    ['User', 'userName eq "a@b.c"', { kind: 'userName', value: 'a@b.c' }],
    ['User', 'USERNAME eq "a"', { kind: 'userName', value: 'a' }],
    ['User', 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"', { kind: 'userName', value: 'a' }],
    ['User', 'externalId eq "x" and active eq true', { kind: 'externalId', value: 'x' }],
    ['User', 'id eq "1" and manager eq "2"', { kind: 'id', value: '1' }],
    ['User', 'userName eq "a" and id eq "1"', { kind: 'id', value: '1' }],
    ['Group', 'displayName eq "Sales"', { kind: 'displayName', value: 'Sales' }],
    ['Group', 'members[value eq "u1"]', { kind: 'edge', value: 'u1' }],
    ['Group', 'members.value eq "u1"', { kind: 'edge', value: 'u1' }],
    ['User', 'groups.value eq "g1"', { kind: 'edge', value: 'g1' }],
    ['User', 'userName sw "a"', { kind: 'scan' }],
    ['User', 'userName eq "a" or userName eq "b"', { kind: 'scan' }],
    ['User', 'not (userName eq "a")', { kind: 'scan' }],
    ['User', 'userName eq 5', { kind: 'scan' }],
    ['User', 'emails[type eq "work"].value eq "x"', { kind: 'scan' }],
  ] as const)('%s: %s', (kind, f, access) => {
    expect(plan(kind, f).access).toEqual(access);
  });

  it('displayName is a scan when the name guard is off', () => {
    expect(plan('Group', 'displayName eq "x"', false).access).toEqual({ kind: 'scan' });
  });

  it('keeps every non-membership conjunct as the residual and membership terms as edge checks', () => {
    const p = plan('Group', 'id eq "g" and members eq "u" and displayName eq "x"');
    expect(p.access).toEqual({ kind: 'id', value: 'g' });
    expect(p.edges).toEqual(['u']);
    expect(p.residual).toMatchObject({ kind: 'and' });
  });

  it('rejects membership terms under or/not', () => {
    expect(() => plan('Group', 'members.value eq "u" or displayName eq "x"')).toThrow(/members/);
    expect(() => plan('Group', 'not (members.value eq "u")')).toThrow(/members/);
  });
});
