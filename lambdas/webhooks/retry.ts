/**
 * Webhook retry schedules, as pure functions of the attempt number (1 = the first POST).
 *
 * AWS (delivery function): after failed attempt n the SQS message is hidden for
 * `AWS_RETRY_DELAYS_SECONDS[n - 1]` (ChangeMessageVisibility, at most 12 h per call), so attempt
 * n + 1 comes after that delay. The queue's redrive policy moves a message received more than
 * `AWS_MAX_ATTEMPTS` times to the dead-letter queue; after the last attempt the function makes the
 * message visible at once so that happens without waiting. The whole schedule ends within 24 h.
 *
 * Local (`npm start`): the same idea with a short schedule, in memory, then a stderr line.
 */

/** Delay after each failed attempt (seconds): 30 s, 1, 2, 5, 10, 30 min, 1, 2, 4, 8, 8 h. */
export const AWS_RETRY_DELAYS_SECONDS: readonly number[] = [30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400, 28_800, 28_800];
/** Attempts in all (the first POST and one per delay). */
export const AWS_MAX_ATTEMPTS = AWS_RETRY_DELAYS_SECONDS.length + 1;
/** ChangeMessageVisibility's limit per call. */
export const MAX_VISIBILITY_SECONDS = 12 * 3600;
/** Deliveries give up within this (first attempt → last attempt, without the POSTs' own time). */
export const RETRY_WINDOW_SECONDS = 24 * 3600;

/** Delay after each failed attempt of `npm start` (ms): 1, 2, 5, 10, 30 s, then give up. */
export const LOCAL_RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 5000, 10_000, 30_000];

/**
 * The delay before the next attempt after attempt `attempt` failed, or undefined when that was the
 * last attempt of the schedule.
 */
export function retryDelay(schedule: readonly number[], attempt: number): number | undefined {
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`attempt must be a positive integer, got ${attempt}`);
  return schedule[attempt - 1];
}

/** Sum of the delays: when the last attempt is made, counted from the first. */
export function scheduleSpan(schedule: readonly number[]): number {
  return schedule.reduce((a, b) => a + b, 0);
}
