/**
 * Reading attribute values out of a resource document, shared by the filter evaluator and the
 * PATCH engine. Attribute names are case-insensitive (RFC 7643 §2.1): stored documents use the
 * canonical spelling (normalize.ts), so the exact key is tried first and a case-insensitive scan
 * is only the fallback. Extension attributes live under their schema URN key (RFC 7643 §3.3).
 *
 * `resolveAttribute` adds the common attributes of RFC 7643 §3.1 (`id`, `externalId`, `meta`,
 * `schemas`) for schema objects that do not declare them.
 */
import type { AttributeDefinition, ResolvedAttribute, SchemaDefinition } from '../schema/types.js';
import type { AttrPath } from './ast.js';

/** The part of `ResourceSchema` (schema/resource-schema.ts) the filter and PATCH engines need. */
export interface AttributeResolver {
  resolve(path: AttrPath): ResolvedAttribute | undefined;
  /** Extension schemas, used to resolve unqualified extension names (Entra's `manager`). */
  readonly extensions?: readonly SchemaDefinition[];
}

function def(
  name: string,
  type: AttributeDefinition['type'],
  extra: Partial<AttributeDefinition> = {},
): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description: '',
    required: false,
    caseExact: true,
    mutability: 'readOnly',
    returned: 'default',
    uniqueness: 'none',
    ...extra,
  };
}

const COMMON_SCHEMA: SchemaDefinition = {
  id: 'urn:ietf:params:scim:schemas:core:2.0:Common',
  name: 'Common',
  description: 'RFC 7643 §3.1 common attributes',
  attributes: [
    def('id', 'string', { returned: 'always', uniqueness: 'server' }),
    def('externalId', 'string', { mutability: 'readWrite' }),
    def('schemas', 'reference', { multiValued: true, caseExact: false, returned: 'always' }),
    def('meta', 'complex', {
      subAttributes: [
        def('resourceType', 'string'),
        def('created', 'dateTime'),
        def('lastModified', 'dateTime'),
        def('location', 'reference'),
        def('version', 'string'),
      ],
    }),
  ],
};

export function eqIgnoreCase(a: string, b: string): boolean {
  return a.length === b.length && (a === b || a.toLowerCase() === b.toLowerCase());
}

export function findDefinition(defs: readonly AttributeDefinition[] | undefined, name: string): AttributeDefinition | undefined {
  if (!defs) return undefined;
  for (const d of defs) if (eqIgnoreCase(d.name, name)) return d;
  return undefined;
}

const CORE_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:';

/**
 * `rs.resolve(path)`, with two fallbacks for names the core schema does not declare:
 *  - an unqualified name that exactly one extension declares resolves there: Entra's legacy
 *    reference check `manager eq "<id>"` and legacy PATCH `path: "manager"` (scim-clients.md §1.5,
 *    §1.6 f) name the enterprise `manager` without its URN;
 *  - the RFC 7643 §3.1 common attributes, for resolvers that do not declare them.
 */
export function resolveAttribute(rs: AttributeResolver, path: AttrPath): ResolvedAttribute | undefined {
  const r = rs.resolve(path);
  if (r) return r;
  if (path.uri === undefined && rs.extensions && rs.extensions.length > 0) {
    let found: ResolvedAttribute | undefined;
    for (const ext of rs.extensions) {
      const x = rs.resolve({ ...path, uri: ext.id });
      if (!x) continue;
      if (found) {
        found = undefined; // ambiguous: two extensions declare it
        break;
      }
      found = x;
    }
    if (found) return found;
  }
  if (path.uri !== undefined && !path.uri.toLowerCase().startsWith(CORE_PREFIX)) return undefined;
  const attribute = findDefinition(COMMON_SCHEMA.attributes, path.attr);
  if (!attribute) return undefined;
  if (path.subAttr === undefined) return { schema: COMMON_SCHEMA, isExtension: false, attribute };
  const subAttribute = findDefinition(attribute.subAttributes, path.subAttr);
  return subAttribute ? { schema: COMMON_SCHEMA, isExtension: false, attribute, subAttribute } : undefined;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The key under which `name` is stored in `obj` (exact first, then case-insensitive), if any. */
export function findKey(obj: Record<string, unknown>, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.length === name.length && k.toLowerCase() === lower) return k;
  return undefined;
}

/** `obj[name]` with case-insensitive fallback; undefined for non-objects. */
export function lookup(obj: unknown, name: string): unknown {
  if (!isObject(obj)) return undefined;
  const v = obj[name];
  if (v !== undefined) return v;
  const k = findKey(obj, name);
  return k === undefined ? undefined : obj[k];
}

/** The object holding the attribute: the resource itself, or its extension object. */
export function containerOf(resource: unknown, r: ResolvedAttribute): unknown {
  return r.isExtension ? lookup(resource, r.schema.id) : resource;
}

/** A value as a list: undefined/null → [], arrays without null elements, scalars → [v]. */
export function collect(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.some((x) => x === undefined || x === null) ? v.filter((x) => x !== undefined && x !== null) : v;
  return [v];
}

/** A sub-attribute of one element; a bare scalar element counts as its own `value`. */
export function elementField(el: unknown, name: string): unknown {
  if (isObject(el)) return lookup(el, name);
  return eqIgnoreCase(name, 'value') ? el : undefined;
}

/** RFC 7644 §3.4.2.2 `pr`: a non-empty value; empty strings, arrays and objects do not count. */
export function isPresent(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.some(isPresent);
  if (typeof v === 'object') return Object.values(v).some(isPresent);
  return true;
}

/** All values the path denotes in `resource` (multi-valued attributes flattened). */
export function valuesAt(resource: unknown, r: ResolvedAttribute): unknown[] {
  const v = lookup(containerOf(resource, r), r.attribute.name);
  if (r.subAttribute === undefined) return collect(v);
  const name = r.subAttribute.name;
  const out: unknown[] = [];
  for (const el of collect(v)) for (const x of collect(elementField(el, name))) out.push(x);
  return out;
}
