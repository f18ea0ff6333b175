import { describe, expect, it } from 'vitest';
import { parseAttributeList, project, projector, wantsAttribute } from '../../../lambdas/scim/projection.js';
import { groupResource, userResource } from '../../../lambdas/scim/schema/resource-schema.js';
import { ENTERPRISE_URN, spokeCustomSchema, testSchema, USER_URN } from '../../fixtures/scim/extensions.js';
import { projectionVectors, storedGroup, storedUser, wantsVectors } from '../../fixtures/scim/projection-vectors.js';

const users = userResource([spokeCustomSchema, testSchema]);
const groups = groupResource();
const rsFor = (r: 'user' | 'group') => (r === 'user' ? users : groups);
const storedFor = (r: 'user' | 'group') => (r === 'user' ? storedUser : storedGroup);

describe('parseAttributeList', () => {
  it.each([
    [undefined, []],
    ['', []],
    [' , ,', []],
    ['members', [{ attr: 'members' }]],
    ['userName, name.givenName', [{ attr: 'userName' }, { attr: 'name', subAttr: 'givenName' }]],
    [`${ENTERPRISE_URN}:manager`, [{ uri: ENTERPRISE_URN, attr: 'manager' }]],
    [`${ENTERPRISE_URN}:manager.value,id`, [{ uri: ENTERPRISE_URN, attr: 'manager', subAttr: 'value' }, { attr: 'id' }]],
  ] as const)('%j', (text, expected) => {
    expect(parseAttributeList(text)).toEqual(expected);
  });
});

describe('project', () => {
  it.each(projectionVectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const opts = { attributes: v.attributes, excludedAttributes: v.excludedAttributes };
    const out = project(rsFor(v.resource), storedFor(v.resource), opts);
    expect(out).toEqual(v.expected);
    // Same result with pre-parsed lists and with a reusable projector.
    const parsed = { attributes: parseAttributeList(v.attributes), excludedAttributes: parseAttributeList(v.excludedAttributes) };
    expect(project(rsFor(v.resource), storedFor(v.resource), parsed)).toEqual(v.expected);
    expect(projector(rsFor(v.resource), opts)(storedFor(v.resource))).toEqual(v.expected);
  });

  it('puts schemas and id first, extension objects last', () => {
    const keys = Object.keys(project(users, storedUser));
    expect(keys.slice(0, 2)).toEqual(['schemas', 'id']);
    expect(keys.slice(-3)).toEqual([ENTERPRISE_URN, spokeCustomSchema.id, testSchema.id]);
  });

  it('derives schemas from the data, not from the stored schemas array', () => {
    const out = project(users, { ...storedUser, schemas: ['garbage'], [ENTERPRISE_URN]: {} });
    expect(out.schemas).toEqual([USER_URN, spokeCustomSchema.id, testSchema.id]);
    expect(out).not.toHaveProperty([ENTERPRISE_URN]);
  });

  it('accepts non-canonical key case in stored data and emits canonical names', () => {
    const out = project(users, { id: 'x', USERNAME: 'a', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user': { Department: 'D' } });
    expect(out).toEqual({ schemas: [USER_URN, ENTERPRISE_URN], id: 'x', userName: 'a', [ENTERPRISE_URN]: { department: 'D' } });
  });

  it('drops data the schema does not know (including undeclared extensions)', () => {
    const out = project(userResource(), { id: 'x', userName: 'a', internal: 1, [spokeCustomSchema.id]: { startDate: 'y' } });
    expect(out).toEqual({ schemas: [USER_URN], id: 'x', userName: 'a' });
  });

  it('does not mutate the stored resource', () => {
    const copy = structuredClone(storedUser);
    project(users, storedUser, { attributes: 'name.givenName', excludedAttributes: 'emails.value' });
    expect(storedUser).toEqual(copy);
  });
});

describe('wantsAttribute', () => {
  it.each(wantsVectors)('%s %s attributes=%s excludedAttributes=%s → %s', (resource, attr, attributes, excluded, wanted) => {
    expect(wantsAttribute(rsFor(resource), attr, { attributes, excludedAttributes: excluded })).toBe(wanted);
  });
});
