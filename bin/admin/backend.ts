/**
 * Where `scim-admin` finds a deployment: one interface, two implementations.
 *  - deployed: the stack's outputs (CloudFormation DescribeStacks) name the connectors, their
 *    Tenant URLs, token secrets and the table; tokens live in Secrets Manager, data in DynamoDB, the
 *    last successful request comes from API Gateway's metrics (CloudWatch);
 *  - local (`--local`): `$SCIM_LOCAL_DIR` (`.scim-local`) written by `npm start` — connectors.json,
 *    tokens/<connector>.json, activity.json, and endpoint.json while it runs (then its DynamoDB
 *    Local is used); without a running endpoint, DynamoDB Local is started on the data folder for the
 *    duration of the command.
 * Credentials, region and profile follow the AWS SDK's usual chain (`--profile`/`--region` set them).
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventPublisher, PublishError } from '../../lambdas/events/publisher.js';
import type { ChangeEvent } from '../../lambdas/events/schema.js';
import { webhookSecretName } from '../../lambdas/webhooks/names.js';
import { parseSigningSecretSet, type SigningSecretSet } from '../../lambdas/webhooks/secret.js';
import { EventSink, WEBHOOK_ENV } from '../local/events-sink.js';
import { LocalWebhooks } from '../local/webhooks.js';
import type { TokenSecretRead } from '../../lambdas/auth/token-age.js';
import { parseTokenSet, type TokenSet } from '../../lambdas/auth/tokens.js';
import { profileRegistry } from '../../lambdas/connectors/profiles.js';
import type { ProfileOrigin, ProfileRegistry } from '../../lambdas/connectors/registry.js';
import { usableCursorKeys, type CursorKeys } from '../../lambdas/store/cursor-key.js';
import { ScimStore } from '../../lambdas/store/store.js';
import { batchPut } from '../../lambdas/store/context.js';
import { createTableInput, TABLE } from '../../lambdas/store/table.js';
import { readCdkConnectorSetup } from '../local/config.js';
import { cursorKeyFile } from '../local/cursor-key-file.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb-local.js';

/** An error with the exit code the CLI should end with (see EXIT in cli.ts). */
export class AdminError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export const EXIT = {
  ok: 0,
  /** Unexpected failure (bug, network); `check`: a step failed. */
  error: 1,
  /** Bad command line: unknown command/option, missing argument, malformed value or filter. */
  usage: 2,
  /** Unknown connector, stack not found, no local data. */
  notFound: 3,
  /** AWS credentials missing/expired, access denied, or no region configured. */
  auth: 4,
  /** Refused on purpose: `token show` / `webhook secret` on a deployment without `--reveal`. */
  refused: 5,
  /** Interrupted (Ctrl-C) — `events resync` printed its resume cursor on stdout. */
  interrupted: 130,
} as const;

export interface ConnectorRef {
  readonly name: string;
  readonly profile?: string;
  /** Where that profile is declared: `built-in` (lambdas/connectors/profiles) or `configured` (cdk.json `scim:profiles`). */
  readonly profileSource?: ProfileOrigin;
  readonly tenantUrl?: string;
}

