/**
 * The pause check of the users and groups handlers (`scim-admin pause <connector>`): while a
 * connector is paused every request of it answers 503 with Retry-After — the identity providers
 * retry later, where a 4xx would make them drop the change — before anything is read or written.
 *
 * Why here and how it stays cheap: the authorizer's answer is cached by API Gateway for
 * `scim:authorizerCacheTtlSeconds` (300 s), so a check there would take minutes to bite; the
 * handlers run for every request. The flag is one item of the table (store/connector-state.ts);
 * each container keeps what it read for `ttlMs` (5 s) per connector and concurrent requests share
 * one read, so a busy container makes at most one eventually consistent GetItem per connector
 * every 5 s whatever its request rate, and a pause reaches every container within 5 s.
 */
import { ScimError } from '../scim/errors.js';
import type { ScimAction } from './middleware.js';

export const PAUSE_CHECK_TTL_MS = 5000;
/** Seconds the identity provider is asked to wait before retrying a paused connector. */
export const PAUSED_RETRY_AFTER_SECONDS = '60';
/** The 503's detail (`scim-admin check` recognises it). */
export const PAUSED_DETAIL = 'This connector is paused by its administrator; retry later';

export class PauseGate {
  private readonly cache = new Map<string, { paused: Promise<boolean>; expiresAt: number }>();
  /** The last answer read per connector, for when a read fails. */
  private readonly last = new Map<string, boolean>();

  constructor(
    private readonly read: (connector: string) => Promise<boolean>,
    private readonly ttlMs = PAUSE_CHECK_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether the connector is paused (cached). A failed read answers what was last read (a paused
   * connector stays paused through a throttled read), or "not paused" when nothing was: the
   * request then meets storage itself and gets its real answer — a 500 that names a
   * misconfiguration, a 503 for an outage, a 400 for bad input — instead of a 503 for everything.
   * That answer is kept for the TTL like a read one, so a struggling table is not asked again on
   * every request.
   */
  paused(connector: string): Promise<boolean> {
    const t = this.now();
    const hit = this.cache.get(connector);
    if (hit && hit.expiresAt > t) return hit.paused;
    const paused = this.read(connector).then(
      (p) => {
        this.last.set(connector, p);
        return p;
      },
      () => this.last.get(connector) ?? false,
    );
    this.cache.set(connector, { paused, expiresAt: t + this.ttlMs });
    return paused;
  }

  /** Throws the 503 a paused connector answers (after `onPaused`, for the request's telemetry). */
  async check(connector: string, onPaused?: () => void): Promise<void> {
    if (await this.paused(connector)) {
      onPaused?.();
      throw new ScimError(503, undefined, PAUSED_DETAIL, { 'Retry-After': PAUSED_RETRY_AFTER_SECONDS });
    }
  }
}

/**
 * `action` behind the pause check (the users and groups handlers; discovery has no data to
 * protect): a paused connector's 503 is marked on the request line (RequestsPaused).
 */
export function pausable(gate: PauseGate | undefined, action: ScimAction): ScimAction {
  if (!gate) return action;
  return async (request) => {
    await gate.check(request.connector.name, () => (request.telemetry.paused = true));
    return action(request);
  };
}
