/**
 * What the cost model (model.ts) knows about this stack, in three kinds, each kept honest:
 *
 *  - MEASURED: DynamoDB calls and consumed capacity per SCIM operation, exactly as `npm run bench`
 *    measures them over HTTP (test/bench/cost.ts; keys are its operation names). The e2e test
 *    test/e2e/cost-budgets.test.ts re-measures them and fails when a figure here differs.
 *  - DERIVED FROM CODE: stored item sizes (the store's own item codecs, lambdas/store/items.ts),
 *    the per-request log line (the handlers' RequestLog), the purge sweep rate. STACK mirrors the
 *    CDK stack (memory sizes, alarms, secrets, dashboards, metrics, cache TTL, retention); the infra
 *    test test/infra/cost-model.test.ts compares it with the synthesised template.
 *  - ASSUMED: what cannot be measured here (DynamoDB latency on AWS, INIT duration, the IdPs'
 *    request rates and patterns). Each says where it comes from; the CLI prints them.
 */
import { RequestLog } from '../../lambdas/http/request-log.js';
import type { ProvisioningMetric } from '../../lambdas/http/metric-names.js';
import { PURGE_SWEEP_RATE_MINUTES } from '../../lambdas/provisioning/purge-sweeper.js';
import { memberItem, toItem } from '../../lambdas/store/items.js';
import { keys } from '../../lambdas/store/keys.js';

export type DynamoApi = 'GetItem' | 'Query' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'TransactWriteItems' | 'BatchWriteItem';

