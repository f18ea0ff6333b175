/**
 * Lambda entry: the daily token-age check (lib/constructs/token-age.ts runs it once a day). For
 * every connector it reads the token secret (GetSecretValue: the JSON's `rotatedAt`, else the
 * version's creation date; lambdas/auth/token-age.ts) and publishes `TokenAgeDays` with dimensions
 * `{ service, connector }`, which the per-connector "token too old" alarm watches.
 *
 * Env (set by the CDK stack): `SCIM_TOKEN_SECRETS`, the same `{ connector: secret name }` map the
 * authorizer gets; its keys are the connectors checked.
 *
 * Per run: one INFO "token age" line (connector, age in days, since when, from what; never a
 * token), one EMF datapoint per connector measured. A connector whose secret cannot be read or
 * parsed is logged (error name and message only) and fails the invocation after the others are
 * published, so the function's Errors metric (and its alarm) sees it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ScheduledEvent } from 'aws-lambda';
import { measureTokenAges, TOKEN_AGE_METRIC, type TokenSecretRead } from '../auth/token-age.js';
import { TOKEN_SECRETS_ENV } from '../auth/token-secrets-env.js';
import { CONNECTOR_DIMENSION, METRIC_NAMESPACE, SERVICE_NAME } from '../http/metric-names.js';

export interface TokenAgeDeps {
  readonly connectors: readonly string[];
  readonly read: (connector: string) => Promise<TokenSecretRead>;
  readonly logger: Pick<Logger, 'info' | 'error'>;
  /** Default: none (tests); the Lambda entry passes Powertools Metrics. */
  readonly metrics?: Pick<Metrics, 'addDimension' | 'addMetric' | 'publishStoredMetrics'>;
}

export function makeTokenAgeHandler(deps: TokenAgeDeps) {
  return async (event: Partial<Pick<ScheduledEvent, 'time'>> = {}) => {
    const now = new Date(Date.parse(event.time ?? '') || Date.now());
    const r = await measureTokenAges(deps.connectors, deps.read, now);
    const summary = {
      connectorsTotal: deps.connectors.length,
      oldestDays: r.ages.reduce((m, a) => Math.max(m, a.ageDays), 0),
      ages: r.ages,
      failures: r.failures.length,
    };
    if (r.failures.length > 0) deps.logger.error('token age', { ...summary, failed: r.failures });
    else deps.logger.info('token age', summary);
    if (deps.metrics) {
      // One flush per connector: publishStoredMetrics clears the dimensions it was given.
      for (const a of r.ages) {
        deps.metrics.addDimension(CONNECTOR_DIMENSION, a.connector);
        deps.metrics.addMetric(TOKEN_AGE_METRIC, MetricUnit.NoUnit, a.ageDays);
        deps.metrics.publishStoredMetrics();
      }
    }
    if (r.failures.length > 0) {
      throw new Error(`token age: ${r.failures.length} connector(s) not measured (${r.failures.map((f) => f.connector).join(', ')}), see the "token age" log line`);
    }
    return summary;
  };
}

/** `SCIM_TOKEN_SECRETS` → the connectors and their secret ids. */
export function tokenSecretsFromEnv(env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const raw = env[TOKEN_SECRETS_ENV];
  if (!raw) throw new Error(`${TOKEN_SECRETS_ENV} is not set`);
  const map = JSON.parse(raw) as Record<string, unknown>;
  return new Map(Object.entries(map).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

/** Built on the first invocation (a misconfigured environment fails that invocation, by name). */
let built: ReturnType<typeof makeTokenAgeHandler> | undefined;

export const handler = (event: ScheduledEvent) => {
  if (!built) {
    const secrets = tokenSecretsFromEnv();
    const client = new SecretsManagerClient({});
    built = makeTokenAgeHandler({
      connectors: [...secrets.keys()],
      read: async (connector) => {
        const out = await client.send(new GetSecretValueCommand({ SecretId: secrets.get(connector) }));
        if (typeof out.SecretString !== 'string') throw new Error('token secret has no SecretString');
        return { text: out.SecretString, ...(out.CreatedDate ? { writtenAt: out.CreatedDate } : {}) };
      },
      logger: new Logger({ serviceName: SERVICE_NAME, persistentKeys: { handler: 'token-age' } }),
      metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME }),
    });
  }
  return built(event);
};
