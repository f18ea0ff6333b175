/**
 * PATCH engine (RFC 7644 §3.5.2): fixture vectors {source, ops, target} through the full path
 * (parsePatchRequest → applyPatch), error vectors, request validation, group member planning.
 */
import { describe, expect, it } from 'vitest';
import { catchScim } from '../../support/scim-errors.js';
import { applyPatch, equalityTemplate } from '../../../lambdas/scim/patch/apply.js';
import { planGroupPatch } from '../../../lambdas/scim/patch/members.js';
import { parsePatchPath } from '../../../lambdas/scim/patch/path.js';
import { MAX_PATCH_OPERATIONS, parsePatchRequest } from '../../../lambdas/scim/patch/request.js';
import { parseFilter } from '../../../lambdas/scim/filter/parse.js';
import { attr } from '../../../lambdas/scim/schema/define.js';
import { groupResource, userResource } from '../../../lambdas/scim/schema/resource-schema.js';
import { SCHEMA, type SchemaDefinition, type ScimResource } from '../../../lambdas/scim/schema/types.js';
import vectors from '../../fixtures/scim/patch-vectors.json' with { type: 'json' };

const spoke: SchemaDefinition = {
  id: 'urn:ietf:params:scim:schemas:extension:SpokeCustom:2.0:User',
  name: 'SpokeCustom',
  description: 'askSpoke custom attributes (scim-clients.md §5)',
  attributes: [attr('startDate', 'Start date, a String as Entra sends it')],
};
const userRs = userResource([spoke]);
const groupRs = groupResource();
const sources = vectors.sources as Record<string, ScimResource>;

