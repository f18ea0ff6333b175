/**
 * Where `npm start` delivers change events: one JSON line per event appended to
 * `${SCIM_LOCAL_DIR}/events.jsonl`; each webhook connector's events to its URL, signed, with
 * retries (bin/local/webhooks.ts, the same envelope, headers and signature as on AWS); and — when
 * `SCIM_WEBHOOK_URL` is set — a POST of every event to that URL (a tap for all connectors). The
 * line is what an EventBridge rule target receives (`source`, `detail-type`, `time`, `detail`; the
 * AWS envelope fields `account`/`region`/`resources` have no local meaning).
 *
 * The records go through the same mapping as the Lambda publisher (lambdas/events/mapping.ts).
 * Tap failures are retried a few times, then reported and skipped: a local sink must never stop
 * the endpoint.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { toChangeEventsAll, type StreamRecordLike } from '../../lambdas/events/mapping.js';
import { envelope, type ChangeEvent, type ChangeEventEnvelope } from '../../lambdas/events/schema.js';
import { EVENT_ID_HEADER } from '../../lambdas/webhooks/signature.js';
import type { LocalWebhooks } from './webhooks.js';

export const WEBHOOK_ENV = 'SCIM_WEBHOOK_URL';

export type LocalEventEnvelope = ChangeEventEnvelope;
export { envelope };

export interface EventSinkOptions {
  readonly file: string;
  /** The `SCIM_WEBHOOK_URL` tap: every event of every connector, unsigned. */
  readonly webhookUrl?: string;
  readonly onWebhookError?: (message: string) => void;
  readonly fetchImpl?: typeof fetch;
  /** The webhook connectors' signed deliveries (queued; never awaited here). */
  readonly webhooks?: LocalWebhooks;
}

export class EventSink {
  constructor(private readonly o: EventSinkOptions) {
    mkdirSync(dirname(o.file), { recursive: true });
    if (o.webhookUrl) new URL(o.webhookUrl); // fail at start on a malformed URL
  }

  async handle(records: readonly StreamRecordLike[]): Promise<ChangeEvent[]> {
    const events = toChangeEventsAll(records);
    await this.emit(events);
    return events;
  }

  /** Events from elsewhere than the stream (a resync): the same file, webhooks and tap. */
  async emit(events: readonly ChangeEvent[]): Promise<void> {
    if (events.length === 0) return;
    appendFileSync(this.o.file, events.map((e) => JSON.stringify(envelope(e)) + '\n').join(''));
    this.o.webhooks?.enqueue(events);
    if (this.o.webhookUrl) for (const e of events) await this.post(envelope(e));
  }

  private async post(line: LocalEventEnvelope): Promise<void> {
    const f = this.o.fetchImpl ?? fetch;
    let last = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const res = await f(this.o.webhookUrl!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-scim-event-id': line.detail.eventId, [EVENT_ID_HEADER]: line.detail.eventId },
          body: JSON.stringify(line),
          signal: AbortSignal.timeout(5000),
        });
        if (res.ok) return;
        last = `HTTP ${res.status}`;
      } catch (e) {
        last = (e as Error).message;
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
    this.o.onWebhookError?.(`webhook ${this.o.webhookUrl} failed for event ${line.detail.eventId} (${line['detail-type']}): ${last}`);
  }
}
