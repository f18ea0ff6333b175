/**
 * The webhook delivery function's logic (entry: lambdas/handlers/webhooks.ts), separate so tests
 * run it with a real loopback receiver and fakes for SQS and Secrets Manager.
 *
 * Each SQS message is one EventBridge event of a webhook connector (an EventBridge rule per
 * connector puts them on that connector's queue). For each message, in order:
 *  - body = the envelope (`source`, `detail-type`, `time`, `detail`: the same JSON `npm start`
 *    writes), POSTed signed to the connector's URL with a 10 s timeout (post.ts);
 *  - 2xx: done (the event source mapping deletes the message);
 *  - anything else: a failed attempt. The message is reported in `batchItemFailures` (partial batch
 *    response) and hidden for the schedule's next delay (retry.ts) with ChangeMessageVisibility;
 *    after the last attempt it is made visible at once and the queue's redrive policy
 *    (maxReceiveCount = attempts) moves it to the dead-letter queue.
 * Once a connector's delivery failed in a batch, its later messages in that batch are not tried
 * (the receiver is down or failing; trying would cost a timeout each and let later events overtake
 * the failed one) but get the same treatment, except a message on its last attempt, which is tried.
 *
 * Telemetry: one JSON log line per failure (connector, eventId, kind, attempt, status or error,
 * the URL's origin only, never the body or a secret) and, per connector and invocation, one EMF
 * line (`WEBHOOK_METRICS`, dimensions `{service, connector}`).
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { envelope, type ChangeEvent } from '../events/schema.js';
import { CONNECTOR_DIMENSION, METRIC_NAMESPACE, SERVICE_NAME } from '../http/metric-names.js';
import { WEBHOOK_METRICS } from './names.js';
import { postSigned, urlOrigin, WEBHOOK_TIMEOUT_MS } from './post.js';
import { AWS_RETRY_DELAYS_SECONDS, MAX_VISIBILITY_SECONDS, retryDelay } from './retry.js';
import { signingSecrets, type SigningSecretSet } from './secret.js';

export interface SigningSecretSource {
  get(connector: string): Promise<SigningSecretSet>;
}

export interface VisibilityChange {
  readonly id: string;
  readonly receiptHandle: string;
  readonly seconds: number;
}

export interface VisibilityPort {
  /** ChangeMessageVisibility for messages of one queue (ARN as in the SQS record). */
  change(queueArn: string, changes: readonly VisibilityChange[]): Promise<void>;
}

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

export interface DeliveryDeps {
  /** connector → webhook URL. */
  readonly webhooks: ReadonlyMap<string, string>;
  readonly secrets: SigningSecretSource;
  readonly visibility: VisibilityPort;
  readonly fetchImpl?: typeof fetch;
  readonly now?: () => Date;
  readonly timeoutMs?: number;
  /** Delays after each failed attempt (seconds); default AWS_RETRY_DELAYS_SECONDS. */
  readonly schedule?: readonly number[];
  /** One JSON line (log or EMF); default standard output. */
  readonly write?: (line: string) => void;
}

interface ConnectorCounts {
  delivered: number;
  failedAttempts: number;
  deadLettered: number;
  latencies: number[];
}

interface Parsed {
  readonly source: string;
  readonly detail: ChangeEvent;
}

function parse(record: SQSRecord): Parsed | undefined {
  try {
    const e = JSON.parse(record.body) as { source?: unknown; detail?: unknown };
    const d = e.detail as Partial<ChangeEvent> | undefined;
    if (typeof e.source !== 'string' || !d || typeof d.eventId !== 'string' || typeof d.connector !== 'string' || typeof d.kind !== 'string' || typeof d.time !== 'string') return undefined;
    return { source: e.source, detail: d as ChangeEvent };
  } catch {
    return undefined;
  }
}

