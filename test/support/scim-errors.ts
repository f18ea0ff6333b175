/** Assertion helpers for SCIM errors thrown by the pure engines (filter, PATCH) and the services. */
import { isScimError, type ScimError } from '../../lambdas/scim/errors.js';

/** Runs `fn` and returns the ScimError it throws; rethrows anything else, fails if nothing is thrown. */
export function catchScim(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (isScimError(e)) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
}

/** Awaits `p` and returns the ScimError it rejects with; rethrows anything else, fails if it resolves. */
export async function rejectsScim(p: Promise<unknown>): Promise<ScimError> {
  try {
    await p;
  } catch (e) {
    if (isScimError(e)) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
}
