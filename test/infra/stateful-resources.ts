/**
 * The identities of the resources that hold state — data, generated secrets, queued messages, logs,
 * Tenant URLs — read from a synthesized app, and the committed record they are checked against
 * (test/infra/stateful-resources.json, test/infra/stateful-resources.test.ts, README "Upgrading").
 *
 * An identity is where CloudFormation finds the resource (the stack it is in, as the chain of
 * nested-stack logical ids, and its logical id), its type, and the properties CloudFormation
 * answers with "Replacement" when they change (key schema, names, the stage's API…). A change in
 * any of them makes CloudFormation create a new, empty resource: a new table (every user and group
 * "gone" for the identity provider), new tokens (every connector 401), a new Tenant URL.
 *
 * Run it to record identities that are new (a deliberate addition):
 *   npm run stateful:record            adds new resources, refuses to change or drop recorded ones
 *   npm run stateful:record -- --allow-breaking   also rewrites changed and dropped ones (a breaking
 *                                      release: say so in the release notes and README "Upgrading")
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestedStack, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { ScimStack } from '../../lib/scim-stack.js';
import { synth } from './helpers.js';

export const RECORD_FILE = join(import.meta.dirname, 'stateful-resources.json');

/** Per stateful type: the properties whose change replaces the resource (CloudFormation resource reference, "Update requires"). */
export const IDENTITY_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::DynamoDB::Table': ['TableName', 'KeySchema', 'AttributeDefinitions', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes'],
  'AWS::SecretsManager::Secret': ['Name'],
  'AWS::Events::EventBus': ['Name'],
  'AWS::Events::Archive': ['ArchiveName', 'SourceArn'],
  'AWS::SQS::Queue': ['QueueName', 'FifoQueue'],
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::ApiGateway::RestApi': [],
  'AWS::ApiGateway::Stage': ['RestApiId', 'StageName'],
  'AWS::ApiGateway::DomainName': ['DomainName'],
  // RestApiId, Stage and BasePath update in place, but a change moves a Tenant URL: recorded too.
  'AWS::ApiGateway::BasePathMapping': ['DomainName', 'BasePath', 'RestApiId', 'Stage'],
  // The alarm topic and its e-mail subscriptions hold what a person confirmed: a replaced one is
  // pending confirmation again, and every alarm goes nowhere until someone clicks the new link.
  'AWS::SNS::Topic': ['TopicName', 'FifoTopic'],
  'AWS::SNS::Subscription': ['TopicArn', 'Protocol', 'Endpoint'],
};

/** Only the parts of a GSI that rebuild the index when they change. */
function identityValue(type: string, prop: string, value: unknown): unknown {
  if (type === 'AWS::DynamoDB::Table' && prop === 'GlobalSecondaryIndexes' && Array.isArray(value)) {
    return value.map((i: Record<string, unknown>) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection }));
  }
  return value;
}

export interface StatefulResource {
  /** `Scim` for the root stack, `Scim/<nested stack resource logical id>/…` for nested ones. */
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** The replacing properties that are set (absent ones are left out). */
  readonly identity: Readonly<Record<string, unknown>>;
}

export type StatefulRecord = Record<string, StatefulResource[]>;

const keyOf = (r: Pick<StatefulResource, 'stack' | 'logicalId'>) => `${r.stack} ${r.logicalId}`;