export interface AdminBackend {
  readonly kind: 'local' | 'deployed';
  /** "stack Scim (eu-west-1)" / "local .scim-local" */
  readonly description: string;
  /** The cdk.json naming the connectors' profiles (default: the repository's). */
  readonly cdkJson?: string | undefined;
  connectors(): Promise<ConnectorRef[]>;
  readTokens(connector: string): Promise<TokenSet>;
  /**
   * The token secret as stored (value never printed) and when that value was written (Secrets
   * Manager version creation date, local file modification time): `check` and the token age.
   */
  readTokenSecret(connector: string): Promise<TokenSecretRead>;
  writeTokens(connector: string, set: TokenSet): Promise<void>;
  /** Throws AdminError notFound when there is no data to read. */
  store(): Promise<ScimStore>;
  /** Another table of the same account and region (local: the same DynamoDB Local), e.g. a point-in-time copy. */
  tableStore(tableName: string): Promise<ScimStore>;
  /** Time of the last 2xx/3xx request; undefined when none is known; 'unknown' when it cannot be read. */
  lastSuccess(connector: string): Promise<Date | undefined | 'unknown'>;
  /** The connector's webhook signing secret; AdminError notFound when the connector has no webhook. */
  readWebhookSecret(connector: string): Promise<SigningSecretSet>;
  writeWebhookSecret(connector: string, set: SigningSecretSet): Promise<void>;
  /** The paging cursors' signing keys: deployed, the secret `<stack>/cursor-key`; local, `<dir>/cursor-key`. */
  readCursorKeys(): Promise<CursorKeys>;
  writeCursorKeys(keys: CursorKeys): Promise<void>;
  /** Where a resync's events go: the paths live events take (deployed: the bus; local: events.jsonl and webhooks). */
  eventTarget(connector: string, o?: { onError?: (message: string) => void }): Promise<EventTarget>;
  /** Deployed: the setup page API's base URL (stack output `SetupPageUrl`); local: undefined (pages sit next to each Tenant URL). */
  setupPageUrl(): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface EventTarget {
  /** "bus Scim-scim-events" / "…/events.jsonl and the webhook https://…" */
  readonly description: string;
  /** Sends one batch (≤ 10 events); throws when it could not. */
  emit(events: ChangeEvent[]): Promise<void>;
  /** Waits for what is still being delivered (local webhooks), then releases the target. */
  close(): Promise<void>;
}

/** The cursor key secret's text as keys; a value the functions could not use either is an AdminError naming the way out. */
function cursorKeysOf(text: string, where: string): CursorKeys {
  try {
    return usableCursorKeys(text);
  } catch (e) {
    throw new AdminError(`the cursor key ${(e as Error).message} (${where}): write a fresh key with scim-admin cursor-key rotate --grace 0`, EXIT.error);
  }
}

const noWebhook = (connector: string, where: string) =>
  new AdminError(`connector ${connector} has no webhook in ${where}: add "webhook": {"url": "https://…"} to its entry in scim:connectors (cdk.json) and deploy (or restart npm start)`, EXIT.notFound);

export interface CdkProfiles {
  /** Connector name → its profile and where that profile is declared. */
  readonly byConnector: ReadonlyMap<string, { readonly profile: string; readonly profileSource: ProfileOrigin }>;
  /** Built-in profiles and those of `scim:profiles` (the schemas `users export` reads with). */
  readonly registry: ProfileRegistry;
}

/**
 * Profiles are not stack outputs: take them from cdk.json when it names the connector. An
 * unreadable or invalid cdk.json leaves every connector without one (built-in profiles only).
 */
export function cdkProfiles(cdkJsonPath?: string): CdkProfiles {
  try {
    const { connectors, profiles } = readCdkConnectorSetup(cdkJsonPath);
    const byConnector = new Map(connectors.map((c) => [c.name, { profile: c.profile, profileSource: profiles.origin(c.profile) ?? 'built-in' }] as const));
    return { byConnector, registry: profiles };
  } catch {
    return { byConnector: new Map(), registry: profileRegistry() };
  }
}

function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

// ---------------------------------------------------------------------------------------------------
// deployed

export interface DeployedOptions {
  readonly stack: string;
  readonly region?: string;
  readonly profile?: string;
  /** The cdk.json naming the connectors' profiles; default the repository's. */
  readonly cdkJson?: string;
}

interface StackInfo {
  connectors: Map<string, { tenantUrl?: string; secretArn?: string }>;
  /** connector → ARN of its webhook signing secret (webhook connectors only). */
  eventBusName?: string;
  tableName?: string;
  setupPageUrl?: string;
  region: string;
}

export class DeployedBackend implements AdminBackend {
  readonly kind = 'deployed';
  private readonly cfg: { region?: string; profile?: string };
  private info: Promise<StackInfo> | undefined;
  private secrets: SecretsManagerClient | undefined;
  private ddb: DynamoDBClient | undefined;

