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
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseTokenSet, type TokenSet } from '../../lambdas/auth/tokens.js';
import type { ProfileName } from '../../lambdas/connectors/profiles.js';
import { ScimStore } from '../../lambdas/store/store.js';
import { TABLE } from '../../lambdas/store/table.js';
import { readCdkConnectors } from '../local/config.js';
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
  /** Unexpected failure (bug, network). */
  error: 1,
  /** Bad command line: unknown command/option, missing argument, malformed value or filter. */
  usage: 2,
  /** Unknown connector, stack not found, no local data. */
  notFound: 3,
  /** AWS credentials missing/expired or access denied. */
  auth: 4,
  /** Refused on purpose: `token show` on a deployment without `--reveal`. */
  refused: 5,
} as const;

export interface ConnectorRef {
  readonly name: string;
  readonly profile?: ProfileName;
  readonly tenantUrl?: string;
}

export interface AdminBackend {
  readonly kind: 'local' | 'deployed';
  /** "stack Scim (eu-west-1)" / "local .scim-local" */
  readonly description: string;
  connectors(): Promise<ConnectorRef[]>;
  readTokens(connector: string): Promise<TokenSet>;
  writeTokens(connector: string, set: TokenSet): Promise<void>;
  /** Throws AdminError notFound when there is no data to read. */
  store(): Promise<ScimStore>;
  /** Time of the last 2xx/3xx request; undefined when none is known; 'unknown' when it cannot be read. */
  lastSuccess(connector: string): Promise<Date | undefined | 'unknown'>;
  close(): Promise<void>;
}

/** Profiles are not stack outputs: take them from cdk.json when it names the connector. */
function cdkProfiles(): Map<string, ProfileName> {
  try {
    return new Map(readCdkConnectors().map((c) => [c.name, c.profile]));
  } catch {
    return new Map();
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
}

interface StackInfo {
  connectors: Map<string, { tenantUrl?: string; secretArn?: string }>;
  tableName?: string;
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

  private stackInfo(): Promise<StackInfo> {
    this.info ??= (async () => {
      const cf = new CloudFormationClient(this.cfg);
      try {
        const res = await cf.send(new DescribeStacksCommand({ StackName: this.o.stack }));
        const stack = res.Stacks?.[0];
        if (!stack) throw new AdminError(`stack ${this.o.stack} not found`, EXIT.notFound);
        const connectors = new Map<string, { tenantUrl?: string; secretArn?: string }>();
        let tableName: string | undefined;
        for (const out of stack.Outputs ?? []) {
          const d = out.Description ?? '';
          const tenant = /^Tenant URL of connector (\S+) /.exec(d);
          const secret = /^Secret holding the token of connector (\S+?):/.exec(d);
          if (tenant?.[1]) connectors.set(tenant[1], { ...connectors.get(tenant[1]), ...(out.OutputValue ? { tenantUrl: out.OutputValue } : {}) });
          else if (secret?.[1]) connectors.set(secret[1], { ...connectors.get(secret[1]), ...(out.OutputValue ? { secretArn: out.OutputValue } : {}) });
          else if (out.OutputKey === 'TableName') tableName = out.OutputValue;
        }
        const region = (await cf.config.region()) ?? 'unknown';
        return { connectors, ...(tableName ? { tableName } : {}), region };
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

  async connectors(): Promise<ConnectorRef[]> {
    const info = await this.stackInfo();
    const profiles = cdkProfiles();
    return [...info.connectors].map(([name, c]) => {
      const profile = profiles.get(name);
      return { name, ...(profile ? { profile } : {}), ...(c.tenantUrl ? { tenantUrl: c.tenantUrl } : {}) };
    });
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
    const res = await this.sm().send(new GetSecretValueCommand({ SecretId: await this.secretArn(connector) }));
    if (typeof res.SecretString !== 'string') throw new AdminError(`the token secret of ${connector} has no string value`, EXIT.error);
    return parseTokenSet(res.SecretString);
  }

  async writeTokens(connector: string, set: TokenSet): Promise<void> {
    await this.sm().send(new PutSecretValueCommand({ SecretId: await this.secretArn(connector), SecretString: JSON.stringify(set) }));
  }

  async store(): Promise<ScimStore> {
    const info = await this.stackInfo();
    if (!info.tableName) throw new AdminError(`${this.description} has no TableName output`, EXIT.notFound);
    this.ddb ??= new DynamoDBClient(this.cfg);
    return new ScimStore({ doc: documentClient(this.ddb), tableName: info.tableName });
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

  private tokenFile(connector: string): string {
    return join(this.o.dir, 'tokens', `${connector}.json`);
  }

  async connectors(): Promise<ConnectorRef[]> {
    const profiles = cdkProfiles();
    const started = readJson<Record<string, { tenantUrl?: string }>>(join(this.o.dir, 'connectors.json'));
    const names = started ? Object.keys(started) : [...profiles.keys()];
    return names.map((name) => {
      const profile = profiles.get(name);
      const tenantUrl = started?.[name]?.tenantUrl;
      return { name, ...(profile ? { profile } : {}), ...(tenantUrl ? { tenantUrl } : {}) };
    });
  }

  async readTokens(connector: string): Promise<TokenSet> {
    const file = this.tokenFile(connector);
    if (!existsSync(file)) throw new AdminError(`no local token for ${connector} (${file}): run npm start once`, EXIT.notFound);
    return parseTokenSet(readFileSync(file, 'utf8'));
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
