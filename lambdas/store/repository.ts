/**
 * Users, groups and memberships of one connector (passed explicitly on every call).
 *
 * Every write is one TransactWriteItems (or one conditional UpdateItem when only the resource item
 * changes) that carries the resource, its uniqueness guard, the counter shard and — for groups — the
 * membership items, conditional on the version that was read. Membership changes never read the
 * existing member list: each added member is a Put conditional on `attribute_not_exists` plus a
 * ConditionCheck that the member exists; each removal a Delete conditional on `attribute_exists`.
 * The cancellation reasons then tell exactly which members were already there / absent / unknown, so
 * the member count on the group stays exact without a read. Large changes are split into
 * transactions of ≤ 100 items; every chunk bumps the group version and count atomically — except
 * bulk removals (see `removeInBulk`), which delete in batches and then recount.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MemberRef } from '../scim/patch/types.js';
import type { ScimResource } from '../scim/schema/types.js';
import { batchDelete, batchGet, queryAll, run, transact, type StoreContext, type TransactItem } from './context.js';
import { StorageError, fromDynamoError } from './errors.js';
import { decodeGroupCancellation } from './group-cancellation.js';
import { keys, decodeKeyPart, foldCase, type Key, type ResourceKind } from './keys.js';
import {
  externalIdOf,
  fromItem,
  memberItem,
  storableAttributes,
  toItem,
  uniqueNameOf,
  type StoredResource,
} from './items.js';

const MAX_TX_ITEMS = 100;

const otherKind = (k: ResourceKind): ResourceKind => (k === 'User' ? 'Group' : 'User');
/** Parallel BatchWriteItem calls of `removeInBulk`. */
const BULK_PARALLEL = 8;
/** Attempts of the versioned recount before giving up under constant concurrent member changes. */
const RECOUNT_ATTEMPTS = 8;

export interface WriteOptions {
  /** Condition the write on the version read (default true). Member-only group changes commute and may skip it. */
  versioned?: boolean;
}

/** Membership change of one group write, already resolved against the request (no current list). */
export interface MemberDelta {
  readonly add: readonly MemberRef[];
  readonly remove: readonly string[];
}

export interface MemberDeltaResult {
  /** Members actually added (excluding those that already were members and ignored unknowns). */
  added: string[];
  removed: string[];
  /** Unknown member ids skipped under the `ignore` policy. */
  ignored: string[];
}

type Role =
  | { r: 'resource' }
  | { r: 'guardPut' }
  | { r: 'guardDelete' }
  | { r: 'counter' }
  | { r: 'purge' }
  | { r: 'add'; id: string }
  | { r: 'check'; id: string }
  | { r: 'remove'; id: string };

interface Planned {
  items: TransactItem[];
  roles: Role[];
}

export class Repository {
  constructor(private readonly ctx: StoreContext) {}

  private get table(): string {
    return this.ctx.table;
  }

  private guardKey(connector: string, kind: ResourceKind, attrs: ScimResource): Key | undefined {
    const name = uniqueNameOf(kind, attrs);
    if (name === undefined) return undefined;
    if (kind === 'User') return keys.userNameGuard(connector, name);
    return this.ctx.connectorOptions(connector).groupDisplayNameUnique ? keys.groupNameGuard(connector, name) : undefined;
  }

  private counterItem(connector: string, kind: ResourceKind, delta: number): TransactItem {
    const shard = Math.floor(Math.random() * this.ctx.counterShards);
    return {
      Update: {
        TableName: this.table,
        Key: keys.counter(connector, kind, shard),
        UpdateExpression: 'ADD n :d',
        ExpressionAttributeValues: { ':d': delta },
      },
    };
  }

  // ---------------------------------------------------------------- reads

  /** One strongly consistent GetItem. */
  async get(connector: string, kind: ResourceKind, id: string): Promise<StoredResource | undefined> {
    const res = await run(() => this.ctx.doc.send(new GetCommand({ TableName: this.table, Key: keys.resource(connector, kind, id), ConsistentRead: true })));
    return res.Item ? fromItem(res.Item) : undefined;
  }

  /** BatchGetItem; result in the order of `ids`, missing ones dropped. */
  async getMany(connector: string, kind: ResourceKind, ids: readonly string[]): Promise<StoredResource[]> {
    const unique = [...new Set(ids)];
    const items = await batchGet(this.ctx, unique.map((id) => keys.resource(connector, kind, id)));
    const byId = new Map(items.map((i) => [String(i.id), fromItem(i)]));
    return unique.flatMap((id) => byId.get(id) ?? []);
  }

