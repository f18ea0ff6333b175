/**
 * DynamoDB stream record → change events. Pure (no I/O), so the Lambda publisher and the local
 * tailer of `npm start` run exactly this code on exactly the records DynamoDB produces.
 *
 * What is an event (everything else in the table is bookkeeping and maps to nothing):
 *  - user/group items: INSERT → created, REMOVE → deleted, MODIFY → updated when the SCIM document
 *    changed (member-count/version-only writes of a group emit nothing: its member events say it);
 *    a user's `active` going to false → deactivated, back to true → reactivated;
 *  - membership items: INSERT → member.added, REMOVE → member.removed (also when a deleted group's
 *    or user's memberships are cleaned up after the delete), with the membership's version (`gv`).
 *
 * Event ids are derived from the record, never random: resource events from connector + type + id
 * + version + kind (a version is written once), member events from the group, member, kind and the
 * stream sequence number. A redelivered or replayed record therefore carries the same id.
 */
import { createHash } from 'node:crypto';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ScimResource } from '../scim/schema/types.js';
import { fromItem, scimView, type StoredResource } from '../store/items.js';
import { parseItemKey, type ResourceKind } from '../store/keys.js';
import type { AttributeChange, ChangeEvent, ChangeEventKind, MemberRefDetail } from './schema.js';

/**
 * The part of a stream record the mapping reads. Structural, so both the Lambda event
 * (`aws-lambda` types, time in epoch seconds) and the DynamoDB Streams API (`Date`) fit.
 */
export interface StreamRecordLike {
  readonly eventID?: string | undefined;
  readonly eventName?: string | undefined;
  readonly dynamodb?:
    | {
        readonly Keys?: Record<string, unknown> | undefined;
        readonly NewImage?: Record<string, unknown> | undefined;
        readonly OldImage?: Record<string, unknown> | undefined;
        readonly SequenceNumber?: string | undefined;
        readonly ApproximateCreationDateTime?: number | Date | undefined;
      }
    | undefined;
}

/** Attributes that never appear in an event, whatever the document holds. */
const NEVER = new Set(['password', 'schemas', 'id', 'meta', 'members', 'groups']);

function image(raw: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return raw ? unmarshall(raw as Parameters<typeof unmarshall>[0]) : undefined;
}

function recordTime(r: StreamRecordLike): string {
  const t = r.dynamodb?.ApproximateCreationDateTime;
  if (t instanceof Date) return t.toISOString();
  if (typeof t === 'number') return new Date(t < 1e11 ? t * 1000 : t).toISOString();
  return new Date().toISOString();
}

/** A UUID-shaped id derived from `parts` (sha256): the same parts, the same id. */
export function hashId(...parts: (string | number)[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // UUID-shaped (version nibble 8 = custom, RFC 9562) so consumers can store it in a uuid column.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Canonical JSON (sorted keys) for deep equality of attribute values. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

const isExtensionUrn = (key: string): boolean => key.startsWith('urn:');

/**
 * Attribute paths of a document: top-level attributes (`name`, `emails`, …) and, for schema
 * extensions, one level down (`urn:…:enterprise:2.0:User:manager`), the granularity consumers route on.
 */
export function attributePaths(doc: ScimResource): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(doc)) {
    if (NEVER.has(k) || v === undefined) continue;
    if (isExtensionUrn(k) && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [sub, sv] of Object.entries(v as Record<string, unknown>)) {
        if (sv !== undefined && sub.toLowerCase() !== 'password') out.set(`${k}:${sub}`, sv);
      }
    } else {
      out.set(k, v);
    }
  }
  return out;
}

/** Changed attribute paths with before/after, in a stable (sorted) order. */
export function diffAttributes(before: ScimResource, after: ScimResource): Record<string, AttributeChange> {
  const a = attributePaths(before);
  const b = attributePaths(after);
  const changes: Record<string, AttributeChange> = {};
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const was = a.get(path);
    const now = b.get(path);
    if (a.has(path) && b.has(path) && canonical(was) === canonical(now)) continue;
    changes[path] = { ...(a.has(path) ? { before: was } : {}), ...(b.has(path) ? { after: now } : {}) };
  }
  return changes;
}

/** The resource as consumers see it: SCIM JSON with id and meta, without secrets. */
export function publicView(r: StoredResource): ScimResource {
  const { password: _p, ...view } = scimView(r) as Record<string, unknown>;
  return view as ScimResource;
}

function decodeResource(item: Record<string, unknown> | undefined): StoredResource | undefined {
  if (!item || typeof item.doc !== 'string' || typeof item.id !== 'string') return undefined;
  try {
    return fromItem(item);
  } catch {
    return undefined; // an unreadable document is not an event (and must not block the stream)
  }
}

