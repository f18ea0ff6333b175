/**
 * Names shared by the code that emits telemetry (the handlers' request line, request-log.ts) and
 * the CDK stack that charts and alarms on it (lib/constructs/observability.ts). Declared once so a renamed metric
 * or log field cannot silently empty a dashboard widget or a saved query.
 *
 * Metrics (EMF, embedded in the request line): namespace `METRIC_NAMESPACE` (the stack also sets
 * it as `POWERTOOLS_METRICS_NAMESPACE` for the purge sweeper's Powertools Metrics), dimensions
 * exactly `{ service, connector }` — `service` is `SERVICE_NAME`, `connector` the request's
 * connector — and one metric per provisioning outcome, unit Count. CloudWatch matches dimension
 * sets exactly, so adding another dimension to these metrics would hide them from the dashboard.
 *
 * Logs (JSON): one "provisioning" line per request with the `LOG_FIELDS` keys,
 * which the saved Logs Insights queries filter and group by.
 */

/** `POWERTOOLS_SERVICE_NAME` of every function (also the `service` metric dimension). */
export const SERVICE_NAME = 'scim';

/** `POWERTOOLS_METRICS_NAMESPACE` of every function. */
export const METRIC_NAMESPACE = 'ScimServerless';

/** The metric dimension carrying the connector (stage) name. */
export const CONNECTOR_DIMENSION = 'connector';

/** Provisioning outcomes, one EMF metric each (Count, dimensions `service` + `connector`). */
export const PROVISIONING_METRICS = {
  /** POST /Users or /Groups answered 201. */
  created: 'ResourcesCreated',
  /** PUT or PATCH answered 2xx (not a deactivation). */
  updated: 'ResourcesUpdated',
  /** A user set to `active: false` (Entra's and Okta's "soft delete"). */
  deactivated: 'UsersDeactivated',
  /** DELETE answered 204. */
  deleted: 'ResourcesDeleted',
  /** 409 (uniqueness) or 412 (version mismatch). */
  conflicts: 'Conflicts',
  /** Any other 4xx the handler answered (invalid filter, syntax, value, path, …). */
  rejected: 'RequestsRejected',
} as const;

export type ProvisioningMetric = keyof typeof PROVISIONING_METRICS;

/**
 * Counts carried by the same request line next to the outcome metric (EMF, unit Count,
 * dimensions `{service, connector}`; `configurationErrors` also under `{service}` alone, for one
 * stack-wide alarm whatever the connector).
 */
export const REQUEST_COUNTS = {
  /** Member ids a group write skipped because the connector has no such user or group. */
  membersIgnored: 'MembersIgnored',
  /** Requests answered 500 because DynamoDB refused the function (IAM, missing table, credentials, invalid request). */
  configurationErrors: 'ConfigurationErrors',
  /** Requests answered 503 because the connector is paused (`scim-admin pause`). */
  paused: 'RequestsPaused',
} as const;

/**
 * Published by the stack itself (CloudWatch Logs metric filters, not the handlers), same namespace,
 * dimension `connector` only.
 */
export const DERIVED_METRICS = {
  /** API Gateway answered 401/403 from the authorizer (from the stage access logs). */
  authorizerDenials: 'AuthorizerDenials',
  /** The authorizer logged an ERROR (e.g. the token secret could not be read). No dimension. */
  authorizerErrors: 'AuthorizerErrors',
} as const;

/** Keys of the structured provisioning log line (request-log.ts). */
export const LOG_FIELDS = {
  connector: 'connector',
  /** The route action: `create`, `patch`, `list`, … */
  operation: 'operation',
  /** `Users` or `Groups`. */
  resourceType: 'resourceType',
  /** The SCIM id of the resource, when there is one. */
  resourceId: 'resourceId',
  /** `success` or `failure`. */
  outcome: 'outcome',
  /** HTTP status answered. */
  status: 'status',
  /** RFC 7644 §3.12 scimType of a failure, when there is one. */
  scimType: 'scimType',
} as const;

/**
 * The setup function's metric (lambdas/setup/app.ts, EMF, unit Count, dimensions
 * `{service, connector}`): a setup link revealed its connector's token.
 */
export const SETUP_METRICS = {
  tokenReveals: 'SetupTokenReveals',
} as const;
