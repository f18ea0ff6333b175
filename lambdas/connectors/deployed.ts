/**
 * The connector list a Lambda was deployed with, read from `SCIM_CONNECTORS` without zod.
 *
 * The CDK stack (and `npm start`) validate `scim:connectors` with the full zod schema in config.ts
 * and hand the Lambdas the *validated, defaulted* list as JSON. Re-running that schema in every
 * Lambda cost 22 KiB of bundle (zod/mini) and its cold-start parse for a value that cannot be wrong
 * unless someone edits a function's environment by hand; this module keeps a structural check for
 * exactly that case (fail at init, naming the field) and nothing more.
 */
/** Lambda env var carrying the validated connector list as JSON (set by the CDK stack). */
export const CONNECTORS_ENV = 'SCIM_CONNECTORS';
export const CONTEXT_KEY = 'scim:connectors';
export const DEFAULT_BASE_PATH = 'scim/v2';
/** `unknownMembers`: what a group write does with member ids the connector does not have. */
export const UNKNOWN_MEMBER_POLICIES = ['ignore', 'reject'] as const;
export type UnknownMemberPolicy = (typeof UNKNOWN_MEMBER_POLICIES)[number];

/**
 * What a Lambda knows of a connector: the fields the stack writes into `SCIM_CONNECTORS` (the rest
 * of the configuration is the stack's business). config.ts's validated ConnectorConfig is one.
 */
export interface LambdaConnector {
  readonly name: string;
  readonly profile: string;
  readonly basePath: string;
  readonly unknownMembers?: UnknownMemberPolicy | undefined;
}

export class ConnectorConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid ${CONTEXT_KEY}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConnectorConfigError';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `SCIM_CONNECTORS` as written by the stack: an array of {name, profile, basePath, …}.
 * `profiles`: the profiles this function knows (deployed-profiles.ts); every connector must name
 * one of them. Without it (the authorizer, the purge sweeper: they apply no profile) a profile
 * only has to be a name.
 */
export function connectorsFromEnv(env: NodeJS.ProcessEnv = process.env, profiles?: { has(name: string): boolean }): LambdaConnector[] {
  const raw = env[CONNECTORS_ENV];
  if (!raw) throw new ConnectorConfigError([`${CONNECTORS_ENV} is not set`]);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConnectorConfigError([`${CONNECTORS_ENV} is not valid JSON`]);
  }
  if (!Array.isArray(json) || json.length === 0) throw new ConnectorConfigError([`${CONNECTORS_ENV}: must be a non-empty array of connectors`]);
  // The stack writes `name|profile|basePath|unknownMembers` (empty = default) to fit 60 connectors
  // in Lambda's 4 KB of environment (lib/scim-stack.ts lambdaConnectorsJson); objects still work.
  json = json.map((c: unknown) => (typeof c === 'string' ? compactConnector(c) : c));
  const problems: string[] = [];
  (json as unknown[]).forEach((c: unknown, i) => {
    const at = `${CONNECTORS_ENV}[${i}]`;
    if (!isRecord(c)) return void problems.push(`${at}: must be an object`);
    if (typeof c.name !== 'string' || c.name === '') problems.push(`${at}.name: must be a non-empty string`);
    if (c.profile !== undefined && (typeof c.profile !== 'string' || c.profile === '' || (profiles && !profiles.has(c.profile))))
      problems.push(`${at}.profile: unknown profile ${JSON.stringify(c.profile)}`);
    if (c.basePath !== undefined && typeof c.basePath !== 'string') problems.push(`${at}.basePath: must be a string`);
    if (c.unknownMembers !== undefined && !(UNKNOWN_MEMBER_POLICIES as readonly unknown[]).includes(c.unknownMembers))
      problems.push(`${at}.unknownMembers: must be one of: ${UNKNOWN_MEMBER_POLICIES.join(', ')}`);
  });
  if (problems.length > 0) throw new ConnectorConfigError(problems);
  // The same defaults as config.ts, for a hand-written env var.
  return (json as Record<string, unknown>[]).map((c) => ({ profile: 'generic', basePath: DEFAULT_BASE_PATH, ...c }) as LambdaConnector);
}

function compactConnector(s: string): Record<string, string> {
  const [name = '', profile, basePath, unknownMembers] = s.split('|');
  return { name, ...(profile ? { profile } : {}), ...(basePath ? { basePath } : {}), ...(unknownMembers ? { unknownMembers } : {}) };
}

/** Lookup by stage/connector name. */
export function connectorMap<C extends LambdaConnector>(list: readonly C[]): ReadonlyMap<string, C> {
  return new Map(list.map((c) => [c.name, c]));
}
