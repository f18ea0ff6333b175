/**
 * Deployment settings read from the CDK context (cdk.json, or `-c key=value` on the command line)
 * and validated before any construct is built, so a typo fails `cdk synth` with the field's name
 * instead of a half-built template or a CloudFormation error at deploy time.
 *
 * The connector list (`scim:connectors`) and the configured profiles (`scim:profiles`) are
 * validated by the shared modules that `npm start` also uses (lambdas/connectors/config.ts,
 * profile-config.ts); the stack-only settings are validated here:
 *
 *  - `scim:authorizerCacheTtlSeconds` (0-3600, default 300): the authorizer result cache;
 *  - `scim:customDomain` ({ domainName, certificateArn }): optional custom domain, one base-path
 *    mapping per connector;
 *  - `scim:stagesPerApi` (1-10, default 10): API Gateway's default quota is 10 stages per REST API;
 *    more connectors are spread over several APIs, each connector past the first API naming its
 *    own with `"api"` (lib/placement.ts: checked here, so a refusal is a configuration error);
 *  - `scim:alarmEmail`: optional e-mail subscribed to the alarm topic (in addition to every
 *    connector's own `alarmEmail`);
 *  - `scim:idleAlarmHours` (1-168, default 24): "no successful request in N hours" per connector;
 *  - `scim:tokenMaxAgeDays` (1-3650, default 365): a connector token older than this raises its
 *    token-age alarm (lib/constructs/token-age.ts);
 *  - `scim:deprovisionAlarm` (default 100): users/groups deleted or deactivated within an hour that
 *    raise a connector's mass-deprovisioning alarm; a number, or `{"*": n, "<connector>": n}`
 *    for per-connector values (lib/constructs/connector-safety.ts);
 *  - `scim:logRetentionDays` (default 90): Lambda and access log retention;
 *  - `scim:stackName` (default `Scim`): deploy the same app twice (dev/prod) in one account;
 *  - `scim:allowedSourceCidrs`: optional CIDR list, the source-address fence of every connector
 *    without its own `allowedSourceCidrs` (REST API resource policy, lib/source-fence.ts);
 *  - `scim:webAclArn`: optional regional AWS WAF web ACL associated with every stage.
 */
import * as z from 'zod/mini';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_SOURCE_CIDRS_KEY, parseConnectors, sourceCidrsSchema, type ConnectorConfig } from '../lambdas/connectors/config.js';
import { CONTEXT_KEY, ConnectorConfigError } from '../lambdas/connectors/deployed.js';
import { declaredProfileNames, parseProfiles } from '../lambdas/connectors/profile-config.js';
import { PROFILES_CONTEXT_KEY, ProfileConfigError, type ProfileSpecs } from '../lambdas/connectors/profile-spec.js';
import { API_FIELD, PlacementError, placeConnectors } from './placement.js';
import { DEFAULT_DEPROVISION_ALARM } from './constructs/connector-safety.js';
import { sourceFenceProblems } from './source-fence.js';

export const SETTINGS_KEYS = {
  authorizerCacheTtlSeconds: 'scim:authorizerCacheTtlSeconds',
  customDomain: 'scim:customDomain',
  stagesPerApi: 'scim:stagesPerApi',
  alarmEmail: 'scim:alarmEmail',
  idleAlarmHours: 'scim:idleAlarmHours',
  logRetentionDays: 'scim:logRetentionDays',
  stackName: 'scim:stackName',
  tokenMaxAgeDays: 'scim:tokenMaxAgeDays',
  deprovisionAlarm: 'scim:deprovisionAlarm',
  allowedSourceCidrs: DEFAULT_SOURCE_CIDRS_KEY,
  webAclArn: 'scim:webAclArn',
} as const;

export const DEFAULT_STACK_NAME = 'Scim';

/**
 * The key of `scim:deprovisionAlarm` that holds the threshold of connectors not named: `*`, which no
 * connector name can be (a stage name has letters, digits, `-` and `_`). (`default` would be
 * ambiguous: cdk.json ships a connector named `default`.)
 */
const EVERY_CONNECTOR = '*';

