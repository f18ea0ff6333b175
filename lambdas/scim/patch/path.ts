/**
 * PATCH `path` parser (RFC 7644 §3.5.2: `PATH = attrPath / valuePath [subAttr]`). Shares the
 * filter tokenizer, so a valuePath filter is exactly a §3.4.2.2 filter (case-insensitive
 * operators, URN-qualified attributes, Entra's `roles[primary eq "True"].value`).
 * Any syntax error → 400 invalidPath, with the 1-based position in `detail`.
 */
import { parsePathExpression } from '../filter/parse.js';
import type { PatchPath } from './types.js';

export function parsePatchPath(text: string): PatchPath {
  return parsePathExpression(text, 'invalidPath');
}
