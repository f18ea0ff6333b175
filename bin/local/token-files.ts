/**
 * Local token source for `npm start`: one file per connector, `<dir>/<connector>.json`, mode 0600,
 * in exactly the Secrets Manager secret's JSON shape (lambdas/auth/tokens.ts), so rotation can be
 * tried locally by editing the file (`previous` + `previousExpiresAt`). A new file records when its
 * token was made (`rotatedAt`, for the token age); files without it age from their modification time.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenSource } from '../../lambdas/auth/token-source.js';
import { parseTokenSet, type TokenSet } from '../../lambdas/auth/tokens.js';

/** 32 random bytes, base64url: 43 characters, no padding, safe in headers and shells. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenFile(dir: string, connector: string): string {
  // Connector names are validated stage names ([A-Za-z0-9_-]), so they are safe file names.
  return join(dir, `${connector}.json`);
}

/** Reads the connector's token file, creating it with a fresh token on first use. */
export function ensureToken(dir: string, connector: string): TokenSet {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = tokenFile(dir, connector);
  if (!existsSync(file)) {
    const set: TokenSet = { current: newToken(), rotatedAt: new Date().toISOString() };
    writeFileSync(file, JSON.stringify(set, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return parseTokenSet(readFileSync(file, 'utf8'));
}

export class FileTokenSource implements TokenSource {
  constructor(private readonly dir: string) {}

  async get(connector: string): Promise<TokenSet> {
    return parseTokenSet(readFileSync(tokenFile(this.dir, connector), 'utf8'));
  }
}
