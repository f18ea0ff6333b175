/**
 * Filter printer (RFC 7644 §3.4.2.2 syntax). Used for logs, cursors and tests; the property
 * `parseFilter(printFilter(f))` deep-equals `f` holds for every AST the parser can produce.
 * Parentheses are emitted only where precedence (not > and > or, left-associative) needs them,
 * because parenthesised groups leave no trace in the AST.
 */
import type { AttrPath, CompareValue, Filter } from './ast.js';

export function printAttrPath(p: AttrPath): string {
  const base = p.uri === undefined ? p.attr : `${p.uri}:${p.attr}`;
  return p.subAttr === undefined ? base : `${base}.${p.subAttr}`;
}

export function printValue(v: CompareValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  return String(v); // true | false | null
}

function wrap(f: Filter, parens: boolean): string {
  return parens ? `(${printFilter(f)})` : printFilter(f);
}

export function printFilter(f: Filter): string {
  switch (f.kind) {
    case 'compare':
      return `${printAttrPath(f.path)} ${f.op} ${printValue(f.value)}`;
    case 'present':
      return `${printAttrPath(f.path)} pr`;
    case 'and':
      return `${wrap(f.left, f.left.kind === 'or')} and ${wrap(f.right, f.right.kind === 'or' || f.right.kind === 'and')}`;
    case 'or':
      return `${printFilter(f.left)} or ${wrap(f.right, f.right.kind === 'or')}`;
    case 'not':
      return `not (${printFilter(f.filter)})`;
    case 'valuePath':
      return `${printAttrPath(f.path)}[${printFilter(f.filter)}]`;
  }
}
