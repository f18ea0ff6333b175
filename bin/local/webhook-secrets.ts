/**
 * Local webhook signing secrets for `npm start`: `<dir>/<connector>.json` (dir =
 * `.scim-local/webhooks`), mode 0600, in the Secrets Manager secret's JSON shape
 * (lambdas/webhooks/secret.ts) — the token files' format, so `scim-admin --local webhook rotate`
 * works like `token rotate`. `connectors.json` repeats the current one as `webhookSecret`.
 */
import { readFileSync } from 'node:fs';
import { parseSigningSecretSet, type SigningSecretSet } from '../../lambdas/webhooks/secret.js';
import { ensureToken, tokenFile } from './token-files.js';

export function webhookSecretFile(dir: string, connector: string): string {
  return tokenFile(dir, connector);
}

/** Reads the connector's secret file, creating it with a fresh random secret (32 bytes, base64url) on first use. */
export function ensureWebhookSecret(dir: string, connector: string): SigningSecretSet {
  return ensureToken(dir, connector);
}

export function readWebhookSecret(dir: string, connector: string): SigningSecretSet {
  return parseSigningSecretSet(readFileSync(webhookSecretFile(dir, connector), 'utf8'));
}
