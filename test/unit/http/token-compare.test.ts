/**
 * The token comparison does not short-circuit: whatever is presented (current, previous, wrong,
 * empty, a 10 KB string), both the current and the previous token are compared, each as a 32-byte
 * sha256 digest through timingSafeEqual, so neither timing nor call count tells which one matched
 * or how long the token is. node:crypto is mocked (ESM namespaces cannot be spied on) with the real
 * functions wrapped.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual), createHash: vi.fn(actual.createHash) };
});

const crypto = await import('node:crypto');
const { tokenMatches } = await import('../../../lambdas/auth/tokens.js');

const NOW = new Date('2026-01-10T00:00:00Z');
const compare = vi.mocked(crypto.timingSafeEqual);
const hash = vi.mocked(crypto.createHash);

describe('constant-time token comparison', () => {
  const set = { current: 'c-token', previous: 'p-token', previousExpiresAt: '2026-01-11T00:00:00Z' };

  it.each([
    ['current', 'c-token', 'current'],
    ['previous', 'p-token', 'previous'],
    ['wrong', 'nope', undefined],
    ['empty', '', undefined],
    ['long', 'x'.repeat(10_000), undefined],
  ])('%s token: both comparisons run on 32-byte digests', (_name, presented, expected) => {
    compare.mockClear();
    hash.mockClear();
    expect(tokenMatches(presented, set, NOW)).toBe(expected);
    expect(compare).toHaveBeenCalledTimes(2);
    for (const [a, b] of compare.mock.calls) {
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
    expect(hash).toHaveBeenCalledTimes(3); // presented, current, previous
  });

  it('without a previous token (or after its grace) still compares twice', () => {
    compare.mockClear();
    expect(tokenMatches('p-token', { current: 'c-token' }, NOW)).toBeUndefined();
    expect(compare).toHaveBeenCalledTimes(2);
    compare.mockClear();
    expect(tokenMatches('p-token', { ...set, previousExpiresAt: '2026-01-01T00:00:00Z' }, NOW)).toBeUndefined();
    expect(compare).toHaveBeenCalledTimes(2);
  });
});
