/**
 * PATCH operation types (RFC 7644 §3.5.2). Shared by the PATCH engine, the group-membership planner
 * and the store.
 */
import type { AttrPath, Filter } from '../filter/ast.js';

export type PatchOpName = 'add' | 'replace' | 'remove';

/** `attrPath` | `valuePath [ "." subAttr ]` (RFC 7644 §3.5.2 PATH grammar). */
export interface PatchPath {
  /** `members`, `name.givenName`, `urn:...:enterprise:2.0:User:manager` … */
  readonly attrPath: AttrPath;
  /** `emails[type eq "work"]` → the filter inside the brackets, paths relative to the element. */
  readonly filter?: Filter;
  /** `emails[type eq "work"].value` → `value` (only with `filter`). */
  readonly subAttr?: string;
}

export interface PatchOperation {
  readonly op: PatchOpName;
  readonly path?: PatchPath;
  readonly value?: unknown;
}

/** One member reference (RFC 7643 §4.2 `members`). */
export interface MemberRef {
  readonly value: string;
  /** In a request: what the client claims (a hint; the store resolves the id). Stored/answered: what the id is. */
  readonly type?: 'User' | 'Group';
  readonly display?: string;
}

/**
 * Net membership change of one request, computed without the current member list.
 * `replaceAll`: the final member set is exactly `add` (RFC 7644 §3.5.2.3 replace of `members`,
 * or a remove of all members followed by adds). Otherwise: add `add`, remove `remove`.
 * An id never appears in both.
 */
export interface MemberChanges {
  readonly replaceAll: boolean;
  readonly add: ReadonlyMap<string, MemberRef>;
  readonly remove: ReadonlySet<string>;
}
