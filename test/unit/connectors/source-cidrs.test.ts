/**
 * Source-address CIDRs (`allowedSourceCidrs`, `scim:allowedSourceCidrs`): what the shared schema
 * accepts, and the field-named errors for what it refuses.
 */
import { describe, expect, it } from 'vitest';
import { parseConnectors, parseDefaultSourceCidrs } from '../../../lambdas/connectors/config.js';
import { ConnectorConfigError } from '../../../lambdas/connectors/deployed.js';
import { cidrProblem, parseCidr } from '../../../lambdas/connectors/source-cidrs.js';

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConnectorConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConnectorConfigError');
}

describe('parseCidr', () => {
  it.each([
    ['203.0.113.0/24', { family: 'ipv4', address: '203.0.113.0', prefix: 24 }],
    ['198.51.100.7/32', { family: 'ipv4', address: '198.51.100.7', prefix: 32 }],
    ['0.0.0.0/0', { family: 'ipv4', address: '0.0.0.0', prefix: 0 }],
    ['2001:db8::/32', { family: 'ipv6', address: '2001:db8::', prefix: 32 }],
    ['2603:1006:2000::/48', { family: 'ipv6', address: '2603:1006:2000::', prefix: 48 }],
    ['::/0', { family: 'ipv6', address: '::', prefix: 0 }],
    ['::1/128', { family: 'ipv6', address: '::1', prefix: 128 }],
    ['::fffe:c633:6400/120', { family: 'ipv6', address: '::fffe:c633:6400', prefix: 120 }],
    ['::fffe:0:0/95', { family: 'ipv6', address: '::fffe:0:0', prefix: 95 }], // wider than the mapped block: an IPv6 network like any other
  ])('%s is a CIDR', (text, expected) => {
    expect(parseCidr(text)).toEqual(expected);
    expect(cidrProblem(text)).toBeUndefined();
  });

  it.each([
    ['203.0.113.7', /prefix length is required: "203\.0\.113\.7\/32"/],
    ['203.0.113.0/33', /prefix length after "\/" must be 0-32/],
    ['2001:db8::/129', /must be 0-128/],
    ['203.0.113.0/', /must be 0-32/],
    ['203.0.113.0/2x', /must be 0-32/],
    ['256.0.0.0/8', /"256\.0\.0\.0" is not an IPv4 or IPv6 address/],
    ['010.0.0.0/8', /is not an IPv4 or IPv6 address/],
    ['fe80::1%eth0/64', /is not an IPv4 or IPv6 address/],
    ['example.com/24', /is not an IPv4 or IPv6 address/],
    ['', /prefix length is required/],
    ['203.0.113.7/24', /bits set after the \/24 prefix: write "203\.0\.113\.0\/24" for that network, or "203\.0\.113\.7\/32" for one address/],
    ['2001:db8::1/32', /write "2001:db8::\/32" for that network, or "2001:db8::1\/128"/],
    ['2001:db8:0:1:0:0:0:5/64', /write "2001:db8:0:1::\/64"/],
    // IPv4-mapped IPv6: never matched by aws:SourceIp (IPv4 clients meet IPv4 entries only), so refused with the IPv4 form.
    ['::ffff:198.51.100.0/120', /^is an IPv4-mapped IPv6 address: .* would admit nobody; write "198\.51\.100\.0\/24"$/],
    ['::FFFF:c633:6400/120', /IPv4-mapped IPv6 address: .*write "198\.51\.100\.0\/24"$/],
    ['::ffff:198.51.100.9/128', /IPv4-mapped IPv6 address: .*write "198\.51\.100\.9\/32"$/],
    ['::ffff:0:0/96', /IPv4-mapped IPv6 address: .*write "0\.0\.0\.0\/0"$/],
    ['::ffff:198.51.100.9/120', /IPv4-mapped IPv6 address: .*write "198\.51\.100\.0\/24" for that network, or "198\.51\.100\.9\/32" for one address$/],
  ])('%j is refused: %s', (text, message) => {
    const r = parseCidr(text);
    expect(typeof r).toBe('string');
    expect(r).toMatch(message);
  });
});

