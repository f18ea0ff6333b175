/**
 * Source-address CIDRs (`allowedSourceCidrs` of a connector, `scim:allowedSourceCidrs` for all):
 * the syntax check shared by the connector schema (config.ts), the stack settings (lib/config.ts)
 * and the local gateway's fence (bin/local/source-fence.ts). Not used by any Lambda.
 *
 * Accepted: `a.b.c.d/n` (n 0-32) and IPv6 `x:x::x/n` (n 0-128), the prefix always written, no
 * zone id, and no bit set after the prefix: `203.0.113.7/24` is refused (did you mean
 * `203.0.113.0/24`?) rather than guessing whether one host or the whole network was meant.
 *
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d/n`, RFC 4291 §2.5.5.2) is refused with the IPv4 form to write
 * instead: IAM's `aws:SourceIp` compares an IPv4 client with IPv4 entries only, so on AWS such an
 * entry admits nobody, while Node (the local fence) would match it against IPv4 clients. One
 * answer for both places, decided here.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type CidrFamily = 'ipv4' | 'ipv6';

export interface Cidr {
  readonly family: CidrFamily;
  readonly address: string;
  readonly prefix: number;
}

function ipv4Bits(address: string): bigint {
  return address.split('.').reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n);
}

/** 128-bit value of an IPv6 address (with `::` and a trailing dotted IPv4 part). */
function ipv6Bits(address: string): bigint {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4Bits(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function formatIpv4(bits: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((bits >> s) & 0xffn)).join('.');
}

/** RFC 5952 text: lower case, longest run (≥ 2) of zero groups as `::`. */
function formatIpv6(bits: bigint): string {
  const g = Array.from({ length: 8 }, (_, i) => Number((bits >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best.len < 2) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

const MAPPED_PREFIX = 0xffffn; // ::ffff:0:0/96, the IPv4-mapped block (RFC 4291 §2.5.5.2)

/** The IPv4 address of an IPv4-mapped IPv6 address (`::ffff:203.0.113.5`, `::ffff:cb00:7105`), else undefined. */
export function mappedIpv4(address: string): string | undefined {
  if (!isIPv6(address) || address.includes('%')) return undefined;
  const bits = ipv6Bits(address);
  return bits >> 32n === MAPPED_PREFIX ? formatIpv4(bits & 0xffffffffn) : undefined;
}

/** Parses `text` as a CIDR; returns the problem as a sentence when it is not one. */
export function parseCidr(text: string): Cidr | string {
  const example = 'must be a CIDR like "203.0.113.0/24" or "2001:db8::/32"';
  const slash = text.indexOf('/');
  if (slash < 0) return `${example} (the prefix length is required: "${text}/32" for one IPv4 address)`;
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const family: CidrFamily | undefined = isIPv4(address) ? 'ipv4' : isIPv6(address) && !address.includes('%') ? 'ipv6' : undefined;
  if (!family) return `${example} ("${address}" is not an IPv4 or IPv6 address)`;
  const max = family === 'ipv4' ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return `${example} (the prefix length after "/" must be 0-${max})`;
  const prefix = Number(prefixText);
  const bits = family === 'ipv4' ? ipv4Bits(address) : ipv6Bits(address);
  if (family === 'ipv6' && prefix >= 96 && bits >> 32n === MAPPED_PREFIX) {
    const v4 = `${formatIpv4(bits & 0xffffffffn)}/${prefix - 96}`;
    const asIpv4 = parseCidr(v4);
    const write = typeof asIpv4 === 'string' ? asIpv4.replace(/^has address bits set after the \/\d+ prefix: /, '') : `write "${v4}"`;
    return `is an IPv4-mapped IPv6 address: API Gateway compares IPv4 clients with IPv4 entries only, so it would admit nobody; ${write}`;
  }
  const hostMask = (1n << BigInt(max - prefix)) - 1n;
  if ((bits & hostMask) !== 0n) {
    const network = bits & ~hostMask;
    const suggestion = `${family === 'ipv4' ? formatIpv4(network) : formatIpv6(network)}/${prefix}`;
    return `has address bits set after the /${prefix} prefix: write "${suggestion}" for that network, or "${address}/${max}" for one address`;
  }
  return { family, address, prefix };
}

/** The problem of one list entry, or undefined when it is a valid CIDR. */
export function cidrProblem(text: string): string | undefined {
  const r = parseCidr(text);
  return typeof r === 'string' ? r : undefined;
}