/** One SCIM operation as measured by the bench (one HTTP request). */
export interface MeasuredOp {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway resource below the base path (the request log's `resource`). */
  readonly resource: string;
  readonly handler: 'users' | 'groups';
  readonly status: number;
  /** DynamoDB calls by API. */
  readonly calls: Readonly<Partial<Record<DynamoApi, number>>>;
  /** Consumed read / write capacity units (on-demand: request units). */
  readonly rcu: number;
  readonly wcu: number;
  /** The provisioning metric its request line carries (lambdas/http/observability.ts), if any. */
  readonly metric?: ProvisioningMetric;
  /** The change event it causes (lambdas/events/mapping.ts), if any. */
  readonly event?: 'user' | 'group' | 'member';
}

/**
 * Measured 2026-12-02 by test/bench/cost.ts against DynamoDB Local (ReturnConsumedCapacity TOTAL,
 * counted inside the handler per HTTP request); re-checked by test/e2e/cost-budgets.test.ts.
 */
export const MEASURED_OPS = {
  'GET /Users?filter=userName eq (no match)': { method: 'GET', resource: 'Users', handler: 'users', status: 200, calls: { GetItem: 1 }, rcu: 1, wcu: 0 },
  'GET /Users?filter=userName eq': { method: 'GET', resource: 'Users', handler: 'users', status: 200, calls: { GetItem: 2 }, rcu: 2, wcu: 0 },
  'POST /Users': { method: 'POST', resource: 'Users', handler: 'users', status: 201, calls: { TransactWriteItems: 1 }, rcu: 0, wcu: 6, metric: 'created', event: 'user' },
  'GET /Users/{id} (groups returned)': { method: 'GET', resource: 'Users/{id}', handler: 'users', status: 200, calls: { GetItem: 1, Query: 1 }, rcu: 1, wcu: 0 },
  'PUT /Users/{id}': { method: 'PUT', resource: 'Users/{id}', handler: 'users', status: 200, calls: { GetItem: 1, UpdateItem: 1 }, rcu: 1, wcu: 1, metric: 'updated', event: 'user' },
  'PATCH /Users/{id} (non-unique attributes)': { method: 'PATCH', resource: 'Users/{id}', handler: 'users', status: 204, calls: { GetItem: 1, UpdateItem: 1 }, rcu: 1, wcu: 1, metric: 'updated', event: 'user' },
  'GET /Groups?filter=displayName eq&excludedAttributes=members': { method: 'GET', resource: 'Groups', handler: 'groups', status: 200, calls: { GetItem: 2 }, rcu: 2, wcu: 0 },
  'POST /Groups': { method: 'POST', resource: 'Groups', handler: 'groups', status: 201, calls: { TransactWriteItems: 1 }, rcu: 0, wcu: 6, metric: 'created', event: 'group' },
  'PATCH /Groups/{id} add 1 member': { method: 'PATCH', resource: 'Groups/{id}', handler: 'groups', status: 204, calls: { GetItem: 1, TransactWriteItems: 1 }, rcu: 1, wcu: 6, metric: 'updated', event: 'member' },
  'PATCH /Groups/{id} remove 1 member': { method: 'PATCH', resource: 'Groups/{id}', handler: 'groups', status: 204, calls: { GetItem: 1, TransactWriteItems: 1 }, rcu: 1, wcu: 6, metric: 'updated', event: 'member' },
} as const satisfies Record<string, MeasuredOp>;

export type OpName = keyof typeof MEASURED_OPS;

export type IdentityProvider = 'entra' | 'okta';

/** The requests an identity provider sends (README "Connect Microsoft Entra ID" / "Connect Okta"; the bench's Entra sync). */
export interface IdpPattern {
  /** Initial cycle / first push, per user. */
  readonly perUser: readonly OpName[];
  /** Per group. */
  readonly perGroup: readonly OpName[];
  /** Per membership (one member per PATCH, as Entra ID sends them and as the bench measures them). */
  readonly perMembership: OpName;
  /** Per changed user afterwards (an attribute change). */
  readonly perChange: readonly OpName[];
  /** A membership change: alternately added and removed. */
  readonly memberChange: readonly [OpName, OpName];
  readonly description: string;
}

export const IDP_PATTERNS: Readonly<Record<IdentityProvider, IdpPattern>> = {
  entra: {
    perUser: ['GET /Users?filter=userName eq (no match)', 'POST /Users'],
    perGroup: ['GET /Groups?filter=displayName eq&excludedAttributes=members', 'POST /Groups'],
    perMembership: 'PATCH /Groups/{id} add 1 member',
    perChange: ['GET /Users?filter=userName eq', 'PATCH /Users/{id} (non-unique attributes)'],
    memberChange: ['PATCH /Groups/{id} add 1 member', 'PATCH /Groups/{id} remove 1 member'],
    description:
      'Entra ID: initial cycle = per user GET ?filter=userName eq (miss) + POST, per group GET ?filter=displayName eq + POST, one PATCH per membership; then an incremental cycle every 40 min that sends only the changed objects (GET ?filter=userName eq + PATCH per changed user); a cycle without changes sends nothing',
  },
  okta: {
    perUser: ['GET /Users?filter=userName eq (no match)', 'POST /Users'],
    perGroup: ['GET /Groups?filter=displayName eq&excludedAttributes=members', 'POST /Groups'],
    perMembership: 'PATCH /Groups/{id} add 1 member',
    perChange: ['GET /Users/{id} (groups returned)', 'PUT /Users/{id}'],
    memberChange: ['PATCH /Groups/{id} add 1 member', 'PATCH /Groups/{id} remove 1 member'],
    description:
      'Okta: first push like Entra ID (lookup + create per user and group, one PATCH per membership); then push on change: GET /Users/{id} + full-object PUT per changed user, as it happens; scheduled imports off',
  },
};

/**
 * The stack as lib/ deploys it (checked against the synthesised template by
 * test/infra/cost-model.test.ts: a new function, alarm, secret or dashboard fails that test until
 * it is priced here).
 */
export const STACK = {
  /** Memory of every function (lib/constructs/scim-function.ts default 512 MB; the stack's settings). */
  memoryMb: { users: 512, groups: 512, discovery: 512, authorizer: 256, publisher: 256, purgeSweeper: 256, tokenAge: 256, setup: 256 },
  /** `scim:authorizerCacheTtlSeconds` default: API Gateway keeps the authorizer's answer per token and stage. */
  authorizerCacheTtlSeconds: 300,
  /** The authorizer's token cache (lambdas/auth/token-source.ts CachedTokenSource). */
  tokenCacheSeconds: 60,
  /** One token secret per connector; the cursor key is the stack's one other secret. */
  secrets: { perConnector: 1, fixed: 1 },
  /** One dashboard per REST API (10 connectors each): the stack's, then one per API in a nested stack (lib/limits.ts). */
  dashboards: { perRestApi: 1, connectorsPerRestApi: 10 },
  /**
   * Alarm metrics (a single-metric alarm is 1, a metric-math alarm the metrics it reads): per
   * connector 5xx-rate (2) + no-successful-request (3) + token-age (1) + mass-deprovisioning (2) +
   * rejected-rate (2); fixed: Lambda errors of
   * users/groups/discovery (3), authorizer errors (1), storage configuration errors (1), DynamoDB
   * throttles (3), change-event dead letters (1) and lag (1), purge sweeper (1), token-age check (1).
   */
  alarmMetrics: { perConnector: 10, fixed: 12 },
  /** `scim:logRetentionDays` default. */
  logRetentionDays: 90,
  purgeSweepRateMinutes: PURGE_SWEEP_RATE_MINUTES,
  /** Change events: stream batches of up to 100 records within 1 s (lib/constructs/change-events.ts). */
  publisherBatchSize: 100,
  archiveRetentionDays: 90,
  /** The token-age check runs once a day and reads every token secret. */
  tokenAgeRunsPerDay: 1,
  /** Custom metrics published whatever the traffic: the purge sweeper's three, every run. */
  sweeperMetrics: 3,
  /**
   * Webhooks (lib/constructs/webhooks.ts), per webhook connector: a signing secret, a queue, its
   * delivery metrics (WebhookDelivered and WebhookDeliveryLatency in hours with a delivery); once
   * for the stack when any connector has one: the delivery function (256 MB) and the two dead-letter
   * alarms (deliveries given up; events EventBridge could not put on a queue).
   */
  webhooks: { secretsPerConnector: 1, alarmMetricsFixed: 2, metricsPerConnector: 2, memoryMb: 256, batchSize: 10 },
} as const;

/** What the model cannot measure here. Printed by the CLI with each source. */
export const ASSUMED = {
  /** DynamoDB in-region latency per call (AWS: "single-digit millisecond"); a transaction takes about two. */
  dynamoLatencyMs: { GetItem: 4, Query: 5, BatchGetItem: 6, PutItem: 5, UpdateItem: 5, DeleteItem: 5, TransactWriteItems: 10, BatchWriteItem: 8 } satisfies Record<DynamoApi, number>,
  /** Handler time outside DynamoDB (README Performance, 2026-12-02: 0.275 ms mean, worst kind 0.342 ms). */
  handlerOwnMs: 0.35,
  /** Billed INIT of a cold start (billed since 2025-08-01): the bench's cold import is 50–57 ms; Lambda's runtime start comes on top. */
  initMs: 300,
  /** Lambda keeps an idle execution environment about this long (not documented; commonly observed 5–15 min). */
  idleReclaimMinutes: 10,
  /** Entra ID's initial cycle request rate (it takes hours for tens of thousands of objects); spreads the one-off figures over time. */
  initialRequestsPerSecond: 10,
  /** Entra ID's incremental cycle interval (Microsoft: about every 40 minutes). */
  entraCycleMinutes: 40,
  /** The authorizer with its token cached / after reading the secret. */
  authorizerMs: 3,
  secretReadMs: 25,
  /** The publisher: one PutEvents call per batch. */
  publisherMs: 30,
  purgeSweepMs: 30,
  tokenAgeMs: 150,
  /** A webhook receiver's answer to one signed POST (in-region or nearby HTTPS, assumed). */
  webhookPostMs: 150,
  /** The delivery function's log bytes per event (its warnings and EMF line; assumed). */
  webhookLogBytesPerEvent: 400,
  /**
   * An SQS event source keeps polling an idle queue: about 5 long polls of 20 s at a time (AWS's
   * documented starting pollers), 3 a minute each — ReceiveMessage calls billed as requests.
   */
  sqsIdlePollsPerMonth: 5 * 3 * 60 * 730,
  /** Change event sizes (the README's examples: a user event carries the whole resource). */
  eventBytes: { user: 1400, group: 700, member: 550 },
  /** X-Ray default sampling rule: the first request each second, then 5 %. */
  xrayReservoirPerSecond: 1,
  xrayRate: 0.05,
  /** CloudWatch Logs counts 26 bytes of metadata per log event. */
  logEventOverheadBytes: 26,
  /** DynamoDB bills 100 bytes of overhead per stored item and per index entry. */
  dynamoItemOverheadBytes: 100,
  /** An empty, eventually consistent Query (the purge sweeper's look at each connector's task list). */
  sweepQueryRru: 0.5,
} as const;

// ---- log lines -------------------------------------------------------------------------------------

const REQUEST_ID = '8f5a3c2e-4b1d-4c8e-9a7f-2d6e1b0c3f45';
const TRACE = 'Root=1-6756e4a5-3f2a1b0c9d8e7f6a5b4c3d2e;Parent=1a2b3c4d5e6f7a8b;Sampled=1';

/**
 * Lambda's JSON-format platform lines of one invocation (`platform.start`, `platform.report`),
 * written to the function's log group at the default system log level (INFO).
 */
export const PLATFORM_LINES = [
  `{"time":"2026-12-02T20:59:25.923Z","type":"platform.start","record":{"requestId":"${REQUEST_ID}","version":"$LATEST","tracing":{"spanId":"4a3b2c1d0e9f8a7b","type":"X-Amzn-Trace-Id","value":"${TRACE}"}}}`,
  `{"time":"2026-12-02T20:59:25.941Z","type":"platform.report","record":{"requestId":"${REQUEST_ID}","metrics":{"durationMs":17.52,"billedDurationMs":18,"memorySizeMB":512,"maxMemoryUsedMB":98},"tracing":{"spanId":"4a3b2c1d0e9f8a7b","type":"X-Amzn-Trace-Id","value":"${TRACE}"},"status":"success"}}`,
] as const;

/** One stage access log line (lib/constructs/scim-api.ts ACCESS_LOG_FIELDS, typical values; the infra test checks the keys). */
export const ACCESS_LOG_SAMPLE = {
  requestId: REQUEST_ID,
  requestTime: '02/Dec/2026:20:59:25 +0000',
  stage: 'askspoke',
  connector: 'askspoke',
  httpMethod: 'PATCH',
  resourcePath: '/scim/v2/Users/{id}',
  path: '/askspoke/scim/v2/Users/0193a3c2-4b1d-7c8e-9a7f-2d6e1b0c3f45',
  status: 200,
  responseType: '-',
  errorMessage: '-',
  authorizerError: '-',
  authorizerStatus: '-',
  authorizerLatency: '-',
  responseLatency: 24,
  integrationLatency: '19',
  responseLength: '812',
  sourceIp: '20.51.12.34',
  userAgent: 'Azure AD SCIM Client',
  xrayTraceId: '1-6756e4a5-3f2a1b0c9d8e7f6a5b4c3d2e',
} as const;

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * The handler's request line for `op` (the real RequestLog, EMF included for writes), plus the
 * `xray_trace_id` a Lambda adds from its environment.
 */
export function requestLineBytes(op: MeasuredOp): number {
  let line = '';
  const log = new RequestLog({ handler: op.handler, write: (l) => void (line = l) });
  const resourceId = op.resource.endsWith('{id}') || op.method === 'POST' ? '0193a3c2-4b1d-7c8e-9a7f-2d6e1b0c3f45' : undefined;
  log.record(
    { connector: 'askspoke', operation: op.method === 'GET' ? (op.resource.endsWith('{id}') ? 'get' : 'list') : op.method === 'POST' ? 'create' : op.method === 'PUT' ? 'replace' : 'patch', resourceType: op.handler === 'users' ? 'Users' : 'Groups', ...(resourceId ? { resourceId } : {}) },
    { status: op.status, metric: op.metric, apiRequestId: REQUEST_ID, method: op.method, resource: `/scim/v2/${op.resource}` },
    { awsRequestId: REQUEST_ID },
  );
  return bytes(line) + bytes(',"xray_trace_id":"1-6756e4a5-3f2a1b0c9d8e7f6a5b4c3d2e"');
}

export const LOG_BYTES = {
  platformPerInvocation: PLATFORM_LINES.reduce((n, l) => n + bytes(l) + ASSUMED.logEventOverheadBytes, 0),
  accessLogPerRequest: bytes(JSON.stringify(ACCESS_LOG_SAMPLE)) + ASSUMED.logEventOverheadBytes,
  /** The sweeper's `purge sweep` line and its EMF document. */
  purgeSweepRun: 420 + 380 + 2 * ASSUMED.logEventOverheadBytes,
  /** The token-age check's line, plus one EMF document per connector. */
  tokenAgeRunFixed: 300 + ASSUMED.logEventOverheadBytes,
  tokenAgeRunPerConnector: 330 + ASSUMED.logEventOverheadBytes,
} as const;

// ---- stored items ------------------------------------------------------------------------------------

const T = '2026-12-02T20:59:25.923Z';
const USER_ID = '0193a3c2-4b1d-7c8e-9a7f-2d6e1b0c3f45';
const GROUP_ID = '0193a3c2-5c2e-7d9f-8b80-3e7f2c1d4a56';
const CONNECTOR = 'askspoke';

/** A user as Entra ID provisions one (the bench's Entra user: core + enterprise attributes). */
export const SAMPLE_USER = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  externalId: 'f2b6c1d4-8e3a-4b5c-9d7e-1a2b3c4d5e6f',
  userName: 'adele.vance@contoso.example.com',
  active: true,
  displayName: 'Adele Vance',
  name: { formatted: 'Adele Vance', familyName: 'Vance', givenName: 'Adele' },
  emails: [{ primary: true, type: 'work', value: 'adele.vance@contoso.example.com' }],
  title: 'Product Marketing Manager',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '10042', department: 'Marketing' },
};

