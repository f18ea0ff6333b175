/**
 * The local webhook dispatcher alone (bin/local/webhooks.ts), against receivers on 127.0.0.1: one
 * connector's stuck receiver never holds another connector's events, and stopping `npm start`
 * does not wait for a receiver that does not answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalWebhooks } from '../../../bin/local/webhooks.js';
import type { ChangeEvent } from '../../../lambdas/events/schema.js';
import { verifyScimWebhook } from '../../fixtures/webhook-verify.mjs';
import { startReceiver, type WebhookReceiver } from '../../support/webhook-receiver.js';

let stuck: WebhookReceiver;
let fine: WebhookReceiver;

const event = (n: number, connector: string, kind: ChangeEvent['kind'] = 'user.created'): ChangeEvent => ({
  eventId: `00000000-0000-8000-8000-${String(n).padStart(12, '0')}`,
  kind,
  connector,
  resourceType: 'User',
  resourceId: `u-${n}`,
  time: new Date().toISOString(),
});

beforeAll(async () => {
  [stuck, fine] = await Promise.all([startReceiver(), startReceiver()]);
  stuck.answer = () => 'hang';
});
afterAll(async () => Promise.all([stuck.close(), fine.close()]));

describe('LocalWebhooks', () => {
  it('a connector whose receiver hangs does not delay another connector; stop() does not wait for the hang', async () => {
    const w = new LocalWebhooks({
      targets: [
        { connector: 'slow', url: stuck.url, secrets: () => ({ current: 's1' }) },
        { connector: 'quick', url: fine.url, kinds: ['user.*'], secrets: () => ({ current: 's2' }) },
      ],
      timeoutMs: 30_000,
    });
    w.enqueue([event(1, 'slow'), event(2, 'quick'), event(3, 'quick', 'member.added'), event(4, 'quick'), event(5, 'nobody')]);
    await fine.until(() => fine.requests.length >= 2, 5000);
    expect(fine.requests.map((r) => r.headers['scim-event-id'])).toEqual([event(2, 'quick').eventId, event(4, 'quick').eventId]); // member.added filtered out
    expect(verifyScimWebhook(fine.requests[0]!.raw, String(fine.requests[0]!.headers['scim-signature']), 's2')).toBe(true);
    await stuck.until(() => stuck.requests.length === 1, 5000);
    expect(w.pending('slow')).toBe(1);
    expect(w.pending('quick')).toBe(0);
    const t0 = Date.now();
    await w.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(w.stats).toMatchObject({ delivered: 2, givenUp: 0 });
  });
});
