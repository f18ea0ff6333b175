/**
 * A filter specialised to one resource type, for queries at the server root (RFC 7644 §3.4.2.1,
 * §3.4.3) that run the same filter against Users and Groups.
 *
 * The evaluator treats an attribute the type's schema does not know as absent (evaluate.ts), so a
 * term on such an attribute has the same truth value on every resource of that type: `userName eq
 * "x"` is false on every group, `userName ne "x"` true. Folding those constants away tells the
 * root query which types it can skip (the filter is `false` there: no read at all), which it can
 * list without a filter (`true`: counts from the counters, no bounded scan), and what remains for
 * the storage planner — so `userName eq "x" or displayName eq "y"` plans as a `displayName` lookup
 * on groups instead of a scan. The folded filter matches exactly the resources the original does.
 */
import type { ScimResource } from '../schema/types.js';
import { resolveAttribute, type AttributeResolver } from './access.js';
import type { Filter } from './ast.js';
import { compileFilter } from './evaluate.js';

export type Specialized = boolean | Filter;

const NOTHING: ScimResource = {};

/** Whether the evaluator resolves this term's attribute to nothing (then the term is a constant). */
function unknownTerm(rs: AttributeResolver, f: Extract<Filter, { kind: 'compare' | 'present' | 'valuePath' }>): boolean {
  const r = resolveAttribute(rs, f.path);
  // `attr[...]` needs a multi-valued attribute itself, not a sub-attribute (evaluate.ts `elements`).
  return r === undefined || (f.kind === 'valuePath' && r.subAttribute !== undefined);
}

function fold(f: Filter, rs: AttributeResolver): Specialized {
  switch (f.kind) {
    case 'compare':
    case 'present':
    case 'valuePath':
      // The evaluator's own answer on a resource without the attribute, so `ne`, `eq null` and
      // `not` keep their meaning; operands are type-checked here too (400 invalidFilter).
      return unknownTerm(rs, f) ? compileFilter(f, rs)(NOTHING) : f;
    case 'not': {
      const inner = fold(f.filter, rs);
      if (typeof inner === 'boolean') return !inner;
      return inner === f.filter ? f : { kind: 'not', filter: inner };
    }
    case 'and':
    case 'or': {
      const l = fold(f.left, rs);
      const r = fold(f.right, rs);
      const absorbing = f.kind === 'or'; // true absorbs `or`, false absorbs `and`
      if (l === absorbing || r === absorbing) return absorbing;
      if (typeof l === 'boolean') return r; // the neutral constant drops out
      if (typeof r === 'boolean') return l;
      return l === f.left && r === f.right ? f : { kind: f.kind, left: l, right: r };
    }
  }
}

/**
 * `filter` as seen by one resource type: `false` (matches none of its resources), `true` (matches
 * all of them) or an equivalent filter (the same object when nothing folded). The whole filter is
 * compiled against the type first, so an operand invalid for an attribute the type does have is
 * still a 400 invalidFilter (RFC 7644 §3.4.2.2).
 */
export function specializeFilter(filter: Filter, rs: AttributeResolver): Specialized {
  compileFilter(filter, rs);
  return fold(filter, rs);
}
