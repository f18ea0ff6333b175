/**
 * Decoding a cancelled group-write transaction (lambdas/store/group-cancellation.ts): reason i is
 * role i's; only ConditionalCheckFailed speaks; the first fatal role wins; adds, removes and
 * member checks are sorted into what the repository shrinks or looks up.
 */
import { describe, expect, it } from 'vitest';
import { decodeGroupCancellation, type ItemRole } from '../../../lambdas/store/group-cancellation.js';

const failed = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
const none = { Code: 'None' };

describe('decodeGroupCancellation', () => {
  const roles: ItemRole[] = [{ r: 'resource' }, { r: 'add', id: 'u1' }, { r: 'check', id: 'u1' }, { r: 'add', id: 'u2' }, { r: 'check', id: 'u2' }, { r: 'remove', id: 'u3' }, { r: 'remove', id: 'u4' }];

  it('sorts failed members: an add already there, a check not found, a remove not there; items that were fine say nothing', () => {
    expect(decodeGroupCancellation([none, failed, none, none, failed, failed, none], roles)).toEqual({ alreadyMembers: ['u1'], notMembers: ['u3'], notFound: ['u2'] });
  });

  it('the group item, a uniqueness guard Put or Delete failing is fatal; the first in item order wins', () => {
    expect(decodeGroupCancellation([failed, failed, none], roles)).toEqual({ fatal: 'resource' });
    const guarded: ItemRole[] = [{ r: 'resource' }, { r: 'add', id: 'u1' }, { r: 'guardDelete' }, { r: 'guardPut' }];
    expect(decodeGroupCancellation([none, failed, none, failed], guarded)).toEqual({ fatal: 'guardPut' });
    expect(decodeGroupCancellation([none, none, failed, failed], guarded)).toEqual({ fatal: 'guardDelete' });
  });

  it('codes other than ConditionalCheckFailed, roles without a member (counter) and reasons past the roles are ignored', () => {
    const withCounter: ItemRole[] = [{ r: 'resource' }, { r: 'counter' }, { r: 'add', id: 'u1' }];
    expect(decodeGroupCancellation([{ Code: 'TransactionConflict' }, failed, { Code: 'ValidationError' }, failed], withCounter)).toEqual({ alreadyMembers: [], notMembers: [], notFound: [] });
    expect(decodeGroupCancellation([], roles)).toEqual({ alreadyMembers: [], notMembers: [], notFound: [] });
  });
});
