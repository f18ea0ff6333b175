/**
 * `scim-admin restore <connector> --from-table <table>`: bring one connector back to what it is in a
 * point-in-time copy of the stack's table, writing through the live table (so its stream reports
 * every change as usual), keeping every id, version and timestamp of the copy.
 *
 * The restore is a difference, not a replay: it reads the connector's items in both tables
 * (lambdas/store/connector-items.ts), plans the writes that make the live ones equal to the copy's,
 * and writes them in BatchWriteItem calls. A second run plans only what is still different, so an
 * interrupted restore continues by running the same command again, and a finished one is a no-op.
 * Items of other connectors are never read for writing nor written.
 *
 * What is compared, and what it becomes:
 *  - users, groups (item as stored, `mc` included), their uniqueness guards, their member items
 *    (every group of either table: groups created after the copy lose theirs), counter shards: as
 *    in the copy;
 *  - purge tasks: a live task of a resource the copy has is dropped (before anything is written),
 *    else the sweeper or a retried DELETE would strip the restored group's members again; the
 *    copy's own pending tasks come back with the state they clean up; other live tasks stay;
 *  - page bookmarks (startIndex → position, 15 min): all of the connector's are deleted, since a
 *    position taken before the restore points to a different index after it (none to find, and no
 *    whole-table Scan, when the connector has been paused for longer than a bookmark lives).
 * Order: dropped purge tasks, guards that go, resources that go, resources that come back or
 * change (users first), guards, member items, counters, copied purge tasks, bookmarks — so a
 * restored user exists before the membership events that name it, and a userName taken by a user
 * created after the copy is free before the original's guard is written. Nothing here is
 * transactional: pause the connector first (README "Undo a mass deprovisioning"); the run ends by
 * planning again and reports what (if anything) is still different.
 */
import { batchDelete, batchPut, type StoreContext } from '../../lambdas/store/context.js';
import {
  bookmarkKeys,
  counterItems,
  guardItemsOf,
  keyOf,
  memberItemsOf,
  purgeTaskItems,
  resourceItemPages,
  type RawItem,
} from '../../lambdas/store/connector-items.js';
import { readConnectorState } from '../../lambdas/store/connector-state.js';
import type { Key, ResourceKind } from '../../lambdas/store/keys.js';

export interface KindDiff {
  /** in the copy, not live: written back (same id) */
  bringBack: number;
  /** live, not in the copy: deleted */
  remove: number;
  /** in both, different: overwritten with the copy's */
  change: number;
  unchanged: number;
}

export interface Writes {
  readonly put: RawItem[];
  readonly delete: Key[];
}

export interface RestorePlan {
  readonly connector: string;
  readonly users: KindDiff;
  readonly groups: KindDiff;
  readonly memberships: KindDiff;
  readonly guards: Writes;
  readonly resources: { readonly put: { User: RawItem[]; Group: RawItem[] }; readonly delete: Key[] };
  readonly members: Writes;
  readonly counters: Writes & { readonly before: { users: number; groups: number }; readonly after: { users: number; groups: number } };
  readonly purgeTasks: Writes;
  readonly bookmarks: Key[];
}

/** Canonical JSON (sorted keys): two items are equal when their canonical forms are. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof Set))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  if (v instanceof Set) return canonical([...(v as Set<unknown>)].sort());
  return JSON.stringify(v) ?? 'null';
}

const keyText = (k: Key) => `${k.PK}\n${k.SK}`;

/** Puts and deletes that turn `live` into `wanted` (items matched by key). */
function diffItems(wanted: readonly RawItem[], live: readonly RawItem[]): Writes & { diff: KindDiff } {
  const current = new Map(live.map((i) => [keyText(keyOf(i)), i]));
  const put: RawItem[] = [];
  const diff: KindDiff = { bringBack: 0, remove: 0, change: 0, unchanged: 0 };
  for (const w of wanted) {
    const k = keyText(keyOf(w));
    const c = current.get(k);
    current.delete(k);
    if (!c) diff.bringBack++;
    else if (canonical(c) !== canonical(w)) diff.change++;
    else {
      diff.unchanged++;
      continue;
    }
    put.push(w);
  }
  diff.remove = current.size;
  return { put, delete: [...current.values()].map(keyOf), diff };
}

