/**
 * Webhook delivery for `npm start` (and `scim-admin --local events resync`): what the delivery
 * function does on AWS, in memory. Each webhook connector gets its events — filtered by its
 * `kinds`, in the envelope, signed with its secret, the same headers (lambdas/webhooks/post.ts) —
 * one at a time and in order (a per-connector FIFO queue).
 *
 * A failed attempt (non-2xx, timeout, receiver down) is retried after 1, 2, 5, 10 and 30 s
 * (LOCAL_RETRY_DELAYS_MS), holding that connector's later events back (order kept); after the last
 * attempt the event is given up with a line through `onGiveUp` (stderr with `npm start`) and the
 * queue moves on; until a delivery succeeds again, each later event gets one attempt (a receiver
 * that stays down does not hold every event for the whole schedule). Nothing here blocks the endpoint or the other connectors: `enqueue` returns at
 * once, each connector has its own worker.
 *
 * The secret is read on every attempt (`secrets()`), so a `scim-admin --local webhook rotate`
 * applies to the next request.
 */
import { DEFAULT_EVENT_SOURCE, envelope, type ChangeEvent } from '../../lambdas/events/schema.js';
import { kindSelected } from '../../lambdas/events/kinds.js';
import { postSigned, urlOrigin } from '../../lambdas/webhooks/post.js';
import { LOCAL_RETRY_DELAYS_MS, retryDelay } from '../../lambdas/webhooks/retry.js';
import { signingSecrets, type SigningSecretSet } from '../../lambdas/webhooks/secret.js';

export interface LocalWebhookTarget {
  readonly connector: string;
  readonly url: string;
  readonly kinds?: readonly string[];
  /** The connector's signing secret set, read per attempt. */
  readonly secrets: () => SigningSecretSet;
}

export interface LocalWebhooksOptions {
  readonly targets: readonly LocalWebhookTarget[];
  /** Delay after each failed attempt (ms); default LOCAL_RETRY_DELAYS_MS. */
  readonly delaysMs?: readonly number[];
  readonly timeoutMs?: number;
  readonly source?: string;
  readonly fetchImpl?: typeof fetch;
  /** An event given up after its last attempt. */
  readonly onGiveUp?: (message: string) => void;
  readonly now?: () => Date;
}

interface Lane {
  readonly target: LocalWebhookTarget;
  readonly queue: ChangeEvent[];
  worker: Promise<void> | undefined;
  /** Set by a give-up, cleared by the next success: meanwhile each event gets one attempt. */
  down: boolean;
}

export interface LocalWebhookStats {
  delivered: number;
  failedAttempts: number;
  givenUp: number;
}

export class LocalWebhooks {
  private readonly lanes = new Map<string, Lane>();
  private stopped = false;
  /** Aborts attempts in flight on stop (a hanging receiver must not hold Ctrl-C for 10 s). */
  private readonly halt = new AbortController();
  private readonly sleepers = new Set<() => void>();
  private readonly idleWaiters: (() => void)[] = [];
  readonly stats: LocalWebhookStats = { delivered: 0, failedAttempts: 0, givenUp: 0 };

  constructor(private readonly o: LocalWebhooksOptions) {
    for (const t of o.targets) this.lanes.set(t.connector, { target: t, queue: [], worker: undefined, down: false });
  }

  get connectors(): string[] {
    return [...this.lanes.keys()];
  }

  /** Queues the events each webhook connector selects; returns at once. */
  enqueue(events: readonly ChangeEvent[]): void {
    if (this.stopped) return;
    for (const e of events) {
      const lane = this.lanes.get(e.connector);
      if (!lane || !kindSelected(lane.target.kinds, e.kind)) continue;
      lane.queue.push(e);
      lane.worker ??= this.work(lane);
    }
  }

  /** Events queued (or being delivered) for one connector, or for all. */
  pending(connector?: string): number {
    if (connector !== undefined) return this.lanes.get(connector)?.queue.length ?? 0;
    let n = 0;
    for (const l of this.lanes.values()) n += l.queue.length;
    return n;
  }

  /** Resolves when every queue is empty (delivered or given up). */
  idle(): Promise<void> {
    if (this.pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves once at most `max` events of `connector` are pending (backpressure for a resync). */
  async below(connector: string, max: number): Promise<void> {
    while (!this.stopped && this.pending(connector) > max) await this.sleep(20);
  }

  /** Stops the workers; undelivered events are dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halt.abort();
    for (const wake of this.sleepers) wake();
    await Promise.all([...this.lanes.values()].map((l) => l.worker));
    for (const l of this.lanes.values()) l.queue.length = 0;
    this.notifyIdle();
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private notifyIdle(): void {
    if (this.pending() > 0) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async work(lane: Lane): Promise<void> {
    const delays = this.o.delaysMs ?? LOCAL_RETRY_DELAYS_MS;
    const source = this.o.source ?? DEFAULT_EVENT_SOURCE;
    try {
      while (!this.stopped && lane.queue.length > 0) {
        const event = lane.queue[0]!;
        const body = JSON.stringify(envelope(event, source));
        for (let attempt = 1; !this.stopped; attempt++) {
          let error: string;
          try {
            const at = this.o.now?.() ?? new Date();
            const r = await postSigned({
              url: lane.target.url,
              body,
              eventId: event.eventId,
              secrets: signingSecrets(lane.target.secrets(), at),
              now: at,
              signal: this.halt.signal,
              ...(this.o.timeoutMs !== undefined ? { timeoutMs: this.o.timeoutMs } : {}),
              ...(this.o.fetchImpl ? { fetchImpl: this.o.fetchImpl } : {}),
            });
            if (r.ok) {
              this.stats.delivered++;
              lane.down = false;
              break;
            }
            error = r.error;
          } catch (e) {
            error = `signing secret unreadable: ${(e as Error)?.message ?? String(e)}`;
          }
          if (this.stopped) break; // shutting down: neither a retry nor a give-up
          this.stats.failedAttempts++;
          const delay = lane.down ? undefined : retryDelay(delays, attempt);
          if (delay === undefined) {
            this.stats.givenUp++;
            lane.down = true;
            this.o.onGiveUp?.(
              `webhook of ${lane.target.connector} (${urlOrigin(lane.target.url)}): gave up on event ${event.eventId} (${event.kind}) after ${attempt} attempts: ${error}`,
            );
            break;
          }
          await this.sleep(delay);
        }
        lane.queue.shift();
      }
    } finally {
      lane.worker = undefined;
      // Events queued while the worker was finishing.
      if (!this.stopped && lane.queue.length > 0) lane.worker = this.work(lane);
      this.notifyIdle();
    }
  }
}
