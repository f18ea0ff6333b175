import { describe, expect, it } from 'vitest';
import { isScimError } from '../../../lambdas/scim/errors.js';
import { coerceBoolean, normalizeAttributeValue, normalizeResource } from '../../../lambdas/scim/normalize.js';
import { project } from '../../../lambdas/scim/projection.js';
import { groupResource, userResource } from '../../../lambdas/scim/schema/resource-schema.js';
import { enterpriseUserSchema } from '../../../lambdas/scim/schema/enterprise-user.js';
import { jostleSchema, spokeCustomSchema, testSchema, USER_URN } from '../../fixtures/scim/extensions.js';
import { normalizeErrorVectors, normalizeVectors } from '../../fixtures/scim/normalize-vectors.js';

const users = userResource([spokeCustomSchema, jostleSchema, testSchema]);
const groups = groupResource();
const rsFor = (r: 'user' | 'group') => (r === 'user' ? users : groups);

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('normalizeResource: request bodies from Entra ID and Okta', () => {
  it.each(normalizeVectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const out = normalizeResource(rsFor(v.resource), v.input);
    expect(out).toEqual(v.expected);
    // Canonical output order: schemas first (then the schema's attribute order).
    expect(Object.keys(out)[0]).toBe('schemas');
  });

  it('is idempotent: normalising its own output changes nothing', () => {
    for (const v of normalizeVectors) {
      const once = normalizeResource(rsFor(v.resource), v.input);
      expect(normalizeResource(rsFor(v.resource), once)).toEqual(once);
    }
  });

  it('does not mutate the input', () => {
    const input = { userName: 'a', emails: [{ value: 'a@x', primary: 'True' }], active: 'False' };
    const copy = structuredClone(input);
    normalizeResource(users, input);
    expect(input).toEqual(copy);
  });

  it('keeps password in the stored form but projection never returns it', () => {
    const stored = normalizeResource(users, { userName: 'a', password: 'secret' });
    expect(stored.password).toBe('secret');
    expect(project(users, { ...stored, id: '1' })).not.toHaveProperty('password');
  });

  it('ignores a connector extension that this resource type does not declare', () => {
    const plain = userResource();
    const out = normalizeResource(plain, { userName: 'a', [spokeCustomSchema.id]: { startDate: 'x' } });
    expect(out).toEqual({ schemas: [USER_URN], userName: 'a' });
  });

  it('checkRequired: false normalises a partial document', () => {
    expect(normalizeResource(users, { active: 'true' }, { checkRequired: false })).toEqual({ schemas: [USER_URN], active: true });
  });
});

describe('normalizeResource: errors', () => {
  it.each(normalizeErrorVectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const e = errorOf(() => normalizeResource(rsFor(v.resource), v.input));
    expect(isScimError(e)).toBe(true);
    if (!isScimError(e)) return;
    expect(e.status).toBe(v.status);
    expect(e.scimType).toBe(v.scimType);
    expect(e.detail).toContain(v.detail);
  });
});

describe('value helpers (shared with PATCH)', () => {
  it.each([
    [true, true],
    [false, false],
    ['True', true],
    ['False', false],
    ['false', false],
    ['TRUE', true],
    [' true ', true],
    ['maybe', undefined],
    [1, undefined],
    [null, undefined],
  ] as const)('coerceBoolean(%j) = %j', (input, expected) => {
    expect(coerceBoolean(input)).toBe(expected);
  });

  it('normalizeAttributeValue turns a bare manager id into {value}', () => {
    const manager = enterpriseUserSchema.attributes.find((a) => a.name === 'manager');
    expect(manager).toBeDefined();
    if (!manager) return;
    expect(normalizeAttributeValue(manager, 'm1')).toEqual({ value: 'm1' });
    expect(normalizeAttributeValue(manager, '')).toBeUndefined();
    expect(normalizeAttributeValue(manager, null)).toBeUndefined();
  });
});
