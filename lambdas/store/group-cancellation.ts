/**
 * What a cancelled group-write transaction says (repository.ts `groupChunk`): DynamoDB answers
 * TransactionCanceledException with one CancellationReason per item, in item order, and the
 * planner records one role per item, so reason i with `ConditionalCheckFailed` means role i's
 * condition failed. Pure: the repository decides what to throw or retry.
 *
 *  - `resource`, `guardPut`, `guardDelete` (the group item, its uniqueness guards): fatal, the
 *    first in item order wins — the write cannot succeed by shrinking it;
 *  - `add` (membership Put, `attribute_not_exists`): already a member, drop it from the adds;
 *  - `remove` (membership Delete, `attribute_exists`): not a member, drop it from the removes;
 *  - `check` (ConditionCheck that the member resource exists): not found as the kind tried.
 * Other codes (`None` for items that were fine, `TransactionConflict`, …) say nothing about a role.
 */
import type { CancellationReason } from './storage-error.js';

/** The role of one transaction item, as the repository plans it (`id`: the member id of add/check/remove). */
export interface ItemRole {
  readonly r: string;
  readonly id?: string;
}

export type FatalRole = 'resource' | 'guardPut' | 'guardDelete';

export type GroupCancellation =
  | { readonly fatal: FatalRole }
  | {
      readonly fatal?: undefined;
      /** Adds whose membership item already exists. */
      readonly alreadyMembers: readonly string[];
      /** Removes whose membership item does not exist. */
      readonly notMembers: readonly string[];
      /** Adds whose member resource was not found (as the kind the check tried). */
      readonly notFound: readonly string[];
    };

const FATAL = new Set<string>(['resource', 'guardPut', 'guardDelete']);

export function decodeGroupCancellation(reasons: readonly CancellationReason[], roles: readonly ItemRole[]): GroupCancellation {
  const alreadyMembers: string[] = [];
  const notMembers: string[] = [];
  const notFound: string[] = [];
  for (const [i, reason] of reasons.entries()) {
    if (reason.Code !== 'ConditionalCheckFailed') continue;
    const role = roles[i];
    if (!role) continue;
    if (FATAL.has(role.r)) return { fatal: role.r as FatalRole };
    if (role.id === undefined) continue;
    if (role.r === 'add') alreadyMembers.push(role.id);
    else if (role.r === 'remove') notMembers.push(role.id);
    else if (role.r === 'check') notFound.push(role.id);
  }
  return { alreadyMembers, notMembers, notFound };
}
