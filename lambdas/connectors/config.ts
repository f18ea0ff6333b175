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
import { CONTEXT_KEY, ConnectorConfigError, DEFAULT_BASE_PATH, UNKNOWN_MEMBER_POLICIES } from './deployed.js';
import { PROFILE_NAMES, type ProfileName } from './profile-names.js';

// API Gateway stage-name rule. Note: Okta rejects base URLs containing `_`, so prefer `-` in names.
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
// URL path segments without percent-encoding or reserved characters, no empty segments.
const BASE_PATH = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;

const connectorSchema = z.strictObject({
  name: z.string('must be a string').check(
    z.regex(STAGE_NAME, 'must be 1-128 characters of A-Z, a-z, 0-9, "-" or "_" (API Gateway stage name)'),
  ),
  profile: z._default(
    z.enum(PROFILE_NAMES, `must be one of: ${PROFILE_NAMES.join(', ')}`),
    'generic' as ProfileName,
  ),
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
  basePath: z._default(
    z.pipe(
      z.string('must be a string'),
      z.transform((s) => s.replace(/^\/+|\/+$/g, '')),
    ).check(z.regex(BASE_PATH, 'must be URL path segments like "scim/v2" (letters, digits, "._~-")')),
    DEFAULT_BASE_PATH,
  ),
}, 'must be an object {name, profile?, throttling?, alarmEmail?, basePath?, unknownMembers?}');

export type ConnectorConfig = z.output<typeof connectorSchema>;

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

/** Validates the `scim:connectors` value; missing or empty → one generic `default` connector. */
export function parseConnectors(input: unknown): ConnectorConfig[] {
  if (input === undefined || input === null || (Array.isArray(input) && input.length === 0)) {
    input = [{ name: 'default' }];
  }
  const r = connectorsSchema.safeParse(input);
  if (!r.success) {
    throw new ConnectorConfigError(r.error.issues.map((i) => `${CONTEXT_KEY}${fieldPath(i.path)}: ${i.message}`));
  }
  return r.data;
}
