/**
 * Connector configuration: the `scim:connectors` context of cdk.json. One connector = one SaaS app =
 * one API Gateway stage (its `name` is the stage name) = one Tenant URL and token.
 *
 * This schema validates the config where it is written: the CDK app and `npm start`. They pass the
 * validated, defaulted list to the Lambdas as the `SCIM_CONNECTORS` env var (JSON), which Lambda
 * code reads with deployed.ts — without zod (see there). Errors name the bad field, e.g.
 * `scim:connectors[1].name: …`.
 */
import * as z from 'zod/mini';
import { CONTEXT_KEY, ConnectorConfigError, DEFAULT_BASE_PATH, UNKNOWN_MEMBER_POLICIES, type LambdaConnector } from './deployed.js';
import { PROFILE_NAMES } from './profile-names.js';
import { cidrProblem } from './source-cidrs.js';
import { kindPatternProblem } from '../events/kinds.js';
import { webhookUrlProblem } from './webhook-url.js';

// API Gateway stage-name rule. Note: Okta rejects base URLs containing `_`, so prefer `-` in names.
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
// URL path segments without percent-encoding or reserved characters, no empty segments.
const BASE_PATH = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;

/** Context key of the stack-wide default of `allowedSourceCidrs` (lib/config.ts, `npm start`). */
export const DEFAULT_SOURCE_CIDRS_KEY = 'scim:allowedSourceCidrs';

/**
 * `allowedSourceCidrs` (and `scim:allowedSourceCidrs`): the client addresses that may call a
 * connector's stage, as IPv4/IPv6 CIDRs (source-cidrs.ts). Absent = open to every address; an
 * empty list is refused (it would lock the identity provider out: omit the key instead).
 * Duplicates are dropped.
 */
export const sourceCidrsSchema = z.pipe(
  z
    .array(
      z.string('must be a string').check(
        z.superRefine((s, ctx) => {
          const problem = cidrProblem(s);
          if (problem) ctx.addIssue({ code: 'custom', message: problem, input: s });
        }),
      ),
      'must be an array of CIDRs like ["203.0.113.0/24", "2001:db8::/32"]',
    )
    .check(z.minLength(1, 'must list at least one CIDR (omit the key to leave the endpoint open to every address)')),
  z.transform((list: string[]) => [...new Set(list)]),
);

/**
 * `webhook`: change events of this connector POSTed, signed, to an app outside AWS
 * (lambdas/webhooks/, lib/constructs/webhooks.ts; `npm start` delivers them too). `url` is https or,
 * for `npm start` only, a loopback http URL; `kinds` (default: all) are event kinds and prefix
 * patterns ending in `*`.
 */
const refineWith = (problem: (s: string) => string | undefined) =>
  z.superRefine((s: string, ctx) => {
    const p = problem(s);
    if (p) ctx.addIssue({ code: 'custom', message: p, input: s });
  });
export const webhookSchema = z.strictObject(
  {
    url: z.string('must be a string').check(refineWith((u) => webhookUrlProblem(u))),
    kinds: z.optional(
      z
        .array(z.string('must be a string').check(refineWith(kindPatternProblem)), 'must be an array of event kinds like ["user.*", "member.added"]')
        .check(z.minLength(1, 'must name at least one kind (omit the key for every kind)')),
    ),
  },
  'must be an object {url, kinds?}',
);