export function makeDeliveryHandler(deps: DeliveryDeps) {
  const now = deps.now ?? (() => new Date());
  const schedule = deps.schedule ?? AWS_RETRY_DELAYS_SECONDS;
  const write = deps.write ?? ((line: string) => void process.stdout.write(line));
  const log = (level: LogLevel, message: string, fields: Record<string, unknown>) =>
    write(JSON.stringify({ level, message, timestamp: now().toISOString(), service: SERVICE_NAME, handler: 'webhooks', ...fields }) + '\n');

  return async (event: Pick<SQSEvent, 'Records'>): Promise<SQSBatchResponse> => {
    const failures: { itemIdentifier: string }[] = [];
    const changes = new Map<string, VisibilityChange[]>();
    const counts = new Map<string, ConnectorCounts>();
    const failedConnectors = new Set<string>();
    const countsOf = (c: string): ConnectorCounts => {
      let x = counts.get(c);
      if (!x) counts.set(c, (x = { delivered: 0, failedAttempts: 0, deadLettered: 0, latencies: [] }));
      return x;
    };
    const retryLater = (record: SQSRecord, seconds: number) => {
      failures.push({ itemIdentifier: record.messageId });
      const list = changes.get(record.eventSourceARN) ?? [];
      list.push({ id: record.messageId, receiptHandle: record.receiptHandle, seconds });
      changes.set(record.eventSourceARN, list);
    };

    for (const record of event.Records) {
      const attempt = Math.max(1, Number(record.attributes?.ApproximateReceiveCount) || 1);
      const parsed = parse(record);
      const url = parsed ? deps.webhooks.get(parsed.detail.connector) : undefined;
      if (!parsed || !url) {
        // Nothing can deliver it: straight back to the queue, so the redrive policy moves it to the
        // dead-letter queue (kept, alarmed) after its receives rather than a day of retries.
        log('ERROR', 'webhook message not deliverable', {
          messageId: record.messageId,
          reason: parsed ? `connector ${parsed.detail.connector} has no webhook in this deployment` : 'not a change event',
          ...(parsed ? { connector: parsed.detail.connector, eventId: parsed.detail.eventId } : {}),
        });
        retryLater(record, 0);
        continue;
      }
      const { detail } = parsed;
      const connector = detail.connector;
      const c = countsOf(connector);
      const next = retryDelay(schedule, attempt);
      const fields = { connector, eventId: detail.eventId, kind: detail.kind, attempt, url: urlOrigin(url) };

      if (failedConnectors.has(connector) && next !== undefined) {
        retryLater(record, Math.min(next, MAX_VISIBILITY_SECONDS));
        continue;
      }

      let error: string;
      let status: number | undefined;
      try {
        const set = await deps.secrets.get(connector);
        const at = now();
        const r = await postSigned({
          url,
          body: JSON.stringify(envelope(detail, parsed.source)),
          eventId: detail.eventId,
          secrets: signingSecrets(set, at),
          now: at,
          timeoutMs: deps.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
          ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
        });
        if (r.ok) {
          c.delivered++;
          const t = Date.parse(detail.time);
          if (!Number.isNaN(t)) c.latencies.push(Math.max(0, now().getTime() - t));
          continue;
        }
        error = r.error;
        status = r.status;
      } catch (e) {
        // The signing secret could not be read (or is malformed): an attempt that failed on our side.
        error = `signing secret unavailable: ${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`;
      }
      c.failedAttempts++;
      failedConnectors.add(connector);
      if (next === undefined) {
        c.deadLettered++;
        log('ERROR', 'webhook delivery gave up: the event goes to the dead-letter queue', { ...fields, ...(status !== undefined ? { status } : {}), error });
        retryLater(record, 0);
      } else {
        log('WARN', 'webhook delivery failed; retried later', { ...fields, ...(status !== undefined ? { status } : {}), error, nextAttemptInSeconds: next });
        retryLater(record, Math.min(next, MAX_VISIBILITY_SECONDS));
      }
    }

    for (const [queueArn, list] of changes) {
      try {
        await deps.visibility.change(queueArn, list);
      } catch (e) {
        // The messages still come back (after the queue's visibility timeout): a later retry, not a loss.
        log('WARN', 'could not set the retry delay of failed webhook messages', { queueArn, messages: list.length, errorName: (e as Error)?.name, errorMessage: (e as Error)?.message });
      }
    }

    const at = now().getTime();
    for (const [connector, c] of counts) {
      const metrics: { Name: string; Unit: string }[] = [];
      const line: Record<string, unknown> = { service: SERVICE_NAME, [CONNECTOR_DIMENSION]: connector };
      const put = (name: string, unit: string, value: number | number[]) => {
        metrics.push({ Name: name, Unit: unit });
        line[name] = value;
      };
      if (c.delivered > 0) put(WEBHOOK_METRICS.delivered, 'Count', c.delivered);
      if (c.failedAttempts > 0) put(WEBHOOK_METRICS.failedAttempts, 'Count', c.failedAttempts);
      if (c.deadLettered > 0) put(WEBHOOK_METRICS.deadLettered, 'Count', c.deadLettered);
      if (c.latencies.length > 0) put(WEBHOOK_METRICS.latency, 'Milliseconds', c.latencies);
      if (metrics.length === 0) continue;
      write(
        JSON.stringify({
          _aws: { Timestamp: at, CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [['service', CONNECTOR_DIMENSION]], Metrics: metrics }] },
          level: 'INFO',
          message: 'webhook deliveries',
          ...line,
        }) + '\n',
      );
    }
    return { batchItemFailures: failures };
  };
}

/** `arn:aws:sqs:<region>:<account>:<name>` → its queue URL. */
export function queueUrlFromArn(arn: string): string {
  const [, partition, , region, account, name] = arn.split(':');
  if (!partition || !region || !account || !name) throw new Error(`not an SQS queue ARN: ${arn}`);
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}
