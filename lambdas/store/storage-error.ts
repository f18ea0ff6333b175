/**
 * The storage error type: what the store throws (classified by errors.ts), kept apart from the
 * DynamoDB classification so the HTTP edge can recognise a storage error without bundling it
 * (the discovery function, which never touches storage, shares that edge).
 */

export type StorageErrorKind =
  /** a ConditionExpression failed (generic; repositories refine it) */
  | 'conditionFailed'
  /** the item changed since it was read (optimistic concurrency) — retryable by re-reading */
  | 'versionConflict'
  /** a uniqueness guard already exists */
  | 'uniqueness'
  | 'notFound'
  /** another transaction touched the same item concurrently — retryable as is */
  | 'transactionConflict'
  | 'throttled'
  | 'unavailable'
  | 'itemTooLarge'
  /**
   * never heals by retrying: the function may not use the table (AccessDenied), the table or index
   * is missing, the credentials are not recognised, or DynamoDB rejected a request we built
   * (ValidationException other than item size). A platform-team problem, not the client's.
   */
  | 'configuration'
  /** the client referenced something invalid (unknown members …); carries the detail for a 400 */
  | 'invalidValue'
  | 'tooMany'
  | 'invalidCursor';

export interface CancellationReason {
  Code?: string;
  Message?: string;
}

export class StorageError extends Error {
  readonly kind: StorageErrorKind;
  /** Per-item reasons of a cancelled transaction, in request order. */
  readonly reasons: readonly CancellationReason[];
  override readonly cause: unknown;
  /** The AWS error code (`AccessDeniedException`, …) when the error came from DynamoDB. */
  readonly code: string | undefined;
  /** The DynamoDB operation that failed (`GetItem`, `TransactWriteItems`, …), when known. */
  readonly operation: string | undefined;

  constructor(kind: StorageErrorKind, message: string, opts: { cause?: unknown; reasons?: readonly CancellationReason[]; code?: string; operation?: string } = {}) {
    super(message);
    this.name = 'StorageError';
    this.kind = kind;
    this.cause = opts.cause;
    this.reasons = opts.reasons ?? [];
    this.code = opts.code;
    this.operation = opts.operation;
  }
}

export function isStorageError(e: unknown, kind?: StorageErrorKind): e is StorageError {
  return e instanceof StorageError && (kind === undefined || e.kind === kind);
}
