/**
 * Filter evaluation against one resource document (RFC 7644 §3.4.2.2), driven by the schema's
 * attribute characteristics (RFC 7643 §2.2, §7):
 *  - strings compare case-insensitively unless the attribute is `caseExact` (so `userName` and
 *    group `displayName` match in any case, scim-clients.md §4 #7/#8; `id`/`externalId` do not);
 *  - `dateTime` compares as an instant, `boolean`/`integer`/`decimal` by value; string operands
 *    such as Entra's `primary eq "True"` are coerced to the attribute's type;
 *  - a multi-valued attribute matches when any element matches; a complex attribute without a
 *    sub-attribute (`emails eq x`, `manager eq x`, `members eq x`) compares its `value`;
 *  - `ne` is exactly `not eq` (also for absent values), `pr` is false for null, "", [] and {};
 *  - `eq null` is true when the attribute is absent, `ne null` when it is present;
 *  - gt/ge/lt/le on boolean, binary or complex attributes, co/sw/ew on boolean or numbers, and
 *    operands that cannot be coerced → 400 invalidFilter (RFC 7644 §3.4.2.2);
 *  - an attribute the schema does not know is treated as absent: it never matches `eq`/`co`/…,
 *    and `ne`/`not (…)` match. No error, because Entra may be configured to match on an
 *    attribute we do not store and must then see an empty result, not a 400 (§0 rule 1).
 * Type checks happen when the filter is compiled, so an invalid filter fails even when there
 * is nothing to compare against.
 */
import { ScimError } from '../errors.js';
import { coerceBoolean } from '../normalize.js';
import type { AttributeDefinition, ScimResource } from '../schema/types.js';
import {
  collect,
  elementField,
  eqIgnoreCase,
  findDefinition,
  isPresent,
  resolveAttribute,
  valuesAt,
  type AttributeResolver,
} from './access.js';
import type { AttrPath, CompareOperator, CompareValue, Filter } from './ast.js';
import { printAttrPath } from './print.js';

export type { AttributeResolver } from './access.js';

type Pred = (obj: unknown) => boolean;

interface Accessor {
  readonly def: AttributeDefinition;
  readonly values: (obj: unknown) => unknown[];
  readonly known: boolean;
}

interface Scope {
  attribute(path: AttrPath): Accessor;
  /** For `attr[filter]`: the elements of `attr` and the scope of paths inside the brackets. */
  elements(path: AttrPath): { values: (obj: unknown) => unknown[]; scope: Scope } | undefined;
}

const UNKNOWN_DEF: AttributeDefinition = {
  name: '',
  type: 'string',
  multiValued: false,
  description: '',
  required: false,
  caseExact: true,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
};
const NONE: (obj: unknown) => unknown[] = () => [];
const UNKNOWN: Accessor = { def: UNKNOWN_DEF, values: NONE, known: false };

function invalid(detail: string): never {
  throw new ScimError(400, 'invalidFilter', detail);
}

function resourceScope(rs: AttributeResolver): Scope {
  return {
    attribute(path) {
      const r = resolveAttribute(rs, path);
      if (!r) return UNKNOWN;
      return { def: r.subAttribute ?? r.attribute, values: (obj) => valuesAt(obj, r), known: true };
    },
    elements(path) {
      const r = resolveAttribute(rs, path);
      if (!r || r.subAttribute) return undefined;
      return { values: (obj) => valuesAt(obj, r), scope: elementScope(r.attribute) };
    },
  };
}

