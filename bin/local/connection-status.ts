/**
 * `npm start`'s connection status (the setup page's "waiting → connected → provisioning"): the
 * gateway's request lines of the past 24 h per connector, in memory — what the stage access logs
 * are on AWS. Only SCIM requests count (those under the connector's base path), not the setup
 * page's own.
 */
import { STATUS_WINDOW_MS, summarize, type ConnectionStatus, type ObservedRequest, type StatusSource } from '../../lambdas/setup/status.js';
import type { RequestLine } from './gateway.js';

/** Per connector; older lines are dropped once past the window or past this many. */
const MAX_LINES = 10_000;

export class LocalConnectionStatus implements StatusSource {
  private readonly lines = new Map<string, ObservedRequest[]>();

  constructor(
    private readonly basePaths: ReadonlyMap<string, string>,
    private readonly now: () => number = Date.now,
  ) {}

  record(line: RequestLine): void {
    const [, connector, ...rest] = line.path.split('/');
    const basePath = connector === undefined ? undefined : this.basePaths.get(connector);
    if (basePath === undefined || !rest.join('/').startsWith(basePath)) return;
    const list = this.lines.get(connector as string) ?? [];
    list.push({ at: this.now(), method: line.method, status: line.status, scimType: line.scimType, detail: line.detail });
    const cutoff = this.now() - STATUS_WINDOW_MS;
    while (list.length > MAX_LINES || (list[0] && list[0].at <= cutoff)) list.shift();
    this.lines.set(connector as string, list);
  }

  async status(connector: string): Promise<ConnectionStatus> {
    return summarize(this.lines.get(connector) ?? [], this.now());
  }
}
