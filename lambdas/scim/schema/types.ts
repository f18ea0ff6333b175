/**
 * Schema definitions as data (RFC 7643 §2, §7). The same values drive input normalisation,
 * filtering, PATCH, projection and the `/Schemas` and `/ResourceTypes` documents.
 */

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'binary' | 'reference' | 'complex';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

/** RFC 7643 §7 attribute characteristics. `canonicalValues` are suggestions only, never enforced. */
export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDefinition[];
}

/** RFC 7643 §7: a schema resource. `id` is the schema URN. */
export interface SchemaDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

/** RFC 7643 §6: a resource type with its core schema and extensions. */
export interface ResourceTypeDefinition {
  readonly id: string; // "User" | "Group"
  readonly name: string;
  readonly endpoint: string; // "/Users"
  readonly description: string;
  readonly schema: string; // core schema URN
  readonly schemaExtensions: readonly { readonly schema: string; readonly required: boolean }[];
}

/** The well-known schema URNs (RFC 7643 §8.7.1, RFC 7644 §3.x messages). */
export const SCHEMA = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** A SCIM resource as JSON: canonical attribute names, extension data under its schema URN key. */
export type ScimResource = Record<string, unknown> & { id?: string; schemas?: string[] };

/** An attribute path resolved against a resource type's schemas. */
export interface ResolvedAttribute {
  /** The schema that declares the attribute (core or extension). */
  readonly schema: SchemaDefinition;
  readonly isExtension: boolean;
  readonly attribute: AttributeDefinition;
  /** Set when the path names a sub-attribute (`name.givenName`, `emails.value`). */
  readonly subAttribute?: AttributeDefinition;
}
