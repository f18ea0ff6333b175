/**
 * The purge sweeper: finishes the membership clean-up that deletes leave behind.
 *
 * A DELETE removes the resource, its guards and counter and records a purge task in one
 * transaction, then deletes at most `inlinePurgeItems` (2,000) membership items in the request
 * (lambdas/store/repository.ts `delete`). A larger group leaves the rest of its member items, and
 * the task, for later; a retried DELETE or this sweeper finishes them.
 *
 * One run: for each connector (the rotation `startIndex` picks which goes first, so a large
 * backlog in one connector cannot starve the others run after run), list its pending tasks and
 * purge each in chunks of `chunkItems` until the task is done. Before every chunk the time left is
 * checked; below `reserveMs` the run stops and the next run resumes where this one left off (the
 * purge task and whatever member items remain are the whole state: nothing else to persist).
 * Purging is idempotent (deletes of member items; edge deletes conditioned on existence), so runs
 * that overlap, or that race a retried DELETE, cannot double-count.
 *
 * A task that fails (storage error, or the store refusing to purge a resource that still exists)
 * is recorded in `failures` and the sweep moves on to the next task; a connector whose task list
 * cannot be read is skipped. The caller decides what a failure means (the Lambda entry fails the
 * invocation after logging the summary, which raises the errors alarm).
 *
 * No telemetry here: the entry (lambdas/handlers/purge-sweeper.ts) logs and publishes metrics
 * from the returned counts. Only connectors passed in are swept: tasks of a connector removed
 * from the deployment stay until it is added back (or `npm run admin` is run against it).
 */
import type { ResourceKind } from '../store/keys.js';
import type { ScimStore } from '../store/store.js';

/** How often the stack runs the sweeper (lib/constructs/purge-sweeper.ts), in minutes. */
export const PURGE_SWEEP_RATE_MINUTES = 15;

export const PURGE_SWEEP_DEFAULTS = {
  /** Items per purge call (a group's member items: 40 BatchWriteItem calls of 25). */
  chunkItems: 1000,
  /** Tasks read per Query of a connector's purge partition. */
  listLimit: 100,
  /**
   * No new chunk starts with less time left than this: a chunk is a few seconds on a healthy table,
   * and a throttled one retries (SDK attempts × request timeout) before it gives up.
   */
  reserveMs: 30_000,
} as const;

/**
 * EMF metric names of the sweeper (namespace `METRIC_NAMESPACE`, dimension `service` only, unit
 * Count), one datapoint each per run: shared by the entry that publishes them and the construct
 * that charts them (lib/constructs/purge-sweeper.ts).
 */
export const PURGE_SWEEP_METRICS = {
  /** Tasks seen in this run and not finished by it (time budget, failure). */
  pending: 'PurgeTasksPending',
  /** Tasks finished by this run. */
  finished: 'PurgeTasksFinished',
  /** Membership items deleted by this run. */
  itemsDeleted: 'PurgeItemsDeleted',
} as const;

export interface PurgeSweepOptions {
  /** Milliseconds the caller has left (Lambda: `context.getRemainingTimeInMillis`). Default: no limit. */
  readonly remainingMs?: () => number;
  /** Stop before a chunk when `remainingMs()` is below this. Default `PURGE_SWEEP_DEFAULTS.reserveMs`. */
  readonly reserveMs?: number;
  /** Items per purge call. Default `PURGE_SWEEP_DEFAULTS.chunkItems`. */
  readonly chunkItems?: number;
  /** Tasks listed per Query. Default `PURGE_SWEEP_DEFAULTS.listLimit`. */
  readonly listLimit?: number;
  /** Index (mod the connector count) of the connector swept first. Default 0. */
  readonly startIndex?: number;
}

export interface PurgeSweepFailure {
  readonly connector: string;
  /** The task, when the failure was purging one (absent: listing the connector's tasks failed). */
  readonly task?: { readonly kind: ResourceKind; readonly id: string };
  readonly error: unknown;
}

export interface ConnectorSweep {
  readonly connector: string;
  tasksSeen: number;
  tasksFinished: number;
  itemsDeleted: number;
}