async function allResources(ctx: StoreContext, connector: string, kind: ResourceKind): Promise<RawItem[]> {
  const out: RawItem[] = [];
  for await (const page of resourceItemPages(ctx, connector, kind)) out.push(...page);
  return out;
}

const total = (counters: readonly RawItem[], kind: 'USER' | 'GROUP') =>
  counters.filter((c) => String(c.SK).startsWith(`${kind}#`)).reduce((n, c) => n + Number(c.n ?? 0), 0);

/** Runs `fn` over `items` with at most `parallel` in flight. */
async function inParallel<T, R>(items: readonly T[], parallel: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
    }),
  );
  return out;
}

/**
 * The connector's page bookmarks that may still be used. They have no partition to query, so
 * finding them is a Scan of the whole table — skipped when none can be live: the connector has
 * been paused for longer than a bookmark lives (15 min; expired ones are never read,
 * store/paging.ts), which is the runbook's case, since a point-in-time restore alone takes longer.
 */
async function liveBookmarks(live: StoreContext, connector: string): Promise<Key[]> {
  const state = await readConnectorState(live, connector, { consistent: true });
  const pausedFor = state.paused && state.since ? live.now().getTime() - Date.parse(state.since) : 0;
  return pausedFor > live.bookmarkTtlSeconds * 1000 ? [] : bookmarkKeys(live, connector);
}

/** Reads the connector in both tables and plans the writes; writes nothing. */
export async function planRestore(source: StoreContext, live: StoreContext, connector: string): Promise<RestorePlan> {
  const [srcUsers, srcGroups, liveUsers, liveGroups] = await Promise.all([
    allResources(source, connector, 'User'),
    allResources(source, connector, 'Group'),
    allResources(live, connector, 'User'),
    allResources(live, connector, 'Group'),
  ]);
  const users = diffItems(srcUsers, liveUsers);
  const groups = diffItems(srcGroups, liveGroups);

  const [srcGuards, liveGuards] = await Promise.all([
    guardItemsOf(source, connector, [...srcUsers, ...srcGroups]),
    guardItemsOf(live, connector, [...liveUsers, ...liveGroups]),
  ]);
  const guards = diffItems(srcGuards, liveGuards);

  // Member items of every group either table has (a group deleted live may still hold some).
  const groupIds = [...new Set([...srcGroups, ...liveGroups].map((g) => String(g.id)))];
  const srcIds = new Set(srcGroups.map((g) => String(g.id)));
  const perGroup = await inParallel(groupIds, 8, async (gid) => {
    const [want, have] = await Promise.all([srcIds.has(gid) ? memberItemsOf(source, connector, gid) : Promise.resolve([]), memberItemsOf(live, connector, gid)]);
    return diffItems(want, have);
  });
  const memberships: KindDiff = { bringBack: 0, remove: 0, change: 0, unchanged: 0 };
  const members: Writes = { put: [], delete: [] };
  for (const d of perGroup) {
    for (const k of ['bringBack', 'remove', 'change', 'unchanged'] as const) memberships[k] += d.diff[k];
    members.put.push(...d.put);
    members.delete.push(...d.delete);
  }

  const [srcCounters, liveCounters, srcTasks, liveTasks, bookmarks] = await Promise.all([
    counterItems(source, connector),
    counterItems(live, connector),
    purgeTaskItems(source, connector),
    purgeTaskItems(live, connector),
    liveBookmarks(live, connector),
  ]);
  const counters = diffItems(srcCounters, liveCounters);

  // Purge tasks: the copy's come back; a live one of a resource the copy has is dropped; others stay.
  const inCopy = new Set([...srcUsers, ...srcGroups].map((r) => `${String(r.kind)}:${String(r.id)}`));
  const liveTaskKeys = new Set(liveTasks.map((t) => keyText(keyOf(t))));
  const purgeTasks: Writes = {
    put: srcTasks.filter((t) => !liveTaskKeys.has(keyText(keyOf(t)))),
    delete: liveTasks.filter((t) => inCopy.has(`${String(t.kind)}:${String(t.id)}`)).map(keyOf),
  };

  return {
    connector,
    users: users.diff,
    groups: groups.diff,
    memberships,
    guards: { put: guards.put, delete: guards.delete },
    resources: {
      put: { User: users.put, Group: groups.put },
      delete: [...users.delete, ...groups.delete],
    },
    members,
    counters: {
      put: counters.put,
      delete: counters.delete,
      before: { users: total(liveCounters, 'USER'), groups: total(liveCounters, 'GROUP') },
      after: { users: total(srcCounters, 'USER'), groups: total(srcCounters, 'GROUP') },
    },
    purgeTasks,
    bookmarks,
  };
}

