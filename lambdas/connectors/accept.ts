/**
 * Compiles the `accept` spec of a `dropInvalid` rule (built-in or configured profile) into a
 * predicate. Every kind judges string values (the profile configuration only allows these rules
 * on string attributes); anything else is not accepted.
 *  - `usPhone`: a 10-digit US number, toll-free refused (values.ts, askSpoke's rule);
 *  - `email`: `local@domain.tld`, no spaces, one `@`, a dot in the domain;
 *  - `{ pattern }`: a linear-time pattern (pattern.ts), `RegExp.test` semantics;
 *  - `{ oneOf }`: one of the listed strings;
 *  - `{ maxLength }`: at most that many characters (Unicode code points).
 * `caseExact` is the target attribute's (RFC 7643 §2.2, default false): when false, `oneOf` and
 * `pattern` ignore case as the filter evaluator does (`engineer` is `Engineer`, the same value).
 */
import type { AcceptSpec } from './profile.js';
import { compilePattern } from './pattern.js';
import { usPhoneNumber } from './values.js';

const EMAIL = '^[^\\s@]+@[^\\s@.]+(\\.[^\\s@.]+)+$';

function strings(test: (s: string) => boolean): (value: unknown) => boolean {
  return (value) => typeof value === 'string' && test(value);
}

/** The predicate for a validated spec; throws PatternError for a pattern it cannot compile. */
export function compileAccept(spec: AcceptSpec, { caseExact = false }: { readonly caseExact?: boolean } = {}): (value: unknown) => boolean {
  if (spec === 'usPhone') return usPhoneNumber();
  if (spec === 'email') {
    const p = compilePattern(EMAIL);
    return strings((s) => p.test(s));
  }
  if ('pattern' in spec) {
    const p = compilePattern(spec.pattern, { caseInsensitive: !caseExact });
    return strings((s) => p.test(s));
  }
  if ('oneOf' in spec) {
    if (caseExact) {
      const allowed = new Set(spec.oneOf);
      return strings((s) => allowed.has(s));
    }
    const folded = new Set(spec.oneOf.map((v) => v.toLowerCase()));
    return strings((s) => folded.has(s.toLowerCase()));
  }
  const max = spec.maxLength;
  return strings((s) => s.length <= max || [...s].length <= max);
}
