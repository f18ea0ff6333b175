/**
 * Lambda entry: webhook delivery. Each webhook connector's SQS queue (fed by an EventBridge rule
 * on the change-event bus) → this function → a signed POST to the connector's URL
 * (lambdas/webhooks/delivery.ts). Partial batch responses: only failed messages come back, each
 * after its retry delay (ChangeMessageVisibility); the redrive policy ends in the dead-letter queue.
 *
 * Env (set by the CDK stack): `SCIM_WEBHOOKS` (`{connector: url}`), `SCIM_WEBHOOK_SECRET_TEMPLATE`
 * (`<stack>/{connector}/webhook`). Only the SQS and Secrets Manager clients: the bundle stays small.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ChangeMessageVisibilityBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { makeDeliveryHandler, queueUrlFromArn, type VisibilityPort } from '../webhooks/delivery.js';
import { WEBHOOK_SECRET_TEMPLATE_ENV, WEBHOOKS_ENV } from '../webhooks/names.js';
import { CachedSigningSecrets, SecretsManagerSigningSecrets } from '../webhooks/secret-source.js';

function webhooksFromEnv(): Map<string, string> {
  // Spelled out (not process.env[WEBHOOKS_ENV]): esbuild `define` replaces this expression with the
  // URLs in the deployed bundle (WEBHOOKS_DEFINE); from source it reads the environment.
  const raw = process.env.SCIM_WEBHOOKS;
  if (!raw) throw new Error(`${WEBHOOKS_ENV} is not set`);
  const json = JSON.parse(raw) as Record<string, unknown>;
  const map = new Map<string, string>();
  for (const [connector, url] of Object.entries(json)) {
    if (typeof url !== 'string') throw new Error(`${WEBHOOKS_ENV}.${connector}: must be a URL string`);
    map.set(connector, url);
  }
  return map;
}

const template = process.env[WEBHOOK_SECRET_TEMPLATE_ENV];
if (!template) throw new Error(`${WEBHOOK_SECRET_TEMPLATE_ENV} is not set`);
const sqs = new SQSClient({});

const visibility: VisibilityPort = {
  async change(queueArn, changes) {
    const QueueUrl = queueUrlFromArn(queueArn);
    for (let i = 0; i < changes.length; i += 10) {
      const res = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl,
          Entries: changes.slice(i, i + 10).map((c) => ({ Id: c.id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80), ReceiptHandle: c.receiptHandle, VisibilityTimeout: c.seconds })),
        }),
      );
      if ((res.Failed ?? []).length > 0) throw new Error(`ChangeMessageVisibility failed for ${res.Failed!.length} message(s): ${res.Failed!.map((f) => f.Code).join(', ')}`);
    }
  },
};

export const handler: (event: SQSEvent) => Promise<SQSBatchResponse> = makeDeliveryHandler({
  webhooks: webhooksFromEnv(),
  secrets: new CachedSigningSecrets(new SecretsManagerSigningSecrets(new SecretsManagerClient({}), template)),
  visibility,
});
