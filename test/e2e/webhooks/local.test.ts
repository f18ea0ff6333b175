/**
 * `npm start`'s webhooks (bin/local/webhooks.ts behind bin/local/endpoint.ts): SCIM writes through
 * the local gateway → DynamoDB Local stream → the production mapping → each webhook connector's
 * receiver on 127.0.0.1, signed like on AWS. The README snippet verifies a real delivery with the
 * secret from connectors.json; kinds filters; a receiver answering 500 or down and coming back gets
 * each event exactly once once it accepts (by event id), in order; give-ups are reported; the
 * endpoint never waits for a receiver; `scim-admin --local webhook rotate` signs with both secrets.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../../bin/admin/cli.js';
import { EXIT } from '../../../bin/admin/backend.js';
import { startLocalEndpoint, type LocalEndpoint } from '../../../bin/local/endpoint.js';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import type { ChangeEventEnvelope } from '../../../lambdas/events/schema.js';
import { parseSignatureHeader } from '../../../lambdas/webhooks/signature.js';
import { assertLoopback } from '../../support/ddb.js';
import { startReceiver, type ReceivedRequest, type WebhookReceiver } from '../../support/webhook-receiver.js';
import { verifyScimWebhook } from '../../fixtures/webhook-verify.mjs';
import { GROUP, ScimClient, USER } from '../support/local.js';

const DELAYS = [150, 300, 450];
let dir: string;
let endpoint: LocalEndpoint;
let rx: WebhookReceiver; // alpha: every kind
let rxGroups: WebhookReceiver; // beta: group.* only
let tap: WebhookReceiver; // SCIM_WEBHOOK_URL
const errors: string[] = [];
let alpha: ScimClient;
let beta: ScimClient;
let gamma: ScimClient;

const eventOf = (r: ReceivedRequest) => JSON.parse(r.raw.toString('utf8')) as ChangeEventEnvelope;
const idsOf = (rs: ReceivedRequest[]) => rs.map((r) => String(r.headers['scim-event-id']));
const user = (name: string) => ({ schemas: [USER], userName: `${name}-${randomBytes(3).toString('hex')}@example.com`, active: true });
const connectorsJson = () => JSON.parse(readFileSync(join(dir, 'connectors.json'), 'utf8')) as Record<string, { webhookSecret?: string; webhook?: unknown; token: string }>;

async function cli(args: string[]) {
  const chunks = { out: [] as string[], err: [] as string[] };
  const w = (into: string[]) => new Writable({ write: (c: Buffer, _e, cb) => (into.push(c.toString()), cb()) });
  const code = await run([...args, '--local', '--dir', dir], { stdout: w(chunks.out), stderr: w(chunks.err) });
  return { code, stdout: chunks.out.join(''), stderr: chunks.err.join('') };
}

beforeAll(async () => {
  [rx, rxGroups, tap] = await Promise.all([startReceiver(), startReceiver(), startReceiver()]);
  dir = mkdtempSync(join(tmpdir(), 'scim-webhooks-'));
  endpoint = await startLocalEndpoint({
    connectors: parseConnectors([
      { name: 'alpha', webhook: { url: rx.url } },
      { name: 'beta', webhook: { url: rxGroups.url, kinds: ['group.*'] } },
      { name: 'gamma' },
    ]),
    dir,
    port: 0,
    dynamodbEndpoint: assertLoopback(process.env.DYNAMODB_ENDPOINT),
    tableName: `webhooks-${randomBytes(4).toString('hex')}`,
    logLevel: 'SILENT',
    events: { file: join(dir, 'events.jsonl'), webhookUrl: tap.url, webhookDelaysMs: DELAYS, onError: (m) => void errors.push(m) },
  });
  alpha = new ScimClient(endpoint.connectors.alpha!.tenantUrl, endpoint.connectors.alpha!.token);
  beta = new ScimClient(endpoint.connectors.beta!.tenantUrl, endpoint.connectors.beta!.token);
  gamma = new ScimClient(endpoint.connectors.gamma!.tenantUrl, endpoint.connectors.gamma!.token);
});
afterAll(async () => {
  await endpoint?.stop();
  await Promise.all([rx?.close(), rxGroups?.close(), tap?.close()]);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  for (const r of [rx, rxGroups, tap]) {
    r.requests.length = 0;
    r.answer = () => 200;
  }
  errors.length = 0;
});

describe('configuration', () => {
  it('connectors.json (mode 0600) carries webhook and webhookSecret next to tenantUrl and token, for webhook connectors only', () => {
    const json = connectorsJson();
    expect(statSync(join(dir, 'connectors.json')).mode & 0o777).toBe(0o600);
    expect(json.alpha).toMatchObject({ webhook: { url: rx.url }, webhookSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(json.beta).toMatchObject({ webhook: { url: rxGroups.url, kinds: ['group.*'] } });
    expect(json.gamma!.webhookSecret).toBeUndefined();
    expect(json.alpha!.webhookSecret).not.toBe(json.beta!.webhookSecret);
    expect(statSync(join(dir, 'webhooks', 'alpha.json')).mode & 0o777).toBe(0o600);
  });
});

describe('delivery', () => {
  it('a SCIM create reaches the connector\'s URL: the envelope of events.jsonl, signed; the README snippet verifies it', async () => {
    const res = await alpha.post('/Users', user('ada'));
    expect(res.status).toBe(201);
    await rx.until(() => rx.requests.length >= 1);
    const r = rx.requests[0]!;
    expect(r.headers['content-type']).toBe('application/json');
    const sig = String(r.headers['scim-signature']);
    expect(sig).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const secret = connectorsJson().alpha!.webhookSecret!;
    expect(verifyScimWebhook(r.raw, sig, secret)).toBe(true);
    expect(verifyScimWebhook(r.raw, sig, connectorsJson().beta!.webhookSecret!)).toBe(false);
    expect(verifyScimWebhook(Buffer.concat([r.raw, Buffer.from(' ')]), sig, secret)).toBe(false);
    const e = eventOf(r);
    expect(e).toMatchObject({ source: 'scim', 'detail-type': 'user.created', detail: { kind: 'user.created', connector: 'alpha', resourceId: res.body.id } });
    expect(r.headers['scim-event-id']).toBe(e.detail.eventId);
    // The same JSON as the events.jsonl line.
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toContain(r.raw.toString('utf8'));
    // The SCIM_WEBHOOK_URL tap keeps working (every connector, its x-scim-event-id header).
    await tap.until(() => tap.requests.some((t) => t.headers['x-scim-event-id'] === e.detail.eventId));
  });

  it('kinds: beta (group.*) receives group events only; gamma (no webhook) nothing', async () => {
    const u = await beta.post('/Users', user('bob'));
    const g = await beta.post('/Groups', { schemas: [GROUP], displayName: `g-${randomBytes(3).toString('hex')}`, members: [{ value: u.body.id }] });
    expect(g.status).toBe(201);
    await gamma.post('/Users', user('gina'));
    // The tap sees all of them: user.created, group.created, member.added (beta) and gamma's user.created.
    await tap.until(() => tap.requests.length >= 4);
    await endpoint.webhooks!.idle();
    expect(rxGroups.requests.map((r) => eventOf(r)['detail-type'])).toEqual(['group.created']);
    expect(rx.requests).toHaveLength(0);
  });
});

describe('retries', () => {
  it('a receiver answering 500: retried; once it accepts, every event id exactly once and in order', async () => {
    const attempts = new Map<string, number>();
    rx.answer = (r) => {
      const id = String(r.headers['scim-event-id']);
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      return attempts.get(id)! <= 2 ? 500 : 200;
    };
    const ids: string[] = [];
    for (const n of ['c1', 'c2', 'c3']) ids.push((await alpha.post('/Users', user(n))).body.id);
    await rx.until(() => rx.accepted().length >= 3, 20_000);
    await endpoint.webhooks!.idle();
    const accepted = rx.accepted().map(eventOf);
    expect(accepted.map((e) => e.detail.resourceId)).toEqual(ids);
    expect(new Set(idsOf(rx.accepted())).size).toBe(3);
    expect(rx.requests).toHaveLength(9); // 2 failures + 1 success each
    expect(errors).toEqual([]);
  });

  it('a receiver that is down and comes back on the same URL: the event arrives exactly once', async () => {
    const port = rx.port;
    await rx.close();
    const failed = endpoint.webhooks!.stats.failedAttempts;
    const id = (await alpha.post('/Users', user('down'))).body.id;
    // At least one attempt fails against the closed port; the event waits in alpha's queue.
    await rx.until(() => endpoint.webhooks!.stats.failedAttempts > failed, 10_000, 'a failed attempt');
    expect(endpoint.webhooks!.pending('alpha')).toBe(1);
    await rx.listen(port);
    await rx.until(() => rx.accepted().length >= 1);
    await endpoint.webhooks!.idle();
    expect(rx.accepted().map((r) => eventOf(r).detail.resourceId)).toEqual([id]);
    expect(rx.requests).toHaveLength(1);
  });

  it('never makes the endpoint wait: SCIM requests answer while a delivery hangs; then each event arrives once, in order, as written', async () => {
    rx.answer = () => 'hang';
    const names = ['w1', 'w2', 'w3'].map((n) => user(n));
    const created = [await alpha.post('/Users', names[0])];
    await rx.until(() => rx.requests.length >= 1, 10_000, 'the first delivery');
    // The first delivery is in flight and unanswered: the endpoint still answers every request.
    for (const u of names.slice(1)) created.push(await alpha.post('/Users', u));
    expect(created.map((r) => r.status)).toEqual([201, 201, 201]);
    expect((await gamma.get('/Users?count=1')).status).toBe(200);
    expect(rx.requests.map((r) => r.status)).toEqual([0]); // still hanging; w2, w3 wait behind it (order)
    rx.answer = () => 200;
    rx.release(200);
    await rx.until(() => rx.accepted().length >= 3);
    await endpoint.webhooks!.idle();
    const delivered = rx.accepted().map(eventOf);
    expect(delivered.map((e) => e.detail.resourceId)).toEqual(created.map((r) => r.body.id));
    expect(delivered.map((e) => [e['detail-type'], e.detail.connector, e.detail.version, e.detail.resource?.userName])).toEqual(
      names.map((u) => ['user.created', 'alpha', 1, u.userName]),
    );
    expect(new Set(delivered.map((e) => e.detail.eventId)).size).toBe(3);
    expect(idsOf(rx.requests)).toEqual(delivered.map((e) => e.detail.eventId)); // no retries, no duplicates
    expect(errors).toEqual([]);
  });

  it('gives up after the last attempt with a stderr line; later events get one try until the receiver accepts again', async () => {
    rx.answer = () => 500;
    const first = (await alpha.post('/Users', user('lost'))).body.id;
    await rx.until(() => errors.length >= 1, 10_000, 'the give-up');
    expect(errors[0]).toMatch(new RegExp(`^webhook of alpha \\(http://127\\.0\\.0\\.1:${rx.port}\\): gave up on event [0-9a-f-]{36} \\(user\\.created\\) after ${DELAYS.length + 1} attempts: HTTP 500$`));
    expect(rx.requests.filter((r) => eventOf(r).detail.resourceId === first)).toHaveLength(DELAYS.length + 1);
    const before = rx.requests.length;
    await alpha.post('/Users', user('lost2'));
    await rx.until(() => errors.length >= 2, 10_000, 'the second give-up');
    expect(rx.requests.length - before).toBe(1);
    rx.answer = () => 200;
    const back = (await alpha.post('/Users', user('back'))).body.id;
    await rx.until(() => rx.accepted().length >= 1);
    expect(eventOf(rx.accepted()[0]!).detail.resourceId).toBe(back);
  });
});

describe('rotation (scim-admin --local)', () => {
  it('webhook rotate prints the new secret once; deliveries carry both signatures; webhook secret shows both', async () => {
    const old = connectorsJson().alpha!.webhookSecret!;
    const r = await cli(['webhook', 'rotate', 'alpha', '--grace', '1h']);
    expect(r.code).toBe(EXIT.ok);
    const fresh = r.stdout.trim();
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.stderr).toMatch(/signed with both secrets until/);
    expect(connectorsJson().alpha!.webhookSecret).toBe(fresh);

    await alpha.post('/Users', user('rot'));
    await rx.until(() => rx.requests.length >= 1);
    const req = rx.requests[0]!;
    const sig = String(req.headers['scim-signature']);
    expect(parseSignatureHeader(sig)!.v1).toHaveLength(2);
    expect(verifyScimWebhook(req.raw, sig, fresh)).toBe(true);
    expect(verifyScimWebhook(req.raw, sig, old)).toBe(true);

    const shown = await cli(['webhook', 'secret', 'alpha']);
    expect(shown.code).toBe(EXIT.ok);
    expect(shown.stdout.trim().split('\n')).toEqual([fresh, old]);
    expect(shown.stderr).toMatch(/previous secret still signs deliveries/);

    const none = await cli(['webhook', 'secret', 'gamma']);
    expect(none.code).toBe(EXIT.notFound);
    expect(none.stderr).toMatch(/^scim-admin: connector gamma has no webhook in local .*add "webhook": \{"url": "https:\/\/…"\} to its entry in scim:connectors/);

    const now = await cli(['webhook', 'rotate', 'alpha', '--grace', '0']);
    expect(now.code).toBe(EXIT.ok);
    rx.requests.length = 0;
    await alpha.post('/Users', user('rot0'));
    await rx.until(() => rx.requests.length >= 1);
    expect(parseSignatureHeader(String(rx.requests[0]!.headers['scim-signature']))!.v1).toHaveLength(1);
    expect(verifyScimWebhook(rx.requests[0]!.raw, String(rx.requests[0]!.headers['scim-signature']), now.stdout.trim())).toBe(true);
  });
});
