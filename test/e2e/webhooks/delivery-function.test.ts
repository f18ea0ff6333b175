/**
 * The webhook delivery function (lambdas/webhooks/delivery.ts and its Lambda entry) against a real
 * receiver on 127.0.0.1; Secrets Manager and SQS through aws-sdk-client-mock. Signature and envelope
 * (verified by the README snippet itself), retries with the schedule's delays through
 * ChangeMessageVisibility, partial batch responses, give-up to the dead-letter queue, receivers that
 * answer 500, hang or are down, the secret cache, and the EMF metrics per connector.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ChangeMessageVisibilityBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { envelope, type ChangeEvent } from '../../../lambdas/events/schema.js';
import { makeDeliveryHandler, queueUrlFromArn, type VisibilityChange } from '../../../lambdas/webhooks/delivery.js';
import { WEBHOOK_METRICS } from '../../../lambdas/webhooks/names.js';
import { AWS_RETRY_DELAYS_SECONDS } from '../../../lambdas/webhooks/retry.js';
import { CachedSigningSecrets, SecretsManagerSigningSecrets } from '../../../lambdas/webhooks/secret-source.js';
import { parseSignatureHeader } from '../../../lambdas/webhooks/signature.js';
import { receiveScimWebhook, verifyScimWebhook } from '../../fixtures/webhook-verify.mjs';
import { startReceiver, type WebhookReceiver } from '../../support/webhook-receiver.js';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:Scim-WebhooksQueueacme-AbC';
const SECRET = 'current-signing-secret-0123456789';
const sm = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);
let rx: WebhookReceiver;

function change(n: number, connector = 'acme', kind: ChangeEvent['kind'] = 'user.created'): ChangeEvent {
  return {
    eventId: `00000000-0000-8000-8000-${String(n).padStart(12, '0')}`,
    kind,
    connector,
    resourceType: 'User',
    resourceId: `u-${n}`,
    version: 1,
    time: new Date(Date.now() - 1500).toISOString(),
    changedAttributes: ['userName'],
    resource: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: `u-${n}`, userName: `user${n}@example.com`, displayName: 'Zoë "Z" Ångström' },
  };
}

/** An SQS record as the event source mapping hands it over: the whole EventBridge event as body. */
function record(detail: ChangeEvent, receiveCount = 1, body?: string): SQSRecord {
  return {
    messageId: `m-${detail.eventId.slice(-4)}-${receiveCount}`,
    receiptHandle: `rh-${detail.eventId}`,
    body:
      body ??
      JSON.stringify({
        version: '0',
        id: 'eb-id',
        'detail-type': detail.kind,
        source: 'scim',
        account: '123456789012',
        time: detail.time.replace(/\.\d+Z$/, 'Z'),
        region: 'eu-west-1',
        resources: [],
        detail,
      }),
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'eu-west-1',
  };
}

function harness(o: { webhooks?: Record<string, string>; secret?: () => Promise<{ current: string; previous?: string; previousExpiresAt?: string }>; timeoutMs?: number } = {}) {
  const lines: Record<string, unknown>[] = [];
  const changes: { queueArn: string; changes: readonly VisibilityChange[] }[] = [];
  const handler = makeDeliveryHandler({
    webhooks: new Map(Object.entries(o.webhooks ?? { acme: rx.url })),
    secrets: { get: o.secret ?? (async () => ({ current: SECRET })) },
    visibility: { change: async (queueArn, c) => void changes.push({ queueArn, changes: c }) },
    write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  });
  const emf = () => lines.filter((l) => l._aws !== undefined);
  return { handler, lines, changes, emf };
}

beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(async () => rx.close());
beforeEach(() => {
  rx.requests.length = 0;
  rx.answer = () => 200;
  sm.reset();
  sqs.reset();
});

