/**
 * The one shape of every secret that is rotated with a grace period — the connector tokens
 * (lambdas/auth/tokens.ts), the webhook signing secrets (lambdas/webhooks/secret.ts) and the paging
 * cursors' key (lambdas/store/cursor-key.ts) — and the rules all of them follow:
 *
 *   { "current": "<secret>", "previous"?: "<secret>", "previousExpiresAt"?: "<ISO 8601>", "rotatedAt"?: "<ISO 8601>" }
 *
 *  - `current` is used to sign or is accepted; `previous` is still honoured (accepted, or also
 *    signed with) until `previousExpiresAt`, so a rotation never cuts off what uses the old value.
 *    A `previous` without a valid expiry is never honoured.
 *  - `rotatedAt` (informational) is when `current` was set; a malformed value is dropped, never
 *    failing the secret (the token-age check reads it, lambdas/auth/token-age.ts).
 *
 * Here, not in a layer: the authorizer, the store, the webhook delivery function and scim-admin all
 * import it. No zod and no imports at all, so the authorizer, token-age and delivery bundles stay
 * small. Errors never quote the secret's text.
 */

export interface RotatingSecret {
  readonly current: string;
  readonly previous?: string;
  readonly previousExpiresAt?: string;
  readonly rotatedAt?: string;
}

/** The shape, as written in error messages, CLI hints and secret descriptions. */
export const ROTATING_SECRET_SHAPE = '{"current": "<secret>", "previous"?: "<secret>", "previousExpiresAt"?: "<ISO date>", "rotatedAt"?: "<ISO date>"}';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An ISO 8601 date-time with an offset that parses (`2027-02-01T10:00:00Z`, `…+01:00`). */
export function isIsoDateTime(v: unknown): v is string {
  return typeof v === 'string' && ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v));
}

/**
 * Parses a secret's text (`what` names it in errors: "token secret", "webhook secret" …). Throws
 * when it is not a JSON object with a non-empty `current`, or when `previous` / `previousExpiresAt`
 * are present and malformed; the message names the fields, never their values.
 */
export function parseRotatingSecret(text: string, what: string): RotatingSecret {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${what} must be a JSON object ${ROTATING_SECRET_SHAPE}`);
  const o = json as Record<string, unknown>;
  const bad: string[] = [];
  const nonEmpty = (v: unknown) => typeof v === 'string' && v !== '';
  if (!nonEmpty(o.current)) bad.push('current');
  if (o.previous !== undefined && !nonEmpty(o.previous)) bad.push('previous');
  if (o.previousExpiresAt !== undefined && !isIsoDateTime(o.previousExpiresAt)) bad.push('previousExpiresAt');
  if (bad.length > 0) throw new Error(`${what} has an invalid shape (fields: ${bad.join(', ')})`);
  return {
    current: o.current as string,
    ...(o.previous !== undefined ? { previous: o.previous as string } : {}),
    ...(o.previousExpiresAt !== undefined ? { previousExpiresAt: o.previousExpiresAt as string } : {}),
    ...(isIsoDateTime(o.rotatedAt) ? { rotatedAt: o.rotatedAt } : {}),
  };
}

/** Whether `previous` is still honoured at `now` (its expiry is strictly later). */
export function previousAlive(s: RotatingSecret, now: Date): boolean {
  return s.previous !== undefined && s.previousExpiresAt !== undefined && Date.parse(s.previousExpiresAt) > now.getTime();
}

/** The values honoured at `now`: `current`, then `previous` while its grace period lasts (once). */
export function liveValues(s: RotatingSecret, now: Date): string[] {
  return previousAlive(s, now) && s.previous !== s.current ? [s.current, s.previous!] : [s.current];
}

/**
 * The secret after a rotation at `now` to `next`: the old `current` stays as `previous` until
 * now + grace (grace ≤ 0: dropped at once, with any older `previous`); `rotatedAt` = now.
 */
export function rotateSecret(s: RotatingSecret, graceMs: number, now: Date, next: string): RotatingSecret {
  const rotatedAt = now.toISOString();
  if (graceMs <= 0) return { current: next, rotatedAt };
  return { current: next, previous: s.current, previousExpiresAt: new Date(now.getTime() + graceMs).toISOString(), rotatedAt };
}

/** Drops `previous`; `current` and its `rotatedAt` stay (the current value did not get younger). */
export function revokePrevious(s: RotatingSecret): RotatingSecret {
  return { current: s.current, ...(s.rotatedAt ? { rotatedAt: s.rotatedAt } : {}) };
}
