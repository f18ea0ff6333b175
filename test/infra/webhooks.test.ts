/**
 * Webhooks in the template: per webhook connector a generated signing secret, an EventBridge rule
 * (connector + kinds) → an encrypted queue whose policy admits only that rule → the delivery
 * function (partial batch responses), a redrive policy into the shared dead-letter queue after the
 * schedule's attempts, the DLQ alarm into the alarm topic, least privilege, outputs without secret
 * values, the dashboard rows, synth errors for URLs a deployment cannot reach, cdk-nag clean.
 */
import { NestedStack, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { WEBHOOK_METRICS, WEBHOOK_SECRET_TEMPLATE_ENV, WEBHOOKS_DEFINE, WEBHOOKS_ENV } from '../../lambdas/webhooks/names.js';
import { AWS_MAX_ATTEMPTS } from '../../lambdas/webhooks/retry.js';
import { parseConnectors } from '../../lambdas/connectors/config.js';
import { WEBHOOK_SETTINGS, webhookUrlsJson } from '../../lib/constructs/webhooks.js';
import { actionsOf, flattenJoin, resourcesOfType, roleStatements, synth, type Json, type Synthesised } from './helpers.js';

const CONNECTORS = [
  { name: 'askspoke', webhook: { url: 'https://hooks.example.com/scim', kinds: ['user.*', 'member.added'] } },
  { name: 'okta-jostle' },
  { name: 'ideo', webhook: { url: 'https://ideo.example.org/events?k=1' } },
];

let s: Synthesised;
/** The nested stack's template, shaped like the parent's for the helpers (roleStatements, resourcesOfType). */
let n: Synthesised;
const w = () => s.stack.webhooks!;
/** Logical id in the template that holds the construct (the nested stack for webhook resources). */
const id = (c: { node: { defaultChild?: unknown } }) => (Stack.of(c as never) as Stack).getLogicalId(c.node.defaultChild as CfnResource);
const endpoint = (name: string) => w().endpoints.find((e) => e.connector === name)!;

beforeAll(() => {
  s = synth({ 'scim:connectors': CONNECTORS, 'scim:alarmEmail': 'platform@example.com' });
  const nested = Stack.of(w()) as NestedStack;
  const json = s.nested.find((x) => x.id === nested.node.id)!.json;
  n = { ...s, json, template: Template.fromStack(nested) };
}, 180_000);

describe('per webhook connector', () => {
  it('only connectors with a webhook get one', () => {
    expect(w().endpoints.map((e) => e.connector)).toEqual(['askspoke', 'ideo']);
    expect(resourcesOfType(n, 'AWS::Events::Rule')).toHaveLength(2);
    expect(resourcesOfType(s, 'AWS::Events::Rule').filter(([, p]) => String(p.Description).includes('webhook'))).toHaveLength(0);
  });

  it('in a nested stack (WebhooksStack): 60 webhook connectors would not fit the main template', () => {
    expect(NestedStack.isNestedStack(Stack.of(w()))).toBe(true);
    expect(Stack.of(w()).node.id).toBe('WebhooksStack');
  });

  it('an EventBridge rule on the change-event bus: source, connector and kinds (exact and prefix); the whole event to the queue', () => {
    const rule = n.json.Resources[id(endpoint('askspoke').rule)]!.Properties!;
    // The parent's bus, handed to the nested stack as a parameter.
    expect(JSON.stringify(rule.EventBusName)).toMatch(/"Ref":"referencetoScimChangeEventsBus[A-Za-z0-9]+Ref"/);
    expect(rule.EventPattern).toEqual({ source: ['scim'], detail: { connector: ['askspoke'] }, 'detail-type': [{ prefix: 'user.' }, 'member.added'] });
    // No Input: the whole event. A failure of this hop (after EventBridge's retries) lands in the target DLQ, not nowhere.
    expect(rule.Targets).toEqual([
      {
        Arn: { 'Fn::GetAtt': [id(endpoint('askspoke').queue), 'Arn'] },
        Id: 'Target0',
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id(w().targetDeadLetterQueue), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
      },
    ]);
    const all = n.json.Resources[id(endpoint('ideo').rule)]!.Properties!;
    expect(all.EventPattern).toEqual({ source: ['scim'], detail: { connector: ['ideo'] } });
  });

  it('the queue: SQS-managed encryption, 4 days, visibility 6 × the function timeout, redrive to the DLQ after the schedule\'s attempts', () => {
    const q = n.json.Resources[id(endpoint('askspoke').queue)]!.Properties!;
    expect(q).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 4 * 86_400,
      VisibilityTimeout: 6 * WEBHOOK_SETTINGS.functionTimeoutSeconds,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [id(w().deadLetterQueue), 'Arn'] }, maxReceiveCount: AWS_MAX_ATTEMPTS },
    });
    expect(AWS_MAX_ATTEMPTS).toBe(12);
  });

  it('the queue policy: TLS only, and only this connector\'s rule may send', () => {
    for (const name of ['askspoke', 'ideo']) {
      const qid = id(endpoint(name).queue);
      const [, policy] = resourcesOfType(n, 'AWS::SQS::QueuePolicy').find(([, p]) => JSON.stringify(p.Queues) === JSON.stringify([{ Ref: qid }]))!;
      const st = (policy.PolicyDocument as { Statement: Json[] }).Statement;
      const allows = st.filter((x) => x.Effect === 'Allow');
      expect(allows).toEqual([
        {
          Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [id(endpoint(name).rule), 'Arn'] } } },
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Resource: { 'Fn::GetAtt': [qid, 'Arn'] },
        },
      ]);
      expect(st.some((x) => x.Effect === 'Deny' && JSON.stringify(x.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }))).toBe(true);
    }
  });

  it('an SQS event source per queue: batches of 10, partial batch responses, at most 2 concurrent batches', () => {
    const fnId = id(w().delivery.function);
    const mappings = resourcesOfType(n, 'AWS::Lambda::EventSourceMapping').filter(([, p]) => JSON.stringify(p.FunctionName) === JSON.stringify({ Ref: fnId }));
    expect(mappings.map(([, p]) => p.EventSourceArn)).toEqual([
      { 'Fn::GetAtt': [id(endpoint('askspoke').queue), 'Arn'] },
      { 'Fn::GetAtt': [id(endpoint('ideo').queue), 'Arn'] },
    ]);
    for (const [, m] of mappings) {
      expect(m).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } });
    }
  });

  it('a generated signing secret Scim/<connector>/webhook: the template holds only the generation request', () => {
    const secret = n.json.Resources[id(endpoint('askspoke').secret)]!.Properties!;
    expect(secret.Name).toBe('Scim/askspoke/webhook');
    expect(secret.GenerateSecretString).toMatchObject({ SecretStringTemplate: '{}', GenerateStringKey: 'current', ExcludePunctuation: true });
    expect(secret.SecretString).toBeUndefined();
  });
});

