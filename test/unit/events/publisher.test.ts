/** EventBridge publisher with aws-sdk-client-mock: batching, partial-failure retry, give-up, size limits, handler. */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { makeEventsHandler } from '../../../lambdas/events/handler.js';
import { chunkEntries, EventPublisher, PublishError, entrySize, fitEvent, MAX_ENTRY_BYTES, type ChangeEvent } from '../../../lambdas/events/index.js';

const eb = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

const ev = (n: number, extra: Partial<ChangeEvent> = {}): ChangeEvent => ({
  eventId: `id-${n}`,
  kind: 'user.updated',
  connector: 'acme',
  resourceType: 'User',
  resourceId: `u${n}`,
  version: 2,
  time: '2026-01-02T03:04:05.000Z',
  changedAttributes: ['title'],
  changes: { title: { before: 'a', after: 'b' } },
  ...extra,
});

const sleeps: number[] = [];
const publisher = (maxAttempts = 4) =>
  new EventPublisher({ client, busName: 'scim-events', maxAttempts, baseDelayMs: 100, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 });

const entriesOf = (i: number): PutEventsRequestEntry[] => (eb.commandCalls(PutEventsCommand)[i]!.args[0].input.Entries ?? []);
const ok = (n: number) => ({ FailedEntryCount: 0, Entries: Array.from({ length: n }, (_, i) => ({ EventId: `eb-${i}` })) });

beforeEach(() => {
  eb.reset();
  sleeps.length = 0;
});

describe('EventPublisher', () => {
  it('sends ≤ 10 entries per PutEvents, in order, detail-type = kind, source scim, on the bus', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ok(input.Entries.length));
    const events = Array.from({ length: 23 }, (_, i) => ev(i));
    const r = await publisher().publish(events);
    expect(r).toEqual({ published: 23, calls: 3, retried: 0 });
    const sizes = [0, 1, 2].map((i) => entriesOf(i).length);
    expect(sizes).toEqual([10, 10, 3]);
    const all = [0, 1, 2].flatMap(entriesOf);
    expect(all.map((e) => (JSON.parse(e.Detail!) as ChangeEvent).eventId)).toEqual(events.map((e) => e.eventId));
    expect(all[0]).toMatchObject({ EventBusName: 'scim-events', Source: 'scim', DetailType: 'user.updated', Time: new Date('2026-01-02T03:04:05.000Z') });
  });

  it('retries only the failed entries of a partial failure, with growing backoff', async () => {
    eb.on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }, { EventId: 'c' }, { ErrorCode: 'InternalFailure' }],
      })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'b' }, { ErrorCode: 'InternalFailure' }] })
      .resolvesOnce(ok(1));
    const r = await publisher().publish([ev(0), ev(1), ev(2), ev(3)]);
    expect(r).toEqual({ published: 4, calls: 3, retried: 3 });
    expect(entriesOf(1).map((e) => (JSON.parse(e.Detail!) as ChangeEvent).eventId)).toEqual(['id-1', 'id-3']);
    expect(entriesOf(2).map((e) => (JSON.parse(e.Detail!) as ChangeEvent).eventId)).toEqual(['id-3']);
    expect(sleeps).toEqual([50, 100]); // full jitter (random 0.5) of 100, 200
  });

  it('throws a PublishError naming the failing events after maxAttempts (so Lambda retries and the DLQ keeps it)', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((_, i) => (i === 0 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'boom' } : { EventId: `ok-${i}` })),
    }));
    const err = await publisher(3).publish([ev(7), ev(8)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PublishError);
    expect((err as PublishError).failed).toEqual([{ eventId: 'id-7', errorCode: 'InternalFailure', errorMessage: 'boom' }]);
    expect((err as Error).message).toMatch(/1 of 2 entries still failing after 3 attempts \(InternalFailure\)/);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(3);
  });

  it('a thrown SDK error is retried like a whole-chunk failure, then rethrown as PublishError', async () => {
    eb.on(PutEventsCommand).rejectsOnce(Object.assign(new Error('network down'), { name: 'TimeoutError' })).resolves(ok(1));
    await expect(publisher().publish([ev(1)])).resolves.toMatchObject({ calls: 2, retried: 1 });
    eb.reset();
    eb.on(PutEventsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(publisher(2).publish([ev(1)])).rejects.toThrow(/AccessDeniedException/);
  });

  it('a result without EventId counts as failed (never assume success)', async () => {
    eb.on(PutEventsCommand).resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }] }).resolves(ok(1));
    const r = await publisher().publish([ev(0), ev(1)]);
    expect(r.retried).toBe(1);
    expect(entriesOf(1).map((e) => (JSON.parse(e.Detail!) as ChangeEvent).eventId)).toEqual(['id-1']);
  });

  it('nothing to publish → no call', async () => {
    await publisher().publish([]);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('splits calls at 256 KiB and slims events over the entry limit', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ok(input.Entries.length));
    const big = 'x'.repeat(100 * 1024);
    const events = [0, 1, 2, 3].map((i) => ev(i, { resource: { id: `u${i}`, title: big } }));
    await publisher().publish(events);
    const calls = eb.commandCalls(PutEventsCommand);
    expect(calls.length).toBe(2); // 2 × ~100 KiB per call
    for (const c of calls) {
      const bytes = (c.args[0].input.Entries ?? []).reduce((n, e) => n + 14 + Buffer.byteLength(e.Source!) + Buffer.byteLength(e.DetailType!) + Buffer.byteLength(e.Detail!), 0);
      expect(bytes).toBeLessThanOrEqual(256 * 1024);
    }

    const huge = ev(9, { resource: { id: 'u9', title: 'y'.repeat(300 * 1024) }, changes: { title: { before: 'z'.repeat(200 * 1024), after: 'y'.repeat(300 * 1024) } } });
    const fitted = fitEvent('scim', huge);
    expect(entrySize('scim', fitted)).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    expect(fitted).toMatchObject({ truncated: true, changedAttributes: ['title'], eventId: 'id-9' });
    expect(fitted.resource).toBeUndefined();
    expect(fitEvent('scim', ev(1))).toEqual(ev(1));
  });

  it('chunkEntries keeps order and bounds', () => {
    expect(chunkEntries([1, 2, 3, 4, 5], () => 1, 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunkEntries([5, 5, 5], (n) => n, 10, 10)).toEqual([[5, 5], [5]]);
  });
});