/** Items the plan writes (puts + deletes). */
export function planSize(p: RestorePlan): number {
  return (
    p.purgeTasks.delete.length +
    p.guards.delete.length +
    p.resources.delete.length +
    p.resources.put.User.length +
    p.resources.put.Group.length +
    p.guards.put.length +
    p.members.delete.length +
    p.members.put.length +
    p.counters.put.length +
    p.counters.delete.length +
    p.purgeTasks.put.length +
    p.bookmarks.length
  );
}

export interface ApplyOptions {
  /** Stops before the next batch of writes (Ctrl-C); the same command continues. */
  readonly signal?: AbortSignal;
  /** After every batch: items written so far of `total`. */
  readonly onProgress?: (written: number, total: number) => void;
  /** BatchWriteItem calls in flight. Default 8. */
  readonly parallel?: number;
}

/** Writes the plan in order; returns the items written and whether it got to the end. */
export async function applyRestore(live: StoreContext, p: RestorePlan, o: ApplyOptions = {}): Promise<{ written: number; completed: boolean }> {
  const parallel = o.parallel ?? 8;
  const step = 25 * parallel;
  const all = planSize(p);
  let written = 0;
  const steps: [kind: 'put' | 'delete', list: readonly (RawItem | Key)[]][] = [
    ['delete', p.purgeTasks.delete],
    ['delete', p.guards.delete],
    ['delete', p.resources.delete],
    ['put', p.resources.put.User],
    ['put', p.resources.put.Group],
    ['put', p.guards.put],
    ['delete', p.members.delete],
    ['put', p.members.put],
    ['put', p.counters.put],
    ['delete', p.counters.delete],
    ['put', p.purgeTasks.put],
    ['delete', p.bookmarks],
  ];
  for (const [kind, list] of steps) {
    for (let i = 0; i < list.length; i += step) {
      if (o.signal?.aborted) return { written, completed: false };
      const chunk = list.slice(i, i + step);
      if (kind === 'put') await batchPut(live, chunk as RawItem[], parallel);
      else await batchDelete(live, chunk as Key[], parallel);
      written += chunk.length;
      o.onProgress?.(written, all);
    }
  }
  return { written, completed: true };
}

/** The summary a dry run prints, and a real run ends with. */
export function renderPlan(p: RestorePlan): string {
  const row = (name: string, d: KindDiff) =>
    `${name.padEnd(12)}${String(d.bringBack).padStart(12)}${String(d.remove).padStart(8)}${String(d.change).padStart(8)}${String(d.unchanged).padStart(11)}`;
  const lines = [
    `${''.padEnd(12)}${'bring back'.padStart(12)}${'remove'.padStart(8)}${'change'.padStart(8)}${'unchanged'.padStart(11)}`,
    row('users', p.users),
    row('groups', p.groups),
    row('memberships', p.memberships),
    `uniqueness guards: ${p.guards.put.length} to write, ${p.guards.delete.length} to delete`,
    `counters: users ${p.counters.before.users} → ${p.counters.after.users}, groups ${p.counters.before.groups} → ${p.counters.after.groups}`,
    `purge tasks: ${p.purgeTasks.delete.length} dropped (their resources come back), ${p.purgeTasks.put.length} from the copy`,
    `page bookmarks: ${p.bookmarks.length} deleted`,
    `items to write: ${planSize(p)}`,
  ];
  return lines.join('\n') + '\n';
}
