/**
 * The one rotating-secret shape (lambdas/runtime/rotating-secret.ts) and its rules, and that the
 * tokens, the webhook signing secrets and the cursor key all follow them: the same text parses the
 * same way (or fails on the same fields) through each of their parsers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTokenSet, tokenMatches } from '../../../lambdas/auth/tokens.js';
import {
  isIsoDateTime,
  liveValues,
  parseRotatingSecret,
  previousAlive,
  revokePrevious,
  rotateSecret,
} from '../../../lambdas/runtime/rotating-secret.js';
import { parseCursorKeySecret } from '../../../lambdas/store/cursor-key.js';
import { parseSigningSecretSet, signingSecrets } from '../../../lambdas/webhooks/secret.js';

const NOW = new Date('2026-03-01T10:00:00.000Z');
const K = (c: string) => c.repeat(40);

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return expect.unreachable('expected a throw');
}

describe('parseRotatingSecret', () => {
  it('keeps the four fields; a malformed rotatedAt is dropped, never failing the secret', () => {
    const full = { current: 'c', previous: 'p', previousExpiresAt: '2026-03-02T10:00:00Z', rotatedAt: '2026-03-01T09:00:00.000+01:00' };
    expect(parseRotatingSecret(JSON.stringify({ ...full, other: 1 }), 'x')).toEqual(full);
    for (const rotatedAt of ['2026-03-01', 'last tuesday', 1767225600, null, '2026-02-30T25:00:00Z']) {
      expect(parseRotatingSecret(JSON.stringify({ current: 'c', rotatedAt }), 'x'), String(rotatedAt)).toEqual({ current: 'c' });
    }
  });

  it('refuses a bad shape naming the fields, never quoting the value', () => {
    expect(messageOf(() => parseRotatingSecret('s3cr3t', 'token secret'))).toBe('token secret is not JSON');
    expect(messageOf(() => parseRotatingSecret('"s3cr3t"', 'token secret'))).toMatch(/^token secret must be a JSON object \{"current"/);
    expect(messageOf(() => parseRotatingSecret('["s3cr3t"]', 'token secret'))).toMatch(/must be a JSON object/);
    expect(messageOf(() => parseRotatingSecret('{"current":""}', 'x'))).toBe('x has an invalid shape (fields: current)');
    const m = messageOf(() => parseRotatingSecret('{"current":"s3cr3t","previous":7,"previousExpiresAt":"2026-03-02"}', 'x'));
    expect(m).toBe('x has an invalid shape (fields: previous, previousExpiresAt)');
  });

  it('tokens, webhook secrets and the cursor key parse the same text the same way', () => {
    const ok = JSON.stringify({ current: K('c'), previous: K('p'), previousExpiresAt: '2026-03-02T10:00:00Z', rotatedAt: 'soon' });
    const want = { current: K('c'), previous: K('p'), previousExpiresAt: '2026-03-02T10:00:00Z' };
    expect(parseTokenSet(ok)).toEqual(want);
    expect(parseSigningSecretSet(ok)).toEqual(want);
    expect(parseCursorKeySecret(ok)).toEqual(want);
    // Before: the webhook parser took any Date.parse-able expiry ("2026-03-02", "1"), the tokens only an ISO date-time.
    for (const previousExpiresAt of ['2026-03-02', '1', 'soon']) {
      const bad = JSON.stringify({ current: K('c'), previous: K('p'), previousExpiresAt });
      for (const parse of [parseTokenSet, parseSigningSecretSet, parseCursorKeySecret]) expect(() => parse(bad), previousExpiresAt).toThrow(/fields: previousExpiresAt/);
    }
  });

  it('isIsoDateTime: a date-time with an offset that parses', () => {
    expect(['2026-03-01T10:00Z', '2026-03-01T10:00:00.123Z', '2026-03-01T10:00:00+0100'].every(isIsoDateTime)).toBe(true);
    expect(['2026-03-01', '2026-03-01T10:00:00', '2026-13-01T10:00:00Z', 20260301].some(isIsoDateTime)).toBe(false);
  });
});

describe('grace period', () => {
  const set = { current: 'new', previous: 'old', previousExpiresAt: '2026-03-01T10:00:01.000Z' };

  it('previous is honoured strictly before its expiry, never without one; the same rule signs webhooks and accepts tokens', () => {
    expect(previousAlive(set, NOW)).toBe(true);
    expect(liveValues(set, NOW)).toEqual(['new', 'old']);
    const at = new Date('2026-03-01T10:00:01.000Z');
    expect(previousAlive(set, at)).toBe(false);
    expect(liveValues(set, at)).toEqual(['new']);
    expect(liveValues({ current: 'new', previous: 'old' }, NOW)).toEqual(['new']);
    expect(liveValues({ ...set, previous: 'new' }, NOW)).toEqual(['new']);
    expect(signingSecrets(set, NOW)).toEqual(liveValues(set, NOW));
    expect(tokenMatches('old', set, NOW)).toBe('previous');
    expect(tokenMatches('old', set, at)).toBeUndefined();
  });

  it('rotate keeps the old current until now + grace and records rotatedAt; grace 0 drops every previous; revoke keeps rotatedAt', () => {
    const r = rotateSecret({ current: 'a', rotatedAt: '2025-01-01T00:00:00.000Z' }, 3_600_000, NOW, 'b');
    expect(r).toEqual({ current: 'b', previous: 'a', previousExpiresAt: '2026-03-01T11:00:00.000Z', rotatedAt: NOW.toISOString() });
    expect(rotateSecret(r, 0, NOW, 'c')).toEqual({ current: 'c', rotatedAt: NOW.toISOString() });
    expect(revokePrevious(r)).toEqual({ current: 'b', rotatedAt: NOW.toISOString() });
    expect(revokePrevious({ current: 'x', previous: 'y', previousExpiresAt: '2027-01-01T00:00:00Z' })).toEqual({ current: 'x' });
  });
});

describe('dependencies', () => {
  it('imports nothing (no zod: it is bundled into the authorizer, token-age and delivery functions)', () => {
    const src = readFileSync(join(import.meta.dirname, '../../../lambdas/runtime/rotating-secret.ts'), 'utf8');
    expect(src).not.toMatch(/^\s*import\s/m);
  });
});
