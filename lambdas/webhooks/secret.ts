/**
 * A connector's webhook signing secret, in the token secret's JSON shape (lambdas/auth/tokens.ts):
 *   { "current": "<secret>", "previous": "<secret>", "previousExpiresAt": "<ISO 8601>" }
 * Secrets Manager `<stack>/<connector>/webhook` on AWS, `.scim-local/webhooks/<connector>.json`
 * locally. While `previous` has not expired, requests are signed with both (two `v1=`), so a
 * receiver can switch to the new secret at any time within the grace period.
 *
 * Parsed without zod: the delivery function is kept small (the same reason as deployed.ts).
 */

export interface SigningSecretSet {
  readonly current: string;
  readonly previous?: string;
  readonly previousExpiresAt?: string;
}

/** Parses a secret string; the error never echoes the secret text. */
export function parseSigningSecretSet(secretString: string): SigningSecretSet {
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new Error('webhook secret is not JSON');
  }
  const o = json as Record<string, unknown> | null;
  const bad: string[] = [];
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('webhook secret must be a JSON object {current, previous?, previousExpiresAt?}');
  if (typeof o.current !== 'string' || o.current === '') bad.push('current');
  if (o.previous !== undefined && (typeof o.previous !== 'string' || o.previous === '')) bad.push('previous');
  if (o.previousExpiresAt !== undefined && (typeof o.previousExpiresAt !== 'string' || Number.isNaN(Date.parse(o.previousExpiresAt)))) bad.push('previousExpiresAt');
  if (bad.length > 0) throw new Error(`webhook secret has an invalid shape (fields: ${bad.join(', ')})`);
  return {
    current: o.current as string,
    ...(o.previous !== undefined ? { previous: o.previous as string } : {}),
    ...(o.previousExpiresAt !== undefined ? { previousExpiresAt: o.previousExpiresAt as string } : {}),
  };
}

/** The secrets to sign with at `now`: current, then previous while its grace period lasts. */
export function signingSecrets(set: SigningSecretSet, now: Date): string[] {
  const alive = set.previous !== undefined && set.previousExpiresAt !== undefined && Date.parse(set.previousExpiresAt) > now.getTime();
  return alive && set.previous !== set.current ? [set.current, set.previous!] : [set.current];
}
