/**
 * Splitting attribute path text into an `AttrPath` (RFC 7644 §3.10): when the text starts with
 * `urn:` (any case) the schema URN is everything before the LAST `:` (URNs contain `:` and `.`,
 * e.g. `urn:…:enterprise:2.0:User:manager.value`), the rest is `attr[.subAttr]`.
 * Same splitting rule as `parseAttrPath` in filter/parse.ts, but lenient on purpose: it never
 * throws, because it reads request-body keys (unknown keys must be ignored, never 400) and
 * `attributes`/`excludedAttributes` entries, where an unresolvable name simply matches nothing.
 */
import type { AttrPath } from '../filter/ast.js';

export function splitAttrPath(text: string): AttrPath {
  let uri: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const colon = text.lastIndexOf(':');
    uri = text.slice(0, colon);
    rest = text.slice(colon + 1);
  }
  const dot = rest.indexOf('.');
  const attr = dot < 0 ? rest : rest.slice(0, dot);
  const subAttr = dot < 0 ? undefined : rest.slice(dot + 1);
  return {
    ...(uri !== undefined ? { uri } : {}),
    attr,
    ...(subAttr !== undefined ? { subAttr } : {}),
  };
}

/** `AttrPath` back to text (canonical names are the caller's business). */
export function formatAttrPath(path: AttrPath): string {
  const local = path.subAttr !== undefined ? `${path.attr}.${path.subAttr}` : path.attr;
  return path.uri !== undefined ? `${path.uri}:${local}` : local;
}
