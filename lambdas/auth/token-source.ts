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
import { TOKEN_SECRETS_ENV, tokenSecretName } from './token-secrets-env.js';
import { parseTokenSet, type TokenSet } from './tokens.js';

export interface TokenSource {
  /** The connector's tokens; throws when they cannot be read. */
  get(connector: string): Promise<TokenSet>;
  /** Optional: bypass a cache after a mismatch (undefined: nothing newer to try). */
  refresh?(connector: string): Promise<TokenSet | undefined>;
}

export { TOKEN_SECRETS_ENV };

export function secretIdFor(connector: string, env: NodeJS.ProcessEnv = process.env): string {
  const raw = env[TOKEN_SECRETS_ENV];
  if (raw) {
    const map = JSON.parse(raw) as Record<string, unknown>;
    const id = map[connector];
    if (typeof id === 'string' && id !== '') return id;
  }
  return tokenSecretName('scim/', connector);
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

/**
 * Caches each connector's tokens for `ttlMs` (default 60 s). A token that matches nothing in the
 * cached set triggers `refresh`, which re-reads the secret unless the cached copy is younger than
 * `minRefreshMs` (default 1 s): a freshly rotated token works at once, while a stream of wrong
 * tokens costs at most one Secrets Manager read per connector and container a second.
 */
export class CachedTokenSource implements TokenSource {
  private readonly cache = new Map<string, { value: TokenSet; readAt: number; expiresAt: number }>();

  constructor(
    private readonly inner: TokenSource,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly minRefreshMs = 1_000,
  ) {}

  async get(connector: string): Promise<TokenSet> {
    const hit = this.cache.get(connector);
    if (hit && hit.expiresAt > this.now()) return hit.value;
    return this.read(connector);
  }

  /** The tokens re-read now, or undefined when the cached copy is too young to re-read. */
  async refresh(connector: string): Promise<TokenSet | undefined> {
    const hit = this.cache.get(connector);
    if (hit && this.now() - hit.readAt < this.minRefreshMs) return undefined;
    return this.read(connector);
  }

  private async read(connector: string): Promise<TokenSet> {
    const value = await this.inner.get(connector);
    const now = this.now();
    this.cache.set(connector, { value, readAt: now, expiresAt: now + this.ttlMs });
    return value;
  }
}
