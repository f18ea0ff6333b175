/**
 * The monthly AWS cost of running this stack for a directory, as a pure function: workload in,
 * line items out (`npm run cost`, bin/cost.ts, prints them). Two columns: the one-off initial
 * provisioning (Entra ID's initial cycle, Okta's first push) and a steady month afterwards.
 *
 * Every connector is one app the identity provider provisions the whole directory into (its own
 * copy of users, groups and memberships); `oktaConnectors` of them are pushed by Okta, the others
 * by Entra ID. Request counts come from the IdP patterns (figures.ts IDP_PATTERNS), DynamoDB units
 * and calls per request from the bench's measurements, log bytes and item sizes from the code, and
 * the stack's fixed parts (secrets, dashboard, alarms, metrics) from STACK; what cannot be measured
 * here is in ASSUMED, listed by `assumptions()`.
 */
import { ASSUMED, IDP_PATTERNS, LOG_BYTES, MEASURED_OPS, requestLineBytes, STACK, storedBytes, type DynamoApi, type IdentityProvider, type MeasuredOp, type OpName } from './figures.js';
import { PRICES, type Prices } from './prices.js';

export interface CostInput {
  readonly users: number;
  readonly groups: number;
  readonly connectors: number;
  /** Connectors provisioned by Okta (push on change); the rest by Entra ID. */
  readonly oktaConnectors: number;
  /** Share of the users that change each day (0.01 = 1 %). */
  readonly dailyChurn: number;
  /** Group memberships per user. */
  readonly membershipsPerUser: number;
  /** Membership changes that come with each changed user. */
  readonly memberChangesPerChange: number;
  /** Connectors with a signed webhook (their change events POSTed to an app outside AWS); default 0. */
  readonly webhookConnectors?: number;
}

export const DEFAULT_INPUT: CostInput = {
  users: 10_000,
  groups: 500,
  connectors: 1,
  oktaConnectors: 0,
  dailyChurn: 0.01,
  membershipsPerUser: 5,
  memberChangesPerChange: 1,
};

export type LineItemId =
  | 'apiGateway'
  | 'lambda'
  | 'dynamoRequests'
  | 'dynamoStorage'
  | 'secrets'
  | 'dashboard'
  | 'alarms'
  | 'metrics'
  | 'logIngestion'
  | 'logStorage'
  | 'xray'
  | 'events'
  | 'webhooks';

export interface LineItem {
  readonly id: LineItemId;
  readonly label: string;
  /** One-off: the initial provisioning of every connector. */
  readonly initialUsd: number;
  /** A steady month afterwards. */
  readonly monthlyUsd: number;
  /** What drives it, with the quantities. */
  readonly driver: string;
}

/** The traffic of one phase (the initial provisioning, or one steady month), every connector together. */
export interface Traffic {
  /** SCIM requests by operation. */
  readonly requests: Readonly<Partial<Record<OpName, number>>>;
  readonly scimRequests: number;
  readonly authorizerInvocations: number;
  /** Cold starts (billed INIT) of users, groups and the authorizer. */
  readonly coldStarts: number;
  readonly publisherInvocations: number;
  readonly events: { readonly user: number; readonly group: number; readonly member: number };
  /** X-Ray traces recorded (default sampling). */
  readonly traces: number;
  /** Hours in which each connector's ResourcesUpdated / ResourcesCreated metric receives data (per connector). */
  readonly updateMetricHours: number;
  readonly createMetricHours: number;
  /** Hours in which the authorizer runs (its AuthorizerErrors metric filter publishes a 0). */
  readonly authorizerHours: number;
}

export interface CostResult {
  readonly input: CostInput;
  readonly prices: Pick<Prices, 'region' | 'asOf' | 'currency'>;
  readonly initial: Traffic;
  readonly monthly: Traffic;
  /** Stored bytes, all connectors (table items and GSI1 entries, DynamoDB overhead included). */
  readonly storedBytes: number;
  readonly items: readonly LineItem[];
  readonly totals: { readonly initialUsd: number; readonly monthlyUsd: number; readonly firstMonthUsd: number };
  /** The line items that make up at least half the steady month, largest first. */
  readonly dominant: readonly LineItemId[];
}