  constructor(private readonly o: DeployedOptions) {
    this.cfg = { ...(o.region ? { region: o.region } : {}), ...(o.profile ? { profile: o.profile } : {}) };
  }

  get description(): string {
    return `stack ${this.o.stack}${this.o.region ? ` (${this.o.region})` : ''}`;
  }

  get cdkJson(): string | undefined {
    return this.o.cdkJson;
  }

  private stackInfo(): Promise<StackInfo> {
    this.info ??= (async () => {
      const cf = new CloudFormationClient(this.cfg);
      try {
        const res = await cf.send(new DescribeStacksCommand({ StackName: this.o.stack }));
        const stack = res.Stacks?.[0];
        if (!stack) throw new AdminError(`stack ${this.o.stack} not found`, EXIT.notFound);
        const connectors = new Map<string, { tenantUrl?: string; secretArn?: string }>();
        let tableName: string | undefined;
        let eventBusName: string | undefined;
        let setupPageUrl: string | undefined;
        for (const out of stack.Outputs ?? []) {
          const d = out.Description ?? '';
          const tenant = /^Tenant URL of connector (\S+) /.exec(d);
          const secret = /^Secret holding the token of connector (\S+?):/.exec(d);
          if (tenant?.[1]) connectors.set(tenant[1], { ...connectors.get(tenant[1]), ...(out.OutputValue ? { tenantUrl: out.OutputValue } : {}) });
          else if (secret?.[1]) connectors.set(secret[1], { ...connectors.get(secret[1]), ...(out.OutputValue ? { secretArn: out.OutputValue } : {}) });
          else if (out.OutputKey === 'TableName') tableName = out.OutputValue;
          else if (out.OutputKey === 'EventBusName') eventBusName = out.OutputValue;
          else if (out.OutputKey === 'SetupPageUrl') setupPageUrl = out.OutputValue;
        }
        const region = (await cf.config.region()) ?? 'unknown';
        return { connectors, ...(eventBusName ? { eventBusName } : {}), ...(tableName ? { tableName } : {}), ...(setupPageUrl ? { setupPageUrl } : {}), region };
      } catch (e) {
        if (e instanceof AdminError) throw e;
        const err = e as Error;
        if (err.name === 'ValidationError' && /does not exist/.test(err.message))
          throw new AdminError(`stack ${this.o.stack} not found${this.o.region ? ` in ${this.o.region}` : ''} (use --stack and --region)`, EXIT.notFound);
        throw e;
      } finally {
        cf.destroy();
      }
    })();
    return this.info;
  }

  async setupPageUrl(): Promise<string | undefined> {
    const url = (await this.stackInfo()).setupPageUrl;
    if (!url) throw new AdminError(`${this.description} has no SetupPageUrl output: deploy this version of the stack first (npx cdk deploy)`, EXIT.notFound);
    return url.replace(/\/$/, '');
  }

  async connectors(): Promise<ConnectorRef[]> {
    const info = await this.stackInfo();
    const profiles = cdkProfiles(this.o.cdkJson).byConnector;
    return [...info.connectors].map(([name, c]) => ({ name, ...profiles.get(name), ...(c.tenantUrl ? { tenantUrl: c.tenantUrl } : {}) }));
  }

  private async secretArn(connector: string): Promise<string> {
    const info = await this.stackInfo();
    const arn = info.connectors.get(connector)?.secretArn;
    if (!arn) throw new AdminError(`connector ${connector} has no token secret output in ${this.description}`, EXIT.notFound);
    return arn;
  }

  private sm(): SecretsManagerClient {
    return (this.secrets ??= new SecretsManagerClient(this.cfg));
  }