export const SAMPLE_GROUP = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], externalId: '5e8f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b', displayName: 'Marketing - EMEA' };

/** DynamoDB's item size: attribute names + values (strings in UTF-8, numbers ~1 byte per 2 digits + 1). */
export function dynamoItemBytes(item: object): number {
  let n = 0;
  for (const [k, v] of Object.entries(item) as [string, unknown][]) {
    if (v === undefined) continue;
    n += bytes(k);
    if (typeof v === 'string') n += bytes(v);
    else if (typeof v === 'number') n += Math.ceil(String(Math.abs(v)).replace(/^0\.|\./, '').length / 2) + 1;
    else if (typeof v === 'boolean' || v === null) n += 1;
    else n += bytes(JSON.stringify(v)) + 3;
  }
  return n;
}

function gsiEntryBytes(item: object): number {
  const { PK, SK, GSI1PK, GSI1SK } = item as Record<string, string>;
  return dynamoItemBytes({ PK, SK, GSI1PK, GSI1SK });
}

/** Stored bytes per object kind, from the store's own item codecs, with DynamoDB's per-item overhead. */
export function storedBytes(): { user: number; group: number; membership: number; fixedPerConnector: number } {
  const o = ASSUMED.dynamoItemOverheadBytes;
  const user = toItem(CONNECTOR, { kind: 'User', id: USER_ID, version: 3, created: T, lastModified: T, attributes: SAMPLE_USER });
  const group = toItem(CONNECTOR, { kind: 'Group', id: GROUP_ID, version: 40, created: T, lastModified: T, attributes: SAMPLE_GROUP, memberCount: 120 });
  const member = memberItem(CONNECTOR, GROUP_ID, { value: USER_ID, type: 'User', gv: 40 });
  const userGuard = { ...keys.userNameGuard(CONNECTOR, SAMPLE_USER.userName), id: USER_ID, kind: 'User' };
  const groupGuard = { ...keys.groupNameGuard(CONNECTOR, SAMPLE_GROUP.displayName), id: GROUP_ID, kind: 'Group' };
  const counter = { ...keys.counter(CONNECTOR, 'User', 0), n: 2500 };
  return {
    // item + its externalId index entry + the userName guard
    user: dynamoItemBytes(user) + o + gsiEntryBytes(user) + o + dynamoItemBytes(userGuard) + o,
    group: dynamoItemBytes(group) + o + gsiEntryBytes(group) + o + dynamoItemBytes(groupGuard) + o,
    // member item + its member-of index entry
    membership: dynamoItemBytes(member) + o + gsiEntryBytes(member) + o,
    // counter shards (users and groups)
    fixedPerConnector: 8 * (dynamoItemBytes(counter) + o),
  };
}
