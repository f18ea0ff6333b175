/**
 * Lambda entry: the scheduled purge sweeper (lib/constructs/purge-sweeper.ts runs it every
 * `PURGE_SWEEP_RATE_MINUTES`). Finishes the membership clean-up of deleted groups and users that
 * did not fit in their DELETE request, for every deployed connector, within the invocation's time
 * (lambdas/provisioning/purge-sweeper.ts).
 *
 * Env (set by the CDK stack): `SCIM_CONNECTORS`, `SCIM_TABLE_NAME`; `DYNAMODB_ENDPOINT` only locally.
 *
 * Per run: one INFO "purge sweep" log line with the counts (connectors and ids only, never
 * attribute values), and three EMF metrics (`PURGE_SWEEP_METRICS`, dimension `service`). A run
 * with failures logs them, then fails the invocation so the function's Errors metric (and its
 * alarm) sees it; the next scheduled run retries (the stack turns off Lambda's own async retries).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { connectorsFromEnv } from '../connectors/deployed.js';
import { documentClient, TABLE_NAME_ENV } from '../http/app.js';
import { METRIC_NAMESPACE, SERVICE_NAME } from '../http/metric-names.js';
import { PURGE_SWEEP_METRICS, PURGE_SWEEP_RATE_MINUTES, sweepPendingPurges, type PurgeSweepOptions } from '../provisioning/purge-sweeper.js';
import { ScimStore } from '../store/store.js';
import { TABLE } from '../store/table.js';

export interface PurgeSweeperDeps {
  readonly store: ScimStore;
  readonly connectors: readonly string[];
  readonly logger: Pick<Logger, 'info' | 'error'>;
  /** Default: none (tests); the Lambda entry passes Powertools Metrics. */
  readonly metrics?: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
  /** Overrides of the sweep settings (tests use small chunks). */
  readonly sweep?: Omit<PurgeSweepOptions, 'remainingMs' | 'startIndex'>;
}

/** Errors named in the log line, at most (the rest are counted). */
const LOGGED_FAILURES = 10;

export function makePurgeSweeperHandler(deps: PurgeSweeperDeps) {
  return async (event: Partial<Pick<ScheduledEvent, 'time'>> = {}, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const at = Date.parse(event.time ?? '') || Date.now();
    const r = await sweepPendingPurges(deps.store, deps.connectors, {
      ...deps.sweep,
      ...(typeof context?.getRemainingTimeInMillis === 'function' ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
      // Runs take turns at which connector goes first.
      startIndex: Math.floor(at / (PURGE_SWEEP_RATE_MINUTES * 60_000)),
    });
    const summary = {
      connectorsSwept: r.connectorsSwept,
      connectorsTotal: deps.connectors.length,
      tasksSeen: r.tasksSeen,
      tasksFinished: r.tasksFinished,
      tasksPending: r.tasksPending,
      itemsDeleted: r.itemsDeleted,
      timedOut: r.timedOut,
      failures: r.failures.length,
      perConnector: r.connectors,
    };
    if (r.failures.length > 0) {
      deps.logger.error('purge sweep', {
        ...summary,
        failed: r.failures.slice(0, LOGGED_FAILURES).map((f) => ({
          connector: f.connector,
          ...(f.task ? { kind: f.task.kind, id: f.task.id } : {}),
          errorName: (f.error as Error)?.name,
          errorMessage: (f.error as Error)?.message,
        })),
      });
    } else {
      deps.logger.info('purge sweep', summary);
    }
    if (deps.metrics) {
      deps.metrics.addMetric(PURGE_SWEEP_METRICS.pending, MetricUnit.Count, r.tasksPending);
      deps.metrics.addMetric(PURGE_SWEEP_METRICS.finished, MetricUnit.Count, r.tasksFinished);
      deps.metrics.addMetric(PURGE_SWEEP_METRICS.itemsDeleted, MetricUnit.Count, r.itemsDeleted);
      deps.metrics.publishStoredMetrics();
    }
    if (r.failures.length > 0) throw new Error(`purge sweep: ${r.failures.length} failure(s), see the "purge sweep" log line`);
    return summary;
  };
}

/** Built on the first invocation (a misconfigured environment fails that invocation, by name). */
let built: ReturnType<typeof makePurgeSweeperHandler> | undefined;

export const handler = (event: ScheduledEvent, context: Context) => {
  built ??= makePurgeSweeperHandler({
    store: new ScimStore({ doc: documentClient(process.env.DYNAMODB_ENDPOINT), tableName: process.env[TABLE_NAME_ENV] ?? TABLE.defaultName }),
    connectors: connectorsFromEnv().map((c) => c.name),
    logger: new Logger({ serviceName: SERVICE_NAME, persistentKeys: { handler: 'purge-sweeper' } }),
    metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME }),
  });
  return built(event, context);
};
