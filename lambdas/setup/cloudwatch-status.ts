/**
 * The deployed connection status (status.ts), read from what the stack records anyway — no write on
 * the SCIM request path:
 *  - the stage access logs (one JSON line per request, `stage` = connector, every status including
 *    the authorizer's 401s and the gateway's own errors with their `errorMessage`);
 *  - the users and groups functions' provisioning lines (failures with their `scimType`).
 * Both through CloudWatch Logs FilterLogEvents over the past 24 h, at most MAX_PAGES pages each
 * (a connector being set up sends a handful of requests; past that the counts say "at least").
 * Answers are cached per container for CACHE_MS: FilterLogEvents is limited to a few calls a
 * second per account, and an open page asks every few seconds.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { LOG_FIELDS } from '../http/metric-names.js';
import { STATUS_WINDOW_MS, summarize, type ConnectionStatus, type ObservedRequest, type StatusSource } from './status.js';

export const STATUS_LOG_GROUPS_ENV = 'SCIM_STATUS_LOG_GROUPS';
const MAX_PAGES = 3;
const CACHE_MS = 10_000;

export interface StatusLogGroups {
  /** The stage access log group. */
  readonly access: string;
  /** The users and groups functions' log groups. */
  readonly handlers: readonly string[];
}

/** Stage access log line (lib/constructs/scim-api.ts ACCESS_LOG_FIELDS). */
interface AccessLine {
  readonly httpMethod?: string;
  readonly status?: number | string;
  readonly errorMessage?: string;
}

/** Connector names are `[A-Za-z0-9_-]`: safe inside a filter pattern's quotes. */
const SAFE = /^[A-Za-z0-9_-]+$/;

export class CloudWatchStatus implements StatusSource {
  private readonly cache = new Map<string, { at: number; value: ConnectionStatus }>();

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly groups: StatusLogGroups,
    private readonly now: () => number = Date.now,
  ) {}

  async status(connector: string): Promise<ConnectionStatus> {
    if (!SAFE.test(connector)) throw new Error(`connector name ${connector} cannot be filtered on`);
    const hit = this.cache.get(connector);
    if (hit && this.now() - hit.at < CACHE_MS) return hit.value;
    const now = this.now();
    const [access, failures] = await Promise.all([
      this.events(this.groups.access, `{ $.stage = "${connector}" }`, now),
      Promise.all(this.groups.handlers.map((g) => this.events(g, `{ $.${LOG_FIELDS.connector} = "${connector}" && $.${LOG_FIELDS.outcome} = "failure" }`, now))),
    ]);
    // scimType of handler failures, by time and status (the access line has no scimType).
    const scimTypes = failures.flat().map((e) => ({ at: e.at, status: Number(e.line[LOG_FIELDS.status]), scimType: e.line[LOG_FIELDS.scimType] as string | undefined }));
    const requests: ObservedRequest[] = access.map(({ at, line }) => {
      const a = line as AccessLine;
      const status = Number(a.status);
      const match = status >= 400 ? scimTypes.find((s) => s.status === status && Math.abs(s.at - at) < 5_000) : undefined;
      return { at, method: a.httpMethod ?? 'GET', status, scimType: match?.scimType, detail: a.errorMessage && a.errorMessage !== '-' ? a.errorMessage : undefined };
    });
    const value = summarize(requests, now);
    this.cache.set(connector, { at: now, value });
    return value;
  }

  private async events(logGroupName: string, filterPattern: string, now: number): Promise<{ at: number; line: Record<string, unknown> }[]> {
    const out: { at: number; line: Record<string, unknown> }[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.client.send(
        new FilterLogEventsCommand({ logGroupName, filterPattern, startTime: now - STATUS_WINDOW_MS, endTime: now, ...(nextToken ? { nextToken } : {}) }),
      );
      for (const e of res.events ?? []) {
        try {
          out.push({ at: e.timestamp ?? now, line: JSON.parse(e.message ?? '{}') as Record<string, unknown> });
        } catch {
          // not a JSON line: not ours
        }
      }
      nextToken = res.nextToken;
      if (!nextToken) break;
    }
    return out;
  }
}

export function statusLogGroupsFromEnv(env: NodeJS.ProcessEnv = process.env): StatusLogGroups {
  const raw = env[STATUS_LOG_GROUPS_ENV];
  if (!raw) throw new Error(`${STATUS_LOG_GROUPS_ENV} is not set`);
  return JSON.parse(raw) as StatusLogGroups;
}