export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
const GB = 1024 ** 3;
const M = 1_000_000;

/** Checks the input; returns problems by field name (empty = valid). */
export function inputProblems(i: CostInput): string[] {
  const out: string[] = [];
  const whole = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) out.push(`${name} must be a whole number from ${min} to ${max.toLocaleString('en-US')}, got ${v}`);
  };
  whole('users', i.users, 0, 10_000_000);
  whole('groups', i.groups, 0, 1_000_000);
  whole('connectors', i.connectors, 1, 60);
  whole('okta', i.oktaConnectors, 0, 60);
  if (Number.isInteger(i.oktaConnectors) && i.oktaConnectors > i.connectors) out.push(`okta must be at most the number of connectors (${i.connectors}), got ${i.oktaConnectors}`);
  if (!(i.dailyChurn >= 0 && i.dailyChurn <= 1)) out.push(`churn must be a share of users per day from 0 to 100 %, got ${i.dailyChurn * 100} %`);
  if (!(i.membershipsPerUser >= 0 && i.membershipsPerUser <= 1000)) out.push(`memberships must be from 0 to 1000 per user, got ${i.membershipsPerUser}`);
  const hooks = i.webhookConnectors ?? 0;
  whole('webhooks', hooks, 0, 60);
  if (Number.isInteger(hooks) && hooks > i.connectors) out.push(`webhooks must be at most the number of connectors (${i.connectors}), got ${hooks}`);
  if (!(i.memberChangesPerChange >= 0 && i.memberChangesPerChange <= 100)) out.push(`member-changes must be from 0 to 100 per changed user, got ${i.memberChangesPerChange}`);
  return out;
}

// ---- traffic ---------------------------------------------------------------------------------------

type Counts = Partial<Record<OpName, number>>;

function add(into: Counts, op: OpName, n: number): void {
  if (n !== 0) into[op] = (into[op] ?? 0) + n;
}

const sum = (c: Counts, f: (op: MeasuredOp) => number = () => 1): number =>
  (Object.entries(c) as [OpName, number][]).reduce((n, [op, k]) => n + k * f(MEASURED_OPS[op]), 0);

function eventsOf(c: Counts): Traffic['events'] {
  const e = { user: 0, group: 0, member: 0 };
  for (const [op, n] of Object.entries(c) as [OpName, number][]) {
    const kind = (MEASURED_OPS[op] as MeasuredOp).event;
    if (kind) e[kind] += n;
  }
  return e;
}

/** X-Ray's default rule over `requests` sent at `perSecond`: the first each second, then 5 %. */
function sampled(requests: number, perSecond: number): number {
  if (requests <= 0) return 0;
  const seconds = Math.max(1, requests / Math.max(1, perSecond)); // a burst shorter than a second still has its first request
  const first = Math.min(requests, seconds * ASSUMED.xrayReservoirPerSecond);
  return first + (requests - first) * ASSUMED.xrayRate;
}

/** Probability that a Poisson process of `rate` per unit sees at least one arrival in `span` units. */
const atLeastOne = (rate: number, span: number): number => 1 - Math.exp(-rate * span);

