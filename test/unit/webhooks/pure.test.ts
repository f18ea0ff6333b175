/**
 * The webhook building blocks, pure: kind patterns (config check, local filter, EventBridge
 * pattern), the signature header (one or more secrets) verified by our verifier and by the README
 * snippet (test/fixtures/webhook-verify.mjs, imported as is), the retry schedules, URLs, the
 * signing-secret shape and its rotation.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rotateSigningSecret } from '../../../bin/admin/webhooks.js';
import { CHANGE_EVENT_KINDS } from '../../../lambdas/events/schema.js';
import { detailTypeFilter, kindPatternProblem, kindSelected, kindsMatching } from '../../../lambdas/events/kinds.js';
import {
  AWS_MAX_ATTEMPTS,
  AWS_RETRY_DELAYS_SECONDS,
  LOCAL_RETRY_DELAYS_MS,
  MAX_VISIBILITY_SECONDS,
  RETRY_WINDOW_SECONDS,
  retryDelay,
  scheduleSpan,
} from '../../../lambdas/webhooks/retry.js';
import { parseSigningSecretSet, signingSecrets } from '../../../lambdas/webhooks/secret.js';
import { parseSignatureHeader, signatureHeader, verifySignature } from '../../../lambdas/webhooks/signature.js';
import { isLoopbackHost, webhookUrlProblem } from '../../../lambdas/connectors/webhook-url.js';
import { verifyScimWebhook } from '../../fixtures/webhook-verify.mjs';

describe('kind patterns', () => {
  it('exact kinds and "*"-suffix prefixes; absent or empty = every kind', () => {
    expect(kindSelected(['user.*', 'member.added'], 'user.deactivated')).toBe(true);
    expect(kindSelected(['user.*', 'member.added'], 'user.snapshot')).toBe(true);
    expect(kindSelected(['user.*', 'member.added'], 'member.added')).toBe(true);
    expect(kindSelected(['user.*', 'member.added'], 'member.removed')).toBe(false);
    expect(kindSelected(['user.*', 'member.added'], 'group.created')).toBe(false);
    expect(kindSelected(['*'], 'group.deleted')).toBe(true);
    expect(kindSelected(undefined, 'group.deleted')).toBe(true);
    expect(kindSelected([], 'member.snapshot')).toBe(true);
    expect(kindSelected(['user'], 'user.created')).toBe(false); // no implicit prefix
  });

  it('validation: a pattern must select a known kind and "*" only ends it', () => {
    expect(kindPatternProblem('user.*')).toBeUndefined();
    expect(kindPatternProblem('*')).toBeUndefined();
    expect(kindPatternProblem('member.removed')).toBeUndefined();
    expect(kindPatternProblem('usr.*')).toMatch(/"usr\.\*" matches no event kind/);
    expect(kindPatternProblem('user.create')).toMatch(/matches no event kind/);
    expect(kindPatternProblem('*.created')).toMatch(/"\*" may only end a pattern/);
    expect(kindsMatching('group.*')).toEqual(['group.created', 'group.updated', 'group.deleted', 'group.snapshot']);
    expect(kindsMatching('*')).toEqual([...CHANGE_EVENT_KINDS]);
  });

  it('as an EventBridge detail-type filter: strings and {prefix}; none for every kind', () => {
    expect(detailTypeFilter(['user.*', 'member.added', 'member.added'])).toEqual([{ prefix: 'user.' }, 'member.added']);
    expect(detailTypeFilter(['*', 'user.created'])).toBeUndefined();
    expect(detailTypeFilter(undefined)).toBeUndefined();
  });

  it('the snapshot kinds exist', () => {
    expect(CHANGE_EVENT_KINDS).toEqual(expect.arrayContaining(['user.snapshot', 'group.snapshot', 'member.snapshot']));
  });
});

describe('signature header', () => {
  const body = '{"source":"scim","detail-type":"user.created","time":"2026-03-01T10:00:00.000Z","detail":{"eventId":"e1"}}';
  const t = 1_772_359_200;

  it('t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>', () => {
    const h = signatureHeader(['s3cret'], t, body);
    const expected = createHmac('sha256', 's3cret').update(`${t}.${body}`).digest('hex');
    expect(h).toBe(`t=${t},v1=${expected}`);
    expect(h).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it('one v1 per secret, current first (rotation grace period); either secret verifies', () => {
    const h = signatureHeader(['new', 'old'], t, body);
    expect(parseSignatureHeader(h)).toEqual({ t, v1: [expect.any(String), expect.any(String)] });
    expect(verifySignature(h, body, 'new', t)).toBe(true);
    expect(verifySignature(h, body, 'old', t)).toBe(true);
    expect(verifySignature(h, body, 'other', t)).toBe(false);
  });

  it('rejects a changed body, a stale or future t (> 300 s), malformed headers', () => {
    const h = signatureHeader(['s'], t, body);
    expect(verifySignature(h, body.replace('e1', 'e2'), 's', t)).toBe(false);
    expect(verifySignature(h, body, 's', t + 300)).toBe(true);
    expect(verifySignature(h, body, 's', t + 301)).toBe(false);
    expect(verifySignature(h, body, 's', t - 301)).toBe(false);
    for (const bad of [undefined, '', 'v1=ab', `t=${t}`, `t=x,v1=${'a'.repeat(64)}`, `t=${t},v1=${'A'.repeat(64)}`, `t=${t},t=${t},v1=${'a'.repeat(64)}`])
      expect(parseSignatureHeader(bad)).toBeUndefined();
    expect(() => signatureHeader([], t, body)).toThrow(/no signing secret/);
  });

  it('the README verification snippet (test/fixtures/webhook-verify.mjs) agrees with the signer', () => {
    const h = signatureHeader(['new', 'old'], t, body);
    expect(verifyScimWebhook(body, h, 'new', t)).toBe(true);
    expect(verifyScimWebhook(Buffer.from(body), h, 'old', t + 299)).toBe(true);
    expect(verifyScimWebhook(body, h, 'wrong', t)).toBe(false);
    expect(verifyScimWebhook(body + ' ', h, 'new', t)).toBe(false);
    expect(verifyScimWebhook(body, h, 'new', t + 301)).toBe(false);
    expect(verifyScimWebhook(body, h, 'new', t - 301)).toBe(false);
    expect(verifyScimWebhook(body, undefined, 'new', t)).toBe(false);
    expect(verifyScimWebhook(body, `t=${t},v1=zz`, 'new', t)).toBe(false);
    expect(verifyScimWebhook(body, `v1=${h.split('v1=')[1]!.slice(0, 64)}`, 'new', t)).toBe(false); // no t
  });
});

describe('retry schedules', () => {
  it('AWS: 30 s, 1, 2, 5, 10, 30 min, 1, 2, 4, 8, 8 h — 12 attempts, the last within 24 h', () => {
    expect(AWS_RETRY_DELAYS_SECONDS).toEqual([30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400, 28_800, 28_800]);
    expect(AWS_MAX_ATTEMPTS).toBe(12);
    expect(scheduleSpan(AWS_RETRY_DELAYS_SECONDS)).toBe(85_710); // 23 h 48 min 30 s
    // Even with every one of the 12 POSTs taking its full 10 s timeout, the last attempt is inside 24 h.
    expect(scheduleSpan(AWS_RETRY_DELAYS_SECONDS) + AWS_MAX_ATTEMPTS * 10).toBeLessThanOrEqual(RETRY_WINDOW_SECONDS);
    for (const d of AWS_RETRY_DELAYS_SECONDS) expect(d).toBeLessThanOrEqual(MAX_VISIBILITY_SECONDS);
    // Growing delays.
    for (let i = 1; i < AWS_RETRY_DELAYS_SECONDS.length; i++) expect(AWS_RETRY_DELAYS_SECONDS[i]!).toBeGreaterThanOrEqual(AWS_RETRY_DELAYS_SECONDS[i - 1]!);
  });

  it('attempt → delay before the next one; undefined after the last', () => {
    expect(retryDelay(AWS_RETRY_DELAYS_SECONDS, 1)).toBe(30);
    expect(retryDelay(AWS_RETRY_DELAYS_SECONDS, 6)).toBe(1800);
    expect(retryDelay(AWS_RETRY_DELAYS_SECONDS, 11)).toBe(28_800);
    expect(retryDelay(AWS_RETRY_DELAYS_SECONDS, 12)).toBeUndefined();
    expect(() => retryDelay(AWS_RETRY_DELAYS_SECONDS, 0)).toThrow();
  });

  it('local: 1, 2, 5, 10, 30 s then give up (6 attempts, 48 s)', () => {
    expect(LOCAL_RETRY_DELAYS_MS).toEqual([1000, 2000, 5000, 10_000, 30_000]);
    expect(retryDelay(LOCAL_RETRY_DELAYS_MS, 5)).toBe(30_000);
    expect(retryDelay(LOCAL_RETRY_DELAYS_MS, 6)).toBeUndefined();
    expect(scheduleSpan(LOCAL_RETRY_DELAYS_MS)).toBe(48_000);
  });
});

describe('webhook URLs', () => {
  it('https anywhere; http only on loopback (npm start); a deployed stack refuses loopback', () => {
    expect(webhookUrlProblem('https://hooks.example.com/scim')).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook')).toBeUndefined();
    expect(webhookUrlProblem('http://localhost:9000/hook')).toBeUndefined();
    expect(webhookUrlProblem('http://[::1]:9000/hook')).toBeUndefined();
    expect(webhookUrlProblem('http://hooks.example.com/scim')).toBe('must be https (or a loopback http URL for local use)');
    expect(webhookUrlProblem('http://10.0.0.8/hook')).toBe('must be https (or a loopback http URL for local use)');
    expect(webhookUrlProblem('ftp://127.0.0.1/x')).toBe('must be https (or a loopback http URL for local use)');
    expect(webhookUrlProblem('hooks.example.com')).toMatch(/absolute URL/);
    expect(webhookUrlProblem('https://user:pw@hooks.example.com/')).toMatch(/credentials/);
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook', { deployed: true })).toMatch(/only works with npm start/);
    expect(webhookUrlProblem('https://localhost/hook', { deployed: true })).toMatch(/only works with npm start/);
    expect(webhookUrlProblem('https://hooks.example.com/scim', { deployed: true })).toBeUndefined();
    expect(isLoopbackHost('127.10.0.1')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('127.0.0.1.example.com')).toBe(false);
  });
});

describe('signing secret', () => {
  const now = new Date('2026-03-01T10:00:00.000Z');

  it('the token JSON shape; errors name fields, never the value', () => {
    expect(parseSigningSecretSet('{"current":"abc"}')).toEqual({ current: 'abc' });
    expect(parseSigningSecretSet('{"current":"a","previous":"b","previousExpiresAt":"2026-03-02T00:00:00Z","rotatedAt":"x"}')).toEqual({
      current: 'a',
      previous: 'b',
      previousExpiresAt: '2026-03-02T00:00:00Z',
    });
    expect(() => parseSigningSecretSet('{"current":""}')).toThrow(/fields: current/);
    expect(() => parseSigningSecretSet('{"current":"topsecret","previousExpiresAt":"soon"}')).toThrow(/fields: previousExpiresAt/);
    expect(() => parseSigningSecretSet('topsecret')).toThrow('webhook secret is not JSON');
    expect(() => parseSigningSecretSet('{"current":"topsecret","previous":7}')).toThrow(/fields: previous\b/);
    expect(() => parseSigningSecretSet('{"current":"topsecret","previous":7}')).not.toThrow(/topsecret/);
  });

  it('signs with the previous secret too while its grace period lasts', () => {
    const set = { current: 'new', previous: 'old', previousExpiresAt: '2026-03-01T10:00:01.000Z' };
    expect(signingSecrets(set, now)).toEqual(['new', 'old']);
    expect(signingSecrets(set, new Date('2026-03-01T10:00:01.000Z'))).toEqual(['new']);
    expect(signingSecrets({ current: 'new', previous: 'old' }, now)).toEqual(['new']);
  });

  it('rotation keeps the old secret for the grace period (0: dropped at once)', () => {
    expect(rotateSigningSecret({ current: 'old' }, 24 * 3_600_000, now, 'new')).toEqual({ current: 'new', previous: 'old', previousExpiresAt: '2026-03-02T10:00:00.000Z', rotatedAt: '2026-03-01T10:00:00.000Z' });
    expect(rotateSigningSecret({ current: 'old', previous: 'older', previousExpiresAt: '2026-03-05T00:00:00.000Z' }, 0, now, 'new')).toEqual({ current: 'new', rotatedAt: '2026-03-01T10:00:00.000Z' });
    const fresh = rotateSigningSecret({ current: 'old' }, 1000, now);
    expect(fresh.current).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
