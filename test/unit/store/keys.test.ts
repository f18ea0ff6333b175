/** Property tests: no client string can forge another item's key, and keys stay within DynamoDB's limits. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKeyPart, encodeKeyPart, foldCase, keys, MAX_ENCODED_LENGTH } from '../../../lambdas/store/keys.js';

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '$e', '#', '##', 'USER', 'x#USER', '%23', '$h', '$s', '-', 'C#a#USER', '\uD800', '\uDC00x', 'é', 'e\u0301'),
  fc.string({ minLength: 900, maxLength: 1200 }),
  fc.array(fc.constantFrom('#', '%', '$', 'a', 'ß', '\uD83D', '\uDE00', '\u0000'), { maxLength: 400 }).map((a) => a.join('')),
);

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('key scheme', () => {
  it('encoded parts never contain the separator, are never empty (DynamoDB refuses an empty key) and stay short', () => {
    expect(encodeKeyPart('')).not.toBe('');
    expect(decodeKeyPart(encodeKeyPart(''))).toBe('');
    fc.assert(
      fc.property(nasty, (v) => {
        const e = encodeKeyPart(v);
        expect(e.length).toBeGreaterThan(0);
        expect(e).not.toContain('#');
        expect(e.length).toBeLessThanOrEqual(MAX_ENCODED_LENGTH);
      }),
      { numRuns: 2000 },
    );
  });

  it('is injective: different values give different parts', () => {
    fc.assert(
      fc.property(nasty, nasty, (a, b) => {
        if (a !== b) expect(encodeKeyPart(a)).not.toBe(encodeKeyPart(b));
        else expect(encodeKeyPart(a)).toBe(encodeKeyPart(b));
      }),
      { numRuns: 3000 },
    );
  });

  it('guards fold case and unicode normalisation, and nothing else', () => {
    fc.assert(
      fc.property(nasty, nasty, (a, b) => {
        const same = keys.userNameGuard('c', a).PK === keys.userNameGuard('c', b).PK;
        expect(same).toBe(foldCase(a) === foldCase(b));
      }),
      { numRuns: 2000 },
    );
    expect(keys.userNameGuard('c', 'Alice@Example.com')).toEqual(keys.userNameGuard('c', 'alice@example.COM'));
    expect(keys.userNameGuard('c', 'e\u0301')).toEqual(keys.userNameGuard('c', 'é'));
  });

  it('no (connector, value) pair of one item type collides with another item type or connector', () => {
    const builders = [
      (c: string, v: string) => keys.user(c, v),
      (c: string, v: string) => keys.group(c, v),
      (c: string, v: string) => keys.membership(c, v, v),
      (c: string, v: string) => keys.userNameGuard(c, v),
      (c: string, v: string) => keys.groupNameGuard(c, v),
      (c: string, v: string) => keys.counter(c, 'User', v.length),
      (c: string, v: string) => keys.pageBookmark(c, v, 1),
      (c: string, v: string) => keys.purgeTask(c, v),
      (c: string, v: string) => ({ PK: keys.memberOfPartition(c, v), SK: '' }),
      (c: string, v: string) => ({ PK: keys.externalIdPartition(c, 'User', v), SK: '' }),
      (c: string, v: string) => ({ PK: keys.externalIdPartition(c, 'Group', v), SK: '' }),
    ];
    fc.assert(
      fc.property(nasty, nasty, nasty, nasty, fc.nat(builders.length - 1), fc.nat(builders.length - 1), (c1, c2, v1, v2, i, j) => {
        const k1 = builders[i]!(c1, v1);
        const k2 = builders[j]!(c2, v2);
        if (c1 !== c2 || i !== j) expect(`${k1.PK}\u0000${k1.SK}`).not.toBe(`${k2.PK}\u0000${k2.SK}`);
        expect(bytes(k1.PK)).toBeLessThanOrEqual(2048);
        expect(bytes(k1.SK)).toBeLessThanOrEqual(1024);
      }),
      { numRuns: 3000 },
    );
  });

  it('every key starts with its connector', () => {
    fc.assert(
      fc.property(nasty, nasty, (c, v) => {
        expect(keys.user(c, v).PK.startsWith(`C#${encodeKeyPart(c)}#`)).toBe(true);
        expect(keys.membership(c, v, v).PK.startsWith(`C#${encodeKeyPart(c)}#`)).toBe(true);
      }),
    );
  });
});
