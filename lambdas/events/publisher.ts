/**
 * Publishes change events to the custom EventBridge bus with PutEvents.
 *
 * PutEvents takes ≤ 10 entries and ≤ 256 KiB per call and can fail some entries while accepting the
 * others (`FailedEntryCount`). Failed entries — only those — are retried with exponential backoff
 * and full jitter; when they still fail the publish throws, so the stream event source mapping
 * retries the batch (bisecting it to isolate a poison record) and finally hands it to the on-failure
 * SQS dead-letter queue. Entries already accepted are then published again: delivery is
 * at-least-once and consumers deduplicate on `eventId`.
 *
 * Calls are sequential and in event order, so events of one resource leave in stream order.
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { entrySize, fitEvent, MAX_ENTRY_BYTES } from './mapping.js';
import { DEFAULT_EVENT_SOURCE, type ChangeEvent } from './schema.js';

export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_BYTES_PER_CALL = 256 * 1024;

export interface PublisherOptions {
  readonly client: Pick<EventBridgeClient, 'send'>;
  /** Name or ARN of the custom bus. */
  readonly busName: string;
  readonly source?: string;
  /** Attempts per chunk, the first included (default 5). */
  readonly maxAttempts?: number;
  /** First backoff (default 100 ms; doubles per attempt, capped at 5 s, full jitter). */
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export class PublishError extends Error {
  constructor(
    message: string,
    readonly failed: readonly { eventId: string; errorCode?: string; errorMessage?: string }[],
  ) {
    super(message);
    this.name = 'PublishError';
  }
}

export interface PublishResult {
  readonly published: number;
  readonly calls: number;
  readonly retried: number;
}

/** Splits entries into PutEvents calls of ≤ 10 entries and ≤ 256 KiB, keeping the order. */
export function chunkEntries<T>(items: readonly T[], size: (t: T) => number, maxEntries = MAX_ENTRIES_PER_CALL, maxBytes = MAX_BYTES_PER_CALL): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const s = size(item);
    if (cur.length > 0 && (cur.length >= maxEntries || bytes + s > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(item);
    bytes += s;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

export class EventPublisher {
  private readonly source: string;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly o: PublisherOptions) {
    this.source = o.source ?? DEFAULT_EVENT_SOURCE;
    this.maxAttempts = Math.max(1, o.maxAttempts ?? 5);
    this.baseDelayMs = o.baseDelayMs ?? 100;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = o.random ?? Math.random;
  }

  /** The PutEvents entry of one event (`detail-type` = the event kind). */
  entry(event: ChangeEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.o.busName,
      Source: this.source,
      DetailType: event.kind,
      Detail: JSON.stringify(event),
      Time: new Date(event.time),
    };
  }

  async publish(events: readonly ChangeEvent[]): Promise<PublishResult> {
    const fitted = events.map((e) => fitEvent(this.source, e, MAX_ENTRY_BYTES));
    const chunks = chunkEntries(fitted, (e) => entrySize(this.source, e));
    let calls = 0;
    let retried = 0;
    for (const chunk of chunks) {
      let pending = chunk;
      for (let attempt = 1; ; attempt++) {
        calls++;
        let failed: { event: ChangeEvent; errorCode?: string; errorMessage?: string }[];
        try {
          const res = await this.o.client.send(new PutEventsCommand({ Entries: pending.map((e) => this.entry(e)) }));
          const results = res.Entries ?? [];
          failed = (res.FailedEntryCount ?? 0) === 0 ? [] : pending.flatMap((event, i) => {
            const r = results[i];
            // A missing result entry counts as failed: never assume success.
            if (r && r.EventId && !r.ErrorCode) return [];
            return [{ event, ...(r?.ErrorCode ? { errorCode: r.ErrorCode } : {}), ...(r?.ErrorMessage ? { errorMessage: r.ErrorMessage } : {}) }];
          });
        } catch (e) {
          // The SDK already retried throttling/5xx; one more round of ours, then give up.
          failed = pending.map((event) => ({ event, errorCode: (e as Error)?.name ?? 'Error', errorMessage: (e as Error)?.message ?? String(e) }));
        }
        if (failed.length === 0) break;
        if (attempt >= this.maxAttempts) {
          const codes = [...new Set(failed.map((f) => f.errorCode ?? 'unknown'))].join(', ');
          throw new PublishError(
            `PutEvents: ${failed.length} of ${chunk.length} entries still failing after ${attempt} attempts (${codes})`,
            failed.map((f) => ({ eventId: f.event.eventId, ...(f.errorCode ? { errorCode: f.errorCode } : {}), ...(f.errorMessage ? { errorMessage: f.errorMessage } : {}) })),
          );
        }
        retried += failed.length;
        pending = failed.map((f) => f.event);
        const cap = Math.min(5000, this.baseDelayMs * 2 ** (attempt - 1));
        await this.sleep(Math.floor(this.random() * cap));
      }
    }
    return { published: fitted.length, calls, retried };
  }
}