/** The stateful resources of the stack and its nested stacks, sorted by stack and logical id. */
export function statefulResources(stack: ScimStack): StatefulResource[] {
  const out: StatefulResource[] = [];
  const stackPath = (s: Stack): string => {
    if (!NestedStack.isNestedStack(s)) return s.stackName;
    const parent = Stack.of(s.nestedStackResource!);
    return `${stackPath(parent)}/${parent.getLogicalId(s.nestedStackResource as CfnResource)}`;
  };
  const stacks = [stack, ...stack.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c))];
  for (const s of stacks) {
    const template = Template.fromStack(s).toJSON() as { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
    const resources = template.Resources ?? {};
    for (const [logicalId, r] of Object.entries(resources)) {
      const props = IDENTITY_PROPERTIES[r.Type];
      if (!props) continue;
      const identity: Record<string, unknown> = {};
      for (const p of props) if (r.Properties?.[p] !== undefined) identity[p] = identityValue(r.Type, p, r.Properties[p]);
      out.push({ stack: stackPath(s), logicalId, type: r.Type, identity });
    }
  }
  return out.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

/**
 * What a release would do to the recorded resources: `breaking` (dropped, renamed, replaced or
 * moved: an existing deployment loses state) and `added` (new stateful resources to record).
 */
export function compareWithRecord(recorded: readonly StatefulResource[], current: readonly StatefulResource[]): { breaking: string[]; added: StatefulResource[] } {
  const now = new Map(current.map((r) => [keyOf(r), r]));
  const before = new Set(recorded.map(keyOf));
  const breaking: string[] = [];
  for (const r of recorded) {
    const c = now.get(keyOf(r));
    const what = `${r.type} ${r.logicalId} in stack ${r.stack}`;
    if (!c) {
      breaking.push(`${what} is gone: its logical id or stack changed or it was removed, so CloudFormation would create a new, empty one (or none) and delete or orphan the deployed one`);
      continue;
    }
    if (c.type !== r.type) {
      breaking.push(`${what} becomes a ${c.type}: CloudFormation would replace it`);
      continue;
    }
    for (const p of new Set([...Object.keys(r.identity), ...Object.keys(c.identity)])) {
      const a = JSON.stringify(r.identity[p]);
      const b = JSON.stringify(c.identity[p]);
      if (a !== b) breaking.push(`${what}: ${p} changes from ${a ?? '(unset)'} to ${b ?? '(unset)'}, which replaces it (or moves a Tenant URL)`);
    }
  }
  return { breaking, added: current.filter((r) => !before.has(keyOf(r))) };
}

/** A connector list like the one in cdk.json, frozen here so editing cdk.json does not change the record. */
export const DEFAULT_CONFIG: Record<string, unknown> = {
  'scim:connectors': [
    { name: 'default', profile: 'generic' },
    { name: 'askspoke', profile: 'askspoke' },
    { name: 'spaceiq', profile: 'spaceiq', basePath: 'scim' },
    { name: 'jostle', profile: 'jostle', alarmEmail: 'jostle-provisioning@example.com' },
    { name: 'ideo', profile: 'ideo' },
  ],
  'scim:authorizerCacheTtlSeconds': 300,
  'scim:idleAlarmHours': 24,
  'scim:logRetentionDays': 90,
};

/**
 * 23 connectors on three REST APIs (10, 10, 3) behind a custom domain, three with webhooks: every
 * kind of stateful resource, and the nested stacks they live in. `app-11`…`app-23` carry the REST
 * API they have had since they were added (README "Add a connector").
 */
export const LARGE_CONFIG: Record<string, unknown> = {
  'scim:connectors': Array.from({ length: 23 }, (_, i) => {
    const name = `app-${String(i + 1).padStart(2, '0')}`;
    return {
      name,
      ...(i >= 10 ? { api: i < 20 ? 2 : 3 } : {}),
      ...(i % 4 === 1 ? { profile: 'jostle' } : {}),
      ...(i === 5 ? { basePath: 'scim' } : {}),
      ...([2, 11, 22].includes(i) ? { webhook: { url: `https://hooks.example.com/${name}` } } : {}),
    };
  }),
  'scim:customDomain': { domainName: 'scim.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f3c2a2e-1111-2222-3333-444455556666' },
  'scim:stackName': 'ScimLarge',
};

export const CONFIGS: Readonly<Record<string, Record<string, unknown>>> = { default: DEFAULT_CONFIG, large: LARGE_CONFIG };

/** One resource per line, so a change to the record reads as one line per resource in a diff. */
export function formatRecord(record: StatefulRecord): string {
  const configs = Object.entries(record).map(([name, list]) => `  ${JSON.stringify(name)}: [\n${list.map((r) => `    ${JSON.stringify(r)}`).join(',\n')}\n  ]`);
  return `{\n${configs.join(',\n')}\n}\n`;
}

export function readRecord(): StatefulRecord {
  return JSON.parse(readFileSync(RECORD_FILE, 'utf8')) as StatefulRecord;
}

// ---- npm run stateful:record ------------------------------------------------------------------------
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const allowBreaking = process.argv.includes('--allow-breaking');
  let record: StatefulRecord = {};
  try {
    record = readRecord();
  } catch {
    // no record yet: everything is an addition
  }
  const next: StatefulRecord = {};
  let refused = false;
  for (const [name, context] of Object.entries(CONFIGS)) {
    const current = statefulResources(synth(context).stack);
    const { breaking, added } = compareWithRecord(record[name] ?? [], current);
    for (const a of added) console.log(`${name}: + ${a.type} ${a.logicalId} (${a.stack})`);
    for (const b of breaking) console.log(`${name}: ${allowBreaking ? '! ' : 'refused: '}${b}`);
    if (breaking.length > 0 && !allowBreaking) {
      refused = true;
      next[name] = record[name]!;
    } else next[name] = current;
  }
  if (refused) {
    console.error(
      '\nNot written: the changes above would replace or drop state of every existing deployment. Keep the logical ids and names (README "Upgrading"); only for a deliberate breaking release, run again with --allow-breaking.',
    );
    process.exitCode = 1;
  } else {
    writeFileSync(RECORD_FILE, formatRecord(next));
    console.log(`written: ${RECORD_FILE}`);
  }
}