describe('a delivered event', () => {
  it('POSTs the envelope JSON with Content-Type, Scim-Event-Id and a Scim-Signature the README snippet verifies', async () => {
    const h = harness();
    const e = change(1);
    const res = await h.handler({ Records: [record(e)] });
    expect(res.batchItemFailures).toEqual([]);
    expect(rx.requests).toHaveLength(1);
    const r = rx.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/hook');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['scim-event-id']).toBe(e.eventId);
    const sig = String(r.headers['scim-signature']);
    expect(sig).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(Math.abs(parseSignatureHeader(sig)!.t - Date.now() / 1000)).toBeLessThan(5);
    // Exactly the documented envelope (the same bytes npm start sends): source, detail-type, time, detail.
    expect(r.raw.toString('utf8')).toBe(JSON.stringify(envelope(e, 'scim')));
    expect(Object.keys(rx.json(r))).toEqual(['source', 'detail-type', 'time', 'detail']);
    expect(verifyScimWebhook(r.raw, sig, SECRET)).toBe(true);
    expect(verifyScimWebhook(r.raw, sig, 'another-secret')).toBe(false);
    expect(h.changes).toEqual([]);
  });

  it('during a rotation grace period: one v1 per valid secret, either verifies', async () => {
    const h = harness({ secret: async () => ({ current: 'new-secret', previous: 'old-secret', previousExpiresAt: new Date(Date.now() + 3600_000).toISOString() }) });
    await h.handler({ Records: [record(change(2))] });
    const r = rx.requests[0]!;
    expect(parseSignatureHeader(String(r.headers['scim-signature']))!.v1).toHaveLength(2);
    expect(verifyScimWebhook(r.raw, String(r.headers['scim-signature']), 'new-secret')).toBe(true);
    expect(verifyScimWebhook(r.raw, String(r.headers['scim-signature']), 'old-secret')).toBe(true);
  });

  it('EMF per connector: delivered count and the latency from the change to the 2xx', async () => {
    const h = harness();
    await h.handler({ Records: [record(change(3)), record(change(4))] });
    const [m] = h.emf();
    expect(m).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'ScimServerless', Dimensions: [['service', 'connector']], Metrics: [{ Name: WEBHOOK_METRICS.delivered, Unit: 'Count' }, { Name: WEBHOOK_METRICS.latency, Unit: 'Milliseconds' }] }] },
      service: 'scim',
      connector: 'acme',
      [WEBHOOK_METRICS.delivered]: 2,
    });
    const lat = m![WEBHOOK_METRICS.latency] as number[];
    expect(lat).toHaveLength(2);
    for (const l of lat) expect(l).toBeGreaterThanOrEqual(1500);
  });

  it('a redirect is a failure, not followed (a signed event goes only where the config says)', async () => {
    const elsewhere = await startReceiver();
    try {
      for (const status of [301, 302, 307, 308]) {
        rx.requests.length = 0;
        rx.answer = () => ({ status, headers: { location: elsewhere.url } });
        const h = harness();
        const res = await h.handler({ Records: [record(change(5))] });
        expect(res.batchItemFailures).toHaveLength(1);
        expect(rx.requests).toHaveLength(1);
        expect(h.lines.find((l) => l.level === 'WARN')).toMatchObject({ status, error: `HTTP ${status}` });
      }
      expect(elsewhere.requests).toEqual([]); // the Location was never visited
    } finally {
      await elsewhere.close();
    }
  });

  it('a captured delivery replayed with another Scim-Event-Id: the README receiver (dedupe on the signed detail.eventId) drops it', async () => {
    const h = harness();
    const e = change(6);
    await h.handler({ Records: [record(e)] });
    const r = rx.requests[0]!;
    // The README receiver: verify, then deduplicate on the id inside the signed body.
    const seen = new Set<string>();
    const receive = (raw: Buffer, headers: Record<string, unknown>) => {
      const got = receiveScimWebhook(raw, String(headers['scim-signature']), SECRET, seen);
      if (got !== undefined && got !== 'duplicate') seen.add(got.detail.eventId);
      return got;
    };
    const first = receive(r.raw, r.headers);
    expect(first).toEqual(envelope(e, 'scim'));
    // Replayed inside the 300 s window with a fresh header value: the signature still verifies…
    const replayHeaders: Record<string, unknown> = { ...r.headers, 'scim-event-id': '11111111-1111-8111-8111-111111111111' };
    expect(verifyScimWebhook(r.raw, String(replayHeaders['scim-signature']), SECRET)).toBe(true);
    // …so only the signed id catches it.
    expect(receive(r.raw, replayHeaders)).toBe('duplicate');
    // A body with another eventId does not verify.
    const forged = Buffer.from(r.raw.toString('utf8').replace(e.eventId, '11111111-1111-8111-8111-111111111111'));
    expect(receive(forged, replayHeaders)).toBeUndefined();
    expect(seen).toEqual(new Set([e.eventId]));
  });
});