describe('allowedSourceCidrs in the connector schema', () => {
  it('absent = open (no key); a list is kept in order without duplicates', () => {
    const [open, fenced] = parseConnectors([
      { name: 'open' },
      { name: 'fenced', allowedSourceCidrs: ['198.51.100.0/24', '2001:db8::/32', '198.51.100.0/24'] },
    ]);
    expect(open).not.toHaveProperty('allowedSourceCidrs');
    expect(fenced!.allowedSourceCidrs).toEqual(['198.51.100.0/24', '2001:db8::/32']);
  });

  it('names the connector and the entry of every bad CIDR', () => {
    const p = problemsOf(() =>
      parseConnectors([{ name: 'a' }, { name: 'b' }, { name: 'c', allowedSourceCidrs: ['203.0.113.7', '198.51.100.0/24', 42, '2001:db8::/200'] }]),
    );
    expect(p).toEqual([
      expect.stringMatching(/^scim:connectors\[2\]\.allowedSourceCidrs\[0\]: must be a CIDR like "203\.0\.113\.0\/24"/),
      'scim:connectors[2].allowedSourceCidrs[2]: must be a string',
      expect.stringMatching(/^scim:connectors\[2\]\.allowedSourceCidrs\[3\]: .*must be 0-128/),
    ]);
  });

  it('an IPv4-mapped entry fails the connector and the stack-wide default alike, naming the field and the IPv4 form', () => {
    expect(problemsOf(() => parseConnectors([{ name: 'a' }, { name: 'okta', allowedSourceCidrs: ['198.51.100.0/24', '::ffff:203.0.113.0/120'] }]))).toEqual([
      expect.stringMatching(/^scim:connectors\[1\]\.allowedSourceCidrs\[1\]: is an IPv4-mapped IPv6 address: .*write "203\.0\.113\.0\/24"$/),
    ]);
    expect(problemsOf(() => parseDefaultSourceCidrs(['::ffff:203.0.113.0/120']))).toEqual([
      expect.stringMatching(/^scim:allowedSourceCidrs\[0\]: is an IPv4-mapped IPv6 address: .*write "203\.0\.113\.0\/24"$/),
    ]);
  });

  it('refuses an empty list (it would lock everybody out) and a non-list', () => {
    expect(problemsOf(() => parseConnectors([{ name: 'a', allowedSourceCidrs: [] }]))).toEqual([
      'scim:connectors[0].allowedSourceCidrs: must list at least one CIDR (omit the key to leave the endpoint open to every address)',
    ]);
    expect(problemsOf(() => parseConnectors([{ name: 'a', allowedSourceCidrs: '203.0.113.0/24' }]))[0]).toMatch(
      /^scim:connectors\[0\]\.allowedSourceCidrs: must be an array of CIDRs/,
    );
  });
});

describe('scim:allowedSourceCidrs (npm start reads it with this)', () => {
  it('absent → undefined; a list is validated and deduplicated', () => {
    expect(parseDefaultSourceCidrs(undefined)).toBeUndefined();
    expect(parseDefaultSourceCidrs(['203.0.113.0/24', '203.0.113.0/24'])).toEqual(['203.0.113.0/24']);
  });

  it('errors name the setting and the entry', () => {
    let error: unknown;
    try {
      parseDefaultSourceCidrs(['203.0.113.0/24', '203.0.113.1/24']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConnectorConfigError);
    expect((error as ConnectorConfigError).problems).toEqual([expect.stringMatching(/^scim:allowedSourceCidrs\[1\]: has address bits set/)]);
    expect((error as Error).message).toMatch(/^invalid scim:allowedSourceCidrs:/);
    expect(problemsOf(() => parseDefaultSourceCidrs([]))).toEqual([expect.stringMatching(/^scim:allowedSourceCidrs: must list at least one CIDR/)]);
  });
});
