/**
 * The source-address fence of the local gateway: the same lists as the stack's resource policy
 * (`allowedSourceCidrs` of the connector, else `scim:allowedSourceCidrs`), checked against the
 * client's address with Node's `net.BlockList`, matched as IAM's `aws:SourceIp` matches it on AWS:
 * an IPv4 client against the IPv4 entries only, an IPv6 client against the IPv6 entries only. A
 * dual-stack socket reports an IPv4 client as IPv4-mapped IPv6 (`::ffff:127.0.0.1`): that is the
 * IPv4 client it stands for. (One BlockList would let `::/0` admit IPv4 clients, which AWS does
 * not; IPv4-mapped entries are refused by the shared parser, source-cidrs.ts.)
 *
 * Loopback (127.0.0.0/8, ::1) stays allowed unless the connector has its own list: with only the
 * stack-wide default, `npm start` and `curl` on this machine keep working; a connector's explicit
 * list is enforced exactly, so a fence can be tried locally by naming one.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { ConnectorConfig } from '../../lambdas/connectors/config.js';
import { mappedIpv4, parseCidr, type CidrFamily } from '../../lambdas/connectors/source-cidrs.js';

const LOOPBACK = ['127.0.0.0/8', '::1/128'];

/** One list per family: a BlockList matches IPv4 addresses against IPv6 subnets too (`::/0`). */
function blockLists(cidrs: readonly string[]): Record<CidrFamily, BlockList> {
  const lists = { ipv4: new BlockList(), ipv6: new BlockList() };
  for (const text of cidrs) {
    const c = parseCidr(text);
    if (typeof c === 'string') throw new Error(`invalid CIDR "${text}": ${c}`); // validated by the connector schema already
    lists[c.family].addSubnet(c.address, c.prefix, c.family);
  }
  return lists;
}

export class SourceFence {
  private readonly lists: Record<CidrFamily, BlockList>;

  private constructor(
    readonly cidrs: readonly string[],
    readonly loopbackAllowed: boolean,
  ) {
    this.lists = blockLists(loopbackAllowed ? [...cidrs, ...LOOPBACK] : cidrs);
  }

  /** The fence of `connector`, or undefined when it is open to every address. */
  static of(connector: Pick<ConnectorConfig, 'allowedSourceCidrs'>, defaultCidrs?: readonly string[]): SourceFence | undefined {
    if (connector.allowedSourceCidrs) return new SourceFence(connector.allowedSourceCidrs, false);
    if (defaultCidrs) return new SourceFence(defaultCidrs, true);
    return undefined;
  }

  /** Whether a client at `address` may call the connector (an unknown or malformed address may not). */
  allows(address: string | undefined): boolean {
    if (!address) return false;
    const client = mappedIpv4(address) ?? address;
    const family = isIPv4(client) ? 'ipv4' : isIPv6(client) ? 'ipv6' : undefined;
    if (!family) return false;
    try {
      return this.lists[family].check(client, family);
    } catch {
      return false; // e.g. a link-local address with a zone id
    }
  }
}