describe('failures', () => {
  it('a 500: the message is reported failed and hidden for the schedule delay of its attempt', async () => {
    rx.answer = () => 500;
    const h = harness();
    const a = record(change(10), 1);
    const res = await h.handler({ Records: [a] });
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: a.messageId }]);
    expect(h.changes).toEqual([{ queueArn: QUEUE_ARN, changes: [{ id: a.messageId, receiptHandle: a.receiptHandle, seconds: 30 }] }]);
    const warn = h.lines.find((l) => l.level === 'WARN')!;
    expect(warn).toMatchObject({ message: 'webhook delivery failed; retried later', connector: 'acme', eventId: change(10).eventId, attempt: 1, status: 500, nextAttemptInSeconds: 30, url: `http://127.0.0.1:${rx.port}` });
    expect(JSON.stringify(h.lines)).not.toContain(SECRET);
    expect(JSON.stringify(h.lines)).not.toContain('user10@example.com');
    expect(h.emf()[0]).toMatchObject({ [WEBHOOK_METRICS.failedAttempts]: 1 });
  });

  it('each attempt gets its own delay (receive count → schedule)', async () => {
    rx.answer = () => 503;
    for (const attempt of [2, 6, 11]) {
      const h = harness();
      const rec = record(change(20 + attempt), attempt);
      await h.handler({ Records: [rec] });
      expect(h.changes[0]!.changes[0]!.seconds).toBe(AWS_RETRY_DELAYS_SECONDS[attempt - 1]);
    }
  });

  it('after the last attempt: visible at once (the redrive policy moves it to the DLQ), dead-lettered metric, ERROR line', async () => {
    rx.answer = () => 500;
    const h = harness();
    const rec = record(change(30), 12);
    const res = await h.handler({ Records: [rec] });
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: rec.messageId }]);
    expect(h.changes[0]!.changes).toEqual([{ id: rec.messageId, receiptHandle: rec.receiptHandle, seconds: 0 }]);
    expect(h.lines.find((l) => l.level === 'ERROR')).toMatchObject({ message: 'webhook delivery gave up: the event goes to the dead-letter queue', attempt: 12, status: 500 });
    expect(h.emf()[0]).toMatchObject({ [WEBHOOK_METRICS.failedAttempts]: 1, [WEBHOOK_METRICS.deadLettered]: 1 });
  });

  it('after a failure, the connector\'s later messages in the batch wait (order, no timeout each); other connectors are delivered', async () => {
    rx.answer = (r) => (r.path === '/a' ? 500 : 200);
    const h = harness({ webhooks: { acme: rx.url.replace('/hook', '/a'), other: rx.url.replace('/hook', '/b') } });
    const a1 = record(change(40), 1);
    const a2 = record(change(41), 3);
    const b1 = record(change(42, 'other'), 1);
    const res = await h.handler({ Records: [a1, a2, b1] });
    expect(rx.requests.map((r) => r.path)).toEqual(['/a', '/b']);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([a1.messageId, a2.messageId]);
    expect(h.changes[0]!.changes.map((c) => c.seconds)).toEqual([30, 120]);
    const byConnector = Object.fromEntries(h.emf().map((m) => [m.connector, m]));
    expect(byConnector.acme).toMatchObject({ [WEBHOOK_METRICS.failedAttempts]: 1 });
    expect(byConnector.other).toMatchObject({ [WEBHOOK_METRICS.delivered]: 1 });
  });

  it('a receiver that does not answer within the timeout: a failed attempt', async () => {
    rx.answer = () => 'hang';
    const h = harness({ timeoutMs: 300 });
    const t0 = Date.now();
    const res = await h.handler({ Records: [record(change(50))] });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(res.batchItemFailures).toHaveLength(1);
    expect(h.lines.find((l) => l.level === 'WARN')!.error).toBe('no answer within 0.3 s');
  });

  it('a receiver that is down: a failed attempt naming the connection error', async () => {
    const down = await startReceiver();
    const url = down.url;
    await down.close();
    const h = harness({ webhooks: { acme: url } });
    const res = await h.handler({ Records: [record(change(60))] });
    expect(res.batchItemFailures).toHaveLength(1);
    expect(String(h.lines.find((l) => l.level === 'WARN')!.error)).toMatch(/ECONNREFUSED/);
  });

  it('a message nothing can deliver (not an event, or a connector without webhook): straight back, so it reaches the DLQ', async () => {
    const h = harness();
    const junk = record(change(70), 1, 'not json');
    const stranger = record(change(71, 'stranger'), 1);
    const res = await h.handler({ Records: [junk, stranger] });
    expect(res.batchItemFailures).toHaveLength(2);
    expect(h.changes[0]!.changes.map((c) => c.seconds)).toEqual([0, 0]);
    expect(rx.requests).toHaveLength(0);
    expect(h.lines.filter((l) => l.message === 'webhook message not deliverable')).toHaveLength(2);
  });

  it('a signing secret that cannot be read: a failed attempt, retried (failures are not cached)', async () => {
    let calls = 0;
    const secrets = new CachedSigningSecrets({
      get: async () => {
        calls++;
        if (calls === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return { current: SECRET };
      },
    });
    const lines: Record<string, unknown>[] = [];
    const handler = makeDeliveryHandler({ webhooks: new Map([['acme', rx.url]]), secrets, visibility: { change: async () => undefined }, write: (l) => void lines.push(JSON.parse(l)) });
    const first = await handler({ Records: [record(change(80))] });
    expect(first.batchItemFailures).toHaveLength(1);
    expect(String(lines.find((l) => l.level === 'WARN')!.error)).toMatch(/^signing secret unavailable: ThrottlingException/);
    const second = await handler({ Records: [record(change(80), 2)] });
    expect(second.batchItemFailures).toEqual([]);
    expect(rx.requests).toHaveLength(1);
  });
});

