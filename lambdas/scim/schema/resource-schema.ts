/**
 * One resource type (RFC 7643 §6) seen through its schemas: the core schema, its extensions and
 * the common attributes (§3.1). Everything schema-aware (normalisation, filtering, PATCH,
 * projection, discovery) resolves names here:
 *  - attribute and sub-attribute names are case-insensitive (RFC 7643 §2.1);
 *  - a path may be URN-qualified (RFC 7644 §3.10); the core URN names core attributes, an
 *    extension URN (any case) names that extension's attributes; unqualified names are core.
 * No global registry: a connector builds its own instance from its extension list.
 */
import type { AttrPath } from '../filter/ast.js';
import { splitAttrPath } from './attr-path.js';
import { commonAttributes } from './common.js';
import { groupSchema } from './core-group.js';
import { userSchema } from './core-user.js';
import { enterpriseUserSchema } from './enterprise-user.js';
import {
  SCHEMA,
  type AttributeDefinition,
  type ResolvedAttribute,
  type ResourceTypeDefinition,
  type SchemaDefinition,
} from './types.js';

type NameIndex = ReadonlyMap<string, AttributeDefinition>;

function indexByName(attrs: readonly AttributeDefinition[]): Map<string, AttributeDefinition> {
  const m = new Map<string, AttributeDefinition>();
  for (const a of attrs) if (!m.has(a.name.toLowerCase())) m.set(a.name.toLowerCase(), a);
  return m;
}

const subIndexCache = new WeakMap<AttributeDefinition, NameIndex>();

/** A sub-attribute of a complex attribute by name, case-insensitively. */
export function findSubAttribute(attribute: AttributeDefinition, name: string): AttributeDefinition | undefined {
  if (!attribute.subAttributes) return undefined;
  let idx = subIndexCache.get(attribute);
  if (!idx) {
    idx = indexByName(attribute.subAttributes);
    subIndexCache.set(attribute, idx);
  }
  return idx.get(name.toLowerCase());
}

export class ResourceSchema {
  readonly resourceType: ResourceTypeDefinition;
  readonly core: SchemaDefinition;
  readonly extensions: readonly SchemaDefinition[];
  /** Common attributes (id, externalId, meta): resolved as if declared by the core schema. */
  readonly common: readonly AttributeDefinition[];

  private readonly byUrn = new Map<string, SchemaDefinition>();
  private readonly attrIndex = new Map<SchemaDefinition, NameIndex>();

  constructor(resourceType: ResourceTypeDefinition, core: SchemaDefinition, extensions: readonly SchemaDefinition[] = []) {
    this.resourceType = resourceType;
    this.core = core;
    this.common = commonAttributes;
    this.byUrn.set(core.id.toLowerCase(), core);
    this.attrIndex.set(core, indexByName([...commonAttributes, ...core.attributes]));
    const exts: SchemaDefinition[] = [];
    for (const ext of extensions) {
      const key = ext.id.toLowerCase();
      if (this.byUrn.has(key)) continue; // duplicate or the core URN: first one wins
      this.byUrn.set(key, ext);
      this.attrIndex.set(ext, indexByName(ext.attributes));
      exts.push(ext);
    }
    this.extensions = exts;
  }

  /** Core first, then extensions in declaration order. */
  get schemas(): readonly SchemaDefinition[] {
    return [this.core, ...this.extensions];
  }

  /** A schema of this resource type by URN, case-insensitively (`…:SpokeCustom:…` = `…:spokecustom:…`). */
  resolveUrn(uri: string): SchemaDefinition | undefined {
    return this.byUrn.get(uri.toLowerCase());
  }

  isExtension(schema: SchemaDefinition): boolean {
    return schema !== this.core;
  }

  /** The attributes a resource may carry at the top level of `schema` (core: common + core). */
  attributesOf(schema: SchemaDefinition): readonly AttributeDefinition[] {
    return schema === this.core ? [...this.common, ...schema.attributes] : schema.attributes;
  }

  /** A top-level attribute of `schema` by name, case-insensitively. */
  findAttribute(schema: SchemaDefinition, name: string): AttributeDefinition | undefined {
    return this.attrIndex.get(schema)?.get(name.toLowerCase());
  }

