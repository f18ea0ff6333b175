/**
 * `scim-admin events resync`: the connector's current state as snapshot events, through the same
 * paths as live events (deployed: PutEvents on the bus, so every rule and webhook of the connector;
 * local: events.jsonl and the connector's webhook).
 *
 * Order: users (creation order), then groups (creation order), each group's `group.snapshot`
 * followed by one `member.snapshot` per membership. Reading is one page at a time (users and groups
 * `PAGE_SIZE`, members `MEMBER_PAGE_SIZE` per Query, strongly consistent) and events leave in
 * batches of ≤ 10 before the next page is read, so memory stays constant whatever the connector's
 * size (a 50k-member group is read 1,000 members at a time).
 *
 * The resume cursor says what has been emitted: the phase, the last user or group done, and within
 * a group the last member sent. It also carries the run id (snapshot event ids derive from it, see
 * lambdas/events/snapshot.ts), the kinds, the run's start and its counts so far. `--from <cursor>`
 * continues after it; at most the batch in flight when the run stopped is sent again (same event
 * ids: deduplicated). A run that has sent everything ends with one `resync.completed` event (scope,
 * start, counts of the whole run, resumed parts included): consumers prune only after it.
 */
import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { memberSnapshot, resourceSnapshot, resyncCompleted } from '../../lambdas/events/snapshot.js';
import type { ChangeEvent, MemberRefDetail, ResyncCounts } from '../../lambdas/events/schema.js';
import { run } from '../../lambdas/store/context.js';
import type { StoredResource } from '../../lambdas/store/items.js';
import { keys } from '../../lambdas/store/keys.js';
import { readPage } from '../../lambdas/store/paging.js';
import type { ScimStore } from '../../lambdas/store/store.js';

export const RESYNC_KINDS = ['users', 'groups', 'members'] as const;
export type ResyncKind = (typeof RESYNC_KINDS)[number];

/** Users or groups per Query. */
export const RESYNC_PAGE_SIZE = 100;
/** Member items per Query. */
export const MEMBER_PAGE_SIZE = 1000;
/** Events per emit (PutEvents takes 10 entries). */
export const EMIT_BATCH = 10;
export const DEFAULT_RATE_PER_SECOND = 100;

export interface ResyncCursor {
  /** Run id: snapshot event ids are derived from it. */
  readonly run: string;
  readonly kinds: readonly ResyncKind[];
  /** When the run started (ISO 8601): on its `resync.completed`. */
  readonly started: string;
  /** Snapshot events sent before this position (the whole run's, for `resync.completed`). */
  readonly counts: ResyncCounts;
  readonly phase: 'users' | 'groups' | 'done';
  /** Sort key of the last user (phase users) or group (phase groups) completely emitted. */
  readonly after?: string;
  /** Phase groups: the group whose snapshot is out and whose members are being sent. */
  readonly group?: string;
  /** Sort key of the last member of `group` sent. */
  readonly member?: string;
}

export class CursorError extends Error {}

const CURSOR_VERSION = 2;

export function encodeResyncCursor(c: ResyncCursor): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, ...c })).toString('base64url');
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

export function decodeResyncCursor(text: string): ResyncCursor {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new CursorError('not a resync cursor (copy it whole from the interrupted run)');
  }
  const str = (v: unknown) => v === undefined || typeof v === 'string';
  if (typeof o === 'object' && o !== null && o.v === 1) throw new CursorError('a cursor of an older scim-admin (no run counts): start a new run without --from');
  const counts = (typeof o === 'object' && o !== null ? o.counts : undefined) as Record<string, unknown> | undefined;
  if (
    typeof o !== 'object' ||
    o === null ||
    o.v !== CURSOR_VERSION ||
    typeof o.run !== 'string' ||
    typeof o.started !== 'string' ||
    Number.isNaN(Date.parse(o.started)) ||
    typeof counts !== 'object' ||
    counts === null ||
    !isCount(counts.users) ||
    !isCount(counts.groups) ||
    !isCount(counts.members) ||
    !Array.isArray(o.kinds) ||
    !o.kinds.every((k) => (RESYNC_KINDS as readonly unknown[]).includes(k)) ||
    !['users', 'groups', 'done'].includes(o.phase as string) ||
    !str(o.after) ||
    !str(o.group) ||
    !str(o.member)
  ) {
    throw new CursorError('not a resync cursor (copy it whole from the interrupted run)');
  }
  return {
    run: o.run,
    kinds: o.kinds as ResyncKind[],
    started: o.started,
    counts: { users: counts.users as number, groups: counts.groups as number, members: counts.members as number },
    phase: o.phase as ResyncCursor['phase'],
    ...(o.after !== undefined ? { after: o.after as string } : {}),
    ...(o.group !== undefined ? { group: o.group as string } : {}),
    ...(o.member !== undefined ? { member: o.member as string } : {}),
  };
}