describe('stream handler', () => {
  const logger = { info: vi.fn(), error: vi.fn() };
  const record = (n: number) => ({
    eventID: `e${n}`,
    eventName: 'INSERT',
    dynamodb: {
      ApproximateCreationDateTime: 1_767_323_045,
      SequenceNumber: String(100 + n),
      Keys: { PK: { S: 'C#acme#USER' }, SK: { S: `u${n}` } },
      NewImage: {
        PK: { S: 'C#acme#USER' },
        SK: { S: `u${n}` },
        kind: { S: 'User' },
        id: { S: `u${n}` },
        v: { N: '1' },
        created: { S: '2026-01-02T03:04:05.000Z' },
        modified: { S: '2026-01-02T03:04:05.000Z' },
        doc: { S: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `user${n}` }) },
      },
    },
  });
  const counter = { eventID: 'c', eventName: 'MODIFY', dynamodb: { Keys: { PK: { S: 'C#acme#COUNT' }, SK: { S: 'USER#3' } }, NewImage: { n: { N: '2' } }, OldImage: { n: { N: '1' } } } };

  it('maps a Lambda batch and publishes in record order; bookkeeping records publish nothing', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ok(input.Entries.length));
    const handler = makeEventsHandler({ publisher: publisher(), logger });
    await handler({ Records: [record(1), counter, record(2)] });
    expect(entriesOf(0).map((e) => (JSON.parse(e.Detail!) as ChangeEvent).resourceId)).toEqual(['u1', 'u2']);
    eb.reset();
    await handler({ Records: [counter] });
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('rethrows when publishing fails (Lambda retry / bisect / DLQ), logging ids not values', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const handler = makeEventsHandler({ publisher: publisher(2), logger });
    await expect(handler({ Records: [record(1)] })).rejects.toBeInstanceOf(PublishError);
    const [, fields] = logger.error.mock.calls.at(-1)!;
    expect(fields).toMatchObject({ records: 1, events: 1, firstSequence: '101', lastSequence: '101' });
    expect(JSON.stringify(fields)).not.toContain('user1');
  });
});
