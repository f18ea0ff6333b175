/**
 * The local gateway's source-address fence (bin/local/source-fence.ts): which client addresses a
 * connector's list lets in, IPv4-mapped IPv6 included, and the loopback rule (allowed under the
 * stack-wide default, refused when the connector names its own list).
 */
import { describe, expect, it } from 'vitest';
import { SourceFence } from '../../../bin/local/source-fence.js';

describe('SourceFence', () => {
  it('no list anywhere → no fence (open)', () => {
    expect(SourceFence.of({})).toBeUndefined();
  });

  it('a connector list: exactly its IPv4 and IPv6 networks, IPv4-mapped clients included; loopback refused', () => {
    const fence = SourceFence.of({ allowedSourceCidrs: ['198.51.100.0/24', '2001:db8::/32'] }, ['203.0.113.0/24'])!;
    expect(fence.loopbackAllowed).toBe(false);
    expect(fence.cidrs).toEqual(['198.51.100.0/24', '2001:db8::/32']); // its own list wins over the default
    for (const ok of ['198.51.100.0', '198.51.100.255', '::ffff:198.51.100.20', '2001:db8::1', '2001:db8:ffff::5']) {
      expect(fence.allows(ok), ok).toBe(true);
    }
    for (const no of ['198.51.101.1', '203.0.113.7', '::ffff:203.0.113.7', '2001:db9::1', '127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      expect(fence.allows(no), no).toBe(false);
    }
  });

  it('the stack-wide default: its networks plus loopback (127.0.0.0/8, ::1, ::ffff:127.0.0.1)', () => {
    const fence = SourceFence.of({}, ['203.0.113.0/24'])!;
    expect(fence.loopbackAllowed).toBe(true);
    for (const ok of ['203.0.113.7', '127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(fence.allows(ok), ok).toBe(true);
    for (const no of ['198.51.100.1', '::2', '10.0.0.1']) expect(fence.allows(no), no).toBe(false);
  });

  it('as aws:SourceIp on AWS: an IPv4 client meets the IPv4 entries only (::/0 admits no IPv4 client, mapped or not)', () => {
    const v6only = SourceFence.of({ allowedSourceCidrs: ['::/0'] })!;
    for (const no of ['192.0.2.1', '::ffff:192.0.2.1', '::ffff:c000:201']) expect(v6only.allows(no), no).toBe(false);
    expect(v6only.allows('2001:db8::1')).toBe(true);
    const v4only = SourceFence.of({ allowedSourceCidrs: ['0.0.0.0/0'] })!;
    for (const ok of ['192.0.2.1', '::ffff:192.0.2.1', '::ffff:c000:201']) expect(v4only.allows(ok), ok).toBe(true);
    expect(v4only.allows('2001:db8::1')).toBe(false);
  });

  it('an IPv4-mapped entry is refused by the same parser as the stack (it would admit nobody on AWS)', () => {
    expect(() => SourceFence.of({ allowedSourceCidrs: ['::ffff:192.0.2.0/120'] })).toThrow(/IPv4-mapped IPv6 address: .*write "192\.0\.2\.0\/24"/);
  });

  it('an unknown or malformed client address is refused', () => {
    const fence = SourceFence.of({}, ['0.0.0.0/0', '::/0'])!;
    expect(fence.allows('192.0.2.1')).toBe(true);
    for (const no of [undefined, '', 'localhost', '999.1.1.1']) expect(fence.allows(no), String(no)).toBe(false);
  });
});
