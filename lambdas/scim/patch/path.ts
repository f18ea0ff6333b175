/**
 * PATCH `path` parser (RFC 7644 §3.5.2: `PATH = attrPath / valuePath [subAttr]`). Shares the
 * filter tokenizer, so a valuePath filter is exactly a §3.4.2.2 filter (case-insensitive
 * operators, URN-qualified attributes, Entra's `roles[primary eq "True"].value`).
 * Any syntax error → 400 invalidPath, with the 1-based position in `detail`.
 *
 * Clients send the same few dozen paths over and over (one per mapped attribute), so parsed paths
 * are memoised in a small bounded cache; results are immutable, and keeping the same filter object
 * lets the evaluator reuse its compiled predicate.
 */
import { parsePathExpression } from '../filter/parse.js';
import type { PatchPath } from './types.js';

const CACHE_LIMIT = 1024;
const cache = new Map<string, PatchPath>();

export function parsePatchPath(text: string): PatchPath {
  const hit = cache.get(text);
  if (hit) return hit;
  const parsed = parsePathExpression(text, 'invalidPath');
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, parsed);
  return parsed;
}