/** The one-off initial provisioning of every connector (the connectors' jobs run side by side). */
export function initialTraffic(i: CostInput): Traffic {
  const requests: Counts = {};
  const memberships = i.users * i.membershipsPerUser;
  for (const [idp, n] of [['entra', i.connectors - i.oktaConnectors], ['okta', i.oktaConnectors]] as [IdentityProvider, number][]) {
    const p = IDP_PATTERNS[idp];
    for (const op of p.perUser) add(requests, op, n * i.users);
    for (const op of p.perGroup) add(requests, op, n * i.groups);
    add(requests, p.perMembership, n * memberships);
  }
  const scim = sum(requests);
  const rps = ASSUMED.initialRequestsPerSecond;
  const seconds = scim / i.connectors / rps; // how long each connector's job runs
  const events = eventsOf(requests);
  const eventCount = events.user + events.group + events.member;
  return {
    requests,
    scimRequests: scim,
    // API Gateway keeps the authorizer's answer per token and stage for the cache TTL
    authorizerInvocations: i.connectors * Math.ceil(seconds / STACK.authorizerCacheTtlSeconds),
    // users, groups, authorizer: one container each per connector (requests one at a time)
    coldStarts: 3 * i.connectors,
    // a stream batch per second of provisioning (1 s batching window), at most 100 records each
    publisherInvocations: Math.min(eventCount, Math.max(eventCount / STACK.publisherBatchSize, i.connectors * seconds)),
    events,
    traces: sampled(scim, i.connectors * rps),
    updateMetricHours: seconds / 3600,
    createMetricHours: seconds / 3600,
    authorizerHours: seconds / 3600,
  };
}

/** A steady month: Entra ID's incremental cycles and Okta's pushes of the daily churn. */
export function monthlyTraffic(i: CostInput): Traffic {
  const requests: Counts = {};
  const changesPerDay = i.users * i.dailyChurn;
  const memberChanges = changesPerDay * i.memberChangesPerChange;
  const entra = i.connectors - i.oktaConnectors;
  const okta = i.oktaConnectors;
  const scimBy: Record<IdentityProvider, number> = { entra: 0, okta: 0 };
  for (const [idp, n] of [['entra', entra], ['okta', okta]] as [IdentityProvider, number][]) {
    const p = IDP_PATTERNS[idp];
    const mine: Counts = {};
    for (const op of p.perChange) add(mine, op, n * changesPerDay * DAYS_PER_MONTH);
    add(mine, p.memberChange[0], (n * memberChanges * DAYS_PER_MONTH) / 2);
    add(mine, p.memberChange[1], (n * memberChanges * DAYS_PER_MONTH) / 2);
    for (const [op, k] of Object.entries(mine) as [OpName, number][]) add(requests, op, k);
    scimBy[idp] = sum(mine);
  }
  const scim = sum(requests);
  const events = eventsOf(requests);
  const eventsPerConnectorDay = (events.user + events.group + events.member) / i.connectors / DAYS_PER_MONTH;

  // Entra ID: a cycle every 40 min; only a cycle that carries a change sends anything. Its requests
  // come in one burst: one authorizer call (cache 300 s), and — 40 min being longer than Lambda
  // keeps an idle container — a cold start of users, groups and the authorizer.
  const cyclesPerDay = (24 * 60) / ASSUMED.entraCycleMinutes;
  const busyCyclesPerDay = cyclesPerDay * atLeastOne(changesPerDay / cyclesPerDay, 1);
  const eventsPerCycle = busyCyclesPerDay > 0 ? eventsPerConnectorDay / busyCyclesPerDay : 0;
  // Okta: each change pushed as it happens; a new authorizer call / cold start when the previous push is older than the cache / idle time.
  const oktaBursts = (minutes: number) => changesPerDay * Math.exp(-changesPerDay * (minutes / (24 * 60)));
  const authorizerPerDay = entra * busyCyclesPerDay + okta * oktaBursts(STACK.authorizerCacheTtlSeconds / 60);
  const coldPerDay = 3 * (entra * busyCyclesPerDay + okta * oktaBursts(ASSUMED.idleReclaimMinutes));
  // Publisher: one batch per second of an Entra burst; one per Okta push.
  const publisherPerDay =
    entra * busyCyclesPerDay * Math.min(eventsPerCycle, Math.max(1, eventsPerCycle / ASSUMED.initialRequestsPerSecond)) + okta * eventsPerConnectorDay;
  return {
    requests,
    scimRequests: scim,
    authorizerInvocations: authorizerPerDay * DAYS_PER_MONTH,
    coldStarts: coldPerDay * DAYS_PER_MONTH,
    publisherInvocations: publisherPerDay * DAYS_PER_MONTH,
    events,
    // an Entra burst is sampled like the initial provisioning; Okta's pushes are sparse: every one traced
    traces: (entra > 0 && busyCyclesPerDay > 0 ? entra * busyCyclesPerDay * DAYS_PER_MONTH * sampled(scimBy.entra / (entra * busyCyclesPerDay * DAYS_PER_MONTH), ASSUMED.initialRequestsPerSecond) : 0) + scimBy.okta,
    updateMetricHours: atLeastOne(changesPerDay / 24, 1) * HOURS_PER_MONTH,
    createMetricHours: 0,
    authorizerHours: atLeastOne(authorizerPerDay / 24, 1) * HOURS_PER_MONTH,
  };
}