function resourceEvents(r: StreamRecordLike, connector: string, kind: ResourceKind): ChangeEvent[] {
  const oldR = decodeResource(image(r.dynamodb?.OldImage));
  const newR = decodeResource(image(r.dynamodb?.NewImage));
  const prefix = kind === 'User' ? 'user' : 'group';
  const sequence = r.dynamodb?.SequenceNumber;
  const base = (k: ChangeEventKind, res: StoredResource, time: string) => ({
    eventId: hashId(connector, kind, res.id, res.version, k),
    kind: k,
    connector,
    resourceType: kind,
    resourceId: res.id,
    version: res.version,
    time,
    ...(sequence !== undefined ? { sequence } : {}),
  });

  if (r.eventName === 'INSERT' && newR) {
    const k = `${prefix}.created` as ChangeEventKind;
    return [{ ...base(k, newR, newR.created), changedAttributes: [...attributePaths(newR.attributes).keys()].sort(), resource: publicView(newR) }];
  }
  if (r.eventName === 'REMOVE' && oldR) {
    const k = `${prefix}.deleted` as ChangeEventKind;
    return [{ ...base(k, oldR, recordTime(r)), resource: publicView(oldR) }];
  }
  if (r.eventName === 'MODIFY' && oldR && newR) {
    const changes = diffAttributes(oldR.attributes, newR.attributes);
    const changed = Object.keys(changes);
    if (changed.length === 0) return [];
    let k = `${prefix}.updated` as ChangeEventKind;
    if (kind === 'User') {
      const was = oldR.attributes.active;
      const now = newR.attributes.active;
      if (now === false && was !== false) k = 'user.deactivated';
      else if (now === true && was === false) k = 'user.reactivated';
    }
    return [{ ...base(k, newR, newR.lastModified), changedAttributes: changed, changes, resource: publicView(newR) }];
  }
  return [];
}

function memberEvents(r: StreamRecordLike, connector: string, groupId: string): ChangeEvent[] {
  const k: ChangeEventKind | undefined = r.eventName === 'INSERT' ? 'member.added' : r.eventName === 'REMOVE' ? 'member.removed' : undefined;
  if (!k) return [];
  const item = image(k === 'member.added' ? r.dynamodb?.NewImage : r.dynamodb?.OldImage);
  if (!item || typeof item.mid !== 'string') return [];
  const member: MemberRefDetail = {
    value: item.mid,
    type: item.mtype === 'Group' ? 'Group' : 'User',
    ...(typeof item.display === 'string' && item.display !== '' ? { display: item.display } : {}),
  };
  const sequence = r.dynamodb?.SequenceNumber;
  // The membership's version (the group version that added it): the removal carries the add's, so
  // it compares with a member.snapshot of the same membership.
  const version = typeof item.gv === 'number' ? item.gv : undefined;
  return [
    {
      eventId: hashId(connector, 'Member', groupId, member.value, k, sequence ?? r.eventID ?? ''),
      kind: k,
      connector,
      resourceType: 'Group',
      resourceId: groupId,
      ...(version !== undefined ? { version } : {}),
      time: recordTime(r),
      ...(sequence !== undefined ? { sequence } : {}),
      member,
    },
  ];
}

/** Zero or more change events for one stream record (currently at most one). */
export function toChangeEvents(record: StreamRecordLike): ChangeEvent[] {
  const pkAttr = (record.dynamodb?.Keys as Record<string, { S?: unknown }> | undefined)?.PK;
  const pk = typeof pkAttr?.S === 'string' ? pkAttr.S : undefined;
  if (pk === undefined) return [];
  const key = parseItemKey(pk);
  if (key.item === 'resource') return resourceEvents(record, key.connector, key.kind);
  if (key.item === 'membership') return memberEvents(record, key.connector, key.groupId);
  return [];
}

/** Events of a batch of records, in record order. */
export function toChangeEventsAll(records: readonly StreamRecordLike[]): ChangeEvent[] {
  return records.flatMap((r) => toChangeEvents(r));
}

/** EventBridge's limit for one entry (detail + detail-type + source + time), bytes. */
export const MAX_ENTRY_BYTES = 256 * 1024;

/** Size of an entry as EventBridge counts it (UTF-8 bytes of each part; `Time` counts 14). */
export function entrySize(source: string, event: ChangeEvent): number {
  return 14 + Buffer.byteLength(source) + Buffer.byteLength(event.kind) + Buffer.byteLength(JSON.stringify(event));
}

/**
 * Keeps an event under `maxBytes` (a SCIM document can exceed EventBridge's 256 KiB): first drops
 * `resource`, then the before/after values (the attribute paths stay). Consumers that see
 * `truncated` read the resource from the SCIM API.
 */
export function fitEvent(source: string, event: ChangeEvent, maxBytes = MAX_ENTRY_BYTES): ChangeEvent {
  if (entrySize(source, event) <= maxBytes) return event;
  const { resource: _r, ...noResource } = event;
  const slim: ChangeEvent = { ...noResource, truncated: true };
  if (entrySize(source, slim) <= maxBytes) return slim;
  const { changes: _c, ...noChanges } = slim;
  const slimmer: ChangeEvent = noChanges;
  if (entrySize(source, slimmer) <= maxBytes) return slimmer;
  const { changedAttributes: _a, ...bare } = slimmer;
  return bare;
}