function body(ops: unknown[]): unknown {
  return { schemas: [SCHEMA.patchOp], Operations: ops };
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function source(name: string): ScimResource {
  const s = sources[name];
  if (!s) throw new Error(`no source ${name}`);
  return deepFreeze(structuredClone(s));
}

describe('patch vectors', () => {
  for (const v of vectors.vectors) {
    it(v.ref, () => {
      const rs = v.type === 'Group' ? groupRs : userRs;
      const src = source(v.source);
      const out = applyPatch(rs, src, parsePatchRequest(body(v.ops)));
      expect(out).toEqual(v.target);
      expect(out).not.toBe(src); // a new object; `src` is frozen, so it was not mutated either
    });
  }
});

describe('patch error vectors', () => {
  for (const v of vectors.errors) {
    it(v.ref, () => {
      const rs = v.type === 'Group' ? groupRs : userRs;
      const e = catchScim(() => applyPatch(rs, source(v.source), parsePatchRequest(body(v.ops))));
      expect([e.status, e.scimType]).toEqual([v.status, v.scimType]);
      expect(e.detail).toContain(v.detail);
    });
  }
});

describe('parsePatchRequest', () => {
  for (const v of vectors.requests) {
    it(`rejects: ${v.ref}`, () => {
      const e = catchScim(() => parsePatchRequest(v.body));
      expect([e.status, e.scimType]).toEqual([v.status, v.scimType]);
      expect(e.detail).toContain(v.detail);
    });
  }

  it('accepts op names in any case and lenient member names (§4 #1)', () => {
    const ops = parsePatchRequest({
      schemas: [SCHEMA.patchOp],
      operations: [
        { Op: 'Replace', Path: 'active', Value: 'False' },
        { op: 'ADD', path: 'nickName', value: 'x' },
        { op: 'Remove', path: 'members', value: [{ value: 'u1' }] },
        { op: 'replace', path: '', value: { active: true } },
        { op: 'replace', path: 'title', value: null },
      ],
    });
    expect(ops.map((o) => o.op)).toEqual(['replace', 'add', 'remove', 'replace', 'replace']);
    expect(ops[0]?.path).toEqual({ attrPath: { attr: 'active' } });
    expect(ops[2]?.value).toEqual([{ value: 'u1' }]);
    expect(ops[3]?.path).toBeUndefined();
    expect(ops[4]).toEqual({ op: 'replace', path: { attrPath: { attr: 'title' } }, value: null });
  });

  it('is lenient about a missing schemas member', () => {
    expect(parsePatchRequest({ Operations: [{ op: 'remove', path: 'x' }] })).toHaveLength(1);
  });

  it(`caps the number of operations at ${MAX_PATCH_OPERATIONS}`, () => {
    const op = { op: 'add', path: 'members', value: [{ value: 'u' }] };
    expect(parsePatchRequest(body(Array.from({ length: MAX_PATCH_OPERATIONS }, () => op)))).toHaveLength(MAX_PATCH_OPERATIONS);
    const e = catchScim(() => parsePatchRequest(body(Array.from({ length: MAX_PATCH_OPERATIONS + 1 }, () => op))));
    expect([e.status, e.scimType]).toEqual([400, 'tooMany']);
  });
});

describe('parsePatchPath', () => {
  it('parses attrPath, valuePath and valuePath.subAttr, URN-qualified', () => {
    expect(parsePatchPath('members[value eq "2819c223"]')).toEqual({
      attrPath: { attr: 'members' },
      filter: { kind: 'compare', op: 'eq', path: { attr: 'value' }, value: '2819c223' },
    });
    expect(parsePatchPath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager')).toEqual({
      attrPath: { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', attr: 'manager' },
    });
    expect(parsePatchPath('addresses[type eq "work"].locality')).toMatchObject({ attrPath: { attr: 'addresses' }, subAttr: 'locality' });
    expect(parsePatchPath('roles[primary EQ "True"].value').filter).toEqual(parseFilter('primary eq "True"'));
  });

  for (const bad of ['', 'emails[type eq "work"', 'emails[type eq "work"]value', 'emails[type eq "work"].', 'name.givenName[x eq 1]', 'a b', 'emails[type eq "work"].value eq "x"', '"x"']) {
    it(`rejects ${JSON.stringify(bad)} with 400 invalidPath`, () => {
      const e = catchScim(() => parsePatchPath(bad));
      expect([e.status, e.scimType]).toEqual([400, 'invalidPath']);
    });
  }
});

describe('equalityTemplate', () => {
  const emails = userRs.resolve({ attr: 'emails' })?.attribute;
  it('builds an element from eq terms joined by and', () => {
    if (!emails) throw new Error('no emails');
    expect(equalityTemplate(parseFilter('type eq "work" and primary eq "True"'), emails)).toEqual({ type: 'work', primary: 'True' });
    expect(equalityTemplate(parseFilter('TYPE eq "work"'), emails)).toEqual({ type: 'work' });
    expect(equalityTemplate(parseFilter('type eq "work" or type eq "home"'), emails)).toBeUndefined();
    expect(equalityTemplate(parseFilter('type eq "work" and type eq "home"'), emails)).toBeUndefined();
    expect(equalityTemplate(parseFilter('value co "x"'), emails)).toBeUndefined();
    expect(equalityTemplate(parseFilter('nope eq "x"'), emails)).toBeUndefined();
  });
});

describe('planGroupPatch', () => {
  for (const v of vectors.members) {
    it(v.ref, () => {
      const plan = planGroupPatch(groupRs, parsePatchRequest(body(v.ops)));
      expect(plan.attributeOps).toEqual(parsePatchRequest(body(v.attributeOps.length ? v.attributeOps : [{ op: 'remove', path: 'x' }])).slice(0, v.attributeOps.length));
      if (v.members === null) {
        expect(plan.members).toBeUndefined();
        return;
      }
      const m = plan.members;
      expect(m).toBeDefined();
      expect(m?.replaceAll).toBe(v.members.replaceAll);
      expect([...(m?.add.values() ?? [])]).toEqual(v.members.add);
      expect([...(m?.remove ?? [])]).toEqual(v.members.remove);
      for (const id of m?.remove ?? []) expect(m?.add.has(id)).toBe(false);
    });
  }

  for (const v of vectors.memberErrors) {
    it(`rejects: ${v.ref}`, () => {
      const e = catchScim(() => planGroupPatch(groupRs, parsePatchRequest(body(v.ops))));
      expect([e.status, e.scimType]).toEqual([v.status, v.scimType]);
      expect(e.detail).toContain(v.detail);
    });
  }

  it('never needs the member list: 1000 changes fold into sets', () => {
    const ops = parsePatchRequest(
      body(Array.from({ length: 1000 }, (_, i) => (i % 2 ? { op: 'remove', path: `members[value eq "u${i - 1}"]` } : { op: 'add', path: 'members', value: [{ value: `u${i}` }, { value: `k${i}` }] }))),
    );
    const m = planGroupPatch(groupRs, ops).members;
    expect(m?.add.size).toBe(500);
    expect(m?.remove.size).toBe(500);
  });
});
