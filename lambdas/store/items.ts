/**
 * Item codecs: the stored shape of users, groups and membership items. The SCIM document is kept
 * as one JSON string attribute (`doc`): the store never filters on its contents server-side (the
 * planner evaluates filters in memory), and a string is cheaper to (de)serialise than a nested map.
 */
import { documentBytes, MAX_RESOURCE_BYTES } from '../scim/limits.js';
import type { ScimResource } from '../scim/schema/types.js';
import { StorageError } from './errors.js';
import { decodeKeyPart, keys, type Key, type ResourceKind } from './keys.js';

/** A user or group as stored. `attributes` never contains id, meta, password or members. */
export interface StoredResource {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly version: number;
  readonly created: string;
  readonly lastModified: string;
  readonly attributes: ScimResource;
  /** Groups only: number of member items. */
  readonly memberCount?: number;
}

export interface ResourceItem extends Key {
  kind: ResourceKind;
  id: string;
  v: number;
  created: string;
  modified: string;
  doc: string;
  /** raw userName / displayName (the uniqueness-guarded attribute) */
  uname?: string;
  xid?: string;
  GSI1PK?: string;
  GSI1SK?: string;
  mc?: number;
}

export function uniqueNameOf(kind: ResourceKind, attrs: ScimResource): string | undefined {
  const v = kind === 'User' ? attrs.userName : attrs.displayName;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function externalIdOf(attrs: ScimResource): string | undefined {
  const v = attrs.externalId;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Drops what must never be stored in the document: server-owned attributes and secrets. */
export function storableAttributes(attrs: ScimResource): ScimResource {
  const { id: _id, meta: _meta, password: _password, members: _members, groups: _groups, ...rest } = attrs as Record<string, unknown>;
  return rest as ScimResource;
}

/**
 * The stored document as JSON; over MAX_RESOURCE_BYTES → StorageError itemTooLarge (400
 * invalidValue), checked here so no write ever reaches DynamoDB's 400 KB item-size error.
 */
export function encodeDoc(attributes: ScimResource): string {
  const doc = JSON.stringify(attributes);
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short documents need no byte count.
  if (doc.length * 3 <= MAX_RESOURCE_BYTES) return doc;
  const bytes = documentBytes(doc);
  if (bytes > MAX_RESOURCE_BYTES)
    throw new StorageError('itemTooLarge', `the resource's attributes take ${bytes} bytes; at most ${MAX_RESOURCE_BYTES} can be stored`);
  return doc;
}

export function toItem(connector: string, r: StoredResource): ResourceItem {
  const item: ResourceItem = {
    ...keys.resource(connector, r.kind, r.id),
    kind: r.kind,
    id: r.id,
    v: r.version,
    created: r.created,
    modified: r.lastModified,
    doc: encodeDoc(r.attributes),
  };
  const name = uniqueNameOf(r.kind, r.attributes);
  if (name !== undefined) item.uname = name;
  const xid = externalIdOf(r.attributes);
  if (xid !== undefined) {
    item.xid = xid;
    item.GSI1PK = keys.externalIdPartition(connector, r.kind, xid);
    item.GSI1SK = item.SK;
  }
  if (r.kind === 'Group') item.mc = r.memberCount ?? 0;
  return item;
}

export function fromItem(item: Record<string, unknown>): StoredResource {
  const kind = item.kind === 'Group' ? 'Group' : 'User';
  const r: StoredResource = {
    kind,
    id: String(item.id),
    version: Number(item.v),
    created: String(item.created),
    lastModified: String(item.modified),
    attributes: JSON.parse(String(item.doc)) as ScimResource,
    ...(kind === 'Group' ? { memberCount: Number(item.mc ?? 0) } : {}),
  };
  return r;
}

/** The resource as SCIM JSON (what filters are evaluated against): attributes + id + meta. */
export function scimView(r: StoredResource): ScimResource {
  return {
    ...r.attributes,
    id: r.id,
    meta: { resourceType: r.kind, created: r.created, lastModified: r.lastModified, version: `W/"${r.version}"` },
  };
}

export interface MemberItem extends Key {
  GSI1PK: string;
  GSI1SK: string;
  mid: string;
  mtype: ResourceKind;
  display?: string;
  /** The group's version after the write that added this membership: orders its events (README "Change events"). */
  gv?: number;
}

export function memberItem(connector: string, groupId: string, ref: { value: string; type?: ResourceKind; display?: string; gv?: number }): MemberItem {
  const item: MemberItem = {
    ...keys.membership(connector, groupId, ref.value),
    GSI1PK: keys.memberOfPartition(connector, ref.value),
    GSI1SK: keys.group(connector, groupId).SK,
    mid: ref.value,
    mtype: ref.type ?? 'User',
  };
  if (typeof ref.display === 'string' && ref.display !== '') item.display = ref.display;
  if (ref.gv !== undefined) item.gv = ref.gv;
  return item;
}

export { decodeKeyPart };
