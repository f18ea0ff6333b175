/**
 * Upgrades never replace what holds state (README "Upgrading"): the table (key schema, indexes),
 * token and webhook signing secrets, cursor key, event bus and archive, queues and dead-letter
 * queues, log groups, REST APIs, stages, custom domain and base-path mappings keep the stack,
 * logical id, type and replacing properties recorded in stateful-resources.json, for the shipped
 * configuration and a 23-connector one. A change that would replace, rename or drop one fails here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { synth } from './helpers.js';
import { CONFIGS, IDENTITY_PROPERTIES, compareWithRecord, readRecord, statefulResources, type StatefulRecord, type StatefulResource } from './stateful-resources.js';

const UPGRADING =
  'would replace, rename or drop a resource that holds state in every existing deployment: keep its construct path and names (README "Upgrading")';
const RECORD_NEW = 'new stateful resources: record them deliberately with `npm run stateful:record` (test/infra/stateful-resources.ts) and commit test/infra/stateful-resources.json';

let record: StatefulRecord;
const current: Record<string, StatefulResource[]> = {};

beforeAll(() => {
  record = readRecord();
  for (const [name, context] of Object.entries(CONFIGS)) current[name] = statefulResources(synth(context).stack);
});

describe.each(Object.keys(CONFIGS))('%s configuration', (name) => {
  it('no recorded stateful resource is replaced, renamed, moved or dropped', () => {
    expect(compareWithRecord(record[name]!, current[name]!).breaking, UPGRADING).toEqual([]);
  });

  it('every stateful resource is recorded', () => {
    expect(compareWithRecord(record[name]!, current[name]!).added.map((r) => `${r.type} ${r.logicalId} (${r.stack})`), RECORD_NEW).toEqual([]);
  });
});

describe('the record covers every kind of stateful resource', () => {
  // Every type IDENTITY_PROPERTIES treats as stateful is in one of the two records: a type the
  // synthesized configurations never produce would be guarded by nothing.
  it.each(Object.keys(IDENTITY_PROPERTIES))('%s', (type) => {
    expect(Object.values(record).some((rs) => rs.some((r) => r.type === type))).toBe(true);
  });

  it('the table with its key schema and index', () => {
    const table = record.default!.find((r) => r.type === 'AWS::DynamoDB::Table')!;
    expect(Object.keys(table.identity)).toEqual(expect.arrayContaining(['KeySchema', 'AttributeDefinitions', 'GlobalSecondaryIndexes']));
  });
});

describe('what the comparison catches', () => {
  const base = (): StatefulResource[] => structuredClone(readRecord().default!);
  const tableOf = (list: StatefulResource[]) => list.find((r) => r.type === 'AWS::DynamoDB::Table')!;

  it('a table under another construct path (new logical id): the old one reported gone', () => {
    const now = base();
    const t = tableOf(now) as { logicalId: string };
    const old = t.logicalId;
    t.logicalId = 'StoreTableRenamed';
    const { breaking, added } = compareWithRecord(base(), now);
    expect(breaking).toEqual([expect.stringContaining(`AWS::DynamoDB::Table ${old} in stack Scim is gone`)]);
    expect(added.map((r) => r.logicalId)).toEqual(['StoreTableRenamed']);
  });

  it('a changed key schema or secret name: replaced, naming the property', () => {
    const now = base();
    (tableOf(now).identity as Record<string, unknown>).KeySchema = [{ AttributeName: 'id', KeyType: 'HASH' }];
    const secret = now.find((r) => r.type === 'AWS::SecretsManager::Secret')!;
    (secret.identity as Record<string, unknown>).Name = 'Scim/other/token';
    const { breaking } = compareWithRecord(base(), now);
    expect(breaking).toHaveLength(2);
    expect(breaking).toEqual(
      expect.arrayContaining([expect.stringMatching(/DynamoDB::Table .*: KeySchema changes from/), expect.stringMatching(/SecretsManager::Secret .*: Name changes from .* to "Scim\/other\/token"/)]),
    );
  });

  it('a resource moved into a nested stack: gone from where it was', () => {
    const now = base();
    const queue = now.find((r) => r.type === 'AWS::SQS::Queue') as { stack: string; logicalId: string };
    queue.stack = 'Scim/EventsNestedStackResource';
    expect(compareWithRecord(base(), now).breaking).toEqual([expect.stringContaining(`AWS::SQS::Queue ${queue.logicalId} in stack Scim is gone`)]);
  });
});
