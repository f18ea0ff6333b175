/**
 * Disjunctive normal form for the storage planner: `toDnf(f)` is an OR of ANDs of atoms, so the
 * planner can ask of each conjunct "does it pin `userName eq X`?" and turn the query into key
 * lookups (RFC 7644 §3.4.2.2 semantics are unchanged: every result is still checked with
 * `matchesFilter`). `not` is pushed inward with De Morgan; `not (a eq x)` becomes `a ne x` and
 * vice versa (the evaluator defines `ne` as `not eq`); any other negated atom stays `not (atom)`.
 * valuePaths are atoms (their inner filter is about one element).
 *
 * Expansion is exponential in the worst case (`(a or b) and (c or d) and …`), so it is capped: if
 * the DNF would exceed `maxConjuncts` conjuncts, the whole filter is returned as a single opaque
 * atom `[[f]]` — still correct, it just offers the planner no equality to use.
 */
import type { CompareValue, Filter } from './ast.js';
import type { AttributeResolver } from './access.js';
import { eqIgnoreCase, resolveAttribute } from './access.js';
import { parseAttrPath } from './parse.js';

export const DEFAULT_MAX_CONJUNCTS = 64;

class TooBig extends Error {}

function negate(f: Filter): Filter {
  switch (f.kind) {
    case 'not':
      return f.filter;
    case 'and':
      return { kind: 'or', left: negate(f.left), right: negate(f.right) };
    case 'or':
      return { kind: 'and', left: negate(f.left), right: negate(f.right) };
    case 'compare':
      if (f.op === 'eq') return { ...f, op: 'ne' };
      if (f.op === 'ne') return { ...f, op: 'eq' };
      return { kind: 'not', filter: f };
    default:
      return { kind: 'not', filter: f };
  }
}

function dnf(f: Filter, max: number): Filter[][] {
  switch (f.kind) {
    case 'or': {
      const out = [...dnf(f.left, max), ...dnf(f.right, max)];
      if (out.length > max) throw new TooBig();
      return out;
    }
    case 'and': {
      const l = dnf(f.left, max);
      const r = dnf(f.right, max);
      if (l.length * r.length > max) throw new TooBig();
      const out: Filter[][] = [];
      for (const a of l) for (const b of r) out.push([...a, ...b]);
      return out;
    }
    case 'not': {
      const n = negate(f.filter);
      return n.kind === 'not' ? [[n]] : dnf(n, max);
    }
    default:
      return [[f]];
  }
}

export function toDnf(f: Filter, maxConjuncts = DEFAULT_MAX_CONJUNCTS): Filter[][] {
  try {
    return dnf(f, maxConjuncts);
  } catch (e) {
    if (e instanceof TooBig) return [[f]];
    throw e;
  }
}

/**
 * The operand of an `eq` atom in `conjunct` on the attribute `canonicalName` (`userName`,
 * `externalId`, `id`, `urn:…:enterprise:2.0:User:employeeNumber`, `emails.value`…), if any.
 * Names match case-insensitively; the URN is optional on both sides for core attributes. `eq
 * null` is not an equality the planner can use and is skipped.
 */
export function findEquality(conjunct: readonly Filter[], rs: AttributeResolver, canonicalName: string): CompareValue | undefined {
  const want = parseAttrPath(canonicalName);
  const wantResolved = resolveAttribute(rs, want);
  for (const atom of conjunct) {
    if (atom.kind !== 'compare' || atom.op !== 'eq' || atom.value === null) continue;
    const p = atom.path;
    if (wantResolved) {
      const r = resolveAttribute(rs, p);
      if (
        r &&
        r.schema.id === wantResolved.schema.id &&
        r.attribute.name === wantResolved.attribute.name &&
        r.subAttribute?.name === wantResolved.subAttribute?.name
      ) {
        return atom.value;
      }
    } else if (
      eqIgnoreCase(p.attr, want.attr) &&
      (p.subAttr === undefined) === (want.subAttr === undefined) &&
      (p.subAttr === undefined || eqIgnoreCase(p.subAttr, want.subAttr ?? '')) &&
      (p.uri === undefined || want.uri === undefined || eqIgnoreCase(p.uri, want.uri))
    ) {
      return atom.value;
    }
  }
  return undefined;
}
