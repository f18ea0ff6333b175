/**
 * The change event contract consumers code against (README "Change events"). Declared once so the
 * publisher (Lambda), the local tailer (`npm start`) and the docs cannot disagree. Additive changes
 * only: consumers are other teams' apps.
 */
import type { ScimResource } from '../scim/schema/types.js';
import type { ResourceKind } from '../store/keys.js';

/** EventBridge `source` of every change event (overridable per deployment with `SCIM_EVENT_SOURCE`). */
export const DEFAULT_EVENT_SOURCE = 'scim';

/** Environment of the publisher Lambda (set by the CDK stack). */
export const EVENT_BUS_ENV = 'SCIM_EVENT_BUS';
export const EVENT_SOURCE_ENV = 'SCIM_EVENT_SOURCE';

export const CHANGE_EVENT_KINDS = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'group.created',
  'group.updated',
  'group.deleted',
  'member.added',
  'member.removed',
  // Snapshots (`scim-admin events resync`): the current state of one resource or membership, not a
  // change. Consumers apply them as upserts (README "Snapshot resync").
  'user.snapshot',
  'group.snapshot',
  'member.snapshot',
  // The last event of a completed resync run: its scope and how many snapshots it sent, so a
  // consumer knows when it holds the whole run and may prune (README "Snapshot resync").
  'resync.completed',
] as const;

/** The snapshot kinds: emitted by a resync, never by the stream mapping. */
export const SNAPSHOT_EVENT_KINDS = ['user.snapshot', 'group.snapshot', 'member.snapshot'] as const;

/** What a resync run covers (`--kinds`): users → user.snapshot, groups → group.snapshot, members → member.snapshot. */
export type ResyncScope = 'users' | 'groups' | 'members';

/** Snapshot events a run sent, per kind (distinct events: a redelivery repeats an event id). */
export interface ResyncCounts {
  readonly users: number;
  readonly groups: number;
  readonly members: number;
}

/** Also the EventBridge `detail-type`, so rules can match on it directly. */
export type ChangeEventKind = (typeof CHANGE_EVENT_KINDS)[number];

export interface AttributeChange {
  /** Absent when the attribute did not exist before. */
  readonly before?: unknown;
  /** Absent when the attribute was removed. */
  readonly after?: unknown;
}

export interface MemberRefDetail {
  readonly value: string;
  readonly type: ResourceKind;
  readonly display?: string;
}

/** The EventBridge `detail` of a change event. */
export interface ChangeEvent {
  /** Stable for the change (the same on every redelivery and replay): deduplicate on it. */
  readonly eventId: string;
  readonly kind: ChangeEventKind;
  readonly connector: string;
  /** Absent on `resync.completed` (about a run, not a resource). */
  readonly resourceType?: ResourceKind;
  /** The user or group id (for member events: the group's); absent on `resync.completed`. */
  readonly resourceId?: string;
  /**
   * Users and groups: `meta.version` as a number (ETag `W/"<version>"`). Member events: the group's
   * version after the write that added this membership — the same on its member.added,
   * member.snapshot and member.removed, and higher for a later re-add (absent on memberships
   * written before member versions existed).
   */
  readonly version?: number;
  /** When the change happened (ISO 8601). */
  readonly time: string;
  /** DynamoDB stream sequence number: increases per item key, so orders the changes of one resource. */
  readonly sequence?: string;
  /** created/updated/deactivated/reactivated: attribute paths that changed (all present ones on create). */
  readonly changedAttributes?: readonly string[];
  /** updated/deactivated/reactivated: before/after per changed attribute path. */
  readonly changes?: Readonly<Record<string, AttributeChange>>;
  /** The resource after the change (deleted: its last state). Groups without `members`; never a password. */
  readonly resource?: ScimResource;
  /** member events: the member added to / removed from the group. */
  readonly member?: MemberRefDetail;
  /** Set when the event was too large for EventBridge and `resource`/`changes` values were dropped. */
  readonly truncated?: true;
  /** Resync events (snapshots and `resync.completed`): the run's id, the same on every event of the run. */
  readonly run?: string;
  /** `resync.completed`: when the run started reading (ISO 8601; a resumed run keeps it). */
  readonly startedAt?: string;
  /** `resync.completed`: what the run covered. */
  readonly scope?: readonly ResyncScope[];
  /** `resync.completed`: snapshot events the run sent, per kind. */
  readonly counts?: ResyncCounts;
}

/**
 * The envelope every consumer receives, as an EventBridge rule target sees it (`source`,
 * `detail-type`, `time`, `detail`; the AWS fields `account`/`region`/`resources`/`id` are left out):
 * the body of a webhook POST and one line of the local `events.jsonl`.
 */
export interface ChangeEventEnvelope {
  readonly source: string;
  readonly 'detail-type': ChangeEventKind;
  readonly time: string;
  readonly detail: ChangeEvent;
}

export function envelope(event: ChangeEvent, source: string = DEFAULT_EVENT_SOURCE): ChangeEventEnvelope {
  return { source, 'detail-type': event.kind, time: event.time, detail: event };
}
