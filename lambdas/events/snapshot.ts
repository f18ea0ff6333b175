/**
 * Snapshot events (`scim-admin events resync`): the current state of each user, group (without
 * members) and membership of a connector, for consumers that missed events (a dead-lettered batch,
 * a new app, a lost database). Pure, like the mapping: the resync reads pages, this turns them into
 * events, and the same publisher / local sink / webhooks deliver them.
 *
 * A snapshot is not a change: consumers apply it as an upsert (create or overwrite; a `version`
 * older than what they hold is ignored, as for live events). `time` is when the snapshot was read.
 *
 * Event ids are derived from the resync run and the resource state: sha256 of connector, type, id,
 * version (members: group and member id), kind and the run id. Redeliveries of one run (a retried
 * PutEvents, webhook retries, an archive replay) carry the same id, so the usual "deduplicate on
 * eventId" rule drops them; a new run has a new run id, so its snapshots are never mistaken for
 * ones a consumer already saw. A run resumed with `--from` keeps its run id (it is in the cursor).
 *
 * Every event of a run carries the run id (`run`); a completed run ends with `resync.completed`
 * (scope, start, counts). Member snapshots carry the membership's version (the group version that
 * added it, stored on the item), the one its live member.added / member.removed carry: a removal
 * racing the resync has a version ≥ the snapshot's, so it wins whatever the delivery order.
 */
import type { StoredResource } from '../store/items.js';
import { hashId, publicView } from './mapping.js';
import type { ChangeEvent, MemberRefDetail, ResyncCounts, ResyncScope } from './schema.js';

export function resourceSnapshot(connector: string, r: StoredResource, runId: string, time: string): ChangeEvent {
  const kind = r.kind === 'User' ? 'user.snapshot' : 'group.snapshot';
  return {
    eventId: hashId(connector, r.kind, r.id, r.version, kind, runId),
    kind,
    connector,
    resourceType: r.kind,
    resourceId: r.id,
    version: r.version,
    time,
    run: runId,
    resource: publicView(r),
  };
}

/** `version`: the membership's (the `gv` of its item), undefined for items written before member versions. */
export function memberSnapshot(connector: string, groupId: string, member: MemberRefDetail, runId: string, time: string, version?: number): ChangeEvent {
  return {
    eventId: hashId(connector, 'Member', groupId, member.value, 'member.snapshot', runId),
    kind: 'member.snapshot',
    connector,
    resourceType: 'Group',
    resourceId: groupId,
    ...(version !== undefined ? { version } : {}),
    time,
    run: runId,
    member,
  };
}

/** The end-of-run marker: sent once a run has sent everything (after a resume too). */
export function resyncCompleted(connector: string, runId: string, startedAt: string, scope: readonly ResyncScope[], counts: ResyncCounts, time: string): ChangeEvent {
  return {
    eventId: hashId(connector, 'resync.completed', runId),
    kind: 'resync.completed',
    connector,
    time,
    run: runId,
    startedAt,
    scope: [...scope],
    counts: { users: counts.users, groups: counts.groups, members: counts.members },
  };
}
