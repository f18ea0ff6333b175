/**
 * How old a connector's token is, for the daily token-age check (lambdas/handlers/token-age.ts,
 * scheduled by lib/constructs/token-age.ts) and `scim-admin connectors`.
 *
 * The age runs from when the current token was set:
 *  - `rotatedAt` in the secret's JSON (written by `scim-admin token rotate` and `npm start`);
 *  - else when the secret's value was last written: the Secrets Manager version's `CreatedDate`
 *    (GetSecretValue returns it with the value, so no DescribeSecret is needed), locally the token
 *    file's modification time. That is the CDK-generated token's creation, or a hand-written
 *    `put-secret-value`. DescribeSecret's `LastChangedDate` is not used: it also moves when only the
 *    secret's description or tags change (e.g. on a `cdk deploy`), which would reset the age.
 *
 * Pure: no AWS, no clock; the callers pass the secret and the time. No zod either (the daily
 * function stays ~27 KiB smaller): the secret's full shape is the authorizer's business, and
 * `scim-admin check` validates it; here only `current` and `rotatedAt` are read.
 */
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

/** The current token's age, or undefined when neither `rotatedAt` nor the write date is known. */
// The secret's `rotatedAt` only (a TokenSet, tokens.ts, is one): tokens.ts reads isRotatedAt from here, not the other way.
export function tokenAge(set: { readonly rotatedAt?: string | undefined }, writtenAt: Date | undefined, now: Date): TokenAge | undefined {
  const rotated = set.rotatedAt ? new Date(set.rotatedAt) : undefined;
  if (rotated && !Number.isNaN(rotated.getTime())) return { since: rotated, source: 'rotatedAt', days: ageInDays(rotated, now) };
  if (writtenAt && !Number.isNaN(writtenAt.getTime())) return { since: writtenAt, source: 'secretWritten', days: ageInDays(writtenAt, now) };
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

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A `rotatedAt` worth keeping: an ISO 8601 date-time with an offset that parses (here, not in tokens.ts: no zod in this function). */
export function isRotatedAt(v: unknown): v is string {
  return typeof v === 'string' && ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v));
}

/**
 * `rotatedAt` of a secret value (undefined when absent or not an ISO date-time with offset, as the
 * authorizer's schema drops it); throws a message-free error when the value is not a token secret.
 */
export function rotatedAtOf(secretString: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new Error('token secret is not JSON');
  }
  const o = json as { current?: unknown; rotatedAt?: unknown } | null;
  if (typeof o !== 'object' || o === null || typeof o.current !== 'string' || o.current === '') throw new Error('token secret has no "current" token');
  const r = o.rotatedAt;
  return isRotatedAt(r) ? r : undefined;
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
      if (!age) throw Object.assign(new Error('the secret has no rotatedAt and its version has no creation date'), { name: 'NoTokenDate' });
      ages.push({ connector, ageDays: age.days, since: age.since.toISOString(), source: age.source });
    } catch (e) {
      failures.push({ connector, errorName: (e as Error)?.name ?? 'Error', errorMessage: (e as Error)?.message ?? String(e) });
    }
  }
  return { ages, failures };
}
