/**
 * Filter AST (RFC 7644 §3.4.2.2). Produced by the parser, read by the evaluator, the PATCH engine
 * (valuePath paths) and the storage planner. Attribute names are kept as written; resolution
 * against a schema (case-insensitive, RFC 7643 §2.1) happens where a schema is known.
 */

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A comparison value: string (dateTimes stay strings until compared against a dateTime attribute), number, boolean or null. */
export type CompareValue = string | number | boolean | null;

/**
 * `urn:...:User:name.givenName` → { uri: 'urn:...:User', attr: 'name', subAttr: 'givenName' }.
 * `uri` is absent when the path is not URN-qualified.
 */
export interface AttrPath {
  readonly uri?: string;
  readonly attr: string;
  readonly subAttr?: string;
}

export type Filter =
  | { readonly kind: 'compare'; readonly op: CompareOperator; readonly path: AttrPath; readonly value: CompareValue }
  | { readonly kind: 'present'; readonly path: AttrPath }
  | { readonly kind: 'and'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'not'; readonly filter: Filter }
  /** `emails[type eq "work"]`: some element of the multi-valued `path` matches `filter` (paths inside are relative to the element). */
  | { readonly kind: 'valuePath'; readonly path: AttrPath; readonly filter: Filter };