describe('dead-letter queue and alarm', () => {
  it('one dead-letter queue: encrypted, TLS only, 14 days, retained', () => {
    const q = n.json.Resources[id(w().deadLetterQueue)]!;
    expect(q.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    expect(q.DeletionPolicy).toBe('Retain');
  });

  it('its documented window holds: SQS counts retention from the first enqueue, so DLQ retention − queue retention ≥ the window', () => {
    const dlq = n.json.Resources[id(w().deadLetterQueue)]!.Properties!;
    const queue = n.json.Resources[id(endpoint('askspoke').queue)]!.Properties!;
    const windowSeconds = Number(dlq.MessageRetentionPeriod) - Number(queue.MessageRetentionPeriod);
    expect(windowSeconds).toBe(WEBHOOK_SETTINGS.deadLetterWindowDays * 86_400);
    expect(Number(dlq.MessageRetentionPeriod)).toBe(1_209_600); // SQS's maximum: no longer retention exists
  });

  it('the rules\' target dead-letter queue: encrypted, TLS only, 14 days, retained; one policy statement lets the webhook rules of the bus send', () => {
    const qid = id(w().targetDeadLetterQueue);
    const q = n.json.Resources[qid]!;
    expect(q.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    expect(q.DeletionPolicy).toBe('Retain');
    const [, policy] = resourcesOfType(n, 'AWS::SQS::QueuePolicy').find(([, p]) => JSON.stringify(p.Queues) === JSON.stringify([{ Ref: qid }]))!;
    const st = (policy.PolicyDocument as { Statement: Json[] }).Statement;
    const allows = st.filter((x) => x.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' }, Resource: { 'Fn::GetAtt': [qid, 'Arn'] } });
    const cond = flattenJoin(((allows[0]!.Condition as Json).ArnLike as Json)['aws:SourceArn']);
    expect((allows[0]!.Condition as Json).StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(cond).toMatch(/:events:.*:rule\/.*referencetoScimChangeEventsBus[A-Za-z0-9]+Ref.*\/\*/);
    expect(st.some((x) => x.Effect === 'Deny' && JSON.stringify(x.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }))).toBe(true);
  });

  it('its first message raises <stack>-webhook-undelivered on the alarm topic (and OK); both depths on the dashboard', () => {
    const topic = { Ref: Object.keys((n.json as { Parameters?: Json }).Parameters ?? {}).find((k) => k.startsWith('referencetoScimObservabilityAlarmTopic'))! };
    n.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Scim-webhook-undelivered',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(w().targetDeadLetterQueue), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    const [, dash] = resourcesOfType(s, 'AWS::CloudWatch::Dashboard')[0]!;
    expect(flattenJoin(dash.DashboardBody)).toContain('undelivered by EventBridge');
  });

  it('its first message raises <stack>-webhook-dead-letters on the alarm topic (and OK)', () => {
    const topic = { Ref: Object.keys((n.json as { Parameters?: Json }).Parameters ?? {}).find((k) => k.startsWith('referencetoScimObservabilityAlarmTopic'))! };
    expect(topic.Ref).toBeDefined();
    n.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Scim-webhook-dead-letters',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(w().deadLetterQueue), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });
});

describe('delivery function', () => {
  it('environment: the secret name template, nothing else of the connectors; the URLs go into the bundle (4 KB of environment)', () => {
    const fn = n.json.Resources[id(w().delivery.function)]!.Properties!;
    const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env[WEBHOOKS_ENV]).toBeUndefined();
    expect(JSON.parse(webhookUrlsJson(parseConnectors(CONNECTORS)))).toEqual({ askspoke: 'https://hooks.example.com/scim', ideo: 'https://ideo.example.org/events?k=1' });
    expect(env[WEBHOOK_SECRET_TEMPLATE_ENV]).toBe('Scim/{connector}/webhook');
    expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: WEBHOOK_SETTINGS.functionTimeoutSeconds });
  });

  it('the URLs reach the bundle: esbuild `define` replaces the expression the handler reads', async () => {
    const { build } = await import('esbuild');
    const out = await build({
      entryPoints: [join(import.meta.dirname, '..', '..', 'lambdas', 'handlers', 'webhooks.ts')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      external: ['@aws-sdk/*', '@middy/*'],
      define: { [WEBHOOKS_DEFINE]: JSON.stringify(webhookUrlsJson(parseConnectors(CONNECTORS))) },
      logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;
    expect(code).toContain('ideo.example.org/events?k=1');
    expect(code).not.toContain('process.env.SCIM_WEBHOOKS');
  });

  it('least privilege: reads exactly the webhook secrets (no token), consumes exactly its queues; no table, no bus', () => {
    const st = roleStatements(n, id(w().delivery.role));
    const actions = actionsOf(st);
    const secretStatements = st.filter((x) => actionsOf([x]).some((a) => a.startsWith('secretsmanager:')));
    expect(secretStatements.map((x) => x.Resource)).toEqual([{ Ref: id(endpoint('askspoke').secret) }, { Ref: id(endpoint('ideo').secret) }]);
    expect([...new Set(actionsOf(secretStatements))].sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    const sqsStatements = st.filter((x) => actionsOf([x]).some((a) => a.startsWith('sqs:')));
    expect(sqsStatements.map((x) => x.Resource)).toEqual([{ 'Fn::GetAtt': [id(endpoint('askspoke').queue), 'Arn'] }, { 'Fn::GetAtt': [id(endpoint('ideo').queue), 'Arn'] }]);
    expect(actions).toContain('sqs:ChangeMessageVisibility');
    expect(actions).not.toContain('sqs:SendMessage');
    expect(actions.filter((a) => a.startsWith('dynamodb:') || a.startsWith('events:'))).toEqual([]);
    // Token secrets live in the parent: a reference to one would be a nested-stack parameter.
    expect(JSON.stringify(st)).not.toMatch(/referencetoScimToken/);
  });

  it('no other role may read a webhook secret', () => {
    expect(resourcesOfType(n, 'AWS::IAM::Role').map(([r]) => r)).toEqual([id(w().delivery.role)]);
    // Parent roles could only reach them through the nested stack's outputs.
    for (const [roleId] of resourcesOfType(s, 'AWS::IAM::Role')) expect(JSON.stringify(roleStatements(s, roleId)), roleId).not.toContain('WebhooksStack');
  });
});

describe('outputs and dashboard', () => {
  it('no output names a signing secret (scim-admin reads it by its fixed name; 60 of them would only fill the template\'s outputs), the DLQ URLs in the stack; never a value', () => {
    const outputs = s.json.Outputs ?? {};
    const nestedOutputs = n.json.Outputs ?? {};
    expect([...Object.keys(outputs), ...Object.keys(nestedOutputs)].filter((k) => k.startsWith('WebhookSecretArn'))).toEqual([]);
    expect(JSON.stringify(nestedOutputs)).not.toMatch(/signing secret/);
    expect(JSON.stringify(outputs.WebhookDeadLetterQueueUrl?.Value)).toMatch(/Outputs\.ScimWebhooksStackWebhooksDeadLetterQueue/);
    expect(JSON.stringify(outputs.WebhookUndeliveredQueueUrl?.Value)).toMatch(/Outputs\.ScimWebhooksStackWebhooksTargetDeadLetterQueue/);
    expect(Object.keys(outputs).filter((k) => k.startsWith('Webhook')).sort()).toEqual(['WebhookDeadLetterQueueUrl', 'WebhookUndeliveredQueueUrl']);
    // Values are references to resources, never literals (a literal could be a secret).
    for (const o of [outputs.WebhookDeadLetterQueueUrl!, outputs.WebhookUndeliveredQueueUrl!, ...Object.values(nestedOutputs)]) expect(typeof o.Value).toBe('object');
  });

  it('a Webhooks row, then one row per webhook connector: delivered, failed attempts, dead-lettered, latency, its queue', () => {
    const [, dash] = resourcesOfType(s, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = flattenJoin(dash.DashboardBody);
    expect(body).toContain('## Webhooks');
    for (const c of ['askspoke', 'ideo']) {
      expect(body).toContain(`${c} webhook — delivered / failed attempts / dead-lettered`);
      expect(body).toContain(`${c} webhook — delivery latency p50 / p99`);
      for (const m of Object.values(WEBHOOK_METRICS)) expect(body).toContain(`"ScimServerless","${m}","connector","${c}","service","scim"`);
    }
    expect(body).not.toContain('okta-jostle webhook');
    expect(body).toContain('ApproximateAgeOfOldestMessage');
  });

  it('cdk-nag: nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('without webhooks, and bad URLs', () => {
  it('no webhook resources when no connector has one', () => {
    const plain = synth({ 'scim:connectors': [{ name: 'okta-jostle' }] });
    expect(plain.stack.webhooks).toBeUndefined();
    expect(plain.nested.map((x) => x.id)).not.toContain('WebhooksStack');
    expect(Object.keys(plain.json.Outputs ?? {}).filter((k) => k.startsWith('Webhook'))).toEqual([]);
    expect(resourcesOfType(plain, 'AWS::SQS::Queue', 'all')).toHaveLength(1); // the change-events DLQ only
  });

  it('60 webhook connectors (the most a stack has) fit: every template within CloudFormation\'s limits', () => {
    const names = Array.from({ length: 60 }, (_, i) => `app-${String(i + 1).padStart(2, '0')}`);
    // app-11… name their REST API (README "Add a connector"): 10 per API.
    const big = synth({ 'scim:connectors': names.map((name, i) => ({ name, ...(i >= 10 ? { api: Math.floor(i / 10) + 1 } : {}), webhook: { url: `https://${name}.example.com/scim` } })) });
    expect(big.stack.webhooks!.endpoints).toHaveLength(60);
    for (const t of [{ id: 'parent', json: big.json }, ...big.nested]) {
      expect(Object.keys(t.json.Resources).length, t.id).toBeLessThan(500);
      expect(Object.keys(t.json.Outputs ?? {}).length, t.id).toBeLessThan(200);
    }
  }, 300_000);

  it('synth fails naming the field: http outside loopback, and loopback URLs (npm start only)', () => {
    expect(() => synth({ 'scim:connectors': [{ name: 'a' }, { name: 'b', webhook: { url: 'http://hooks.example.com/x' } }] })).toThrow(
      'scim:connectors[1].webhook.url: must be https (or a loopback http URL for local use)',
    );
    expect(() => synth({ 'scim:connectors': [{ name: 'a', webhook: { url: 'http://127.0.0.1:9000/hook' } }] })).toThrow(
      'scim:connectors[0].webhook.url: is a loopback URL, which only works with npm start: a deployed stack delivers to a public https URL',
    );
  });
});