/** `scim:deprovisionAlarm` as a per-connector lookup (a connector not named gets `*`, else the built-in default). */
function deprovisionThresholds(v: number | Record<string, number>): (connector: string) => number {
  if (typeof v === 'number') return () => v;
  return (c) => v[c] ?? v[EVERY_CONNECTOR] ?? DEFAULT_DEPROVISION_ALARM;
}

/** Keys of a per-connector `scim:deprovisionAlarm` that name no connector: a typo would silently keep the default. */
function deprovisionAlarmProblems(v: number | Record<string, number>, connectors: readonly ConnectorConfig[]): string[] {
  if (typeof v === 'number') return [];
  const names = new Set(connectors.map((c) => c.name));
  return Object.keys(v)
    .filter((k) => k !== EVERY_CONNECTOR && !names.has(k))
    .map((k) => `${SETTINGS_KEYS.deprovisionAlarm}.${k}: no connector is named "${k}"; name a connector of scim:connectors, or use "${EVERY_CONNECTOR}" for every connector not named`);
}

/** `scim:tokenMaxAgeDays`: a connector token older than this raises its token-age alarm. */
export const DEFAULT_TOKEN_MAX_AGE_DAYS = 365;
export const MAX_TOKEN_MAX_AGE_DAYS = 3650;

export const DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS = 300;
export const MAX_STAGES_PER_API = 10;
/**
 * Connectors per stack: two outputs each against CloudFormation's 200 outputs per template, and the
 * authorizer's secret list against Lambda's 4 KB of environment; every limit is measured on the
 * synthesized templates (lib/limits.ts, README "Limits"). More connectors: several stacks
 * (`scim:stackName`), each with its own list.
 */
export const MAX_CONNECTORS = 60;

// The values CloudWatch Logs accepts (RetentionDays without INFINITE).
const RETENTION_DAYS = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0);

const DOMAIN_NAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
// A WAFv2 web ACL of regional scope (API Gateway stages cannot use CLOUDFRONT-scope ACLs).
const REGIONAL_WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[\w-]{1,128}\/[0-9a-f-]{36}$/;

const int = (min: number, max: number) =>
  z.int('must be an integer').check(z.gte(min, `must be >= ${min}`), z.lte(max, `must be <= ${max}`));

const settingsSchema = z.object({
  [SETTINGS_KEYS.authorizerCacheTtlSeconds]: z._default(int(0, 3600), DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS),
  [SETTINGS_KEYS.customDomain]: z.optional(
    z.strictObject(
      {
        domainName: z.string('must be a string').check(z.regex(DOMAIN_NAME, 'must be a DNS name like "scim.example.com"')),
        certificateArn: z
          .string('must be a string')
          .check(z.regex(CERTIFICATE_ARN, 'must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)')),
      },
      'must be an object {domainName, certificateArn}',
    ),
  ),
  [SETTINGS_KEYS.stagesPerApi]: z._default(int(1, MAX_STAGES_PER_API), MAX_STAGES_PER_API),
  [SETTINGS_KEYS.alarmEmail]: z.optional(z.email('must be an e-mail address')),
  [SETTINGS_KEYS.idleAlarmHours]: z._default(int(1, 168), 24),
  [SETTINGS_KEYS.tokenMaxAgeDays]: z._default(int(1, MAX_TOKEN_MAX_AGE_DAYS), DEFAULT_TOKEN_MAX_AGE_DAYS),
  [SETTINGS_KEYS.deprovisionAlarm]: z._default(z.union([int(1, 1_000_000), z.record(z.string(), int(1, 1_000_000))], 'must be a number, or an object {"*"?: n, "<connector>": n}'), DEFAULT_DEPROVISION_ALARM),
  [SETTINGS_KEYS.logRetentionDays]: z._default(
    z.number('must be a number').check(
      z.refine((n) => RETENTION_DAYS.includes(n), `must be one of CloudWatch Logs' retention periods: ${RETENTION_DAYS.join(', ')}`),
    ),
    90,
  ),
  [SETTINGS_KEYS.stackName]: z._default(
    z.string('must be a string').check(
      // CloudFormation stack names; also used in secret, alarm and API names.
      z.regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must start with a letter, then up to 63 letters, digits or "-"'),
    ),
    DEFAULT_STACK_NAME,
  ),
  [SETTINGS_KEYS.allowedSourceCidrs]: z.optional(sourceCidrsSchema),
  [SETTINGS_KEYS.webAclArn]: z.optional(
    z
      .string('must be a string')
      .check(z.regex(REGIONAL_WEB_ACL_ARN, 'must be a regional AWS WAF web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>)')),
  ),
});

