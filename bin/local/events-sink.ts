/**
 * Where `npm start` delivers change events: one JSON line per event appended to
 * `${SCIM_LOCAL_DIR}/events.jsonl`, and — when `SCIM_WEBHOOK_URL` is set — a POST of the same JSON
 * to that URL. The line is what an EventBridge rule target receives (`source`, `detail-type`,
 * `time`, `detail`; the AWS envelope fields `account`/`region`/`resources` have no local meaning).
 *
 * The records go through the same mapping as the Lambda publisher (lambdas/events/mapping.ts).
 * Webhook failures are retried a few times, then reported and skipped: a local sink must never stop
 * the endpoint.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { toChangeEventsAll, type StreamRecordLike } from '../../lambdas/events/mapping.js';
import { DEFAULT_EVENT_SOURCE, type ChangeEvent } from '../../lambdas/events/schema.js';

export const WEBHOOK_ENV = 'SCIM_WEBHOOK_URL';

export interface LocalEventEnvelope {
  readonly source: string;
  readonly 'detail-type': ChangeEvent['kind'];
  readonly time: string;
  readonly detail: ChangeEvent;
}

export function envelope(event: ChangeEvent, source = DEFAULT_EVENT_SOURCE): LocalEventEnvelope {
  return { source, 'detail-type': event.kind, time: event.time, detail: event };
}

export interface EventSinkOptions {
  readonly file: string;
  readonly webhookUrl?: string;
  readonly onWebhookError?: (message: string) => void;
  readonly fetchImpl?: typeof fetch;
}

export class EventSink {
  constructor(private readonly o: EventSinkOptions) {
    mkdirSync(dirname(o.file), { recursive: true });
    if (o.webhookUrl) new URL(o.webhookUrl); // fail at start on a malformed URL
  }

  async handle(records: readonly StreamRecordLike[]): Promise<ChangeEvent[]> {
    const events = toChangeEventsAll(records);
    for (const e of events) {
      const line = envelope(e);
      appendFileSync(this.o.file, JSON.stringify(line) + '\n');
      if (this.o.webhookUrl) await this.post(line);
    }
    return events;
  }

  private async post(line: LocalEventEnvelope): Promise<void> {
    const f = this.o.fetchImpl ?? fetch;
    let last = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const res = await f(this.o.webhookUrl!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-scim-event-id': line.detail.eventId },
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
