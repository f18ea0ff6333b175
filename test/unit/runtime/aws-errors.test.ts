/**
 * The one AWS error classifier (lambdas/runtime/aws-errors.ts), and that the two callers whose
 * answers depend on it — DynamoDB (store/errors.ts) and the cursor key's Secrets Manager read
 * (http/cursor-key.ts) — answer every code the same way: configuration → 500 (alarmed), the rest →
 * 503 + Retry-After. Before, each had its own list and e.g. a disabled KMS key was a 503 for the
 * cursor key but a 500 for DynamoDB.
 */
import { describe, expect, it } from 'vitest';
import { secretsManagerCursorKey } from '../../../lambdas/http/cursor-key.js';
import { awsErrorCode, classifyAwsError, classifyAwsErrorCode, type AwsErrorClass } from '../../../lambdas/runtime/aws-errors.js';
import { fromDynamoError, isStorageError, toScimError, type StorageError } from '../../../lambdas/store/errors.js';

function awsError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: {}, ...extra });
}

const CASES: [string, AwsErrorClass][] = [
  ['AccessDeniedException', 'configuration'],
  ['ResourceNotFoundException', 'configuration'],
  ['UnrecognizedClientException', 'configuration'],
  ['CredentialsProviderError', 'configuration'],
  ['InvalidSignatureException', 'configuration'],
  ['IncompleteSignature', 'configuration'],
  ['MissingAuthenticationTokenException', 'configuration'],
  ['KMSAccessDeniedException', 'configuration'],
  ['KMSDisabledException', 'configuration'],
  ['KMSInvalidStateException', 'configuration'],
  ['KMSNotFoundException', 'configuration'],
  ['DecryptionFailure', 'configuration'],
  ['InvalidRequestException', 'configuration'],
  ['InvalidParameterException', 'configuration'],
  ['ValidationException', 'configuration'],
  ['ThrottlingException', 'throttled'],
  ['ProvisionedThroughputExceededException', 'throttled'],
  ['RequestLimitExceeded', 'throttled'],
  ['TooManyRequestsException', 'throttled'],
  ['InternalServerError', 'unavailable'],
  ['InternalServiceError', 'unavailable'],
  ['ServiceUnavailable', 'unavailable'],
  ['TimeoutError', 'unavailable'],
  ['AbortError', 'unavailable'],
  ['SomethingNew', 'other'],
];

async function cursorKeyFailure(e: Error): Promise<StorageError> {
  const load = secretsManagerCursorKey('arn:aws:secretsmanager:eu-west-1:123456789012:secret:Scim/cursor-key-AbCdEf', { send: () => Promise.reject(e) });
  const x = await load().then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isStorageError(x)) throw new Error(`expected a StorageError, got ${String(x)}`);
  return x;
}

describe('classifyAwsError', () => {
  it.each(CASES)('%s → %s', (name, cls) => {
    expect(classifyAwsError(awsError(name))).toBe(cls);
    expect(classifyAwsErrorCode(name)).toBe(cls);
  });

  it('Node network errors by their code; an unlisted code the SDK marks retryable is unavailable; non-errors are other', () => {
    const reset = Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });
    expect([awsErrorCode(reset), classifyAwsError(reset)]).toEqual(['ECONNRESET', 'unavailable']);
    expect(classifyAwsError(awsError('SomethingNew', { $retryable: {} }))).toBe('unavailable');
    expect(classifyAwsError('boom')).toBe('other');
    expect(classifyAwsError(null)).toBe('other');
  });
});

describe('one answer per code, whichever AWS call failed', () => {
  it.each(CASES)('%s: DynamoDB and the cursor key secret agree', async (name, cls) => {
    const dynamo = toScimError(fromDynamoError(awsError(name)));
    const secret = toScimError(await cursorKeyFailure(awsError(name)));
    const want = cls === 'configuration' ? 500 : 503;
    expect([dynamo.status, secret.status]).toEqual([want, want]);
  });
});
