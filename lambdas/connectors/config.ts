/**
 * Connector configuration: the `scim:connectors` context of cdk.json. One connector = one SaaS app =
 * one API Gateway stage (its `name` is the stage name) = one Tenant URL and token.
 *
 * The same schema validates the config in three places: the CDK app, `npm start`, and the Lambdas
 * (the CDK stack passes the validated list to them as the `SCIM_CONNECTORS` env var, JSON). Lambda
 * code imports this module, hence `zod/mini` (small bundle). Errors name the bad field, e.g.
 * `scim:connectors[1].name: …`.
 */
import * as z from 'zod/mini';
import { PROFILE_NAMES, type ProfileName } from './profile-names.js';

export const CONTEXT_KEY = 'scim:connectors';
/** Lambda env var carrying the validated connector list as JSON (set by the CDK stack). */
export const CONNECTORS_ENV = 'SCIM_CONNECTORS';
export const DEFAULT_BASE_PATH = 'scim/v2';

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
  basePath: z._default(
    z.pipe(
      z.string('must be a string'),
      z.transform((s) => s.replace(/^\/+|\/+$/g, '')),
    ).check(z.regex(BASE_PATH, 'must be URL path segments like "scim/v2" (letters, digits, "._~-")')),
    DEFAULT_BASE_PATH,
  ),
}, 'must be an object {name, profile?, throttling?, alarmEmail?, basePath?}');

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

export class ConnectorConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid ${CONTEXT_KEY}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConnectorConfigError';
  }
}

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

/** The connector list a Lambda was deployed with (`SCIM_CONNECTORS`, JSON). */
export function connectorsFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectorConfig[] {
  const raw = env[CONNECTORS_ENV];
  if (!raw) throw new ConnectorConfigError([`${CONNECTORS_ENV} is not set`]);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConnectorConfigError([`${CONNECTORS_ENV} is not valid JSON`]);
  }
  return parseConnectors(json);
}

/** Lookup by stage/connector name. */
export function connectorMap(list: readonly ConnectorConfig[]): ReadonlyMap<string, ConnectorConfig> {
  return new Map(list.map((c) => [c.name, c]));
}
