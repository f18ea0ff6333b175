/**
 * The Lambdas' cursor key from Secrets Manager (aws-sdk-client-mock): never read at container start,
 * read on first use (then kept for an interval), and every failure classified — unreachable/throttled → 503 +
 * Retry-After, access denied / no such secret → 500 configuration (alarmed), never cached.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromEnvironment } from '../../../lambdas/http/app.js';
import { CURSOR_KEY_SECRET_ENV, secretsManagerCursorKey } from '../../../lambdas/http/cursor-key.js';
import { cursorKeyRing } from '../../../lambdas/store/cursor-key.js';
import { isStorageError, toScimError, type StorageError } from '../../../lambdas/store/errors.js';

const sm = mockClient(SecretsManagerClient);
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:Scim/cursor-key-AbCdEf';
const KEY = 'K'.repeat(64);
const ENV = {
  AWS_REGION: 'eu-west-1',
  SCIM_CONNECTORS: '[{"name":"default"}]',
  SCIM_TABLE_NAME: 'scim',
  [CURSOR_KEY_SECRET_ENV]: ARN,
};

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

async function failure(load: () => Promise<string>): Promise<StorageError> {
  const e = await load().then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isStorageError(e)) throw new Error(`expected a StorageError, got ${String(e)}`);
  return e;
}

beforeEach(() => sm.reset());
afterEach(() => sm.reset());

describe('fromEnvironment: the users/groups container', () => {
  it('starts without reading Secrets Manager; the first cursor key request reads the secret once', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: KEY });
    const { store } = fromEnvironment(ENV);
    expect(sm.calls()).toHaveLength(0);
    expect(await store.ctx.cursorKeys.get()).toEqual({ current: KEY });
    expect(await store.ctx.cursorKeys.get()).toEqual({ current: KEY });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: ARN });
  });

  it('refuses to start without the cursor key secret (no built-in key)', () => {
    const { [CURSOR_KEY_SECRET_ENV]: _omit, ...rest } = ENV;
    expect(() => fromEnvironment(rest)).toThrow(CURSOR_KEY_SECRET_ENV);
  });
});

describe('secretsManagerCursorKey failures', () => {
  it.each(['ThrottlingException', 'InternalServiceError', 'TimeoutError', 'ECONNREFUSED'])('%s → unavailable: 503 + Retry-After', async (name) => {
    sm.on(GetSecretValueCommand).rejects(awsError(name));
    const e = await failure(secretsManagerCursorKey(ARN));
    expect(e.kind).toBe('unavailable');
    const scim = toScimError(e);
    expect(scim.status).toBe(503);
    expect(Number(scim.headers['Retry-After'])).toBeGreaterThan(0);
  });

  it.each(['AccessDeniedException', 'ResourceNotFoundException', 'DecryptionFailure'])('%s → configuration: 500 without Retry-After, code and operation named', async (name) => {
    sm.on(GetSecretValueCommand).rejects(awsError(name));
    const e = await failure(secretsManagerCursorKey(ARN));
    expect(e).toMatchObject({ kind: 'configuration', code: name, operation: 'secretsmanager:GetSecretValue' });
    const scim = toScimError(e);
    expect(scim.status).toBe(500);
    expect(scim.headers['Retry-After']).toBeUndefined();
  });

  it('a secret without a string value is a configuration error', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    expect((await failure(secretsManagerCursorKey(ARN))).kind).toBe('configuration');
  });

  it('behind the store loader a failure is not kept: Secrets Manager back → the next request gets the key', async () => {
    sm.on(GetSecretValueCommand).rejectsOnce(awsError('ThrottlingException')).resolves({ SecretString: KEY });
    const ring = cursorKeyRing(secretsManagerCursorKey(ARN));
    expect((await failure(() => ring.get().then((k) => k.current))).kind).toBe('unavailable');
    expect((await ring.get()).current).toBe(KEY);
    expect((await ring.get()).current).toBe(KEY);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});