export interface PurgeSweepResult {
  /** Connectors whose task list was read in this run. */
  connectorsSwept: number;
  tasksSeen: number;
  tasksFinished: number;
  itemsDeleted: number;
  /** `tasksSeen - tasksFinished`: left for the next run (a lower bound when the time ran out). */
  tasksPending: number;
  /** The time budget ran out before every task seen (or every connector) was done. */
  timedOut: boolean;
  failures: PurgeSweepFailure[];
  /** Connectors where there was something to do, in sweep order. */
  connectors: ConnectorSweep[];
}

class OutOfTime extends Error {}

/** Finishes the pending purges of `connectors` within the time budget. */
export async function sweepPendingPurges(store: ScimStore, connectors: readonly string[], opts: PurgeSweepOptions = {}): Promise<PurgeSweepResult> {
  const remainingMs = opts.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const reserveMs = opts.reserveMs ?? PURGE_SWEEP_DEFAULTS.reserveMs;
  const chunkItems = Math.max(1, opts.chunkItems ?? PURGE_SWEEP_DEFAULTS.chunkItems);
  const listLimit = Math.max(1, opts.listLimit ?? PURGE_SWEEP_DEFAULTS.listLimit);
  const checkTime = (): void => {
    if (remainingMs() < reserveMs) throw new OutOfTime();
  };

  const result: PurgeSweepResult = {
    connectorsSwept: 0,
    tasksSeen: 0,
    tasksFinished: 0,
    itemsDeleted: 0,
    tasksPending: 0,
    timedOut: false,
    failures: [],
    connectors: [],
  };
  const n = connectors.length;
  const first = n === 0 ? 0 : (((opts.startIndex ?? 0) % n) + n) % n;
  const order = [...connectors.slice(first), ...connectors.slice(0, first)];

  try {
    for (const connector of order) {
      checkTime();
      const c: ConnectorSweep = { connector, tasksSeen: 0, tasksFinished: 0, itemsDeleted: 0 };
      try {
        await sweepConnector(store, c, { chunkItems, listLimit, checkTime, failures: result.failures });
      } finally {
        result.connectorsSwept++;
        if (c.tasksSeen > 0) result.connectors.push(c);
        result.tasksSeen += c.tasksSeen;
        result.tasksFinished += c.tasksFinished;
        result.itemsDeleted += c.itemsDeleted;
      }
    }
  } catch (e) {
    if (!(e instanceof OutOfTime)) throw e;
    result.timedOut = true;
  }
  result.tasksPending = result.tasksSeen - result.tasksFinished;
  return result;
}

async function sweepConnector(
  store: ScimStore,
  c: ConnectorSweep,
  o: { chunkItems: number; listLimit: number; checkTime: () => void; failures: PurgeSweepFailure[] },
): Promise<void> {
  // Finished tasks leave the partition, so each listing shows the next ones; tasks already tried
  // in this run (failed) are not tried again, and a listing with nothing new ends the connector.
  const tried = new Set<string>();
  for (;;) {
    let tasks: { kind: ResourceKind; id: string }[];
    try {
      tasks = await store.repo.pendingPurges(c.connector, o.listLimit);
    } catch (error) {
      o.failures.push({ connector: c.connector, error });
      return;
    }
    const fresh = tasks.filter((t) => !tried.has(`${t.kind}:${t.id}`));
    if (fresh.length === 0) return;
    for (const task of fresh) {
      tried.add(`${task.kind}:${task.id}`);
      c.tasksSeen++;
      try {
        for (;;) {
          o.checkTime();
          const r = await store.repo.purge(c.connector, task.kind, task.id, { maxItems: o.chunkItems });
          c.itemsDeleted += r.deleted;
          if (r.done) {
            c.tasksFinished++;
            break;
          }
        }
      } catch (error) {
        if (error instanceof OutOfTime) throw error;
        o.failures.push({ connector: c.connector, task, error });
      }
    }
    if (tasks.length < o.listLimit) return;
  }
}
