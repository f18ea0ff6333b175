/**
 * The source-address fence of the local gateway: the same lists as the stack's resource policy
 * (`allowedSourceCidrs` of the connector, else `scim:allowedSourceCidrs`), checked against the
 * client's address with Node's `net.BlockList` (IPv4, IPv6, and IPv4-mapped IPv6 such as
 * `::ffff:127.0.0.1`, which BlockList matches against IPv4 subnets).
 *
 * Loopback (127.0.0.0/8, ::1) stays allowed unless the connector has its own list: with only the
 * stack-wide default, `npm start` and `curl` on this machine keep working; a connector's explicit
 * list is enforced exactly, so a fence can be tried locally by naming one.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { ConnectorConfig } from '../../lambdas/connectors/config.js';
import { parseCidr } from '../../lambdas/connectors/source-cidrs.js';

const LOOPBACK = ['127.0.0.0/8', '::1/128'];

function blockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const text of cidrs) {
    const c = parseCidr(text);
    if (typeof c === 'string') throw new Error(`invalid CIDR "${text}": ${c}`); // validated by the connector schema already
    list.addSubnet(c.address, c.prefix, c.family);
  }
  return list;
}

export class SourceFence {
  private readonly list: BlockList;

  private constructor(
    readonly cidrs: readonly string[],
    readonly loopbackAllowed: boolean,
  ) {
    this.list = blockList(loopbackAllowed ? [...cidrs, ...LOOPBACK] : cidrs);
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
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
    if (!family) return false;
    try {
      return this.list.check(address, family);
    } catch {
      return false; // e.g. a link-local address with a zone id
    }
  }
}
