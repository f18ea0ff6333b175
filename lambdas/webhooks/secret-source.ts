/**
 * The delivery function's signing secrets: read from Secrets Manager, cached per container for
 * `ttlMs` (default 60 s) so a busy queue does not read the secret per message, yet a rotation
 * (`scim-admin webhook rotate`) is signed with within a minute. Failures are never cached.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SigningSecretSource } from './delivery.js';
import { CONNECTOR_PLACEHOLDER } from './names.js';
import { parseSigningSecretSet, type SigningSecretSet } from './secret.js';

export const SECRET_CACHE_TTL_MS = 60_000;

export class SecretsManagerSigningSecrets implements SigningSecretSource {
  constructor(
    private readonly client: Pick<SecretsManagerClient, 'send'>,
    /** Secret name with `{connector}` in it. */
    private readonly template: string,
  ) {}

  async get(connector: string): Promise<SigningSecretSet> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.template.split(CONNECTOR_PLACEHOLDER).join(connector) }));
    if (typeof out.SecretString !== 'string') throw new Error('webhook secret has no SecretString');
    return parseSigningSecretSet(out.SecretString);
  }
}

export class CachedSigningSecrets implements SigningSecretSource {
  private readonly cache = new Map<string, { value: SigningSecretSet; expiresAt: number }>();

  constructor(
    private readonly inner: SigningSecretSource,
    private readonly ttlMs = SECRET_CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async get(connector: string): Promise<SigningSecretSet> {
    const hit = this.cache.get(connector);
    if (hit && hit.expiresAt > this.now()) return hit.value;
    const value = await this.inner.get(connector);
    this.cache.set(connector, { value, expiresAt: this.now() + this.ttlMs });
    return value;
  }
}
