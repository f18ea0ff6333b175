/**
 * Key scheme. Every key starts with `C#<connector>`; every value placed in a key goes through
 * `encodeKeyPart`, whose output never contains `#`, so no client string can reach into another
 * item's key (e.g. a userName `x#USER` cannot address a user item).
 *
 * Encoding: percent-encoding of the UTF-8 bytes (`#` → `%23`, `%` → `%25`, readable for the UUIDs
 * that make up most keys). Values whose encoding is longer than MAX_ENCODED_LENGTH, and strings with
 * lone surrogates (not representable in UTF-8), become `$h<sha256>` / `$s<sha256>`: `$` is always
 * escaped by percent-encoding, so hashed and plain encodings live in disjoint sets. DynamoDB's key
 * limits (partition 2048 bytes, sort 1024 bytes) are therefore never reached. The empty string
 * becomes `$e` (same `$` space): DynamoDB refuses an empty key attribute with a ValidationException,
 * which the store classes as a configuration error (500 + alarm), so a client's `id eq ""` must
 * reach it as a key that simply addresses nothing. Every encoding is therefore a valid key part.
 *
 * Layout (connector c, encoded parts in <>):
 *   user            PK C#<c>#USER                SK <id>
 *   group           PK C#<c>#GROUP               SK <id>
 *   membership      PK C#<c>#MEMBERS#<gid>       SK <memberId>   GSI1PK C#<c>#MEMBEROF#<memberId>  GSI1SK <gid>
 *   userName guard  PK C#<c>#USERNAME#<folded>   SK -
 *   group name      PK C#<c>#GROUPNAME#<folded>  SK -
 *   externalId      (GSI1 on the resource item)  GSI1PK C#<c>#USERXID#<xid> | C#<c>#GROUPXID#<xid>  GSI1SK <id>
 *   counters        PK C#<c>#COUNT               SK USER#<shard> | GROUP#<shard>
 *   page bookmark   PK C#<c>#PAGE#<queryHash>    SK <startIndex>
 *   purge task      PK C#<c>#PURGE               SK <gid>
 *   setup link      PK C#<c>#SETUP               SK <linkId>     (setup-links.ts; TTL housekeeping)
 *   state (paused)  PK C#<c>#STATE               SK -
 * Resources of one type share a partition so listing is a strongly consistent, stably ordered Query
 * (ids are time-ordered UUIDv7, so order = creation order and new items append at the end).
 */
import { createHash } from 'node:crypto';

export const MAX_ENCODED_LENGTH = 256;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('base64url');
}

/** The encoding of `""`: never produced by percent-encoding (which escapes `$`) nor by hashing. */
const EMPTY = '$e';

/** Characters encodeURIComponent leaves as they are (ids, connector names): nothing to encode. */
const VERBATIM = /^[A-Za-z0-9_.~-]*$/;

/** Injective (up to sha256 collisions) encoding of an arbitrary string into a `#`-free key part. */
export function encodeKeyPart(value: string): string {
  if (value === '') return EMPTY;
  if (value.length <= MAX_ENCODED_LENGTH && VERBATIM.test(value)) return value;
  if (LONE_SURROGATE.test(value)) return `$s${sha256(Buffer.from(value, 'utf16le'))}`;
  const enc = encodeURIComponent(value);
  return enc.length > MAX_ENCODED_LENGTH ? `$h${sha256(Buffer.from(value, 'utf8'))}` : enc;
}

/** Case folding for case-insensitive uniqueness and lookups (userName, group displayName). */
export function foldCase(value: string): string {
  return value.normalize('NFC').toLowerCase();
}

export interface Key {
  PK: string;
  SK: string;
}

export type ResourceKind = 'User' | 'Group';

const c = (connector: string): string => `C#${encodeKeyPart(connector)}`;
const NONE = '-';