export interface CustomDomain {
  readonly domainName: string;
  readonly certificateArn: string;
}

export interface DeploymentConfig {
  readonly connectors: readonly ConnectorConfig[];
  /** `scim:profiles`: the configured profiles, validated, every default spelled out. */
  readonly profiles: ProfileSpecs;
  readonly authorizerCacheTtlSeconds: number;
  readonly customDomain?: CustomDomain;
  readonly stagesPerApi: number;
  /** Every distinct address to subscribe to the alarm topic (global one first). */
  readonly alarmEmails: readonly string[];
  readonly idleAlarmHours: number;
  /** Days after which a connector's token-age alarm fires. */
  readonly tokenMaxAgeDays: number;
  /** Per connector: deletions + deactivations in an hour that raise its mass-deprovisioning alarm. */
  readonly deprovisionAlarm: (connector: string) => number;
  readonly logRetentionDays: number;
  readonly stackName: string;
  /** `scim:allowedSourceCidrs`: the fence of connectors without their own list; undefined = open. */
  readonly allowedSourceCidrs?: readonly string[];
  /** `scim:webAclArn`: regional WAF web ACL associated with every stage. */
  readonly webAclArn?: string;
}

/** Context lookup as `App`/`Node.tryGetContext` offers it. */
export type ContextReader = (key: string) => unknown;

/**
 * `-c key=value` always arrives as a string: values that look like JSON (arrays, objects, numbers,
 * booleans) are parsed, so `-c 'scim:connectors=[{"name":"okta"}]'` works like the cdk.json value.
 */
export function contextValue(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const s = raw.trim();
  if (/^[[{]/.test(s) || /^-?\d+(\.\d+)?$/.test(s) || s === 'true' || s === 'false') {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      return raw; // left to the schema, which reports the field
    }
  }
  return raw;
}

/** Reads and validates everything the stack needs; throws one error listing every bad field. */
export function readDeploymentConfig(context: ContextReader): DeploymentConfig {
  const problems: string[] = [];
  // Profiles first: connectors may name the configured ones (even broken ones, reported once).
  const profilesInput = contextValue(context(PROFILES_CONTEXT_KEY));
  let profiles: ProfileSpecs = {};
  try {
    profiles = parseProfiles(profilesInput).specs;
  } catch (e) {
    if (e instanceof ProfileConfigError) problems.push(...e.problems);
    else throw e;
  }
  let connectors: ConnectorConfig[] = [];
  const connectorsInput = contextValue(context(CONTEXT_KEY));
  try {
    connectors = parseConnectors(connectorsInput, declaredProfileNames(profilesInput));
  } catch (e) {
    if (e instanceof ConnectorConfigError) problems.push(...e.problems);
    else throw e;
  }
  const bundled = Buffer.byteLength(lambdaProfilesJson(profiles, connectors));
  if (bundled > MAX_BUNDLED_PROFILES_BYTES) {
    problems.push(
      `${PROFILES_CONTEXT_KEY}: the profiles the connectors use take ${bundled} bytes as JSON, at most ${MAX_BUNDLED_PROFILES_BYTES}: they are written into the function bundles as one esbuild --define argument (Linux allows 128 KiB per argument); shorten descriptions or split the connectors over several stacks with different scim:stackName values`,
    );
  }
  if (connectors.length > MAX_CONNECTORS) {
    problems.push(
      `${CONTEXT_KEY}: ${connectors.length} connectors, at most ${MAX_CONNECTORS} per stack (CloudFormation output and Lambda environment limits); split them over several stacks with different scim:stackName values`,
    );
  }
  const input: Record<string, unknown> = {};
  for (const key of Object.values(SETTINGS_KEYS)) {
    const v = contextValue(context(key));
    if (v !== undefined && v !== null && v !== '') input[key] = v;
  }
  const r = settingsSchema.safeParse(input);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const [key, ...rest] = issue.path;
      problems.push(`${String(key)}${rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}`);
    }
  }
  if (r.success) {
    try {
      placeConnectors(connectors, r.data[SETTINGS_KEYS.stagesPerApi]);
      problems.push(...sourceFenceProblems(connectors, r.data[SETTINGS_KEYS.allowedSourceCidrs], r.data[SETTINGS_KEYS.stagesPerApi]));
      problems.push(...deprovisionAlarmProblems(r.data[SETTINGS_KEYS.deprovisionAlarm], connectors));
    } catch (e) {
      if (!(e instanceof PlacementError)) throw e;
      problems.push(...e.problems.slice(0, -1), placementProblem(e, connectorsInput));
    }
  }
  if (problems.length > 0 || !r.success) throw new DeploymentConfigError(problems);
  const s = r.data;
  const emails = [s[SETTINGS_KEYS.alarmEmail], ...connectors.map((c) => c.alarmEmail)].filter((e): e is string => !!e);
  const customDomain = s[SETTINGS_KEYS.customDomain];
  return {
    connectors,
    profiles,
    authorizerCacheTtlSeconds: s[SETTINGS_KEYS.authorizerCacheTtlSeconds],
    ...(customDomain ? { customDomain } : {}),
    stagesPerApi: s[SETTINGS_KEYS.stagesPerApi],
    alarmEmails: [...new Map(emails.map((e) => [e.toLowerCase(), e] as const)).values()],
    idleAlarmHours: s[SETTINGS_KEYS.idleAlarmHours],
    tokenMaxAgeDays: s[SETTINGS_KEYS.tokenMaxAgeDays],
    deprovisionAlarm: deprovisionThresholds(s[SETTINGS_KEYS.deprovisionAlarm]),
    logRetentionDays: s[SETTINGS_KEYS.logRetentionDays],
    stackName: s[SETTINGS_KEYS.stackName],
    ...(s[SETTINGS_KEYS.allowedSourceCidrs] ? { allowedSourceCidrs: s[SETTINGS_KEYS.allowedSourceCidrs] } : {}),
    ...(s[SETTINGS_KEYS.webAclArn] ? { webAclArn: s[SETTINGS_KEYS.webAclArn] } : {}),
  };
}