  /**
   * Resolves `[uri:]attr[.subAttr]`. Undefined when the URN is not one of this resource type's
   * schemas, the attribute is unknown, or a sub-attribute is asked of a non-complex attribute.
   */
  resolve(path: AttrPath): ResolvedAttribute | undefined {
    const schema = path.uri !== undefined ? this.resolveUrn(path.uri) : this.core;
    if (!schema) return undefined;
    const attribute = this.findAttribute(schema, path.attr);
    if (!attribute) return undefined;
    const isExtension = schema !== this.core;
    if (path.subAttr === undefined) return { schema, isExtension, attribute };
    const subAttribute = findSubAttribute(attribute, path.subAttr);
    if (!subAttribute) return undefined;
    return { schema, isExtension, attribute, subAttribute };
  }

  /** `resolve` on path text (`name.givenName`, `urn:…:enterprise:2.0:User:manager`). */
  resolveText(text: string): ResolvedAttribute | undefined {
    return this.resolve(splitAttrPath(text));
  }

  /** Canonical text of a resolved path: `name.givenName`, `urn:…:User:department` for extensions. */
  canonicalPath(resolved: ResolvedAttribute): string {
    const local = resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}` : resolved.attribute.name;
    return resolved.isExtension ? `${resolved.schema.id}:${local}` : local;
  }
}

function dedupe(schemas: readonly SchemaDefinition[]): SchemaDefinition[] {
  const seen = new Set<string>();
  return schemas.filter((s) => {
    const k = s.id.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The User resource type: core User + Enterprise User (always, RFC 7643 §4.3) + the connector's
 * own extensions (e.g. `urn:ietf:params:scim:schemas:extension:SpokeCustom:2.0:User`).
 */
export function userResource(extensions: readonly SchemaDefinition[] = []): ResourceSchema {
  const exts = dedupe([enterpriseUserSchema, ...extensions]);
  return new ResourceSchema(
    {
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: SCHEMA.user,
      schemaExtensions: exts.map((e) => ({ schema: e.id, required: false })),
    },
    userSchema,
    exts,
  );
}

/** The Group resource type: core Group + the connector's extensions (none by default). */
export function groupResource(extensions: readonly SchemaDefinition[] = []): ResourceSchema {
  const exts = dedupe(extensions);
  return new ResourceSchema(
    {
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: SCHEMA.group,
      schemaExtensions: exts.map((e) => ({ schema: e.id, required: false })),
    },
    groupSchema,
    exts,
  );
}

// ---------------------------------------------------------------------------------------------
// Discovery documents (RFC 7643 §6, §7), built from the same definitions that drive the rest.
// Entra requires camelCase characteristic values and no `null`s (scim-clients.md §1.10).

function base(baseUrl: string | undefined): string {
  return baseUrl ? baseUrl.replace(/\/+$/, '') : '';
}

function attributeDocument(a: AttributeDefinition): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
  };
  if (a.canonicalValues && a.canonicalValues.length > 0) doc.canonicalValues = [...a.canonicalValues];
  if (a.referenceTypes && a.referenceTypes.length > 0) doc.referenceTypes = [...a.referenceTypes];
  if (a.subAttributes) doc.subAttributes = a.subAttributes.map(attributeDocument);
  return doc;
}

/** RFC 7643 §7: one `/Schemas` resource. `location` is relative unless `baseUrl` is given. */
export function schemaDocument(schema: SchemaDefinition, baseUrl?: string): Record<string, unknown> {
  return {
    schemas: [SCHEMA.schema],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeDocument),
    meta: { resourceType: 'Schema', location: `${base(baseUrl)}/Schemas/${schema.id}` },
  };
}

/** Alias under the name used in CONTRACTS.md. */
export const schemasDocument = schemaDocument;

/** RFC 7643 §6: one `/ResourceTypes` resource. */
export function resourceTypeDocument(rt: ResourceTypeDefinition, baseUrl?: string): Record<string, unknown> {
  return {
    schemas: [SCHEMA.resourceType],
    id: rt.id,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema,
    schemaExtensions: rt.schemaExtensions.map((e) => ({ schema: e.schema, required: e.required })),
    meta: { resourceType: 'ResourceType', location: `${base(baseUrl)}/ResourceTypes/${rt.id}` },
  };
}