/** `users,groups` → kinds; throws with the accepted values. */
export function parseResyncKinds(text: string): ResyncKind[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = list.filter((k) => !(RESYNC_KINDS as readonly string[]).includes(k));
  if (list.length === 0 || bad.length > 0) throw new CursorError(`--kinds takes a comma-separated list of ${RESYNC_KINDS.join(', ')} (got ${text})`);
  return RESYNC_KINDS.filter((k) => list.includes(k));
}

/** `50`, `50/s`, `2.5/s` → events per second; undefined when malformed or out of range. */
export function parseRate(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(text.trim());
  const n = m ? Number(m[1]) : Number.NaN;
  return n > 0 && n <= 10_000 ? n : undefined;
}

export interface ResyncProgress {
  users: number;
  groups: number;
  members: number;
  events: number;
}

export interface ResyncOptions {
  readonly store: ScimStore;
  readonly connector: string;
  readonly kinds: readonly ResyncKind[];
  /** Events per second at most (average). */
  readonly ratePerSecond: number;
  /** Sends one batch (≤ EMIT_BATCH events); throws to stop the run (the cursor stays before the batch). */
  readonly emit: (events: ChangeEvent[]) => Promise<void>;
  /** Resume after this cursor (its run id and kinds win). */
  readonly from?: ResyncCursor;
  /** Stop before the next batch (Ctrl-C). */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onProgress?: (p: Readonly<ResyncProgress>) => void;
  readonly pageSize?: number;
  readonly memberPageSize?: number;
}

export interface ResyncResult {
  readonly completed: boolean;
  readonly progress: ResyncProgress;
  readonly runId: string;
  /** The position after what was emitted (resume with it). */
  readonly cursor: ResyncCursor;
}

/** Thrown by `resync` when `emit` failed: carries the cursor to resume from. */
export class ResyncError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly cursor: ResyncCursor,
    readonly progress: ResyncProgress,
  ) {
    super((cause as Error)?.message ?? String(cause));
    this.name = (cause as Error)?.name ?? 'ResyncError';
  }
}

class Stopped extends Error {}

async function memberPage(store: ScimStore, connector: string, groupId: string, limit: number, after: string | undefined) {
  const pk = keys.membersPartition(connector, groupId);
  const res = await run(() =>
    store.ctx.doc.send(
      new QueryCommand({
        TableName: store.ctx.table,
        KeyConditionExpression: after === undefined ? 'PK = :p' : 'PK = :p AND SK > :after',
        ExpressionAttributeValues: after === undefined ? { ':p': pk } : { ':p': pk, ':after': after },
        ProjectionExpression: 'SK, mid, mtype, display, gv',
        Limit: limit,
        ConsistentRead: true,
      }),
    ),
  );
  const items = (res.Items ?? []).map((i) => ({
    sk: String(i.SK),
    member: {
      value: String(i.mid),
      type: i.mtype === 'Group' ? 'Group' : 'User',
      ...(typeof i.display === 'string' && i.display !== '' ? { display: i.display } : {}),
    } as MemberRefDetail,
    version: typeof i.gv === 'number' ? i.gv : undefined,
  }));
  return { items, more: res.LastEvaluatedKey !== undefined };
}