  async readTokens(connector: string): Promise<TokenSet> {
    return parseTokenSet((await this.readTokenSecret(connector)).text);
  }

  async readTokenSecret(connector: string): Promise<TokenSecretRead> {
    const res = await this.sm().send(new GetSecretValueCommand({ SecretId: await this.secretArn(connector) }));
    if (typeof res.SecretString !== 'string') throw new AdminError(`the token secret of ${connector} has no string value`, EXIT.error);
    return { text: res.SecretString, ...(res.CreatedDate ? { writtenAt: res.CreatedDate } : {}) };
  }

  async writeTokens(connector: string, set: TokenSet): Promise<void> {
    await this.sm().send(new PutSecretValueCommand({ SecretId: await this.secretArn(connector), SecretString: JSON.stringify(set) }));
  }

  /** The signing secret's fixed name, `<stack>/<connector>/webhook` (the name the delivery function reads; since webhooks exist). */
  private webhookSecretId(connector: string): string {
    return webhookSecretName(this.o.stack, connector);
  }

  private async sendWebhookSecret<T>(connector: string, send: (secretId: string) => Promise<T>): Promise<T> {
    try {
      return await send(this.webhookSecretId(connector));
    } catch (e) {
      if ((e as Error).name === 'ResourceNotFoundException') throw noWebhook(connector, this.description);
      throw e;
    }
  }

  async readWebhookSecret(connector: string): Promise<SigningSecretSet> {
    const res = await this.sendWebhookSecret(connector, (id) => this.sm().send(new GetSecretValueCommand({ SecretId: id })));
    if (typeof res.SecretString !== 'string') throw new AdminError(`the webhook secret of ${connector} has no string value`, EXIT.error);
    return parseSigningSecretSet(res.SecretString);
  }

  async writeWebhookSecret(connector: string, set: SigningSecretSet): Promise<void> {
    await this.sendWebhookSecret(connector, (id) => this.sm().send(new PutSecretValueCommand({ SecretId: id, SecretString: JSON.stringify(set) })));
  }

  /** Named, not an output: the stack names it `<stack>/cursor-key` (lib/scim-stack.ts). */
  private get cursorKeySecretId(): string {
    return `${this.o.stack}/cursor-key`;
  }

  async readCursorKeys(): Promise<CursorKeys> {
    const res = await this.sm().send(new GetSecretValueCommand({ SecretId: this.cursorKeySecretId }));
    if (typeof res.SecretString !== 'string') throw new AdminError(`the cursor key secret ${this.cursorKeySecretId} has no string value`, EXIT.error);
    return cursorKeysOf(res.SecretString, `secret ${this.cursorKeySecretId}`);
  }

  async writeCursorKeys(keys: CursorKeys): Promise<void> {
    await this.sm().send(new PutSecretValueCommand({ SecretId: this.cursorKeySecretId, SecretString: JSON.stringify(keys) }));
  }

  /** PutEvents on the stack's bus: every rule of the connector (webhooks included) sees the events. */
  async eventTarget(): Promise<EventTarget> {
    const info = await this.stackInfo();
    const busName = info.eventBusName;
    if (!busName) throw new AdminError(`${this.description} has no EventBusName output (deploy the current version of the stack)`, EXIT.notFound);
    const client = new EventBridgeClient(this.cfg);
    const publisher = new EventPublisher({ client, busName });
    return {
      description: `event bus ${busName}`,
      emit: async (events) => {
        try {
          await publisher.publish(events);
        } catch (e) {
          // The AWS error behind the failed entries (AccessDenied, throttling…) decides the exit code.
          const first = e instanceof PublishError ? e.failed[0] : undefined;
          if (first?.errorCode) throw Object.assign(new Error(`${(e as Error).message}${first.errorMessage ? `: ${first.errorMessage}` : ''}`), { name: first.errorCode });
          throw e;
        }
      },
      close: async () => client.destroy(),
    };
  }