/** Paths inside `attr[...]` name sub-attributes of one element (RFC 7644 §3.4.2.2 valuePath). */
export function elementScope(parent: AttributeDefinition): Scope {
  return {
    attribute(path) {
      if (path.uri !== undefined || path.subAttr !== undefined) return UNKNOWN;
      if (parent.type !== 'complex') {
        // `schemas[value eq "…"]`: a simple multi-valued element is its own `value`.
        if (!eqIgnoreCase(path.attr, 'value')) return UNKNOWN;
        return { def: { ...parent, multiValued: false }, values: (el) => collect(el), known: true };
      }
      const sub = findDefinition(parent.subAttributes, path.attr);
      if (!sub) return UNKNOWN;
      const name = sub.name;
      return { def: sub, values: (el) => collect(elementField(el, name)), known: true };
    },
    elements() {
      return undefined;
    },
  };
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function toInstant(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function ordered(op: CompareOperator, c: number): boolean {
  switch (op) {
    case 'eq':
      return c === 0;
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
    default:
      return false;
  }
}

/** A test of one attribute value against the operand, for every op but `ne` (which is `not eq`). */
function valueTest(def: AttributeDefinition, op: CompareOperator, operand: Exclude<CompareValue, null>, where: string): (v: unknown) => boolean {
  const ordering = op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
  const substring = op === 'co' || op === 'sw' || op === 'ew';
  switch (def.type) {
    case 'boolean': {
      if (ordering || substring) invalid(`operator '${op}' cannot be used on boolean attribute '${where}'`);
      const b = coerceBoolean(operand);
      if (b === undefined) invalid(`boolean attribute '${where}' compared with ${JSON.stringify(operand)}; expected true or false`);
      return (v) => coerceBoolean(v) === b;
    }
    case 'integer':
    case 'decimal': {
      if (substring) invalid(`operator '${op}' cannot be used on numeric attribute '${where}'`);
      const n = toNumber(operand);
      if (n === undefined) invalid(`numeric attribute '${where}' compared with ${JSON.stringify(operand)}`);
      return (v) => {
        const x = toNumber(v);
        return x !== undefined && ordered(op === 'ne' ? 'eq' : op, x === n ? 0 : x > n ? 1 : -1);
      };
    }
    case 'dateTime': {
      if (substring) break; // co/sw/ew on the text form, below
      const t = toInstant(operand);
      if (t === undefined) invalid(`dateTime attribute '${where}' compared with ${JSON.stringify(operand)}, which is not a date-time`);
      return (v) => {
        const x = toInstant(v);
        return x !== undefined && ordered(op === 'ne' ? 'eq' : op, x === t ? 0 : x > t ? 1 : -1);
      };
    }
    case 'binary':
      if (ordering) invalid(`operator '${op}' cannot be used on binary attribute '${where}'`);
      break;
    case 'complex':
      invalid(`'${where}' is a complex attribute; compare one of its sub-attributes`);
  }
  const fold = !def.caseExact;
  const s = fold ? String(operand).toLowerCase() : String(operand);
  const text = (v: unknown): string | undefined => {
    if (typeof v === 'string') return fold ? v.toLowerCase() : v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  };
  switch (op) {
    case 'co':
      return (v) => text(v)?.includes(s) ?? false;
    case 'sw':
      return (v) => text(v)?.startsWith(s) ?? false;
    case 'ew':
      return (v) => text(v)?.endsWith(s) ?? false;
    case 'eq':
    case 'ne':
      if (!fold) return (v) => v === s || text(v) === s;
      return (v) => text(v) === s;
    default:
      return (v) => {
        const x = text(v);
        return x !== undefined && ordered(op, x === s ? 0 : x > s ? 1 : -1);
      };
  }
}

function compileCompare(scope: Scope, f: Extract<Filter, { kind: 'compare' }>): Pred {
  const acc = scope.attribute(f.path);
  const where = printAttrPath(f.path);
  let def = acc.def;
  let values = acc.values;
  if (acc.known && def.type === 'complex') {
    // `emails eq "x"`, `manager eq "id"`, `members eq "id"`: compare the `value` sub-attribute.
    const valueDef = findDefinition(def.subAttributes, 'value');
    if (!valueDef) invalid(`'${where}' is a complex attribute; compare one of its sub-attributes`);
    const outer = values;
    def = valueDef;
    values = (obj) => {
      const out: unknown[] = [];
      for (const el of outer(obj)) for (const x of collect(elementField(el, 'value'))) out.push(x);
      return out;
    };
  }
  const { op, value } = f;
  if (value === null) {
    if (op === 'eq') return (obj) => !values(obj).some(isPresent);
    if (op === 'ne') return (obj) => values(obj).some(isPresent);
    invalid(`operator '${op}' cannot be used with null (only eq and ne)`);
  }
  const test = acc.known ? valueTest(def, op, value, where) : () => false;
  if (op === 'ne') return (obj) => !values(obj).some(test);
  return (obj) => values(obj).some(test);
}

function compile(f: Filter, scope: Scope): Pred {
  switch (f.kind) {
    case 'compare':
      return compileCompare(scope, f);
    case 'present': {
      const acc = scope.attribute(f.path);
      const values = acc.values;
      return (obj) => values(obj).some(isPresent);
    }
    case 'and': {
      const l = compile(f.left, scope);
      const r = compile(f.right, scope);
      return (obj) => l(obj) && r(obj);
    }
    case 'or': {
      const l = compile(f.left, scope);
      const r = compile(f.right, scope);
      return (obj) => l(obj) || r(obj);
    }
    case 'not': {
      const inner = compile(f.filter, scope);
      return (obj) => !inner(obj);
    }
    case 'valuePath': {
      const target = scope.elements(f.path);
      if (!target) {
        compile(f.filter, UNKNOWN_SCOPE); // still type-check the operands' syntax
        return () => false;
      }
      const inner = compile(f.filter, target.scope);
      const values = target.values;
      return (obj) => values(obj).some(inner);
    }
  }
}

const UNKNOWN_SCOPE: Scope = {
  attribute: () => UNKNOWN,
  elements: () => undefined,
};

const cache = new WeakMap<AttributeResolver, WeakMap<Filter, Pred>>();

/**
 * Compiles `f` against the resource type's schema once (cached per filter object and schema):
 * resolves every path and type-checks every operand. Throws 400 invalidFilter.
 */
export function compileFilter(f: Filter, rs: AttributeResolver): (resource: ScimResource) => boolean {
  let byFilter = cache.get(rs);
  if (!byFilter) {
    byFilter = new WeakMap();
    cache.set(rs, byFilter);
  }
  let pred = byFilter.get(f);
  if (!pred) {
    pred = compile(f, resourceScope(rs));
    byFilter.set(f, pred);
  }
  return pred;
}

/** Whether `resource` matches `f` (RFC 7644 §3.4.2.2). Throws 400 invalidFilter on type errors. */
export function matchesFilter(f: Filter, resource: ScimResource, rs: AttributeResolver): boolean {
  return compileFilter(f, rs)(resource);
}

/**
 * A predicate over one element of the multi-valued attribute `parent`, for PATCH valuePaths
 * (`emails[type eq "work"]`, RFC 7644 §3.5.2). Paths in `f` are relative to the element.
 */
export function compileElementFilter(f: Filter, parent: AttributeDefinition): (element: unknown) => boolean {
  let byDef = elementCache.get(f);
  if (!byDef) {
    byDef = new WeakMap();
    elementCache.set(f, byDef);
  }
  let pred = byDef.get(parent);
  if (!pred) {
    pred = compile(f, elementScope(parent));
    byDef.set(parent, pred);
  }
  return pred;
}

const elementCache = new WeakMap<Filter, WeakMap<AttributeDefinition, Pred>>();
