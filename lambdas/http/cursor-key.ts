/**
 * Where the users and groups Lambdas get the key that signs paging cursors: a Secrets Manager
 * secret generated at deploy time (lib/scim-stack.ts), its ARN in `SCIM_CURSOR_KEY_SECRET_ARN`.
 *
 * The value is a bare key (as generated) or the rotating-secret JSON `scim-admin cursor-key rotate`
 * writes (lambdas/store/cursor-key.ts). Read lazily: the store calls the loader on the first
 * request that encodes or decodes a cursor (RFC 9865 paging, root cursors) and again at most once a
 * minute while cursors are used (lambdas/store/cursor-key.ts `cursorKeyRing`), so cold starts,
 * index paging and every other request never wait for Secrets Manager. The client is imported statically: measured with the CDK esbuild settings, the two named
 * imports add 13.5 KiB to the users/groups bundles and ~0.6 ms to their cold import (median of 60
 * fresh processes), while a dynamic `import()` adds 29 KiB (esbuild cannot tree-shake a lazily
 * initialised package, so every command comes along) and imported no faster.
 *
 * Failures, classified as every AWS call is (lambdas/runtime/aws-errors.ts): AccessDenied, a
 * missing or undecryptable secret, unknown credentials → `configuration` (500, the
 * ConfigurationErrors alarm; retrying cannot heal it); anything else (throttling, timeouts, Secrets
 * Manager errors) → `unavailable` (503 + Retry-After). Neither is kept: the next read tries again.
 */
import { GetSecretValueCommand, SecretsManagerClient, type GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { awsErrorCode, classifyAwsError } from '../runtime/aws-errors.js';
import { StorageError } from '../store/storage-error.js';

export const CURSOR_KEY_SECRET_ENV = 'SCIM_CURSOR_KEY_SECRET_ARN';

/** Like the DynamoDB client (app.ts): a hanging call is cut and retried at most twice, well inside the request deadline. */
export const SECRETS_CLIENT_SETTINGS = { maxAttempts: 3, connectionTimeoutMs: 1000, requestTimeoutMs: 3000 } as const;

/** What the loader needs of a Secrets Manager client (tests pass a mocked SecretsManagerClient). */
export interface SecretsClient {
  send(command: unknown): Promise<Pick<GetSecretValueCommandOutput, 'SecretString'>>;
}

function classify(e: unknown): StorageError {
  const name = awsErrorCode(e) || 'Error';
  const message = `cursor key secret: ${e instanceof Error ? e.message : String(e)}`;
  if (classifyAwsError(e) === 'configuration') return new StorageError('configuration', message, { cause: e, code: name, operation: 'secretsmanager:GetSecretValue' });
  return new StorageError('unavailable', message, { cause: e });
}

/**
 * The loader of the cursor key secret `secretId` (name or ARN): one GetSecretValue per call,
 * returning the secret's text; the store's key ring decides when to call it.
 */
export function secretsManagerCursorKey(secretId: string, client?: SecretsClient): () => Promise<string> {
  let c = client;
  return async () => {
    c ??= new SecretsManagerClient({
      maxAttempts: SECRETS_CLIENT_SETTINGS.maxAttempts,
      requestHandler: {
        connectionTimeout: SECRETS_CLIENT_SETTINGS.connectionTimeoutMs,
        requestTimeout: SECRETS_CLIENT_SETTINGS.requestTimeoutMs,
        throwOnRequestTimeout: true,
      },
    });
    let out: Pick<GetSecretValueCommandOutput, 'SecretString'>;
    try {
      out = await c.send(new GetSecretValueCommand({ SecretId: secretId }));
    } catch (e) {
      throw classify(e);
    }
    if (typeof out.SecretString !== 'string' || out.SecretString === '')
      throw new StorageError('configuration', 'cursor key secret has no SecretString', { code: 'EmptySecret', operation: 'secretsmanager:GetSecretValue' });
    return out.SecretString;
  };
}