const connectorSchema = z.strictObject({
  name: z.string('must be a string').check(
    z.regex(STAGE_NAME, 'must be 1-128 characters of A-Z, a-z, 0-9, "-" or "_" (API Gateway stage name)'),
  ),
  // A built-in or configured (`scim:profiles`) profile: the names are checked by parseConnectors.
  profile: z._default(z.string('must be a string'), 'generic'),
  throttling: z.optional(
    z.strictObject(
      {
        rateLimit: z.optional(z.number('must be a number').check(z.positive('must be > 0'))),
        burstLimit: z.optional(z.int('must be an integer').check(z.positive('must be > 0'))),
      },
      'must be an object {rateLimit?, burstLimit?}',
    ),
  ),
  alarmEmail: z.optional(z.email('must be an e-mail address')),
  // Group writes naming member ids the connector does not have: skip them (default) or 400.
  unknownMembers: z.optional(z.enum(UNKNOWN_MEMBER_POLICIES, `must be one of: ${UNKNOWN_MEMBER_POLICIES.join(', ')}`)),
  // Client addresses allowed to call this connector's stage (resource policy; `npm start` too).
  allowedSourceCidrs: z.optional(sourceCidrsSchema),
  // Change events of this connector POSTed to an app outside AWS, signed (README "Webhooks").
  webhook: z.optional(webhookSchema),
  // The REST API that serves this connector, when not the first (lib/placement.ts): fixed for good,
  // so adding, removing or reordering other connectors never changes its Tenant URL. CDK only.
  api: z.optional(z.int('must be an integer').check(z.gte(1, 'must be >= 1'))),
  basePath: z._default(
    z.pipe(
      z.string('must be a string'),
      z.transform((s) => s.replace(/^\/+|\/+$/g, '')),
    ).check(z.regex(BASE_PATH, 'must be URL path segments like "scim/v2" (letters, digits, "._~-")')),
    DEFAULT_BASE_PATH,
  ),
}, 'must be an object {name, profile?, throttling?, alarmEmail?, basePath?, unknownMembers?, allowedSourceCidrs?, webhook?, api?}');

// What the Lambdas read (deployed.ts) must be part of what is validated here: a compile error otherwise.
type Deployable<T extends LambdaConnector> = T;
export type ConnectorConfig = Deployable<z.output<typeof connectorSchema>>;

const connectorsSchema = z
  .array(connectorSchema, 'must be an array of connectors')
  .check(
    z.superRefine((list, ctx) => {
      const seen = new Map<string, number>();
      list.forEach((c, i) => {
        const key = c.name.toLowerCase();
        const first = seen.get(key);
        if (first !== undefined) {
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicates connector [${first}] "${c.name}"`, input: c.name });
        } else seen.set(key, i);
      });
    }),
  );

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/**
 * Validates the `scim:connectors` value; missing or empty → one generic `default` connector.
 * `profiles`: the profile names a connector may use (built-in and configured).
 */
export function parseConnectors(input: unknown, profiles: readonly string[] = PROFILE_NAMES): ConnectorConfig[] {
  if (input === undefined || input === null || (Array.isArray(input) && input.length === 0)) {
    input = [{ name: 'default' }];
  }
  const r = connectorsSchema.safeParse(input);
  const problems = r.success ? [] : r.error.issues.map((i) => `${CONTEXT_KEY}${fieldPath(i.path)}: ${i.message}`);
  if (Array.isArray(input)) {
    input.forEach((c: unknown, i) => {
      const profile = typeof c === 'object' && c !== null ? (c as { profile?: unknown }).profile : undefined;
      if (typeof profile === 'string' && !profiles.includes(profile)) problems.push(`${CONTEXT_KEY}[${i}].profile: must be one of: ${profiles.join(', ')}`);
    });
  }
  if (problems.length > 0 || !r.success) throw new ConnectorConfigError(problems);
  return r.data;
}

/**
 * Validates `scim:allowedSourceCidrs` (`npm start`; the CDK app validates it with its other
 * settings in lib/config.ts): missing → undefined (no default fence).
 */
export function parseDefaultSourceCidrs(input: unknown): string[] | undefined {
  if (input === undefined || input === null) return undefined;
  const r = sourceCidrsSchema.safeParse(input);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${DEFAULT_SOURCE_CIDRS_KEY}${fieldPath(i.path)}: ${i.message}`);
    const error = new ConnectorConfigError(problems);
    error.message = `invalid ${DEFAULT_SOURCE_CIDRS_KEY}:\n  ${problems.join('\n  ')}`;
    throw error;
  }
  return r.data;
}