  async store(): Promise<ScimStore> {
    const info = await this.stackInfo();
    if (!info.tableName) throw new AdminError(`${this.description} has no TableName output`, EXIT.notFound);
    this.ddb ??= new DynamoDBClient(this.cfg);
    return new ScimStore({ doc: documentClient(this.ddb), tableName: info.tableName });
  }

  async tableStore(tableName: string): Promise<ScimStore> {
    await this.store();
    return new ScimStore({ doc: documentClient(this.ddb!), tableName });
  }

  /** Last hour with a successful request in the last 14 days: API Gateway Count − 4XX − 5XX per stage. */
  async lastSuccess(connector: string): Promise<Date | undefined | 'unknown'> {
    const cw = new CloudWatchClient(this.cfg);
    try {
      const listed = await cw.send(
        new ListMetricsCommand({ Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: [{ Name: 'Stage', Value: connector }] }),
      );
      const apiNames = [...new Set((listed.Metrics ?? []).flatMap((m) => m.Dimensions?.find((d) => d.Name === 'ApiName')?.Value ?? []))].filter(
        (n) => n === this.o.stack || n.startsWith(`${this.o.stack}-`),
      );
      const apiName = apiNames[0];
      if (!apiName) return undefined;
      const metric = (id: string, name: string) => ({
        Id: id,
        ReturnData: false,
        MetricStat: {
          Metric: { Namespace: 'AWS/ApiGateway', MetricName: name, Dimensions: [{ Name: 'ApiName', Value: apiName }, { Name: 'Stage', Value: connector }] },
          Period: 3600,
          Stat: 'Sum',
        },
      });
      const end = new Date();
      const res = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(end.getTime() - 14 * 86_400_000),
          EndTime: end,
          ScanBy: 'TimestampDescending',
          MetricDataQueries: [
            metric('c', 'Count'),
            metric('e4', '4XXError'),
            metric('e5', '5XXError'),
            { Id: 'ok', Expression: 'FILL(c, 0) - FILL(e4, 0) - FILL(e5, 0)', ReturnData: true },
          ],
        }),
      );
      const r = res.MetricDataResults?.find((x) => x.Id === 'ok');
      const i = (r?.Values ?? []).findIndex((v) => v > 0);
      return i >= 0 ? r?.Timestamps?.[i] : undefined;
    } catch {
      return 'unknown'; // metrics are optional: no permission must not fail `connectors`
    } finally {
      cw.destroy();
    }
  }

  async close(): Promise<void> {
    this.secrets?.destroy();
    this.ddb?.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------
// local

export interface LocalOptions {
  readonly dir: string;
  /** The cdk.json naming the connectors' profiles; default the repository's. */
  readonly cdkJson?: string;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function portOpen(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(u.port), u.hostname);
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

export class LocalBackend implements AdminBackend {
  readonly kind = 'local';
  private ddbLocal: DynamoDbLocal | undefined;
  private client: DynamoDBClient | undefined;
  private tableName: string = TABLE.defaultName;

  constructor(private readonly o: LocalOptions) {}

  get description(): string {
    return `local ${this.o.dir}`;
  }

  get cdkJson(): string | undefined {
    return this.o.cdkJson;
  }

  private tokenFile(connector: string): string {
    return join(this.o.dir, 'tokens', `${connector}.json`);
  }

  async connectors(): Promise<ConnectorRef[]> {
    const profiles = cdkProfiles(this.o.cdkJson).byConnector;
    const started = readJson<Record<string, { tenantUrl?: string }>>(join(this.o.dir, 'connectors.json'));
    const names = started ? Object.keys(started) : [...profiles.keys()];
    return names.map((name) => {
      const tenantUrl = started?.[name]?.tenantUrl;
      return { name, ...profiles.get(name), ...(tenantUrl ? { tenantUrl } : {}) };
    });
  }

  async readTokens(connector: string): Promise<TokenSet> {
    return parseTokenSet((await this.readTokenSecret(connector)).text);
  }

  async readTokenSecret(connector: string): Promise<TokenSecretRead> {
    const file = this.tokenFile(connector);
    if (!existsSync(file)) throw new AdminError(`no local token for ${connector} (${file}): run npm start once`, EXIT.notFound);
    return { text: readFileSync(file, 'utf8'), writtenAt: statSync(file).mtime };
  }

  /** The endpoint `npm start` runs on this data folder (endpoint.json, port answering), if any. */
  async runningEndpoint(): Promise<{ url: string } | undefined> {
    const running = readJson<{ url?: string }>(join(this.o.dir, 'endpoint.json'));
    return running?.url && (await portOpen(running.url)) ? { url: running.url } : undefined;
  }

  async writeTokens(connector: string, set: TokenSet): Promise<void> {
    writeFileAtomic(this.tokenFile(connector), JSON.stringify(set, null, 2) + '\n');
    // connectors.json repeats the current token (what `npm start` printed): keep it true.
    const file = join(this.o.dir, 'connectors.json');
    const all = readJson<Record<string, { tenantUrl: string; token: string }>>(file);
    if (all?.[connector]) {
      all[connector] = { ...all[connector], token: set.current };
      writeFileAtomic(file, JSON.stringify(all, null, 2) + '\n');
    }
  }

  /** connectors.json as `npm start` wrote it (webhook settings and the current secret of webhook connectors). */
  private started(): Record<string, { tenantUrl?: string; token?: string; webhook?: { url: string; kinds?: string[] }; webhookSecret?: string }> {
    return readJson(join(this.o.dir, 'connectors.json')) ?? {};
  }

  private webhookFile(connector: string): string {
    return join(this.o.dir, 'webhooks', `${connector}.json`);
  }

  async readWebhookSecret(connector: string): Promise<SigningSecretSet> {
    const file = this.webhookFile(connector);
    if (!existsSync(file)) throw noWebhook(connector, `${this.description} (no ${file})`);
    return parseSigningSecretSet(readFileSync(file, 'utf8'));
  }

  async writeWebhookSecret(connector: string, set: SigningSecretSet): Promise<void> {
    writeFileAtomic(this.webhookFile(connector), JSON.stringify(set, null, 2) + '\n');
    // connectors.json repeats the current secret: keep it true.
    const file = join(this.o.dir, 'connectors.json');
    const all = this.started();
    if (all[connector]) {
      all[connector] = { ...all[connector], webhookSecret: set.current };
      writeFileAtomic(file, JSON.stringify(all, null, 2) + '\n');
    }
  }

  async readCursorKeys(): Promise<CursorKeys> {
    const file = cursorKeyFile(this.o.dir);
    if (!existsSync(file)) throw new AdminError(`no local cursor key (${file}): run npm start once`, EXIT.notFound);
    return cursorKeysOf(readFileSync(file, 'utf8').trim(), file);
  }

  /** The running endpoint re-reads the file within a minute, as the deployed functions re-read the secret. */
  async writeCursorKeys(keys: CursorKeys): Promise<void> {
    writeFileAtomic(cursorKeyFile(this.o.dir), JSON.stringify(keys, null, 2) + '\n');
  }

  /**
   * The local sink: events.jsonl, the connector's webhook (its URL and kinds from connectors.json,
   * signed with its secret file, the npm start retry schedule) and the SCIM_WEBHOOK_URL tap when
   * set in this environment. Emitting waits while more than 100 events wait for the webhook
   * (constant memory); `close` waits until every event is delivered or given up.
   */
  async eventTarget(connector: string, o: { onError?: (message: string) => void } = {}): Promise<EventTarget> {
    const file = join(this.o.dir, 'events.jsonl');
    const hook = this.started()[connector]?.webhook;
    const webhooks =
      hook && existsSync(this.webhookFile(connector))
        ? new LocalWebhooks({
            targets: [{ connector, url: hook.url, ...(hook.kinds ? { kinds: hook.kinds } : {}), secrets: () => parseSigningSecretSet(readFileSync(this.webhookFile(connector), 'utf8')) }],
            ...(o.onError ? { onGiveUp: o.onError } : {}),
          })
        : undefined;
    const tap = process.env[WEBHOOK_ENV];
    const sink = new EventSink({ file, ...(tap ? { webhookUrl: tap } : {}), ...(o.onError ? { onWebhookError: o.onError } : {}), ...(webhooks ? { webhooks } : {}) });
    return {
      description: [file, ...(webhooks ? [`the webhook ${hook!.url}`] : []), ...(tap ? [`${WEBHOOK_ENV} ${tap}`] : [])].join(' and '),
      emit: async (events) => {
        await sink.emit(events);
        await webhooks?.below(connector, 100);
      },
      close: async () => {
        await webhooks?.idle();
        await webhooks?.stop();
      },
    };
  }

  async setupPageUrl(): Promise<undefined> {
    return undefined;
  }

  async store(): Promise<ScimStore> {
    if (!this.client) {
      const running = readJson<{ dynamodbEndpoint?: string; tableName?: string }>(join(this.o.dir, 'endpoint.json'));
      let endpoint: string | undefined;
      if (running?.dynamodbEndpoint && (await portOpen(running.dynamodbEndpoint))) endpoint = running.dynamodbEndpoint;
      else if (existsSync(join(this.o.dir, 'dynamodb'))) {
        this.ddbLocal = await startDynamoDbLocal({ dbPath: join(this.o.dir, 'dynamodb') });
        endpoint = this.ddbLocal.endpoint;
      } else {
        throw new AdminError(`no local data under ${this.o.dir}: start the local endpoint first (npm start)`, EXIT.notFound);
      }
      this.client = new DynamoDBClient({ endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
      this.tableName = running?.tableName ?? TABLE.defaultName;
    }
    return new ScimStore({ doc: documentClient(this.client), tableName: this.tableName });
  }

  async tableStore(tableName: string): Promise<ScimStore> {
    await this.store();
    return new ScimStore({ doc: documentClient(this.client!), tableName });
  }

  /**
   * Copies the live table into a new table `to` of the same DynamoDB Local: the local stand-in for
   * a point-in-time restore (no stream, as a restored table has none). Returns the items copied.
   */
  async snapshot(to: string): Promise<number> {
    const from = await this.store();
    const client = this.client!;
    try {
      await client.send(new CreateTableCommand(createTableInput(to, { streams: false })));
    } catch (e) {
      if ((e as Error).name === 'ResourceInUseException') throw new AdminError(`table ${to} already exists in ${this.description}: choose another --to`, EXIT.usage);
      throw e;
    }
    let copied = 0;
    const into = new ScimStore({ doc: from.ctx.doc, tableName: to });
    let start: Record<string, unknown> | undefined;
    do {
      const res = await from.ctx.doc.send(new ScanCommand({ TableName: from.ctx.table, ExclusiveStartKey: start, Limit: 1000 }));
      await batchPut(into.ctx, res.Items ?? [], 8);
      copied += res.Items?.length ?? 0;
      start = res.LastEvaluatedKey;
    } while (start);
    return copied;
  }

  /** The live table's name (endpoint.json of the running endpoint, else the default). */
  async liveTableName(): Promise<string> {
    return (await this.store()).ctx.table;
  }

  async lastSuccess(connector: string): Promise<Date | undefined | 'unknown'> {
    const activity = readJson<Record<string, { lastSuccess?: string }>>(join(this.o.dir, 'activity.json'));
    const t = activity?.[connector]?.lastSuccess;
    return t ? new Date(t) : undefined;
  }

  async close(): Promise<void> {
    this.client?.destroy();
    await this.ddbLocal?.stop();
  }
}
