/**
 * A connector's webhook signing secret, in the rotating-secret shape of the tokens
 * (lambdas/runtime/rotating-secret.ts):
 *   { "current": "<secret>", "previous": "<secret>", "previousExpiresAt": "<ISO 8601>", "rotatedAt": "<ISO 8601>" }
 * Secrets Manager `<stack>/<connector>/webhook` on AWS, `.scim-local/webhooks/<connector>.json`
 * locally. While `previous` has not expired, requests are signed with both (two `v1=`), so a
 * receiver can switch to the new secret at any time within the grace period.
 *
 * Parsed without zod: the delivery function is kept small (the same reason as deployed.ts).
 */
import { liveValues, parseRotatingSecret, type RotatingSecret } from '../runtime/rotating-secret.js';

export type SigningSecretSet = RotatingSecret;

/** Parses a secret string; the error never echoes the secret text. */
export function parseSigningSecretSet(secretString: string): SigningSecretSet {
  return parseRotatingSecret(secretString, 'webhook secret');
}

/** The secrets to sign with at `now`: current, then previous while its grace period lasts. */
export function signingSecrets(set: SigningSecretSet, now: Date): string[] {
  return liveValues(set, now);
}
