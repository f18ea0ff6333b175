/**
 * Token rotation as pure transformations of the secret's JSON shape — the rotating-secret module's
 * (lambdas/runtime/rotating-secret.ts), shared with the webhook secrets and the cursor key — so the
 * deployed (Secrets Manager) and local (token file) paths rotate identically and the tests can
 * check the result against the real authorizer. Also the rotate commands' new values and `--grace`.
 *
 * Rotation keeps the old token as `previous` until `previousExpiresAt` (the authorizer accepts it
 * until then), so the IdP can be updated without a provisioning gap. A grace of 0 drops it at once.
 * It records `rotatedAt`, from which the daily token-age check and `scim-admin connectors` count
 * the token's age (lambdas/auth/token-age.ts).
 */
import { randomBytes } from 'node:crypto';
import type { TokenSet } from '../../lambdas/auth/tokens.js';
import { rotateSecret } from '../../lambdas/runtime/rotating-secret.js';

export { previousAlive, revokePrevious } from '../../lambdas/runtime/rotating-secret.js';

/** 32 random bytes, base64url (the same format `npm start` and the CDK generator produce). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export const DEFAULT_GRACE = '24h';

/** `90s`, `30m`, `24h`, `7d` or `0` → milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const m = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return n * unit;
}

/** The new set: a new `current`, the old one as `previous` until now + grace, `rotatedAt` = now (token age). */
export function rotate(set: TokenSet, graceMs: number, now: Date, token: string = newToken()): TokenSet {
  return rotateSecret(set, graceMs, now, token);
}
