/**
 * Storage errors. DynamoDB exceptions are classified ONCE here (`fromDynamoError`), the
 * repositories add meaning (uniqueness, version conflict, not found), and `toScimError` is the one
 * place that turns any of it into a SCIM error. Nothing from the SDK escapes the store unwrapped.
 * Which codes are configuration (500, alarmed), throttling or unavailability (503) is decided by the
 * one AWS error classifier (lambdas/runtime/aws-errors.ts); DynamoDB's own meanings stay here.
 */
import { awsErrorCode, classifyAwsError, classifyAwsErrorCode } from '../runtime/aws-errors.js';
import { ScimError, isScimError } from '../scim/errors.js';
import { StorageError, type CancellationReason } from './storage-error.js';

export { isStorageError, StorageError, type CancellationReason, type StorageErrorKind } from './storage-error.js';

const operations = new WeakMap<object, string>();

/**
 * Records which DynamoDB operation an SDK error came from (the document client's error
 * middleware calls it, doc-client.ts), so a configuration error's log line can name it.
 */
export function noteOperation(e: unknown, commandName: string | undefined): void {
  if (typeof e === 'object' && e !== null && commandName && !operations.has(e)) operations.set(e, commandName.replace(/Command$/, ''));
}

function isTooLarge(message: string): boolean {
  return /item size|size has exceeded|exceeds? .*size|too large/i.test(message);
}

/** Classifies any error thrown by a DynamoDB call. Idempotent for StorageErrors. */
export function fromDynamoError(e: unknown): StorageError {
  if (e instanceof StorageError) return e;
  const name = awsErrorCode(e);
  const message = e instanceof Error ? e.message : String(e);
  const operation = typeof e === 'object' && e !== null ? operations.get(e) : undefined;
  const configuration = (code: string) => new StorageError('configuration', message, { cause: e, code, ...(operation ? { operation } : {}) });
  if (name === 'ConditionalCheckFailedException') return new StorageError('conditionFailed', message, { cause: e });
  if (name === 'TransactionCanceledException') {
    const reasons = ((e as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []).map((r) => ({
      Code: r.Code,
      Message: r.Message,
    }));
    const codes = new Set(reasons.map((r) => r.Code));
    if (codes.has('ConditionalCheckFailed')) return new StorageError('conditionFailed', message, { cause: e, reasons });
    if (codes.has('TransactionConflict')) return new StorageError('transactionConflict', message, { cause: e, reasons });
    if ([...codes].some((code) => code !== undefined && classifyAwsErrorCode(code) === 'throttled'))
      return new StorageError('throttled', message, { cause: e, reasons });
    if (codes.has('ItemCollectionSizeLimitExceeded')) return new StorageError('itemTooLarge', message, { cause: e, reasons });
    if (codes.has('ValidationError')) {
      if (reasons.some((r) => isTooLarge(r.Message ?? ''))) return new StorageError('itemTooLarge', message, { cause: e, reasons });
      return configuration('ValidationError');
    }
    return new StorageError('unavailable', message, { cause: e, reasons });
  }
  if (name === 'TransactionConflictException') return new StorageError('transactionConflict', message, { cause: e });
  if (name === 'ItemCollectionSizeLimitExceededException') return new StorageError('itemTooLarge', message, { cause: e });
  if (name === 'ValidationException' && isTooLarge(message)) return new StorageError('itemTooLarge', message, { cause: e });
  const cls = classifyAwsError(e);
  if (cls === 'throttled') return new StorageError('throttled', message, { cause: e });
  if (cls === 'configuration') return configuration(name);
  if (cls === 'unavailable') return new StorageError('unavailable', message, { cause: e });
  return new StorageError('unavailable', message || 'storage call failed', { cause: e });
}

/** Seconds a client should wait after a throttled / unavailable storage call. */
export const RETRY_AFTER_SECONDS = { throttled: 2, unavailable: 5 } as const;

/** The single mapping from storage failures to SCIM errors. ScimErrors pass through unchanged. */
export function toScimError(e: unknown): ScimError {
  if (isScimError(e)) return e;
  const s = fromDynamoError(e);
  switch (s.kind) {
    case 'uniqueness':
      return new ScimError(409, 'uniqueness', s.message);
    case 'versionConflict':
    case 'conditionFailed':
      return new ScimError(412, undefined, s.message || 'the resource was modified concurrently');
    case 'notFound':
      return new ScimError(404, undefined, s.message);
    case 'invalidValue':
      return new ScimError(400, 'invalidValue', s.message);
    case 'tooMany':
      return new ScimError(400, 'tooMany', s.message);
    case 'invalidCursor':
      return new ScimError(400, 'invalidCursor', s.message);
    case 'itemTooLarge':
      // Our own size check (items.ts) names the sizes; a DynamoDB size error never shows its text.
      return new ScimError(400, 'invalidValue', s.cause === undefined ? s.message : 'the resource is too large to store');
    case 'throttled':
    case 'transactionConflict':
      return new ScimError(503, undefined, 'storage is busy; retry later', { 'Retry-After': String(RETRY_AFTER_SECONDS.throttled) });
    case 'unavailable':
      return new ScimError(503, undefined, 'storage is temporarily unavailable; retry later', {
        'Retry-After': String(RETRY_AFTER_SECONDS.unavailable),
      });
    case 'configuration':
      // The cause stays on the error for the HTTP edge's ERROR line (code + operation, never items).
      return new ScimError(
        500,
        undefined,
        'The server cannot use its storage because of a configuration problem (not a problem with this request); retrying will not help until the platform team fixes it',
        {},
        { cause: s },
      );
  }
}
