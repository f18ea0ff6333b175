/**
 * Property test for member planning (seeded): for any sequence of member operations and any
 * current member set, applying the planned set changes gives the same members as applying the
 * operations one by one to the full list — so the plan never needs the member list.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planGroupPatch } from '../../../lambdas/scim/patch/members.js';
import type { PatchOperation } from '../../../lambdas/scim/patch/types.js';
import { parsePatchPath } from '../../../lambdas/scim/patch/path.js';
import { groupResource } from '../../../lambdas/scim/schema/resource-schema.js';

const rs = groupResource();
const id = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const ids = fc.uniqueArray(id, { maxLength: 4 });

type Step = { kind: 'add' | 'removeValue' | 'removeFilter' | 'replace'; ids: string[] } | { kind: 'removeAll' };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constantFrom('add' as const, 'removeValue' as const, 'replace' as const), ids }),
  fc.record({ kind: fc.constant('removeFilter' as const), ids: fc.uniqueArray(id, { minLength: 1, maxLength: 3 }) }),
  fc.constant({ kind: 'removeAll' as const }),
);

function toOp(s: Step): PatchOperation {
  const members = parsePatchPath('members');
  switch (s.kind) {
    case 'add':
      return { op: 'add', path: members, value: s.ids.map((value) => ({ value })) };
    case 'replace':
      return { op: 'replace', path: members, value: s.ids.map((value) => ({ value })) };
    case 'removeValue':
      return { op: 'remove', path: members, value: s.ids.map((value) => ({ value })) };
    case 'removeFilter':
      return { op: 'remove', path: parsePatchPath(`members[${s.ids.map((i) => `value eq "${i}"`).join(' or ')}]`) };
    case 'removeAll':
      return { op: 'remove', path: members };
  }
}

function sequential(initial: Set<string>, steps: Step[]): Set<string> {
  let cur = new Set(initial);
  for (const s of steps) {
    if (s.kind === 'add') s.ids.forEach((i) => cur.add(i));
    else if (s.kind === 'replace') cur = new Set(s.ids);
    else if (s.kind === 'removeAll') cur = new Set();
    else s.ids.forEach((i) => cur.delete(i));
  }
  return cur;
}

describe('planGroupPatch', () => {
  it('equals sequential application on any starting member set', () => {
    fc.assert(
      fc.property(ids, fc.array(step, { minLength: 1, maxLength: 8 }), (initial, steps) => {
        const m = planGroupPatch(rs, steps.map(toOp)).members;
        expect(m).toBeDefined();
        if (!m) return;
        for (const x of m.remove) expect(m.add.has(x)).toBe(false);
        const planned = m.replaceAll ? new Set(m.add.keys()) : new Set([...initial, ...m.add.keys()].filter((x) => !m.remove.has(x) || m.add.has(x)));
        expect([...planned].sort()).toEqual([...sequential(new Set(initial), steps)].sort());
      }),
      { seed: 20261122, numRuns: 2000 },
    );
  });
});
