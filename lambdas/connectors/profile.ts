/**
 * The connector profile: what one SaaS app's SCIM endpoint looks like, declared as data so a
 * platform team adds an app without handler or service changes — in configuration
 * (`scim:profiles` in cdk.json, profile-config.ts) or, for what configuration cannot say (an
 * `accept` predicate of its own), as a file under `profiles/`. A connector in `scim:connectors`
 * names its profile; both kinds are resolved alike (rules.ts) from the registry (registry.ts).
 *
 * The provisioning service applies a profile's rules around normalisation and PATCH (rules.ts);
 * discovery serves its schemas and resource types; the HTTP edge reads its response preferences.
 * Nothing anywhere tests a profile's name.
 */
import type { SchemaDefinition } from '../scim/schema/types.js';
import type { UnknownMemberPolicy } from './deployed.js';

export type OfferedResource = 'User' | 'Group';

/**
 * What a `dropInvalid` rule accepts, as data (the form configured profiles use; accept.ts compiles
 * it): a US phone number, an e-mail address, a linear-time pattern, one of a list, a maximum length.
 */
export type AcceptSpec =
  | 'usPhone'
  | 'email'
  | { readonly pattern: string }
  | { readonly oneOf: readonly string[] }
  | { readonly maxLength: number };

/** A value that is silently dropped when `accept` says no (the rest of the request still succeeds). */
export interface ValueRule {
  /**
   * Attribute path, resolved against the resource type's schemas (case-insensitive):
   * `title`, `urn:…:User:startDate`, `name.givenName`, or a sub-attribute of a multi-valued
   * attribute (`phoneNumbers.value`: the failing element is dropped).
   */
  readonly path: string;
  /** What is accepted, for documentation and `/Schemas` readers (e.g. "10-digit US number"). */
  readonly description: string;
  /**
   * An AcceptSpec (compiled when the profile is resolved, for built-in and configured profiles
   * alike), or a predicate for what a spec cannot say; it gets the normalised value (a string for
   * string attributes).
   */
  readonly accept: AcceptSpec | ((value: unknown) => boolean);
}

/** Attribute rules for one resource type. */
export interface AttributeRules {
  /** Values dropped when invalid. On an update the value already stored for that slot stays. */
  readonly dropInvalid?: readonly ValueRule[];
  /**
   * Attributes that cannot change once they have a value: later changes are silently ignored, on
   * PUT and PATCH (the stored value is kept). Top-level attributes (`userName`, `emails`,
   * `urn:…:User:employeeNumber`) or sub-attributes of a single-valued complex (`name.givenName`).
   */
  readonly immutable?: readonly string[];
  /** Attributes that must be present after the rules ran (400 invalidValue otherwise). */
  readonly required?: readonly string[];
}

export interface ConnectorProfile {
  /** The name connectors use in `scim:connectors[].profile` (lower case, `-` allowed). */
  readonly name: string;
  readonly description: string;
  /** Resource types offered. Without `Group`: `/Groups…` answers 404, discovery leaves Group out. */
  readonly resourceTypes: readonly OfferedResource[];
  /**
   * Extension schemas served by `/Schemas` and `/ResourceTypes` and validated like core
   * attributes. Users always have the Enterprise User extension as well.
   */
  readonly extensions?: { readonly User?: readonly SchemaDefinition[]; readonly Group?: readonly SchemaDefinition[] };
  readonly rules?: { readonly User?: AttributeRules; readonly Group?: AttributeRules };
  readonly lifecycle?: {
    /**
     * What a user's `active: false` (PUT or PATCH) means: `keep` the user, inactive (default), or
     * `delete` the account — the request is answered as if kept (with `active: false`), then the
     * user is gone: GET → 404, a later PATCH/PUT (reactivation) → 404, and a POST creates a new
     * account (new id).
     */
    readonly deactivation?: 'keep' | 'delete';
  };
  readonly responses?: {
    /** PATCH answer: `noContent` (204 + ETag, default) or `resource` (200 with the resource). */
    readonly patch?: 'noContent' | 'resource';
  };
  /**
   * Member ids a group write names that the connector does not have: `ignore` them (default: the
   * valid members are applied, a WARN line and the `MembersIgnored` metric say how many were
   * skipped) or `reject` the write with 400 invalidValue. A connector's own setting wins.
   */
  readonly unknownMembers?: UnknownMemberPolicy;
}

/** Identity function that type-checks a profile literal (profiles/*.ts). */
export function defineProfile(profile: ConnectorProfile): ConnectorProfile {
  return profile;
}
