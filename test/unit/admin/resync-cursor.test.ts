/**
 * The resync resume cursor (bin/admin/resync.ts): v2 carries the run's start and its counts so far,
 * so a resumed run's `resync.completed` counts the whole run; cursors without them are refused with
 * what to do instead of resuming with wrong counts.
 */
import { describe, expect, it } from 'vitest';
import { CursorError, decodeResyncCursor, encodeResyncCursor, type ResyncCursor } from '../../../bin/admin/resync.js';

const cursor: ResyncCursor = {
  run: '5f0c2d1e-0000-4000-8000-000000000001',
  kinds: ['users', 'groups', 'members'],
  started: '2026-03-02T09:00:00.000Z',
  counts: { users: 2000, groups: 3, members: 1200 },
  phase: 'groups',
  group: 'g1',
  member: 'MEMBER#u9',
};
const raw = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('resync cursor', () => {
  it('round-trips the run id, start and counts', () => {
    expect(decodeResyncCursor(encodeResyncCursor(cursor))).toEqual(cursor);
  });

  it('refuses a cursor of the previous format (no counts) with what to do', () => {
    const { started: _s, counts: _c, ...old } = cursor;
    expect(() => decodeResyncCursor(raw({ v: 1, ...old }))).toThrow(new CursorError('a cursor of an older scim-admin (no run counts): start a new run without --from'));
  });

  it('refuses missing or malformed start and counts', () => {
    const { counts: _c, ...noCounts } = cursor;
    for (const bad of [
      { v: 2, ...noCounts },
      { v: 2, ...cursor, started: 'yesterday' },
      { v: 2, ...cursor, counts: { users: -1, groups: 0, members: 0 } },
      { v: 2, ...cursor, counts: { users: 1.5, groups: 0, members: 0 } },
      { v: 2, ...cursor, counts: { users: 1, groups: 0 } },
    ])
      expect(() => decodeResyncCursor(raw(bad)), JSON.stringify(bad)).toThrow(/not a resync cursor/);
  });
});
