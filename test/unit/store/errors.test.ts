/** DynamoDB failures are classified once and always leave the service as SCIM errors. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { Provisioning } from '../../../lambdas/provisioning/index.js';
import { ScimError } from '../../../lambdas/scim/errors.js';
import { groupResource, userResource } from '../../../lambdas/scim/schema/resource-schema.js';
import { fromDynamoError, noteOperation, StorageError, toScimError } from '../../../lambdas/store/errors.js';
import { ScimStore } from '../../../lambdas/store/store.js';

function awsError(name: string, message = name, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, $metadata: {}, ...extra });
}

describe('fromDynamoError', () => {
  it.each([
    ['ConditionalCheckFailedException', 'conditionFailed'],
    ['ProvisionedThroughputExceededException', 'throttled'],
    ['ThrottlingException', 'throttled'],
    ['RequestLimitExceeded', 'throttled'],
    ['InternalServerError', 'unavailable'],
    ['ServiceUnavailable', 'unavailable'],
    ['TimeoutError', 'unavailable'],
    ['ItemCollectionSizeLimitExceededException', 'itemTooLarge'],
    ['ResourceNotFoundException', 'configuration'],
    ['AccessDeniedException', 'configuration'],
    ['UnrecognizedClientException', 'configuration'],
    ['KMSAccessDeniedException', 'configuration'],
    ['SomethingNew', 'unavailable'],
  ])('%s → %s', (name, kind) => {
    expect(fromDynamoError(awsError(name)).kind).toBe(kind);
  });

  it('classifies validation errors and item size', () => {
    expect(fromDynamoError(awsError('ValidationException', 'Item size has exceeded the maximum allowed size')).kind).toBe('itemTooLarge');
    const invalid = fromDynamoError(awsError('ValidationException', 'One or more parameter values were invalid'));
    expect([invalid.kind, invalid.code]).toEqual(['configuration', 'ValidationException']);
    const txInvalid = fromDynamoError(awsError('TransactionCanceledException', 'c', { CancellationReasons: [{ Code: 'None' }, { Code: 'ValidationError', Message: 'bad key' }] }));
    expect([txInvalid.kind, txInvalid.code]).toEqual(['configuration', 'ValidationError']);
  });

  it('names the operation the document client saw fail (noteOperation), the first one only', () => {
    const e = awsError('AccessDeniedException', 'User: arn:aws:sts::1:assumed-role/x is not authorized to perform: dynamodb:GetItem');
    noteOperation(e, 'GetItemCommand');
    noteOperation(e, 'QueryCommand');
    const s = fromDynamoError(e);
    expect([s.kind, s.code, s.operation]).toEqual(['configuration', 'AccessDeniedException', 'GetItem']);
    expect(fromDynamoError(awsError('AccessDeniedException')).operation).toBeUndefined();
  });

  it('keeps per-item cancellation reasons of transactions', () => {
    const e = fromDynamoError(
      awsError('TransactionCanceledException', 'cancelled', { CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'x' }] }),
    );
    expect(e.kind).toBe('conditionFailed');
    expect(e.reasons.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(fromDynamoError(awsError('TransactionCanceledException', 'c', { CancellationReasons: [{ Code: 'TransactionConflict' }] })).kind).toBe(
      'transactionConflict',
    );
    expect(fromDynamoError(awsError('TransactionCanceledException', 'c', { CancellationReasons: [{ Code: 'ThrottlingError' }] })).kind).toBe('throttled');
  });

  it('network errors (node codes) are unavailable', () => {
    expect(fromDynamoError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })).kind).toBe('unavailable');
  });
});

describe('toScimError', () => {
  it('maps each storage kind to one SCIM answer', () => {
    const s = (k: StorageError['kind']) => toScimError(new StorageError(k, 'm'));
    expect([s('uniqueness').status, s('uniqueness').scimType]).toEqual([409, 'uniqueness']);
    expect(s('versionConflict').status).toBe(412);
    expect(s('notFound').status).toBe(404);
    expect([s('itemTooLarge').status, s('itemTooLarge').scimType]).toEqual([400, 'invalidValue']);
    expect([s('tooMany').status, s('tooMany').scimType]).toEqual([400, 'tooMany']);
    expect([s('invalidCursor').status, s('invalidCursor').scimType]).toEqual([400, 'invalidCursor']);
    expect(s('throttled').status).toBe(503);
    expect(s('throttled').headers['Retry-After']).toMatch(/^\d+$/);
    expect(s('unavailable').headers['Retry-After']).toMatch(/^\d+$/);
    // Configuration: 500 without Retry-After (retrying never heals it), the storage error kept as the cause for the log.
    const config = new StorageError('configuration', 'User: arn:aws:iam::1:role/x is not authorized', { code: 'AccessDeniedException', operation: 'GetItem' });
    const c = toScimError(config);
    expect([c.status, c.scimType, c.headers['Retry-After'], c.cause]).toEqual([500, undefined, undefined, config]);
    expect(JSON.stringify(c.toJSON())).not.toMatch(/arn:|AccessDenied|GetItem/);
  });
});

describe('service with a failing DynamoDB', () => {
  const schemas = { user: userResource(), group: groupResource() };
  const failing = (name: string) =>
    new Provisioning({
      store: new ScimStore({ doc: { send: () => Promise.reject(awsError(name)) } as unknown as DynamoDBDocumentClient, tableName: 't' }),
      schemas: () => schemas,
    });

  it.each(['ProvisionedThroughputExceededException', 'InternalServerError', 'TransactionCanceledException'])('%s → 503 with Retry-After', async (name) => {
    const svc = failing(name);
    const calls = [
      () => svc.users.get('c', 'id'),
      () => svc.users.create('c', { userName: 'x' }),
      () => svc.users.list('c', { count: 10 }),
      () => svc.users.list('c', { count: 10, filter: 'userName eq "x"' }),
      () => svc.groups.patch('c', 'g', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: 'u' }] }] }),
      () => svc.groups.delete('c', 'g'),
    ];
    // Thunks, not promises: a promise created before it is awaited would reject unhandled.
    for (const call of calls) {
      const e = await call().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(ScimError);
      expect((e as ScimError).status).toBe(503);
      expect((e as ScimError).headers['Retry-After']).toBeDefined();
    }
  });

  it.each(['AccessDeniedException', 'ResourceNotFoundException', 'UnrecognizedClientException', 'ValidationException'])('%s → 500, no Retry-After', async (name) => {
    const svc = failing(name);
    for (const call of [() => svc.users.get('c', 'id'), () => svc.users.create('c', { userName: 'x' }), () => svc.groups.list('c', { count: 10 })]) {
      const e = await call().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(ScimError);
      expect([(e as ScimError).status, (e as ScimError).headers['Retry-After']]).toEqual([500, undefined]);
    }
  });
});
