/**
 * Small constructors for attribute definitions. RFC 7643 §2.2 gives the defaults for an attribute
 * whose characteristics are not spelled out (string, single-valued, not required, caseExact false,
 * readWrite, returned default, uniqueness none); these helpers apply exactly those defaults so the
 * schema files read like the §8.7.1 tables and only state what differs.
 */
import type { AttributeDefinition } from './types.js';

type Overrides = Partial<Omit<AttributeDefinition, 'name' | 'description'>>;

const DEFAULTS = {
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
} as const satisfies Omit<AttributeDefinition, 'name' | 'description'>;

/** A simple attribute (string unless `type` says otherwise). */
export function attr(name: string, description: string, overrides: Overrides = {}): AttributeDefinition {
  return { name, description, ...DEFAULTS, ...overrides };
}

/** A complex attribute with its sub-attributes (RFC 7643 §2.3.8: no nested complex). */
export function complexAttr(
  name: string,
  description: string,
  subAttributes: readonly AttributeDefinition[],
  overrides: Overrides = {},
): AttributeDefinition {
  return { name, description, ...DEFAULTS, type: 'complex', subAttributes, ...overrides };
}

/**
 * The usual `value`/`display`/`type`/`primary` sub-attributes of a multi-valued attribute
 * (RFC 7643 §2.4), as §8.7.1 lists them for emails, phoneNumbers, ims, photos, entitlements,
 * roles and x509Certificates.
 */
export function multiValuedSubAttributes(opts: {
  readonly valueDescription: string;
  readonly valueType?: AttributeDefinition['type'];
  readonly valueReferenceTypes?: readonly string[];
  readonly typeDescription: string;
  readonly canonicalTypes?: readonly string[];
}): AttributeDefinition[] {
  return [
    attr('value', opts.valueDescription, {
      ...(opts.valueType ? { type: opts.valueType } : {}),
      ...(opts.valueReferenceTypes ? { referenceTypes: opts.valueReferenceTypes } : {}),
    }),
    attr('display', 'A human-readable name, primarily used for display purposes.'),
    attr('type', opts.typeDescription, opts.canonicalTypes ? { canonicalValues: opts.canonicalTypes } : {}),
    attr('primary', "Whether this value is the 'primary' or preferred one; 'true' appears at most once.", {
      type: 'boolean',
    }),
  ];
}