describe('secret cache', () => {
  it('one Secrets Manager read per connector and TTL; a rotation is seen after it', async () => {
    let t = 0;
    let value = { current: 'a' };
    let reads = 0;
    const cache = new CachedSigningSecrets({ get: async () => (reads++, value) }, 60_000, () => t);
    expect(await cache.get('acme')).toEqual({ current: 'a' });
    value = { current: 'b' };
    t = 59_999;
    expect(await cache.get('acme')).toEqual({ current: 'a' });
    t = 60_000;
    expect(await cache.get('acme')).toEqual({ current: 'b' });
    expect(reads).toBe(2);
  });

  it('Secrets Manager source: the secret named by the template', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'Scim/acme/webhook' }).resolves({ SecretString: JSON.stringify({ current: SECRET }) });
    const src = new SecretsManagerSigningSecrets(new SecretsManagerClient({ region: 'eu-west-1' }), 'Scim/{connector}/webhook');
    expect(await src.get('acme')).toEqual({ current: SECRET });
  });
});

describe('Lambda entry (lambdas/handlers/webhooks.ts)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('wires env, Secrets Manager (cached) and ChangeMessageVisibilityBatch on the record\'s queue', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_ACCESS_KEY_ID = 'x';
    process.env.AWS_SECRET_ACCESS_KEY = 'x';
    process.env.SCIM_WEBHOOKS = JSON.stringify({ acme: rx.url });
    process.env.SCIM_WEBHOOK_SECRET_TEMPLATE = 'Scim/{connector}/webhook';
    sm.on(GetSecretValueCommand, { SecretId: 'Scim/acme/webhook' }).resolves({ SecretString: JSON.stringify({ current: SECRET }) });
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    const { handler } = await import('../../../lambdas/handlers/webhooks.js');

    rx.answer = () => 500;
    const rec = record(change(90), 4);
    expect((await handler({ Records: [rec] })).batchItemFailures).toEqual([{ itemIdentifier: rec.messageId }]);
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Scim-WebhooksQueueacme-AbC',
      Entries: [{ Id: rec.messageId, ReceiptHandle: rec.receiptHandle, VisibilityTimeout: 300 }],
    });

    rx.answer = () => 204;
    expect((await handler({ Records: [record(change(91))] })).batchItemFailures).toEqual([]);
    expect(verifyScimWebhook(rx.requests.at(-1)!.raw, String(rx.requests.at(-1)!.headers['scim-signature']), SECRET)).toBe(true);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1); // cached across invocations
    expect(out.some((l) => l.includes('"WebhookDelivered":1'))).toBe(true);
  });

  it('queue URL from the record\'s queue ARN (partition-aware)', () => {
    expect(queueUrlFromArn('arn:aws:sqs:eu-west-1:123456789012:q')).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/q');
    expect(queueUrlFromArn('arn:aws-cn:sqs:cn-north-1:123456789012:q')).toBe('https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q');
    expect(() => queueUrlFromArn('nope')).toThrow(/not an SQS queue ARN/);
  });
});