// ---- pricing ---------------------------------------------------------------------------------------

/** Billed milliseconds of one request: own time + its DynamoDB calls, rounded up to the millisecond. */
export function billedMs(op: MeasuredOp): number {
  const ddb = (Object.entries(op.calls) as [DynamoApi, number][]).reduce((n, [api, k]) => n + k * ASSUMED.dynamoLatencyMs[api], 0);
  return Math.ceil(ASSUMED.handlerOwnMs + ddb);
}

const gbSeconds = (ms: number, memoryMb: number): number => (ms / 1000) * (memoryMb / 1024);

interface PhaseCost {
  apiGateway: number;
  lambda: number;
  lambdaGbS: number;
  lambdaInvocations: number;
  dynamoRru: number;
  dynamoWru: number;
  dynamoRequests: number;
  logBytes: number;
  xray: number;
  events: number;
  eventBytes: number;
  secretsApiCalls: number;
}

function phaseCost(t: Traffic, p: Prices, i: CostInput, extra: { sweeperRuns: number; tokenAgeRuns: number }): PhaseCost {
  const mem = STACK.memoryMb;
  let gbS = 0;
  let logBytes = 0;
  for (const [op, n] of Object.entries(t.requests) as [OpName, number][]) {
    const m = MEASURED_OPS[op] as MeasuredOp;
    gbS += n * gbSeconds(billedMs(m), mem[m.handler]);
    logBytes += n * (requestLineBytes(m) + LOG_BYTES.platformPerInvocation + LOG_BYTES.accessLogPerRequest);
  }
  const secretReads = t.authorizerInvocations; // the token cache (60 s) is shorter than the answer cache (300 s)
  gbS += t.authorizerInvocations * gbSeconds(ASSUMED.authorizerMs + ASSUMED.secretReadMs, mem.authorizer);
  gbS += t.coldStarts * gbSeconds(ASSUMED.initMs, (mem.users + mem.groups + mem.authorizer) / 3);
  gbS += t.publisherInvocations * gbSeconds(ASSUMED.publisherMs, mem.publisher);
  gbS += extra.sweeperRuns * gbSeconds(ASSUMED.purgeSweepMs + ASSUMED.initMs, mem.purgeSweeper);
  gbS += extra.tokenAgeRuns * gbSeconds(ASSUMED.tokenAgeMs + ASSUMED.initMs + i.connectors * ASSUMED.secretReadMs, mem.tokenAge);
  const invocations = t.scimRequests + t.authorizerInvocations + t.publisherInvocations + extra.sweeperRuns + extra.tokenAgeRuns;
  logBytes += (t.authorizerInvocations + t.publisherInvocations) * LOG_BYTES.platformPerInvocation;
  logBytes += extra.sweeperRuns * (LOG_BYTES.platformPerInvocation + LOG_BYTES.purgeSweepRun);
  logBytes += extra.tokenAgeRuns * (LOG_BYTES.platformPerInvocation + LOG_BYTES.tokenAgeRunFixed + i.connectors * LOG_BYTES.tokenAgeRunPerConnector);

  const rru = sum(t.requests, (m) => m.rcu) + extra.sweeperRuns * i.connectors * ASSUMED.sweepQueryRru;
  const wru = sum(t.requests, (m) => m.wcu);
  const eventCount = t.events.user + t.events.group + t.events.member;
  const eventBytes = t.events.user * ASSUMED.eventBytes.user + t.events.group * ASSUMED.eventBytes.group + t.events.member * ASSUMED.eventBytes.member;
  return {
    apiGateway: (t.scimRequests / M) * p.apiGatewayRestPerMillion,
    lambda: (invocations / M) * p.lambdaRequestsPerMillion + gbS * p.lambdaArmGbSecond,
    lambdaGbS: gbS,
    lambdaInvocations: invocations,
    dynamoRru: rru,
    dynamoWru: wru,
    dynamoRequests: (rru / M) * p.dynamoReadRequestPerMillion + (wru / M) * p.dynamoWriteRequestPerMillion,
    logBytes,
    xray: (t.traces / M) * p.xrayTracesPerMillion,
    events: (eventCount / M) * p.eventBridgeEventsPerMillion + (eventBytes / GB) * p.eventArchiveProcessedGb,
    eventBytes,
    secretsApiCalls: secretReads + extra.tokenAgeRuns * i.connectors,
  };
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtBytes = (n: number): string => (n >= GB ? `${(n / GB).toFixed(2)} GB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} KB`);

export function estimateCost(input: CostInput, prices: Prices = PRICES): CostResult {
  const problems = inputProblems(input);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const i = input;
  const initial = initialTraffic(i);
  const monthly = monthlyTraffic(i);
  const sweeperRuns = (HOURS_PER_MONTH * 60) / STACK.purgeSweepRateMinutes;
  const tokenAgeRuns = STACK.tokenAgeRunsPerDay * DAYS_PER_MONTH;
  const a = phaseCost(initial, prices, i, { sweeperRuns: 0, tokenAgeRuns: 0 });
  const b = phaseCost(monthly, prices, i, { sweeperRuns, tokenAgeRuns });

  const s = storedBytes();
  const stored = i.connectors * (i.users * s.user + i.groups * s.group + i.users * i.membershipsPerUser * s.membership + s.fixedPerConnector);
  const secrets = i.connectors * STACK.secrets.perConnector + STACK.secrets.fixed;
  const dashboards = STACK.dashboards.perRestApi * Math.ceil(i.connectors / STACK.dashboards.connectorsPerRestApi);
  const alarmMetrics = STACK.alarmMetrics.fixed + i.connectors * STACK.alarmMetrics.perConnector;
  // Custom metrics, prorated by the hours in which each receives data.
  const metricHours = (t: Traffic, phase: 'initial' | 'monthly') =>
    i.connectors * (t.updateMetricHours + t.createMetricHours) +
    t.authorizerHours +
    (phase === 'monthly' ? STACK.sweeperMetrics * HOURS_PER_MONTH + i.connectors * tokenAgeRuns : 0);
  const metricMonthsInitial = metricHours(initial, 'initial') / HOURS_PER_MONTH;
  const metricMonths = metricHours(monthly, 'monthly') / HOURS_PER_MONTH;
  const retentionMonths = STACK.logRetentionDays / DAYS_PER_MONTH;
  const archiveMonths = STACK.archiveRetentionDays / DAYS_PER_MONTH;

  const items: LineItem[] = [
    {
      id: 'apiGateway',
      label: 'API Gateway REST requests',
      initialUsd: a.apiGateway,
      monthlyUsd: b.apiGateway,
      driver: `${fmtInt(initial.scimRequests)} SCIM requests once, ${fmtInt(monthly.scimRequests)} a month; $${prices.apiGatewayRestPerMillion}/million`,
    },
    {
      id: 'lambda',
      label: 'Lambda (arm64) requests + GB-s',
      initialUsd: a.lambda,
      monthlyUsd: b.lambda,
      driver: `${fmtInt(a.lambdaGbS)} GB-s once; ${fmtInt(b.lambdaInvocations)} invocations, ${fmtInt(b.lambdaGbS)} GB-s a month (SCIM handlers, authorizer, event publisher, sweeper, token-age check, cold-start INIT)`,
    },
    {
      id: 'dynamoRequests',
      label: 'DynamoDB on-demand requests',
      initialUsd: a.dynamoRequests,
      monthlyUsd: b.dynamoRequests,
      driver: `${fmtInt(a.dynamoWru)} WRU + ${fmtInt(a.dynamoRru)} RRU once, ${fmtInt(b.dynamoWru)} WRU + ${fmtInt(b.dynamoRru)} RRU a month (measured per operation)`,
    },
    {
      id: 'dynamoStorage',
      label: 'DynamoDB storage + PITR',
      initialUsd: 0,
      monthlyUsd: (stored / GB) * (prices.dynamoStorageGbMonth + prices.dynamoPitrGbMonth),
      driver: `${fmtBytes(stored)}: per connector ${fmtInt(s.user)} B a user, ${fmtInt(s.group)} B a group, ${fmtInt(s.membership)} B a membership (items, guards, GSI1 entries); $${prices.dynamoStorageGbMonth} + $${prices.dynamoPitrGbMonth} PITR per GB-month`,
    },
    {
      id: 'secrets',
      label: 'Secrets Manager',
      initialUsd: (a.secretsApiCalls / 10_000) * prices.secretsApiPer10k,
      monthlyUsd: secrets * prices.secretPerMonth + (b.secretsApiCalls / 10_000) * prices.secretsApiPer10k,
      driver: `${secrets} secrets (${i.connectors} token${i.connectors === 1 ? '' : 's'} + the cursor key) × $${prices.secretPerMonth}; ${fmtInt(b.secretsApiCalls)} GetSecretValue a month`,
    },
    { id: 'dashboard', label: 'CloudWatch dashboard', initialUsd: 0, monthlyUsd: dashboards * prices.dashboardPerMonth, driver: `${dashboards} dashboard${dashboards === 1 ? '' : 's'} (one per 10 connectors) × $${prices.dashboardPerMonth}` },
    {
      id: 'alarms',
      label: 'CloudWatch alarms',
      initialUsd: 0,
      monthlyUsd: alarmMetrics * prices.alarmMetricPerMonth,
      driver: `${alarmMetrics} alarm metrics (${STACK.alarmMetrics.fixed} + ${STACK.alarmMetrics.perConnector} per connector) × $${prices.alarmMetricPerMonth}`,
    },
    {
      id: 'metrics',
      label: 'CloudWatch custom metrics',
      initialUsd: metricMonthsInitial * prices.customMetricPerMonth,
      monthlyUsd: metricMonths * prices.customMetricPerMonth,
      driver: `${metricMonths.toFixed(1)} metric-months: sweeper (3, always), ResourcesUpdated per connector in hours with a change, AuthorizerErrors, TokenAgeDays daily; $${prices.customMetricPerMonth} each, by the hour`,
    },
    {
      id: 'logIngestion',
      label: 'CloudWatch Logs ingestion',
      initialUsd: (a.logBytes / GB) * prices.logIngestionGb,
      monthlyUsd: (b.logBytes / GB) * prices.logIngestionGb,
      driver: `${fmtBytes(a.logBytes)} once, ${fmtBytes(b.logBytes)} a month: per request its line (~${requestLineBytes(MEASURED_OPS['PATCH /Users/{id} (non-unique attributes)'])} B) + Lambda platform lines (${LOG_BYTES.platformPerInvocation} B) + access log (${LOG_BYTES.accessLogPerRequest} B); $${prices.logIngestionGb}/GB`,
    },
    {
      id: 'logStorage',
      label: 'CloudWatch Logs storage',
      initialUsd: (a.logBytes / GB) * prices.logStorageGbMonth * retentionMonths,
      monthlyUsd: (b.logBytes / GB) * prices.logStorageGbMonth * retentionMonths,
      driver: `${STACK.logRetentionDays}-day retention: ${retentionMonths.toFixed(1)} months of logs kept; $${prices.logStorageGbMonth}/GB-month (on raw size: an upper bound)`,
    },
    {
      id: 'xray',
      label: 'X-Ray traces',
      initialUsd: a.xray,
      monthlyUsd: b.xray,
      driver: `${fmtInt(initial.traces)} traces once, ${fmtInt(monthly.traces)} a month (default sampling: 1/s + 5 %); $${prices.xrayTracesPerMillion}/million`,
    },
    {
      id: 'events',
      label: 'EventBridge events + archive',
      initialUsd: a.events + (a.eventBytes / GB) * prices.eventArchiveStorageGbMonth * archiveMonths,
      monthlyUsd: b.events + (b.eventBytes / GB) * prices.eventArchiveStorageGbMonth * archiveMonths,
      driver: `${fmtInt(initial.events.user + initial.events.group + initial.events.member)} change events once, ${fmtInt(monthly.events.user + monthly.events.group + monthly.events.member)} a month; $${prices.eventBridgeEventsPerMillion}/million + archive ($${prices.eventArchiveProcessedGb}/GB, ${STACK.archiveRetentionDays} days kept)`,
    },
  ];
  const hooks = i.webhookConnectors ?? 0;
  if (hooks > 0) items.push(webhookItem(i, hooks, initial, monthly, prices));
  const initialUsd = items.reduce((n, x) => n + x.initialUsd, 0);
  const monthlyUsd = items.reduce((n, x) => n + x.monthlyUsd, 0);
  const byMonthly = [...items].sort((x, y) => y.monthlyUsd - x.monthlyUsd);
  const dominant: LineItemId[] = [];
  let covered = 0;
  for (const x of byMonthly) {
    if (covered >= monthlyUsd / 2) break;
    dominant.push(x.id);
    covered += x.monthlyUsd;
  }
  return {
    input,
    prices: { region: prices.region, asOf: prices.asOf, currency: prices.currency },
    initial,
    monthly,
    storedBytes: stored,
    items,
    totals: { initialUsd, monthlyUsd, firstMonthUsd: initialUsd + monthlyUsd },
    dominant,
  };
}

/**
 * Signed webhooks of `hooks` connectors (lib/constructs/webhooks.ts): each receives its connector's
 * change events (the connectors' events split evenly). SQS: EventBridge's SendMessage per event,
 * ReceiveMessage + DeleteMessageBatch per delivery batch, and the idle polling of the event source;
 * Lambda: one invocation per batch (batches of 10 in the initial burst, one event each afterwards,
 * an upper bound), each event one signed POST; its log lines; the two delivery metrics per
 * connector in the hours with a delivery; the signing secret per connector; the two dead-letter alarms.
 */
function webhookItem(i: CostInput, hooks: number, initial: Traffic, monthly: Traffic, p: Prices): LineItem {
  const w = STACK.webhooks;
  const perConnector = (t: Traffic) => (t.events.user + t.events.group + t.events.member) / i.connectors;
  const phase = (t: Traffic, batch: number, monthlyPart: boolean) => {
    const events = hooks * perConnector(t);
    const invocations = Math.ceil(events / batch);
    const sqs = events + 2 * invocations + (monthlyPart ? hooks * ASSUMED.sqsIdlePollsPerMonth : 0);
    const gbS = invocations * gbSeconds(ASSUMED.initMs / (monthlyPart ? 1 : batch), w.memoryMb) + events * gbSeconds(ASSUMED.webhookPostMs, w.memoryMb);
    const logBytes = invocations * LOG_BYTES.platformPerInvocation + events * ASSUMED.webhookLogBytesPerEvent;
    const usd = (sqs / M) * p.sqsRequestsPerMillion + (invocations / M) * p.lambdaRequestsPerMillion + gbS * p.lambdaArmGbSecond + (logBytes / GB) * p.logIngestionGb;
    return { events, invocations, sqs, usd };
  };
  const a = phase(initial, w.batchSize, false);
  const b = phase(monthly, 1, true);
  const fixed = hooks * w.secretsPerConnector * p.secretPerMonth + w.alarmMetricsFixed * p.alarmMetricPerMonth + hooks * w.metricsPerConnector * (monthly.updateMetricHours / HOURS_PER_MONTH) * p.customMetricPerMonth;
  return {
    id: 'webhooks',
    label: 'Webhooks (SQS, delivery Lambda, secrets)',
    initialUsd: a.usd + hooks * w.metricsPerConnector * (initial.updateMetricHours / HOURS_PER_MONTH) * p.customMetricPerMonth,
    monthlyUsd: b.usd + fixed,
    driver: `${hooks} webhook connector${hooks === 1 ? '' : 's'}: ${fmtInt(a.events)} deliveries once, ${fmtInt(b.events)} a month; ${fmtInt(b.sqs)} SQS requests a month (${fmtInt(hooks * ASSUMED.sqsIdlePollsPerMonth)} idle polls), $${p.sqsRequestsPerMillion}/million; ${hooks} signing secret${hooks === 1 ? '' : 's'} × $${p.secretPerMonth}, the two dead-letter alarms, 2 delivery metrics per connector`,
  };
}

/** The assumptions behind the figures, one sentence each (printed under the table). */
export function assumptions(i: CostInput): string[] {
  const entra = i.connectors - i.oktaConnectors;
  return [
    `Workload: ${i.connectors} connector${i.connectors === 1 ? '' : 's'} (${entra} Entra ID, ${i.oktaConnectors} Okta), each provisioning the whole directory: ${i.users.toLocaleString('en-US')} users, ${i.groups.toLocaleString('en-US')} groups, ${i.membershipsPerUser} memberships per user; ${(i.dailyChurn * 100).toFixed(2).replace(/\.?0+$/, '')} % of users change a day, each with ${i.memberChangesPerChange} membership change.`,
    `${IDP_PATTERNS.entra.description}.`,
    `${IDP_PATTERNS.okta.description}.`,
    'DynamoDB request units per operation are the bench measurements (test/bench/cost.ts on DynamoDB Local, README "Cost per operation"); item sizes come from the store\'s item codecs for a typical Entra ID user, plus 100 bytes per item and index entry.',
    `Lambda duration = DynamoDB calls × ${ASSUMED.dynamoLatencyMs.GetItem}–${ASSUMED.dynamoLatencyMs.TransactWriteItems} ms (in-region latency, assumed) + ${ASSUMED.handlerOwnMs} ms own time (measured), billed per ms; a cold start bills ${ASSUMED.initMs} ms of INIT (assumed); the initial provisioning runs at ${ASSUMED.initialRequestsPerSecond} requests a second (assumed).`,
    'Logs: every invocation writes Lambda\'s platform start/report lines (JSON format, system log level INFO), every SCIM request its request line and a stage access log line.',
    ...((i.webhookConnectors ?? 0) > 0
      ? [
          `Webhooks: each webhook connector receives its connector's change events, one signed POST each (${ASSUMED.webhookPostMs} ms at the receiver, assumed); delivery batches of ${STACK.webhooks.batchSize} during the initial provisioning, one event per batch afterwards (an upper bound); the SQS event source polls an idle queue about ${fmtInt(ASSUMED.sqsIdlePollsPerMonth)} times a month (5 long polls of 20 s, assumed); retries of failed deliveries are not priced.`,
        ]
      : []),
    'Setup pages (scim-admin setup-link): one function and one REST API for the stack, no fixed charge; an open page asks every 3 s (a page open 10 minutes: 200 requests and CloudWatch Logs FilterLogEvents calls, about $0.001), a reveal publishes one SetupTokenReveals data point (an hour of a custom metric, about $0.0004). Not in the table.',
    `Not priced (no charge or negligible here): DynamoDB Streams reads by Lambda, scheduled EventBridge rules, the SNS alarm topic, the empty dead-letter queues, KMS (AWS managed keys), discovery requests, data transfer${(i.webhookConnectors ?? 0) > 0 ? '' : ', webhooks (--webhooks N prices them)'}, the pause check (at most one eventually consistent GetItem per warm container and connector every 5 s: < $0.01 a month), and \`scim-admin restore\` (one-off: $0.15 per GB of point-in-time restore, plus one write request unit per item it writes). No free tier is applied.`,
  ];
}
