/**
 * Change events in the template: custom bus, archive, stream event source (retry, bisect, record
 * age, filters, on-failure DLQ), least-privilege publisher, DLQ alarm into the alarm topic and the
 * dashboard row, outputs, cdk-nag clean.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EVENT_SOURCE, EVENT_BUS_ENV } from '../../lambdas/events/schema.js';
import { EVENT_STREAM_SETTINGS } from '../../lib/constructs/change-events.js';
import { actionsOf, flattenJoin, logicalId, resourcesOfType, roleStatements, synth, type Json, type Synthesised } from './helpers.js';

let s: Synthesised;
let busId: string;
let queueId: string;
let fnId: string;
let roleId: string;
let tableId: string;

beforeAll(() => {
  s = synth({ 'scim:connectors': [{ name: 'askspoke' }, { name: 'okta-jostle' }] });
  const ev = s.stack.changeEvents;
  busId = logicalId(s.stack, ev.bus);
  queueId = logicalId(s.stack, ev.deadLetterQueue);
  fnId = logicalId(s.stack, ev.publisher.function);
  roleId = logicalId(s.stack, ev.publisher.role);
  tableId = logicalId(s.stack, s.stack.table.table);
}, 180_000);

describe('bus and archive', () => {
  it('a custom bus named after the stack', () => {
    s.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'Scim-scim-events' });
  });

  it('an archive of every change event on that bus, with a retention (replay of a time range)', () => {
    const archives = resourcesOfType(s, 'AWS::Events::Archive');
    expect(archives).toHaveLength(1);
    const [, a] = archives[0]!;
    expect(a.SourceArn).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    expect(a.EventPattern).toEqual({ source: [DEFAULT_EVENT_SOURCE] });
    expect(a.RetentionDays).toBe(EVENT_STREAM_SETTINGS.archiveRetentionDays);
  });
});

describe('stream → publisher', () => {
  it('event source mapping on the table stream: batch, bisect, retries, record age, one batch per shard, DLQ, filters', () => {
    const mappings = resourcesOfType(s, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    const [, m] = mappings[0]!;
    expect(m.FunctionName).toEqual({ Ref: fnId });
    expect(m.EventSourceArn).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
    expect(m).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: EVENT_STREAM_SETTINGS.batchSize,
      MaximumBatchingWindowInSeconds: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: EVENT_STREAM_SETTINGS.retryAttempts,
      MaximumRecordAgeInSeconds: EVENT_STREAM_SETTINGS.maxRecordAgeHours * 3600,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    const patterns = ((m.FilterCriteria as { Filters: { Pattern: string }[] }).Filters ?? []).map((f) => JSON.parse(f.Pattern) as Json);
    expect(patterns).toEqual([
      { dynamodb: { NewImage: { doc: { S: [{ exists: true }] } } } },
      { dynamodb: { OldImage: { doc: { S: [{ exists: true }] } } } },
      { dynamodb: { NewImage: { mid: { S: [{ exists: true }] } } } },
      { dynamodb: { OldImage: { mid: { S: [{ exists: true }] } } } },
    ]);
  });

  it('the table stream carries old and new images (before/after)', () => {
    s.template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
  });

  it('publisher function: bus name in its environment, arm64 Node 22, its own log group', () => {
    const fn = s.json.Resources[fnId]!.Properties!;
    expect((fn.Environment as { Variables: Json }).Variables[EVENT_BUS_ENV]).toEqual({ Ref: busId });
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Runtime).toBe('nodejs22.x');
  });

  it('dead-letter queue: encrypted, TLS only, 14 days, retained', () => {
    const q = s.json.Resources[queueId]!;
    expect(q.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(q.DeletionPolicy).toBe('Retain');
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('least privilege', () => {
  it('publisher: PutEvents on its bus only, the table stream only, send to its DLQ; nothing on the table', () => {
    const st = roleStatements(s, roleId);
    const actions = actionsOf(st);
    const put = st.filter((x) => actionsOf([x]).includes('events:PutEvents'));
    expect(put.map((x) => x.Resource)).toEqual([{ 'Fn::GetAtt': [busId, 'Arn'] }]);
    const streamRead = st.filter((x) => actionsOf([x]).includes('dynamodb:GetRecords'));
    expect(streamRead.map((x) => x.Resource)).toEqual([{ 'Fn::GetAtt': [tableId, 'StreamArn'] }]);
    const sqsStatements = st.filter((x) => actionsOf([x]).some((a) => a.startsWith('sqs:')));
    expect(sqsStatements.map((x) => x.Resource)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    const tableActions = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan', 'dynamodb:BatchWriteItem'];
    for (const a of tableActions) expect(actions).not.toContain(a);
    expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('no other role may put events on the bus', () => {
    for (const [id] of resourcesOfType(s, 'AWS::IAM::Role')) {
      if (id === roleId) continue;
      expect(actionsOf(roleStatements(s, id))).not.toContain('events:PutEvents');
    }
  });
});

describe('alarms and dashboard', () => {
  const topicId = () => logicalId(s.stack, s.stack.observability.topic);

  it('dead-letter queue depth ≥ 1 alarms into the stack alarm topic (and OK)', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Scim-change-events-dead-letters',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topicId() }],
      OKActions: [{ Ref: topicId() }],
    });
  });

  it('publisher lag (iterator age) alarms too', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Scim-change-events-lag',
      MetricName: 'IteratorAge',
      AlarmActions: [{ Ref: topicId() }],
    });
  });

  it('the dashboard has a change events row with the DLQ depth', () => {
    const [, dash] = resourcesOfType(s, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = flattenJoin(dash.DashboardBody);
    expect(body).toContain('## Change events');
    expect(body).toContain('Change events — dead-letter queue depth');
    expect(body).toContain('ApproximateNumberOfMessagesVisible');
  });
});

describe('outputs and nag', () => {
  it('bus, archive and DLQ are stack outputs (scim-admin and consumers read them)', () => {
    const outputs = s.json.Outputs ?? {};
    expect(outputs.EventBusName?.Value).toEqual({ Ref: busId });
    expect(outputs.EventArchiveName).toBeDefined();
    expect(outputs.EventDeadLetterQueueUrl?.Value).toEqual({ Ref: queueId });
  });

  it('cdk-nag: nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.stack);
    const findings = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });
});
