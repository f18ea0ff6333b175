/**
 * The stream handler's logic, separate from the Lambda entry (lambdas/handlers/events.ts) so tests
 * run it with a mocked EventBridge client. Logs counts and ids only, never attribute values.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { toChangeEventsAll, type StreamRecordLike } from './mapping.js';
import { PublishError, type EventPublisher } from './publisher.js';

export function makeEventsHandler(deps: { publisher: Pick<EventPublisher, 'publish'>; logger: Pick<Logger, 'info' | 'error'> }) {
  return async (event: { Records?: readonly StreamRecordLike[] }): Promise<void> => {
    const records = event.Records ?? [];
    const events = toChangeEventsAll(records);
    if (events.length === 0) return;
    try {
      const r = await deps.publisher.publish(events);
      deps.logger.info('Change events published', { records: records.length, events: r.published, calls: r.calls, retried: r.retried });
    } catch (e) {
      deps.logger.error('Change events not published; the batch is retried, then sent to the dead-letter queue', {
        records: records.length,
        events: events.length,
        errorName: (e as Error)?.name,
        errorMessage: (e as Error)?.message,
        ...(e instanceof PublishError ? { failedEventIds: e.failed.slice(0, 20).map((f) => f.eventId) } : {}),
        firstSequence: records[0]?.dynamodb?.SequenceNumber,
        lastSequence: records[records.length - 1]?.dynamodb?.SequenceNumber,
      });
      throw e;
    }
  };
}
