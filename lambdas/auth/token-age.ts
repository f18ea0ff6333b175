/**
 * How old a connector's token is, for the daily token-age check (lambdas/handlers/token-age.ts,
 * scheduled by lib/constructs/token-age.ts) and `scim-admin connectors`.
 *
 * The age runs from when the current token was set:
 *  - `rotatedAt` in the secret's JSON (written by `scim-admin token rotate` and `npm start`), unless
 *    it is later than the secret's value was written (or than now), beyond 5 minutes of clock skew:
 *    a value cannot have been set after it was stored, and a future `rotatedAt` would hold the age
 *    at 0 and silence the alarm;
 *  - else when the secret's value was last written: the Secrets Manager version's `CreatedDate`
 *    (GetSecretValue returns it with the value, so no DescribeSecret is needed), locally the token
 *    file's modification time. That is the CDK-generated token's creation, or a hand-written
 *    `put-secret-value`. DescribeSecret's `LastChangedDate` is not used: it also moves when only the
 *    secret's description or tags change (e.g. on a `cdk deploy`), which would reset the age.
 *
 * Pure: no AWS, no clock; the callers pass the secret and the time. No zod either (the daily
 * function stays ~27 KiB smaller): the secret is parsed by the zod-free rotating-secret module, as
 * the authorizer parses it.
 */
import { parseRotatingSecret, type RotatingSecret } from '../runtime/rotating-secret.js';

/**
 * EMF metric (namespace `METRIC_NAMESPACE`, dimensions `{ service, connector }`, unit None), one
 * datapoint per connector per run; charted and alarmed by lib/constructs/observability.ts.
 */
export const TOKEN_AGE_METRIC = 'TokenAgeDays';

/** Where the age came from. */
export type TokenAgeSource = 'rotatedAt' | 'secretWritten';

export interface TokenAge {
  /** When the current token was set. */
  readonly since: Date;
  readonly source: TokenAgeSource;
  /** Whole and tenth days since then, rounded down (never negative). */
  readonly days: number;
}

const DAY_MS = 86_400_000;

export function ageInDays(since: Date, now: Date): number {
  return Math.max(0, Math.floor(((now.getTime() - since.getTime()) / DAY_MS) * 10) / 10);
}

/**
 * How much later than the value's write date (or than now) a `rotatedAt` may be and still count:
 * the writer's clock may run ahead of Secrets Manager's (SigV4 refuses requests more than 5 minutes
 * off) or of the file system's coarse timestamps. Beyond that it cannot be true.
 */
export const ROTATED_AT_SKEW_MS = 5 * 60_000;

/**
 * The current token's age, or undefined when no date is known. `rotatedAt` counts only when it is
 * not later than the value's write date (when known) nor than `now`, give or take the clock skew;
 * otherwise the write date counts, so a future `rotatedAt` can never hold the age at 0.
 */
export function tokenAge(set: Pick<RotatingSecret, 'rotatedAt'>, writtenAt: Date | undefined, now: Date): TokenAge | undefined {
  const written = writtenAt && !Number.isNaN(writtenAt.getTime()) ? writtenAt : undefined;
  const rotated = set.rotatedAt ? new Date(set.rotatedAt) : undefined;
  const latest = Math.min(now.getTime(), written?.getTime() ?? Number.POSITIVE_INFINITY) + ROTATED_AT_SKEW_MS;
  if (rotated && !Number.isNaN(rotated.getTime()) && rotated.getTime() <= latest) return { since: rotated, source: 'rotatedAt', days: ageInDays(rotated, now) };
  if (written) return { since: written, source: 'secretWritten', days: ageInDays(written, now) };
  return undefined;
}

/** A token secret as read: its value (never logged) and when that value was written. */
export interface TokenSecretRead {
  readonly text: string;
  readonly writtenAt?: Date;
}

export interface ConnectorTokenAge {
  readonly connector: string;
  readonly ageDays: number;
  readonly since: string;
  readonly source: TokenAgeSource;
}

export interface TokenAgeFailure {
  readonly connector: string;
  readonly errorName: string;
  readonly errorMessage: string;
}

/**
 * `rotatedAt` of a secret value (undefined when absent or not an ISO date-time with offset, as the
 * authorizer drops it); throws a message-free error when the value is not a token secret the
 * authorizer could use.
 */
export function rotatedAtOf(secretString: string): string | undefined {
  return parseRotatingSecret(secretString, 'token secret').rotatedAt;
}

/**
 * Reads every connector's secret (one at a time: a daily job, and a handful of GetSecretValue
 * calls) and computes its age. A connector whose secret cannot be read or parsed, or has no date
 * at all, is a failure; the others are still measured.
 */
export async function measureTokenAges(
  connectors: readonly string[],
  read: (connector: string) => Promise<TokenSecretRead>,
  now: Date,
): Promise<{ ages: ConnectorTokenAge[]; failures: TokenAgeFailure[] }> {
  const ages: ConnectorTokenAge[] = [];
  const failures: TokenAgeFailure[] = [];
  for (const connector of connectors) {
    try {
      const secret = await read(connector);
      // rotatedAtOf's errors never quote the secret text.
      const rotatedAt = rotatedAtOf(secret.text);
      const age = tokenAge(rotatedAt ? { rotatedAt } : {}, secret.writtenAt, now);
      if (!age) throw Object.assign(new Error('the secret has no usable rotatedAt (absent, or in the future) and its version has no creation date'), { name: 'NoTokenDate' });
      ages.push({ connector, ageDays: age.days, since: age.since.toISOString(), source: age.source });
    } catch (e) {
      failures.push({ connector, errorName: (e as Error)?.name ?? 'Error', errorMessage: (e as Error)?.message ?? String(e) });
    }
  }
  return { ages, failures };
}