export async function resync(o: ResyncOptions): Promise<ResyncResult> {
  const now = o.now ?? (() => new Date());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pageSize = o.pageSize ?? RESYNC_PAGE_SIZE;
  const memberPageSize = o.memberPageSize ?? MEMBER_PAGE_SIZE;
  const runId = o.from?.run ?? randomUUID();
  const kinds = o.from?.kinds ?? o.kinds;
  const want = (k: ResyncKind) => kinds.includes(k);
  // A resumed run continues the counts of its cursor (the end marker counts the whole run).
  const progress: ResyncProgress = { ...(o.from?.counts ?? { users: 0, groups: 0, members: 0 }), events: 0 };
  const startedAt = o.from?.started ?? now().toISOString();
  const runBase = { run: runId, kinds, started: startedAt };
  // A cursor carries the counts of what was sent up to it (flush sets them when its batch is out).
  const base = { ...runBase, counts: { users: 0, groups: 0, members: 0 } };
  const here = () => ({ ...runBase, counts: { users: progress.users, groups: progress.groups, members: progress.members } });
  let committed: ResyncCursor = o.from ?? { ...base, phase: 'users' };
  const started = Date.now();

  // Events waiting for the next emit, each with the cursor that is true once it is out.
  let batch: { event: ChangeEvent; after: ResyncCursor; count: keyof ResyncCounts | undefined }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    if (o.signal?.aborted) throw new Stopped();
    // Average rate: the batch leaves no earlier than (events so far) / rate after the start.
    const due = started + (progress.events * 1000) / o.ratePerSecond;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    if (o.signal?.aborted) throw new Stopped();
    const out = batch;
    batch = [];
    try {
      await o.emit(out.map((b) => b.event));
    } catch (e) {
      throw new ResyncError(e, committed, progress);
    }
    for (const b of out) if (b.count) progress[b.count]++;
    progress.events += out.length;
    committed = { ...out[out.length - 1]!.after, counts: { users: progress.users, groups: progress.groups, members: progress.members } };
    o.onProgress?.(progress);
  };
  const push = async (event: ChangeEvent, after: ResyncCursor, count: keyof ResyncCounts | undefined) => {
    batch.push({ event, after, count });
    if (batch.length >= EMIT_BATCH) await flush();
  };

  try {
    let cur = committed;
    if (cur.phase === 'users') {
      if (want('users')) {
        let after = cur.after;
        do {
          const page = await readPage(o.store.ctx, o.connector, 'User', pageSize, after);
          const time = now().toISOString();
          for (const u of page.items) {
            const sk = keys.user(o.connector, u.id).SK;
            await push(resourceSnapshot(o.connector, u, runId, time), { ...base, phase: 'users', after: sk }, 'users');
          }
          after = page.lastKey;
        } while (after !== undefined);
      }
      await flush();
      cur = committed = { ...here(), phase: 'groups' };
    }
    if (cur.phase === 'groups') {
      let after = cur.after;
      // A group interrupted between its members: finish its members first.
      if (cur.group !== undefined) {
        await sendMembers(cur.group, cur.member);
        after = keys.group(o.connector, cur.group).SK;
      }
      if (want('groups') || want('members')) {
        do {
          const page = await readPage(o.store.ctx, o.connector, 'Group', pageSize, after);
          for (const g of page.items) await sendGroup(g);
          after = page.lastKey;
        } while (after !== undefined);
      }
      await flush();
    }
    // Everything is out: the end marker, with the whole run's counts.
    const counts = { users: progress.users, groups: progress.groups, members: progress.members };
    await push(resyncCompleted(o.connector, runId, startedAt, kinds, counts, now().toISOString()), { ...base, counts, phase: 'done' }, undefined);
    await flush();
    return { completed: true, progress, runId, cursor: committed };
  } catch (e) {
    if (e instanceof Stopped) return { completed: false, progress, runId, cursor: committed };
    if (e instanceof ResyncError) throw e;
    throw new ResyncError(e, committed, progress);
  }

  async function sendGroup(g: StoredResource): Promise<void> {
    const sk = keys.group(o.connector, g.id).SK;
    const done: ResyncCursor = { ...base, phase: 'groups', after: sk };
    if (!want('members') || (g.memberCount ?? 0) === 0) {
      if (want('groups')) await push(resourceSnapshot(o.connector, g, runId, now().toISOString()), done, 'groups');
      return;
    }
    if (want('groups')) await push(resourceSnapshot(o.connector, g, runId, now().toISOString()), { ...base, phase: 'groups', group: g.id }, 'groups');
    await sendMembers(g.id, undefined);
  }

  async function sendMembers(groupId: string, from: string | undefined): Promise<void> {
    let after = from;
    let more = true;
    while (more) {
      const page = await memberPage(o.store, o.connector, groupId, memberPageSize, after);
      const time = now().toISOString();
      for (const m of page.items) {
        await push(memberSnapshot(o.connector, groupId, m.member, runId, time, m.version), { ...base, phase: 'groups', group: groupId, member: m.sk }, 'members');
      }
      after = page.items[page.items.length - 1]?.sk ?? after;
      more = page.more && page.items.length > 0;
    }
    // The group is done: a cursor after its last member means "continue after this group".
    const sk = keys.group(o.connector, groupId).SK;
    if (batch.length > 0) batch[batch.length - 1]!.after = { ...base, phase: 'groups', after: sk };
    else if (committed.group === groupId) committed = { ...here(), phase: 'groups', after: sk };
  }
}
