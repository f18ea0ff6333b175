/**
 * Where the authorizer gets a connector's tokens. Lambda: Secrets Manager (one secret per
 * connector). `npm start`: a local file per connector (bin/local/token-files.ts), same JSON shape.
 *
 * Secret naming (the CDK stack sets these on the authorizer):
 *  - `SCIM_TOKEN_SECRETS`: JSON map `{ "<connector>": "<secret name or ARN>" }`, checked first;
 *  - otherwise the convention `scim/<connector>/token`.
 *
 * Hand-written cache rather than @aws-lambda-powertools/parameters (not a dependency): one Map with
 * an expiry; failures are never cached, so the next request retries Secrets Manager.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseTokenSet, type TokenSet } from './tokens.js';

export interface TokenSource {
  /** The connector's tokens; throws when they cannot be read. */
  get(connector: string): Promise<TokenSet>;
}

export const TOKEN_SECRETS_ENV = 'SCIM_TOKEN_SECRETS';

export function secretIdFor(connector: string, env: NodeJS.ProcessEnv = process.env): string {
  const raw = env[TOKEN_SECRETS_ENV];
  if (raw) {
    const map = JSON.parse(raw) as Record<string, unknown>;
    const id = map[connector];
    if (typeof id === 'string' && id !== '') return id;
  }
  return `scim/${connector}/token`;
}

export class SecretsManagerTokenSource implements TokenSource {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly resolveSecretId: (connector: string) => string = (c) => secretIdFor(c),
  ) {}

  async get(connector: string): Promise<TokenSet> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.resolveSecretId(connector) }));
    if (typeof out.SecretString !== 'string') throw new Error('token secret has no SecretString');
    return parseTokenSet(out.SecretString);
  }
}

/** Caches each connector's tokens for `ttlMs` (default 60 s): rotations show up within a minute. */
export class CachedTokenSource implements TokenSource {
  private readonly cache = new Map<string, { value: TokenSet; expiresAt: number }>();

  constructor(
    private readonly inner: TokenSource,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(connector: string): Promise<TokenSet> {
    const hit = this.cache.get(connector);
    if (hit && hit.expiresAt > this.now()) return hit.value;
    const value = await this.inner.get(connector);
    this.cache.set(connector, { value, expiresAt: this.now() + this.ttlMs });
    return value;
  }
}
