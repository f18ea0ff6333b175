/**
 * Webhook signing-secret rotation for `scim-admin webhook rotate`, modelled on the token rotation
 * (./tokens.ts): a new random `current`; the old one stays as `previous` until now + grace, and
 * until then every delivery is signed with both (one `v1=` each), so the receiving app can switch
 * to the new secret at any moment of the grace period. Grace 0: the old one stops signing at once.
 */
import { rotateSecret } from '../../lambdas/runtime/rotating-secret.js';
import type { SigningSecretSet } from '../../lambdas/webhooks/secret.js';
import { newToken } from './tokens.js';

export function rotateSigningSecret(set: SigningSecretSet, graceMs: number, now: Date, secret: string = newToken()): SigningSecretSet {
  return rotateSecret(set, graceMs, now, secret);
}
