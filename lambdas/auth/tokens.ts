/**
 * Connector tokens: the secret's JSON shape and the constant-time check.
 *
 * Secret value (Secrets Manager, one secret per connector; the local token files use the same): the
 * rotating-secret shape (lambdas/runtime/rotating-secret.ts)
 *   { "current": "<token>", "previous": "<token>", "previousExpiresAt": "<ISO 8601>", "rotatedAt": "<ISO 8601>" }
 * `previous` (with its expiry) keeps the old token valid for a grace period after a rotation, so a
 * running IdP is never cut off. A `previous` without a valid future expiry is never accepted.
 * `rotatedAt` (optional, informational) is when `current` was set — written by `scim-admin token
 * rotate` and `npm start`; the token-age check (lambdas/auth/token-age.ts) reads it. The
 * authorizer ignores it. Parsed without zod (the authorizer bundle stays small).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseRotatingSecret, previousAlive, type RotatingSecret } from '../runtime/rotating-secret.js';

export type TokenSet = RotatingSecret;

/** Parses a secret string; throws a message-free error on a bad shape (never echo secret text). */
export function parseTokenSet(secretString: string): TokenSet {
  return parseRotatingSecret(secretString, 'token secret');
}

/** `Bearer <token>` (scheme case-insensitive) or the bare token (Okta "HTTP Header" mode). */
export function extractToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const trimmed = authorization.trim();
  const m = /^bearer\s+(.*)$/i.exec(trimmed);
  const token = (m ? (m[1] as string) : trimmed).trim();
  return token === '' ? undefined : token;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * Constant time: both sides are hashed to equal-length digests before `timingSafeEqual`, and both
 * the current and the previous token are always compared (no short-circuit reveals which matched).
 */
export function tokenMatches(presented: string, set: TokenSet, now: Date): 'current' | 'previous' | undefined {
  const p = digest(presented);
  const current = timingSafeEqual(p, digest(set.current));
  const alive = previousAlive(set, now);
  // Compare against something even when there is no previous token, to keep the timing uniform.
  const previous = timingSafeEqual(p, digest(set.previous ?? set.current));
  if (current) return 'current';
  return alive && previous ? 'previous' : undefined;
}
