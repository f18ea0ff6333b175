/** The configuration errors (connectors, profiles, deployment settings, cdk.json) all carry `problems`: one line per bad field. */

type ProblemsError = abstract new (...args: never[]) => Error & { readonly problems: readonly string[] };

/** The problems `fn` is refused with ([] when it is accepted); any other error is rethrown. */
export function problemsOf(fn: () => unknown, type: ProblemsError): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof type) return [...e.problems];
    throw e;
  }
  return [];
}
