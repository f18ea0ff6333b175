/**
 * Which event kinds a webhook receives: a connector's `webhook.kinds` is a list of kinds
 * (`member.added`) and prefix patterns ending in `*` (`user.*`, `*` = everything); absent = every
 * kind. Pure: the config validation, the EventBridge rule pattern (lib/constructs/webhooks.ts) and
 * the local delivery (`npm start`, `scim-admin --local events resync`) all use this module.
 */
import { CHANGE_EVENT_KINDS, type ChangeEventKind } from '../events/schema.js';

/** Why `pattern` is not a valid kind pattern, or undefined when it is. */
export function kindPatternProblem(pattern: string): string | undefined {
  const star = pattern.indexOf('*');
  if (star >= 0 && star !== pattern.length - 1) return `"${pattern}": "*" may only end a pattern (user.*, *)`;
  if (kindsMatching(pattern).length === 0) {
    return `"${pattern}" matches no event kind (kinds: ${CHANGE_EVENT_KINDS.join(', ')}; patterns end in "*", e.g. user.*)`;
  }
  return undefined;
}

/** Whether one pattern matches a kind: exact, or a prefix when it ends in `*`. */
export function kindPatternMatches(pattern: string, kind: string): boolean {
  return pattern.endsWith('*') ? kind.startsWith(pattern.slice(0, -1)) : pattern === kind;
}

/** Whether a webhook with these `kinds` (undefined or empty: all) receives `kind`. */
export function kindSelected(patterns: readonly string[] | undefined, kind: string): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((p) => kindPatternMatches(p, kind));
}

/** The known kinds one pattern selects. */
export function kindsMatching(pattern: string): ChangeEventKind[] {
  return CHANGE_EVENT_KINDS.filter((k) => kindPatternMatches(pattern, k));
}

/**
 * The patterns as an EventBridge `detail-type` filter: exact kinds as strings, prefixes as
 * `{"prefix": …}`; undefined when every kind is selected (no filter on `detail-type`).
 */
export function detailTypeFilter(patterns: readonly string[] | undefined): (string | { prefix: string })[] | undefined {
  if (!patterns || patterns.length === 0 || patterns.includes('*')) return undefined;
  const out: (string | { prefix: string })[] = [];
  for (const p of [...new Set(patterns)]) out.push(p.endsWith('*') ? { prefix: p.slice(0, -1) } : p);
  return out;
}