  /** userName (case-insensitive) → user: guard GetItem + user GetItem. */
  async findUserByUserName(connector: string, userName: string): Promise<StoredResource | undefined> {
    return this.findByGuard(connector, 'User', keys.userNameGuard(connector, userName));
  }

  /** displayName (case-insensitive) → group, when the name guard is on; undefined result means "not found". */
  async findGroupByDisplayName(connector: string, displayName: string): Promise<StoredResource | undefined> {
    return this.findByGuard(connector, 'Group', keys.groupNameGuard(connector, displayName));
  }

  private async findByGuard(connector: string, kind: ResourceKind, guard: Key): Promise<StoredResource | undefined> {
    const g = await run(() => this.ctx.doc.send(new GetCommand({ TableName: this.table, Key: guard, ConsistentRead: true })));
    const id = g.Item?.id;
    return typeof id === 'string' ? this.get(connector, kind, id) : undefined;
  }

  /** externalId (case-exact) → resources: GSI1 keys-only Query + BatchGet. */
  async findByExternalId(connector: string, kind: ResourceKind, externalId: string, limit = 100): Promise<StoredResource[]> {
    const res = await run(() =>
      this.ctx.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :p',
          ExpressionAttributeValues: { ':p': keys.externalIdPartition(connector, kind, externalId) },
          Limit: limit,
        }),
      ),
    );
    const ids = (res.Items ?? []).flatMap((i) => decodeKeyPart(String(i.SK)) ?? []);
    if (ids.length === 0) return [];
    return (await this.getMany(connector, kind, ids)).filter((r) => externalIdOf(r.attributes) === externalId);
  }

  /** Per-connector counts: one Query of the counter partition. */
  async counts(connector: string): Promise<{ users: number; groups: number }> {
    const res = await run(() =>
      this.ctx.doc.send(
        new QueryCommand({ TableName: this.table, KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': keys.counterPartition(connector) }, ConsistentRead: true }),
      ),
    );
    let users = 0;
    let groups = 0;
    for (const i of res.Items ?? []) {
      if (String(i.SK).startsWith('USER#')) users += Number(i.n ?? 0);
      else groups += Number(i.n ?? 0);
    }
    return { users, groups };
  }

  // ---------------------------------------------------------------- writes: resource items

  private newResource(kind: ResourceKind, id: string, attrs: ScimResource, memberCount: number): StoredResource {
    const now = this.ctx.now().toISOString();
    return {
      kind,
      id,
      version: 1,
      created: now,
      lastModified: now,
      attributes: storableAttributes(attrs),
      ...(kind === 'Group' ? { memberCount } : {}),
    };
  }

  /** Resource item update as a transaction item: doc (if given), version +1, member count delta. */
  private resourceUpdate(connector: string, current: StoredResource, next: StoredResource | undefined, memberDelta: number, versioned: boolean, modified?: string): TransactItem {
    const names: Record<string, string> = { '#v': 'v' };
    // The written `modified` is the answer's `meta.lastModified`: one clock reading, not two that may differ by a millisecond.
    const values: Record<string, unknown> = { ':one': 1, ':m': modified ?? next?.lastModified ?? this.ctx.now().toISOString() };
    const set = ['modified = :m'];
    const remove: string[] = [];
    const add = ['#v :one'];
    if (next) {
      const item = toItem(connector, next);
      set.push('#doc = :doc');
      names['#doc'] = 'doc';
      values[':doc'] = item.doc;
      for (const a of ['uname', 'xid', 'GSI1PK', 'GSI1SK'] as const) {
        const val = item[a];
        if (val === undefined) remove.push(a);
        else {
          set.push(`${a} = :${a}`);
          values[`:${a}`] = val;
        }
      }
    }
    if (current.kind === 'Group' && memberDelta !== 0) {
      add.push('mc :d');
      values[':d'] = memberDelta;
    }
    let condition = 'attribute_exists(PK)';
    if (versioned) {
      condition = '#v = :ver';
      values[':ver'] = current.version;
    }
    return {
      Update: {
        TableName: this.table,
        Key: keys.resource(connector, current.kind, current.id),
        UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''} ADD ${add.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }

  /** Guard Put/Delete items for a change of the unique name (same folded name → none). */
  private guardMoves(connector: string, kind: ResourceKind, id: string, before: ScimResource | undefined, after: ScimResource | undefined): Planned {
    const out: Planned = { items: [], roles: [] };
    const oldKey = before ? this.guardKey(connector, kind, before) : undefined;
    const newKey = after ? this.guardKey(connector, kind, after) : undefined;
    if (oldKey && newKey && oldKey.PK === newKey.PK) return out;
    if (oldKey) {
      out.items.push({
        Delete: { TableName: this.table, Key: oldKey, ConditionExpression: 'attribute_not_exists(PK) OR id = :id', ExpressionAttributeValues: { ':id': id } },
      });
      out.roles.push({ r: 'guardDelete' });
    }
    if (newKey) {
      out.items.push({
        Put: { TableName: this.table, Item: { ...newKey, id, kind }, ConditionExpression: 'attribute_not_exists(PK)' },
      });
      out.roles.push({ r: 'guardPut' });
    }
    return out;
  }

  private uniquenessError(kind: ResourceKind, attrs: ScimResource | undefined): StorageError {
    const name = attrs ? uniqueNameOf(kind, attrs) : undefined;
    const attr = kind === 'User' ? 'userName' : 'displayName';
    return new StorageError('uniqueness', `${attr} ${JSON.stringify(name ?? '')} is already in use in this connector`);
  }

  /** Create a user (one transaction: item + userName guard + counter). */
  async createUser(connector: string, attrs: ScimResource): Promise<StoredResource> {
    const r = this.newResource('User', this.ctx.newId(), attrs, 0);
    const planned: Planned = {
      items: [{ Put: { TableName: this.table, Item: toItem(connector, r), ConditionExpression: 'attribute_not_exists(PK)' } }],
      roles: [{ r: 'resource' }],
    };
    const g = this.guardMoves(connector, 'User', r.id, undefined, r.attributes);
    planned.items.push(...g.items, this.counterItem(connector, 'User', 1));
    planned.roles.push(...g.roles, { r: 'counter' });
    await this.commit(planned, (role) => (role.r === 'guardPut' ? this.uniquenessError('User', r.attributes) : undefined));
    return r;
  }

  /**
   * Replace a resource's attributes, conditional on `current.version`. A single conditional
   * UpdateItem when the unique name does not move, else a transaction that moves the guard.
   * Throws StorageError versionConflict (re-read and retry) / uniqueness / notFound.
   */
  async replace(connector: string, current: StoredResource, attrs: ScimResource): Promise<StoredResource> {
    if (current.kind === 'Group') return (await this.writeGroup(connector, current, attrs, { add: [], remove: [] }, { versioned: true })).group;
    const next: StoredResource = {
      ...current,
      version: current.version + 1,
      lastModified: this.ctx.now().toISOString(),
      attributes: storableAttributes(attrs),
    };
    const update = this.resourceUpdate(connector, current, next, 0, true);
    const g = this.guardMoves(connector, current.kind, current.id, current.attributes, next.attributes);
    if (g.items.length === 0) {
      const u = update.Update!;
      try {
        await run(() => this.ctx.doc.send(new UpdateCommand({ ...u, TableName: this.table, Key: u.Key! })));
      } catch (e) {
        const s = fromDynamoError(e);
        if (s.kind === 'conditionFailed') throw new StorageError('versionConflict', `${current.kind} ${current.id} was modified concurrently`);
        throw s;
      }
      return next;
    }
    await this.commit({ items: [update, ...g.items], roles: [{ r: 'resource' }, ...g.roles] }, (role) => {
      if (role.r === 'guardPut') return this.uniquenessError(current.kind, next.attributes);
      if (role.r === 'resource' || role.r === 'guardDelete') return new StorageError('versionConflict', `${current.kind} ${current.id} was modified concurrently`);
      return undefined;
    });
    return next;
  }

  /** Runs a planned transaction; a condition failure is turned into the error its item's role implies. */
  private async commit(p: Planned, onFailed: (role: Role) => StorageError | undefined): Promise<void> {
    try {
      await transact(this.ctx, p.items);
    } catch (e) {
      const s = fromDynamoError(e);
      if (s.kind !== 'conditionFailed') throw s;
      for (const [i, reason] of s.reasons.entries()) {
        if (reason.Code !== 'ConditionalCheckFailed') continue;
        const role = p.roles[i];
        const mapped = role ? onFailed(role) : undefined;
        if (mapped) throw mapped;
      }
      throw new StorageError('versionConflict', 'the resource was modified concurrently', { cause: s });
    }
  }

  // ---------------------------------------------------------------- delete

  /**
   * Delete a user or group conditional on `current.version`: item + guard + counter + a purge task
   * in one transaction. Membership clean-up follows in bounded chunks (see `purge`), so a group of
   * any size is deleted without a long transaction; the purge task makes it resumable.
   */
  async delete(connector: string, current: StoredResource): Promise<{ purgeDone: boolean }> {
    const g = this.guardMoves(connector, current.kind, current.id, current.attributes, undefined);
    const planned: Planned = {
      items: [
        {
          Delete: {
            TableName: this.table,
            Key: keys.resource(connector, current.kind, current.id),
            ConditionExpression: '#v = :ver',
            ExpressionAttributeNames: { '#v': 'v' },
            ExpressionAttributeValues: { ':ver': current.version },
          },
        },
        ...g.items,
        this.counterItem(connector, current.kind, -1),
        {
          Put: {
            TableName: this.table,
            Item: { ...keys.purgeTask(connector, `${current.kind}:${current.id}`), kind: current.kind, id: current.id, created: this.ctx.now().toISOString() },
          },
        },
      ],
      roles: [{ r: 'resource' }, ...g.roles, { r: 'counter' }, { r: 'purge' }],
    };
    await this.commit(planned, (role) =>
      role.r === 'resource' || role.r === 'guardDelete' ? new StorageError('versionConflict', `${current.kind} ${current.id} was modified concurrently`) : undefined,
    );
    const r = await this.purgeDeleted(connector, current.kind, current.id, this.ctx.inlinePurgeItems);
    return { purgeDone: r.done };
  }

  /**
   * Removes the membership items left by a deleted user or group, at most `maxItems` per call:
   * for a group its member items (BatchWrite, 25 per call), for a member its edges into other
   * groups (a transaction per ≤ 50 groups that also decrements their counts). Re-run until `done`.
   */
  async purge(connector: string, kind: ResourceKind, id: string, opts: { maxItems?: number } = {}): Promise<{ deleted: number; done: boolean }> {
    const exists = await this.get(connector, kind, id);
    if (exists) throw new StorageError('invalidValue', `${kind} ${id} still exists; purge only cleans up after a delete`);
    return this.purgeDeleted(connector, kind, id, opts.maxItems ?? 10_000);
  }

  private async purgeDeleted(connector: string, kind: ResourceKind, id: string, maxItems: number): Promise<{ deleted: number; done: boolean }> {
    let budget = maxItems;
    let deleted = 0;
    if (kind === 'Group') {
      const r = await this.deleteMemberItems(connector, id, budget);
      deleted += r.deleted;
      budget -= r.deleted;
      if (!r.done) return { deleted, done: false };
    }
    const edges = await this.memberOfGroupIds(connector, id, Math.max(1, budget));
    for (let i = 0; i < edges.length; i += 50) {
      await this.removeEdges(connector, id, edges.slice(i, i + 50));
    }
    deleted += edges.length;
    budget -= edges.length;
    if (budget <= 0 && edges.length > 0) {
      const more = await this.memberOfGroupIds(connector, id, 1);
      if (more.length > 0) return { deleted, done: false };
    }
    await run(() => this.ctx.doc.send(new DeleteCommand({ TableName: this.table, Key: keys.purgeTask(connector, `${kind}:${id}`) })));
    return { deleted, done: true };
  }

  /**
   * Finishes the clean-up of a deleted resource if its purge task is still there (a DELETE whose
   * inline purge failed answered 503; the IdP's retry finds the resource gone and lands here): one
   * GetItem when there is nothing to do. Returns whether a task was found.
   */
  async resumePurge(connector: string, kind: ResourceKind, id: string, maxItems = this.ctx.inlinePurgeItems): Promise<{ found: boolean; done: boolean }> {
    const task = await run(() => this.ctx.doc.send(new GetCommand({ TableName: this.table, Key: keys.purgeTask(connector, `${kind}:${id}`), ConsistentRead: true })));
    if (!task.Item) return { found: false, done: true };
    const r = await this.purgeDeleted(connector, kind, id, maxItems);
    return { found: true, done: r.done };
  }

  /** The group case of `purge`: delete a deleted group's member items, at most `maxItems` per call. */
  purgeGroupMembers(connector: string, groupId: string, opts: { maxItems?: number } = {}): Promise<{ deleted: number; done: boolean }> {
    return this.purge(connector, 'Group', groupId, opts);
  }

  /** Purge tasks not finished yet (for a sweeper that re-runs `purge`). */
  async pendingPurges(connector: string, limit = 100): Promise<{ kind: ResourceKind; id: string }[]> {
    const res = await run(() =>
      this.ctx.doc.send(
        new QueryCommand({ TableName: this.table, KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': keys.purgePartition(connector) }, Limit: limit }),
      ),
    );
    return (res.Items ?? []).map((i) => ({ kind: i.kind === 'Group' ? 'Group' : 'User', id: String(i.id) }));
  }

  private async deleteMemberItems(connector: string, groupId: string, maxItems: number): Promise<{ deleted: number; done: boolean }> {
    let deleted = 0;
    let start: Record<string, unknown> | undefined;
    while (deleted < maxItems) {
      const res = await run(() =>
        this.ctx.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'PK = :p',
            ExpressionAttributeValues: { ':p': keys.membersPartition(connector, groupId) },
            ProjectionExpression: 'PK, SK',
            Limit: Math.min(1000, maxItems - deleted),
            ExclusiveStartKey: start,
          }),
        ),
      );
      const items = (res.Items ?? []) as Key[];
      await batchDelete(this.ctx, items, 8);
      deleted += items.length;
      start = res.LastEvaluatedKey;
      if (!start) return { deleted, done: true };
    }
    // A full last page leaves LastEvaluatedKey set even when nothing follows: look once more.
    const probe = await run(() =>
      this.ctx.doc.send(
        new QueryCommand({ TableName: this.table, KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': keys.membersPartition(connector, groupId) }, ProjectionExpression: 'PK', Limit: 1 }),
      ),
    );
    return { deleted, done: (probe.Items ?? []).length === 0 };
  }

  /** Ids of the groups `memberId` is a direct member of (GSI1, keys only; eventually consistent). */
  async memberOfGroupIds(connector: string, memberId: string, max = 10_000): Promise<string[]> {
    const items = await queryAll(
      this.ctx,
      { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :p', ExpressionAttributeValues: { ':p': keys.memberOfPartition(connector, memberId) } },
      { max, pageLimit: 1000 },
    );
    return items.map((i) => decodeKeyPart(String(i.GSI1SK))).filter((gid): gid is string => gid !== undefined);
  }

  /** Removes member → group edges and decrements those groups' counts (groups already gone: edge only). */
  private async removeEdges(connector: string, memberId: string, groupIds: string[]): Promise<void> {
    let pending = [...groupIds];
    const gone = new Set<string>();
    for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
      const items: TransactItem[] = [];
      const roles: { gid: string; r: 'edge' | 'group' }[] = [];
      for (const gid of pending) {
        items.push({ Delete: { TableName: this.table, Key: keys.membership(connector, gid, memberId), ConditionExpression: 'attribute_exists(PK)' } });
        roles.push({ gid, r: 'edge' });
        if (!gone.has(gid)) {
          items.push(this.resourceUpdate(connector, { kind: 'Group', id: gid } as StoredResource, undefined, -1, false));
          roles.push({ gid, r: 'group' });
        }
      }
      try {
        await transact(this.ctx, items);
        return;
      } catch (e) {
        const s = fromDynamoError(e);
        if (s.kind !== 'conditionFailed') throw s;
        const drop = new Set<string>();
        s.reasons.forEach((reason, i) => {
          if (reason.Code !== 'ConditionalCheckFailed') return;
          const role = roles[i];
          if (!role) return;
          if (role.r === 'edge') drop.add(role.gid);
          else gone.add(role.gid);
        });
        pending = pending.filter((g) => !drop.has(g));
      }
    }
  }

  // ---------------------------------------------------------------- groups and members

  /**
   * Create a group with its initial members: the first transaction holds the group item, its name
   * guard, the counter and as many members as fit; the rest follow in member chunks.
   */
  async createGroup(connector: string, attrs: ScimResource, members: readonly MemberRef[] = []): Promise<{ group: StoredResource; result: MemberDeltaResult }> {
    const r = this.newResource('Group', this.ctx.newId(), attrs, 0);
    return this.applyGroupWrite(connector, r, undefined, r, { add: members, remove: [] }, true);
  }

  /**
   * Update a group: new attributes (or undefined to keep them) plus a member delta, in one
   * transaction when it fits, else chunked (the first chunk carries the attribute change).
   * `versioned: false` is for member-only changes, which commute.
   */
  async writeGroup(
    connector: string,
    current: StoredResource,
    attrs: ScimResource | undefined,
    delta: MemberDelta,
    opts: WriteOptions = {},
  ): Promise<{ group: StoredResource; result: MemberDeltaResult }> {
    const next: StoredResource | undefined = attrs ? { ...current, attributes: storableAttributes(attrs) } : undefined;
    return this.applyGroupWrite(connector, current, next, undefined, delta, opts.versioned ?? true);
  }

  /** Replace the whole member list: one keys-only read of the current members, then the diff. */
  async replaceMembers(connector: string, current: StoredResource, attrs: ScimResource | undefined, members: readonly MemberRef[], opts: WriteOptions = {}) {
    const existing = new Set(await this.memberIds(connector, current.id));
    const wanted = new Map(members.map((m) => [m.value, m]));
    const add = [...wanted.values()].filter((m) => !existing.has(m.value));
    const remove = [...existing].filter((id) => !wanted.has(id));
    return this.writeGroup(connector, current, attrs, { add, remove }, opts);
  }

  private async applyGroupWrite(
    connector: string,
    current: StoredResource,
    next: StoredResource | undefined,
    create: StoredResource | undefined,
    delta: MemberDelta,
    versioned: boolean,
  ): Promise<{ group: StoredResource; result: MemberDeltaResult }> {
    const gid = current.id;
    const self = delta.add.find((m) => m.value === gid);
    if (self) throw new StorageError('invalidValue', `a group cannot be a member of itself: ${gid}`);
    const removeSet = new Set(delta.remove);
    const adds = delta.add.filter((m) => !removeSet.has(m.value));
    const result: MemberDeltaResult = { added: [], removed: [], ignored: [] };

    // Chunks: the first carries the resource change (create or attributes + guard moves).
    const headerSize = 3 + (create ? 1 : 0);
    let addQ = [...new Map(adds.map((m) => [m.value, m])).values()];
    let remQ = [...removeSet];
    let first = true;
    let version = current.version;
    let count = current.memberCount ?? 0;
    // One `modified` for every chunk of the write, and the answer's lastModified: one clock reading.
    // (`next` carries the stored group's old lastModified; only a create's is this write's.)
    const at = create?.lastModified ?? this.ctx.now().toISOString();
    do {
      if (!first && remQ.length > MAX_TX_ITEMS) {
        const r = await this.removeInBulk(connector, current.id, remQ, at);
        result.removed.push(...remQ);
        version = r.version;
        count = r.memberCount;
        remQ = [];
        continue;
      }
      const room = MAX_TX_ITEMS - (first ? headerSize : 1);
      const chunkRem = remQ.slice(0, room);
      // Each added membership records the group version this chunk writes (its events' version).
      // Member-only writes skip the version condition, so under a concurrent member write the real
      // version can be higher; two memberships of one pair then tie only if both writes raced on
      // that pair (live events still order by sequence).
      const chunkVersion = first && create ? 1 : version + 1;
      const chunkAdd = addQ.slice(0, Math.floor((room - chunkRem.length) / 2)).map((m) => ({ ...m, gv: chunkVersion }));
      remQ = remQ.slice(chunkRem.length);
      addQ = addQ.slice(chunkAdd.length);
      const r = await this.groupChunk(connector, current, first ? next : undefined, first ? create : undefined, chunkAdd, chunkRem, first && versioned, result, at);
      if (r.wrote) version = chunkVersion;
      count += r.delta;
      first = false;
    } while (addQ.length > 0 || remQ.length > 0);

    const base = next ?? create ?? current;
    const group: StoredResource = { ...base, version, memberCount: count, lastModified: at };
    return { group, result };
  }

  /**
   * Bulk removal, e.g. replacing all 50k members of a group with 10. One transaction per 100 members
   * with the group item means ~500 transactions one after another (they all update that item) —
   * ~47 s on DynamoDB Local, past API Gateway's 29 s; member-only transactions in parallel were
   * still ~40 s there (transactions are its slowest path). So: BatchWriteItem deletes, 8 calls in
   * flight, for ids read from the member list a moment ago, then the count is recounted rather than
   * decremented — a batch delete cannot say whether the item was still there (a concurrent PATCH may
   * have removed it first), so subtracting could double-count. The recount is exact: a consistent
   * COUNT Query of the member partition, stored only if the group's version did not move meanwhile
   * (every member change bumps it), else again. It reads the members that remain (10 here).
   * If the function stops midway, the count stays too high until the next write — the safe
   * direction: a count of 0 is what skips the member read.
   */
  private async removeInBulk(connector: string, groupId: string, ids: readonly string[], modified: string): Promise<{ version: number; memberCount: number }> {
    await batchDelete(this.ctx, ids.map((id) => keys.membership(connector, groupId, id)), BULK_PARALLEL);
    const groupKey = keys.resource(connector, 'Group', groupId);
    for (let attempt = 0; attempt < RECOUNT_ATTEMPTS; attempt++) {
      const before = await run(() => this.ctx.doc.send(new GetCommand({ TableName: this.table, Key: groupKey, ProjectionExpression: '#v', ExpressionAttributeNames: { '#v': 'v' }, ConsistentRead: true })));
      if (!before.Item) throw new StorageError('notFound', `Group ${groupId} not found`);
      const seen = Number(before.Item.v);
      let n = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await run(() =>
          this.ctx.doc.send(
            new QueryCommand({ TableName: this.table, KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': keys.membersPartition(connector, groupId) }, Select: 'COUNT', ConsistentRead: true, ExclusiveStartKey: start }),
          ),
        );
        n += page.Count ?? 0;
        start = page.LastEvaluatedKey;
      } while (start);
      try {
        await run(() =>
          this.ctx.doc.send(
            new UpdateCommand({
              TableName: this.table,
              Key: groupKey,
              UpdateExpression: 'SET mc = :n, modified = :m ADD #v :one',
              ConditionExpression: '#v = :seen',
              ExpressionAttributeNames: { '#v': 'v' },
              ExpressionAttributeValues: { ':n': n, ':m': modified, ':one': 1, ':seen': seen },
            }),
          ),
        );
        return { version: seen + 1, memberCount: n };
      } catch (e) {
        const s = fromDynamoError(e);
        if (s.kind !== 'conditionFailed') throw s;
      }
    }
    throw new StorageError('transactionConflict', `Group ${groupId}: member count did not settle under concurrent changes`);
  }

  /** One transaction of a group write; retries while the cancellation reasons shrink the change. Returns the count delta. */
  private async groupChunk(
    connector: string,
    current: StoredResource,
    next: StoredResource | undefined,
    create: StoredResource | undefined,
    addsIn: readonly MemberRef[],
    removesIn: readonly string[],
    versioned: boolean,
    result: MemberDeltaResult,
    modified: string,
  ): Promise<{ delta: number; wrote: boolean }> {
    const adds = new Map(addsIn.map((m) => [m.value, { ...m, type: m.type ?? 'User' } as MemberRef & { type: ResourceKind }]));
    const removes = new Set(removesIn);
    const typeResolved = new Set<string>();
    for (let attempt = 0; attempt < 10 + addsIn.length + removesIn.length; attempt++) {
      const p: Planned = { items: [], roles: [] };
      const delta = adds.size - removes.size;
      if (create) {
        const item = toItem(connector, { ...create, memberCount: delta });
        p.items.push({ Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } });
        p.roles.push({ r: 'resource' });
        p.items.push(this.counterItem(connector, 'Group', 1));
        p.roles.push({ r: 'counter' });
      } else {
        const nextVersioned = next ? { ...next, version: current.version + 1 } : undefined;
        p.items.push(this.resourceUpdate(connector, current, nextVersioned, delta, versioned, modified));
        p.roles.push({ r: 'resource' });
      }
      const g = this.guardMoves(connector, 'Group', current.id, create ? undefined : next ? current.attributes : undefined, create?.attributes ?? next?.attributes);
      if (create || next) {
        p.items.push(...g.items);
        p.roles.push(...g.roles);
      }
      for (const m of adds.values()) {
        p.items.push({ Put: { TableName: this.table, Item: memberItem(connector, current.id, m), ConditionExpression: 'attribute_not_exists(PK)' } });
        p.roles.push({ r: 'add', id: m.value });
        p.items.push({ ConditionCheck: { TableName: this.table, Key: keys.resource(connector, m.type, m.value), ConditionExpression: 'attribute_exists(PK)' } });
        p.roles.push({ r: 'check', id: m.value });
      }
      for (const id of removes) {
        p.items.push({ Delete: { TableName: this.table, Key: keys.membership(connector, current.id, id), ConditionExpression: 'attribute_exists(PK)' } });
        p.roles.push({ r: 'remove', id });
      }
      if (p.items.length === 1 && !create && !next && adds.size === 0 && removes.size === 0) return { delta: 0, wrote: false };
      try {
        await transact(this.ctx, p.items);
        result.added.push(...adds.keys());
        result.removed.push(...removes);
        return { delta, wrote: true };
      } catch (e) {
        const s = fromDynamoError(e);
        if (s.kind !== 'conditionFailed') throw s;
        const d = decodeGroupCancellation(s.reasons, p.roles);
        switch (d.fatal) {
          case 'resource':
            if (create) throw new StorageError('versionConflict', `group id collision ${current.id}`);
            if (versioned) throw new StorageError('versionConflict', `Group ${current.id} was modified concurrently`);
            throw new StorageError('notFound', `Group ${current.id} not found`);
          case 'guardPut':
            throw this.uniquenessError('Group', (create ?? next)?.attributes);
          case 'guardDelete':
            throw new StorageError('versionConflict', `Group ${current.id} was modified concurrently`);
        }
        for (const id of d.alreadyMembers) adds.delete(id); // already a member: not counted twice
        for (const id of d.notMembers) removes.delete(id); // not a member: nothing to remove
        const unknown = d.notFound;
        let progressed = d.alreadyMembers.length + d.notMembers.length > 0;
        if (unknown.length > 0) {
          // The id decides what a member is: the client's `type`/`$ref` only chose which key the
          // ConditionCheck tried first. Ids not found as that kind are looked up as the other, once.
          const retry = unknown.filter((id) => adds.has(id) && !typeResolved.has(id));
          const found = await this.existingKinds(connector, retry.map((id) => ({ id, kind: otherKind(adds.get(id)!.type) })));
          const missing: string[] = [];
          for (const id of unknown) {
            const m = adds.get(id);
            if (!m) continue;
            const kind = typeResolved.has(id) ? undefined : found.get(id);
            typeResolved.add(id);
            if (kind) adds.set(id, { ...m, type: kind });
            else missing.push(id);
          }
          if (missing.length > 0) {
            if (this.ctx.connectorOptions(connector).unknownMembers === 'reject') {
              const shown = missing.slice(0, 10).map((x) => JSON.stringify(x)).join(', ');
              throw new StorageError('invalidValue', `members not found in this connector: ${shown}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}`);
            }
            for (const id of missing) adds.delete(id);
            result.ignored.push(...missing);
          }
          progressed = true;
        }
        if (!progressed) throw new StorageError('versionConflict', `Group ${current.id} was modified concurrently`, { cause: s });
      }
    }
    throw new StorageError('transactionConflict', `Group ${current.id}: membership write did not converge`);
  }

  /** Which of these (id, kind) resources exist: one keys-only BatchGet (per 100). */
  private async existingKinds(connector: string, refs: readonly { id: string; kind: ResourceKind }[]): Promise<Map<string, ResourceKind>> {
    const out = new Map<string, ResourceKind>();
    if (refs.length === 0) return out;
    const byKey = new Map(refs.map((r) => { const k = keys.resource(connector, r.kind, r.id); return [`${k.PK}\n${k.SK}`, r] as const; }));
    for (const item of await batchGet(this.ctx, refs.map((r) => keys.resource(connector, r.kind, r.id)), 'PK, SK')) {
      const r = byKey.get(`${String(item.PK)}\n${String(item.SK)}`);
      if (r) out.set(r.id, r.kind);
    }
    return out;
  }

  /** All member ids of a group (keys-only Query, paginated). */
  async memberIds(connector: string, groupId: string): Promise<string[]> {
    return (await this.members(connector, groupId, { keysOnly: true })).map((m) => m.value);
  }

  /** Members of a group, up to `max` (default unlimited). */
  async members(connector: string, groupId: string, opts: { max?: number; keysOnly?: boolean } = {}): Promise<MemberRef[]> {
    const items = await queryAll(
      this.ctx,
      {
        KeyConditionExpression: 'PK = :p',
        ExpressionAttributeValues: { ':p': keys.membersPartition(connector, groupId) },
        ProjectionExpression: opts.keysOnly ? 'SK, mid' : 'SK, mid, mtype, display',
        ConsistentRead: true,
      },
      opts.max !== undefined ? { max: opts.max, pageLimit: 5000 } : {},
    );
    return items.map((i) => {
      const ref: { value: string; type?: ResourceKind; display?: string } = { value: String(i.mid) };
      if (!opts.keysOnly) {
        ref.type = i.mtype === 'Group' ? 'Group' : 'User';
        if (typeof i.display === 'string') ref.display = i.display;
      }
      return ref;
    });
  }

  /** Is `memberId` a member of the group: one GetItem. */
  async hasMember(connector: string, groupId: string, memberId: string): Promise<boolean> {
    const res = await run(() => this.ctx.doc.send(new GetCommand({ TableName: this.table, Key: keys.membership(connector, groupId, memberId), ProjectionExpression: 'PK', ConsistentRead: true })));
    return res.Item !== undefined;
  }

  /** A member's groups with their displayNames (GSI Query + BatchGet; deleted groups drop out). */
  async groupsOf(connector: string, memberId: string): Promise<{ value: string; display?: string }[]> {
    const ids = await this.memberOfGroupIds(connector, memberId);
    if (ids.length === 0) return [];
    const found = await batchGet(
      this.ctx,
      ids.map((id) => keys.group(connector, id)),
      'id, uname',
    );
    const byId = new Map(found.map((i) => [String(i.id), i.uname]));
    return ids.flatMap((id) => {
      if (!byId.has(id)) return [];
      const name = byId.get(id);
      return [typeof name === 'string' ? { value: id, display: name } : { value: id }];
    });
  }

  /** Test/seed helper: raw put of a member item (no count) — used only by scale fixtures. */
  async putRawMember(connector: string, groupId: string, ref: MemberRef): Promise<void> {
    await run(() => this.ctx.doc.send(new PutCommand({ TableName: this.table, Item: memberItem(connector, groupId, { value: ref.value, type: ref.type ?? 'User' }) })));
  }

  /** Folded name as used by guards (exported for the planner's in-memory checks). */
  static fold = foldCase;
}