/**
 * The last problem of a placement refusal, followed by the `scim:connectors` entries to write: each
 * connector's own entry as written, with `"api"` added after its name.
 */
function placementProblem(e: PlacementError, input: unknown): string {
  const last = e.problems[e.problems.length - 1]!;
  if (e.pins.length === 0) return last;
  const entries = Array.isArray(input) ? input : [];
  const lines = e.pins.map(({ index, name, api }) => {
    const raw = entries[index] as Record<string, unknown> | undefined;
    const { name: _name, api: _api, ...rest } = typeof raw === 'object' && raw !== null ? raw : {};
    const fields = { name, [API_FIELD]: api, ...rest };
    return `{ ${Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`;
  });
  return `${last}.\n  Replace these entries of scim:connectors in cdk.json (or in your -c value) and leave the others as they are. They keep every connector on the REST API it is on now (for a list deployed by an earlier release: in list order, scim:stagesPerApi per API) provided that since the last deploy connectors were only added, at the end of the list, and scim:stagesPerApi was not changed (if one was removed or moved, put the list back as deployed, synth, paste, then remove it):\n    ${lines.join('\n    ')}`;
}

/**
 * Configured profiles travel to the users, groups and discovery functions inside their bundles
 * (esbuild `define`, lambdas/connectors/deployed-profiles.ts), not in their environment, whose
 * 4 KB a few profiles would fill; this bounds the one command-line argument that carries them.
 */
export const MAX_BUNDLED_PROFILES_BYTES = 64 * 1024;

/** The configured profiles the connectors name, as the Lambdas read them (`{}` when none). */
export function lambdaProfilesJson(profiles: ProfileSpecs, connectors: readonly ConnectorConfig[]): string {
  const used = new Set(connectors.map((c) => c.profile));
  return JSON.stringify(Object.fromEntries(Object.entries(profiles).filter(([name]) => used.has(name))));
}

export class DeploymentConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid CDK context (cdk.json "context" or -c):\n  ${problems.join('\n  ')}`);
    this.name = 'DeploymentConfigError';
  }
}
