/**
 * The one classifier of AWS SDK (and Node network) errors, for every AWS call a request depends on:
 * DynamoDB (lambdas/store/errors.ts) and Secrets Manager (the cursor key, lambdas/http/cursor-key.ts).
 *
 *  - `configuration`: no retry heals it (IAM, a missing table/secret, unknown credentials, KMS key
 *    problems, a request the service calls invalid). Answered 500 and alarmed on: a 503 would make
 *    the IdP retry for ever and hide the cause.
 *  - `throttled` / `unavailable`: transient (throttling; 5xx, timeouts, connection failures, or
 *    anything the SDK marks retryable). Answered 503 + Retry-After.
 *  - `other`: a code not listed here; the caller decides (both callers treat it as unavailable).
 *
 * Service-specific meanings (a DynamoDB condition failure, a transaction's cancellation reasons, an
 * item too large) stay with the caller, which checks them before asking here.
 */

export type AwsErrorClass = 'configuration' | 'throttled' | 'unavailable' | 'other';

const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'TooManyRequestsException',
]);

const UNAVAILABLE = new Set([
  'InternalServerError',
  'InternalServiceError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'AbortError',
]);

const CONFIGURATION = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'ResourceNotFoundException',
  'ValidationException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationTokenException',
  'CredentialsProviderError',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  // Secrets Manager: the secret cannot be decrypted, is scheduled for deletion, or the request is malformed.
  'DecryptionFailure',
  'InvalidRequestException',
  'InvalidParameterException',
]);

/** The error's code: a Node network code (`ECONNRESET`) when there is one, else the SDK error's name. */
export function awsErrorCode(e: unknown): string {
  if (typeof e !== 'object' || e === null) return '';
  const o = e as { name?: unknown; code?: unknown };
  if (typeof o.code === 'string' && o.code.startsWith('E')) return o.code;
  return typeof o.name === 'string' ? o.name : '';
}

/** The class of an error code alone (e.g. a transaction's cancellation reason code). */
export function classifyAwsErrorCode(code: string): AwsErrorClass {
  if (THROTTLED.has(code)) return 'throttled';
  if (CONFIGURATION.has(code)) return 'configuration';
  if (UNAVAILABLE.has(code)) return 'unavailable';
  return 'other';
}

/** The class of an error thrown by an AWS SDK call (an unlisted code the SDK marks retryable is `unavailable`). */
export function classifyAwsError(e: unknown): AwsErrorClass {
  const c = classifyAwsErrorCode(awsErrorCode(e));
  if (c === 'other' && (e as { $retryable?: unknown } | null)?.$retryable) return 'unavailable';
  return c;
}
