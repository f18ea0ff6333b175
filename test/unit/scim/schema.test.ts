import { describe, expect, it } from 'vitest';
import type { AttrPath } from '../../../lambdas/scim/filter/ast.js';
import { formatAttrPath, splitAttrPath } from '../../../lambdas/scim/schema/attr-path.js';
import { groupSchema } from '../../../lambdas/scim/schema/core-group.js';
import { userSchema } from '../../../lambdas/scim/schema/core-user.js';
import { enterpriseUserSchema } from '../../../lambdas/scim/schema/enterprise-user.js';
import {
  groupResource,
  resourceTypeDocument,
  schemaDocument,
  userResource,
} from '../../../lambdas/scim/schema/resource-schema.js';
import type { AttributeDefinition, SchemaDefinition } from '../../../lambdas/scim/schema/types.js';
import {
  ENTERPRISE_URN,
  GROUP_URN,
  jostleSchema,
  SPOKE_URN,
  spokeCustomSchema,
  USER_URN,
} from '../../fixtures/scim/extensions.js';
import { groupPathVectors, rfcSubAttributes, rfcTopLevel, userPathVectors } from '../../fixtures/scim/schema-vectors.js';

const users = userResource([spokeCustomSchema, jostleSchema]);
const groups = groupResource();

describe('splitAttrPath', () => {
  it.each([
    ['userName', { attr: 'userName' }],
    ['name.givenName', { attr: 'name', subAttr: 'givenName' }],
    [`${ENTERPRISE_URN}:department`, { uri: ENTERPRISE_URN, attr: 'department' }],
    [`${ENTERPRISE_URN}:manager.value`, { uri: ENTERPRISE_URN, attr: 'manager', subAttr: 'value' }],
    ['URN:x:y:attr', { uri: 'URN:x:y', attr: 'attr' }],
    [ENTERPRISE_URN, { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0', attr: 'User' }],
  ] as const)('%s', (text, expected: AttrPath) => {
    expect(splitAttrPath(text)).toEqual(expected);
    expect(formatAttrPath(splitAttrPath(text))).toBe(text);
  });
});

describe('ResourceSchema.resolve', () => {
  it.each(userPathVectors)('User: %s → %s', (text, canonical) => {
    const r = users.resolveText(text);
    expect(r ? users.canonicalPath(r) : undefined).toBe(canonical);
  });

  it.each(groupPathVectors)('Group: %s → %s', (text, canonical) => {
    const r = groups.resolveText(text);
    expect(r ? groups.canonicalPath(r) : undefined).toBe(canonical);
  });

  it('reports the declaring schema and whether it is an extension', () => {
    const dept = users.resolve({ uri: ENTERPRISE_URN.toUpperCase(), attr: 'DEPARTMENT' });
    expect(dept?.schema.id).toBe(ENTERPRISE_URN);
    expect(dept?.isExtension).toBe(true);
    expect(dept?.attribute.name).toBe('department');
    const given = users.resolve({ attr: 'name', subAttr: 'givenname' });
    expect(given?.schema.id).toBe(USER_URN);
    expect(given?.isExtension).toBe(false);
    expect(given?.subAttribute?.name).toBe('givenName');
  });

  it('models the common attributes (RFC 7643 §3.1)', () => {
    const id = users.resolveText('id')?.attribute;
    expect(id).toMatchObject({ mutability: 'readOnly', returned: 'always', caseExact: true });
    expect(users.resolveText('externalId')?.attribute).toMatchObject({ mutability: 'readWrite', caseExact: true });
    const meta = users.resolveText('meta')?.attribute;
    expect(meta).toMatchObject({ type: 'complex', mutability: 'readOnly' });
    expect(meta?.subAttributes?.map((s) => s.name)).toEqual(['resourceType', 'created', 'lastModified', 'location', 'version']);
  });

  it('resolveUrn is case-insensitive and returns canonical ids', () => {
    expect(users.resolveUrn(SPOKE_URN.toLowerCase())?.id).toBe(SPOKE_URN);
    expect(users.resolveUrn(USER_URN.toUpperCase())?.id).toBe(USER_URN);
    expect(users.resolveUrn(ENTERPRISE_URN)?.id).toBe(ENTERPRISE_URN);
    expect(users.resolveUrn('urn:ietf:params:scim:schemas:extension:enterprise:2.0User')).toBeUndefined();
    expect(groups.resolveUrn(ENTERPRISE_URN)).toBeUndefined();
  });

  it('builds independent instances (no global registry)', () => {
    const plain = userResource();
    expect(plain.resolveText(`${SPOKE_URN}:startDate`)).toBeUndefined();
    expect(users.resolveText(`${SPOKE_URN}:startDate`)).toBeDefined();
    expect(plain.extensions.map((e) => e.id)).toEqual([ENTERPRISE_URN]);
    expect(users.extensions.map((e) => e.id)).toEqual([ENTERPRISE_URN, SPOKE_URN, jostleSchema.id]);
    // Passing enterprise explicitly does not duplicate it.
    expect(userResource([enterpriseUserSchema]).extensions).toHaveLength(1);
  });
});

function walk(attrs: readonly AttributeDefinition[], visit: (a: AttributeDefinition) => void): void {
  for (const a of attrs) {
    visit(a);
    if (a.subAttributes) walk(a.subAttributes, visit);
  }
}

function hasNull(v: unknown): boolean {
  if (v === null) return true;
  if (Array.isArray(v)) return v.some(hasNull);
  if (typeof v === 'object') return Object.values(v as object).some(hasNull);
  return false;
}

describe('schema data (RFC 7643 §4, §8.7.1)', () => {
  const bySchema: Record<string, SchemaDefinition> = { User: userSchema, Group: groupSchema, EnterpriseUser: enterpriseUserSchema };

  it.each(Object.entries(rfcTopLevel))('%s declares exactly the RFC attributes', (name, attrs) => {
    expect(bySchema[name]?.attributes.map((a) => a.name)).toEqual(attrs);
  });

  it.each(Object.entries(rfcSubAttributes))('%s has only RFC sub-attributes', (key, subs) => {
    const [schemaName, attrName] = key.split('.') as [string, string];
    const a = bySchema[schemaName]?.attributes.find((x) => x.name === attrName);
    expect(a?.subAttributes?.map((s) => s.name)).toEqual(subs);
  });

  it('every complex attribute is covered by the sub-attribute table', () => {
    for (const [name, s] of Object.entries(bySchema)) {
      for (const a of s.attributes) if (a.type === 'complex') expect(rfcSubAttributes).toHaveProperty([`${name}.${a.name}`]);
    }
  });

  it('has the RFC characteristics that matter', () => {
    const u = (n: string) => userSchema.attributes.find((a) => a.name === n);
    expect(u('userName')).toMatchObject({ required: true, uniqueness: 'server', caseExact: false });
    expect(u('password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(u('groups')).toMatchObject({ mutability: 'readOnly', multiValued: true });
    expect(u('groups')?.subAttributes?.every((s) => s.mutability === 'readOnly')).toBe(true);
    expect(u('active')).toMatchObject({ type: 'boolean' });
    expect(u('profileUrl')).toMatchObject({ type: 'reference', referenceTypes: ['external'] });
    expect(u('emails')?.subAttributes?.find((s) => s.name === 'type')?.canonicalValues).toEqual(['work', 'home', 'other']);
    expect(u('x509Certificates')?.subAttributes?.[0]).toMatchObject({ name: 'value', type: 'binary' });
    const members = groupSchema.attributes.find((a) => a.name === 'members');
    expect(members?.subAttributes?.every((s) => s.mutability === 'immutable')).toBe(true);
    expect(groupSchema.attributes[0]).toMatchObject({ name: 'displayName', required: true });
    const manager = enterpriseUserSchema.attributes.find((a) => a.name === 'manager');
    expect(manager?.subAttributes?.find((s) => s.name === 'displayName')?.mutability).toBe('readOnly');
    expect(manager?.subAttributes?.find((s) => s.name === '$ref')?.referenceTypes).toEqual(['User']);
  });

  it('never nests complex attributes (RFC 7643 §2.3.8)', () => {
    for (const s of Object.values(bySchema)) {
      for (const a of s.attributes) for (const sub of a.subAttributes ?? []) expect(sub.type).not.toBe('complex');
    }
  });
});

describe('discovery documents', () => {
  const docs = users.schemas.map((s) => schemaDocument(s)).concat(groups.schemas.map((s) => schemaDocument(s)));

  it('contain no null values (Entra rejects them)', () => {
    for (const d of docs) expect(hasNull(d)).toBe(false);
  });

  it('include the Group schema and every User extension', () => {
    expect(docs.map((d) => d.id)).toEqual([USER_URN, ENTERPRISE_URN, SPOKE_URN, jostleSchema.id, GROUP_URN]);
  });

  it('state every characteristic in camelCase on every attribute and sub-attribute', () => {
    const MUT = ['readOnly', 'readWrite', 'immutable', 'writeOnly'];
    const RET = ['always', 'never', 'default', 'request'];
    const UNI = ['none', 'server', 'global'];
    for (const d of docs) {
      walk(d.attributes as AttributeDefinition[], (a) => {
        for (const k of ['name', 'type', 'multiValued', 'description', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness']) {
          expect(a).toHaveProperty([k]);
        }
        expect(MUT).toContain(a.mutability);
        expect(RET).toContain(a.returned);
        expect(UNI).toContain(a.uniqueness);
        if (a.type === 'complex') expect(a.subAttributes?.length).toBeGreaterThan(0);
        else expect(a).not.toHaveProperty('subAttributes');
        if (a.canonicalValues) expect(a.canonicalValues.length).toBeGreaterThan(0);
      });
    }
  });

  it('do not list the common attributes (they belong to no schema)', () => {
    const core = schemaDocument(userSchema);
    expect((core.attributes as { name: string }[]).map((a) => a.name)).not.toContain('id');
  });

  it('advertise only RFC sub-attributes (scim-clients.md §4 #29)', () => {
    const core = schemaDocument(userSchema).attributes as AttributeDefinition[];
    for (const a of core) {
      if (!a.subAttributes) continue;
      expect(a.subAttributes.map((s) => s.name)).toEqual(rfcSubAttributes[`User.${a.name}`]);
    }
  });

  it('carry meta with a relative location, or one built from a base URL', () => {
    expect(schemaDocument(groupSchema).meta).toEqual({ resourceType: 'Schema', location: `/Schemas/${GROUP_URN}` });
    expect(schemaDocument(spokeCustomSchema, 'https://x.example/prod/scim/v2/').meta).toEqual({
      resourceType: 'Schema',
      location: `https://x.example/prod/scim/v2/Schemas/${SPOKE_URN}`,
    });
    expect(schemaDocument(userSchema).schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Schema']);
  });

  it('resource types (RFC 7643 §6) list the connector extensions', () => {
    expect(resourceTypeDocument(users.resourceType, 'https://x/scim/v2')).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_URN,
      schemaExtensions: [
        { schema: ENTERPRISE_URN, required: false },
        { schema: SPOKE_URN, required: false },
        { schema: jostleSchema.id, required: false },
      ],
      meta: { resourceType: 'ResourceType', location: 'https://x/scim/v2/ResourceTypes/User' },
    });
    const g = resourceTypeDocument(groups.resourceType);
    expect(g).toMatchObject({ id: 'Group', endpoint: '/Groups', schema: GROUP_URN, schemaExtensions: [] });
    expect(hasNull(g)).toBe(false);
  });
});