export const keys = {
  resourcePartition: (connector: string, kind: ResourceKind): string => `${c(connector)}#${kind === 'User' ? 'USER' : 'GROUP'}`,
  resource: (connector: string, kind: ResourceKind, id: string): Key => ({
    PK: keys.resourcePartition(connector, kind),
    SK: encodeKeyPart(id),
  }),
  user: (connector: string, id: string): Key => keys.resource(connector, 'User', id),
  group: (connector: string, id: string): Key => keys.resource(connector, 'Group', id),

  membersPartition: (connector: string, groupId: string): string => `${c(connector)}#MEMBERS#${encodeKeyPart(groupId)}`,
  membership: (connector: string, groupId: string, memberId: string): Key => ({
    PK: keys.membersPartition(connector, groupId),
    SK: encodeKeyPart(memberId),
  }),
  memberOfPartition: (connector: string, memberId: string): string => `${c(connector)}#MEMBEROF#${encodeKeyPart(memberId)}`,

  userNameGuard: (connector: string, userName: string): Key => ({
    PK: `${c(connector)}#USERNAME#${encodeKeyPart(foldCase(userName))}`,
    SK: NONE,
  }),
  groupNameGuard: (connector: string, displayName: string): Key => ({
    PK: `${c(connector)}#GROUPNAME#${encodeKeyPart(foldCase(displayName))}`,
    SK: NONE,
  }),
  externalIdPartition: (connector: string, kind: ResourceKind, externalId: string): string =>
    `${c(connector)}#${kind === 'User' ? 'USERXID' : 'GROUPXID'}#${encodeKeyPart(externalId)}`,

  counterPartition: (connector: string): string => `${c(connector)}#COUNT`,
  counter: (connector: string, kind: ResourceKind, shard: number): Key => ({
    PK: keys.counterPartition(connector),
    SK: `${kind === 'User' ? 'USER' : 'GROUP'}#${shard}`,
  }),

  /** Start of every page-bookmark PK of the connector (bookmarks have no partition to Query). */
  pageBookmarkPrefix: (connector: string): string => `${c(connector)}#PAGE#`,
  pageBookmark: (connector: string, queryHash: string, startIndex: number): Key => ({
    PK: `${keys.pageBookmarkPrefix(connector)}${encodeKeyPart(queryHash)}`,
    SK: String(startIndex),
  }),
  purgePartition: (connector: string): string => `${c(connector)}#PURGE`,
  /** The connector's operational state (paused by `scim-admin pause`): not data, a restore leaves it. */
  connectorState: (connector: string): Key => ({ PK: `${c(connector)}#STATE`, SK: NONE }),
  purgeTask: (connector: string, groupId: string): Key => ({ PK: keys.purgePartition(connector), SK: encodeKeyPart(groupId) }),
  setupLinkPartition: (connector: string): string => `${c(connector)}#SETUP`,
  setupLink: (connector: string, linkId: string): Key => ({ PK: keys.setupLinkPartition(connector), SK: encodeKeyPart(linkId) }),
};

/** Inverse of the SK part for resource/membership items (only for ids that were not hashed). */
export function decodeKeyPart(part: string): string | undefined {
  if (part === EMPTY) return '';
  if (part.startsWith('$')) return undefined;
  return decodeURIComponent(part);
}

/** What a table key addresses, as far as change events care (lambdas/events). */
export type ItemKeyKind =
  | { readonly item: 'resource'; readonly connector: string; readonly kind: ResourceKind }
  | { readonly item: 'membership'; readonly connector: string; readonly groupId: string }
  | { readonly item: 'other' };

/**
 * Inverse of the layout above for resource and membership items (the only items that are changes a
 * consumer sees). Guards, counters, bookmarks and purge tasks — and keys whose connector or group
 * id was hashed — are `other`. Ids are read from the item itself (`id`, `mid`), not from the SK.
 */
export function parseItemKey(pk: string): ItemKeyKind {
  const parts = pk.split('#');
  if (parts[0] !== 'C' || parts[1] === undefined) return { item: 'other' };
  const safeDecode = (part: string): string | undefined => {
    try {
      return decodeKeyPart(part);
    } catch {
      return undefined; // not produced by encodeKeyPart
    }
  };
  const connector = safeDecode(parts[1]);
  if (connector === undefined) return { item: 'other' };
  if (parts.length === 3 && (parts[2] === 'USER' || parts[2] === 'GROUP')) {
    return { item: 'resource', connector, kind: parts[2] === 'USER' ? 'User' : 'Group' };
  }
  if (parts.length === 4 && parts[2] === 'MEMBERS' && parts[3] !== undefined) {
    const groupId = safeDecode(parts[3]);
    return groupId === undefined ? { item: 'other' } : { item: 'membership', connector, groupId };
  }
  return { item: 'other' };
}
