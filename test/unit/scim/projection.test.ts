import { describe, expect, it, vi } from 'vitest';
import { parsePathExpression } from '../../../lambdas/scim/filter/parse.js';
import { parseAttributeList, project, projector, wantsAttribute } from '../../../lambdas/scim/projection.js';
import { groupResource, userResource } from '../../../lambdas/scim/schema/resource-schema.js';
import { ENTERPRISE_URN, spokeCustomSchema, testSchema, USER_URN } from '../../fixtures/scim/extensions.js';
import {
  deviceSchema,
  filteredProjectionVectors,
  projectionVectors,
  storedDeviceUser,
  storedGroup,
  storedUser,
  wantsVectors,
  type ProjectionVector,
} from '../../fixtures/scim/projection-vectors.js';

// Pass-through spy: counts how often the projection parses a value-filtered name.
vi.mock('../../../lambdas/scim/filter/parse.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../../lambdas/scim/filter/parse.js')>();
  return { ...m, parsePathExpression: vi.fn(m.parsePathExpression) };
});

const users = userResource([spokeCustomSchema, testSchema]);
const groups = groupResource();
const deviceUsers = userResource([deviceSchema]);
const rsFor = (r: ProjectionVector['resource']) => (r === 'user' ? users : r === 'group' ? groups : deviceUsers);
const storedFor = (r: ProjectionVector['resource']) => (r === 'user' ? storedUser : r === 'group' ? storedGroup : storedDeviceUser);

describe('parseAttributeList', () => {
  it.each([
    [undefined, []],
    ['', []],
    [' , ,', []],
    ['members', [{ attr: 'members' }]],
    ['userName, name.givenName', [{ attr: 'userName' }, { attr: 'name', subAttr: 'givenName' }]],
    [`${ENTERPRISE_URN}:manager`, [{ uri: ENTERPRISE_URN, attr: 'manager' }]],
    [`${ENTERPRISE_URN}:manager.value,id`, [{ uri: ENTERPRISE_URN, attr: 'manager', subAttr: 'value' }, { attr: 'id' }]],
    // An unclosed bracket does not swallow the rest of the list; the broken entry resolves to nothing.
    ['emails[type eq,userName', [{ attr: 'emails[type eq' }, { attr: 'userName' }]],
    ['emails[type eq "a,b"]x, id', [{ attr: 'emails[type eq "a,b"]x' }, { attr: 'id' }]],
  ] as const)('%j', (text, expected) => {
    expect(parseAttributeList(text)).toEqual(expected);
  });

  it('keeps a value filter with its attribute and sub-attribute; commas inside quotes do not split', () => {
    expect(parseAttributeList(`id, ${USER_URN}:emails[type eq "a,b" or primary eq true].value ,userName`)).toEqual([
      { attr: 'id' },
      {
        uri: USER_URN,
        attr: 'emails',
        subAttr: 'value',
        filter: {
          kind: 'or',
          left: { kind: 'compare', op: 'eq', path: { attr: 'type' }, value: 'a,b' },
          right: { kind: 'compare', op: 'eq', path: { attr: 'primary' }, value: true },
        },
      },
      { attr: 'userName' },
    ]);
  });
});

describe('project', () => {
  it.each([...projectionVectors, ...filteredProjectionVectors].map((v) => [v.name, v] as const))('%s', (_name, v) => {
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
    project(users, storedUser, { attributes: 'emails[type eq "work"].value', excludedAttributes: 'emails[type eq "home"].type' });
    expect(storedUser).toEqual(copy);
  });

  it('excludedAttributes applies after attributes, also to a sub-attribute both name', () => {
    expect(project(users, storedUser, { attributes: 'emails.value,emails.type', excludedAttributes: 'emails.type' })).toEqual({
      schemas: [USER_URN],
      id: 'u1',
      emails: [{ value: 'alice@contoso.com' }, { value: 'alice@home.example' }],
    });
  });

  it('parses the raw parameters once for many resources (list pages call project per resource)', () => {
    const parse = vi.mocked(parsePathExpression);
    const attributes = 'emails[type eq "work"].value,userName,emails[value ew "zz-once"]';
    parse.mockClear();
    const page = Array.from({ length: 50 }, (_, i) => ({ ...storedUser, id: `u${i}` }));
    const out = page.map((r) => project(users, r, { attributes }));
    expect(out[49]).toEqual({ schemas: [USER_URN], id: 'u49', userName: 'alice@contoso.com', emails: [{ value: 'alice@contoso.com' }] });
    expect(wantsAttribute(users, 'groups', { attributes })).toBe(false);
    expect(parse).toHaveBeenCalledTimes(2); // the two bracketed entries, once
  });

  it('never throws on hostile attribute lists', () => {
    const hostile = ['[', ']', '[[[[', '"]', 'emails["', 'emails[type eq "\\', `emails[${'('.repeat(100)}type eq "x"${')'.repeat(100)}]`, `emails[${'a'.repeat(5000)} eq "x"]`, ',,[,],"'];
    for (const text of hostile) {
      expect(() => project(users, storedUser, { attributes: text, excludedAttributes: text })).not.toThrow();
      expect(() => wantsAttribute(groups, 'members', { attributes: text })).not.toThrow();
    }
  });
});

describe('wantsAttribute', () => {
  it.each(wantsVectors)('%s %s attributes=%s excludedAttributes=%s → %s', (resource, attr, attributes, excluded, wanted) => {
    expect(wantsAttribute(rsFor(resource), attr, { attributes, excludedAttributes: excluded })).toBe(wanted);
  });
});
