/**
 * The stack's intent, asserted on one synthesised template (three connectors, one of them on a
 * different base path and with its own throttling): stages and their variables, the authorizer,
 * route wiring, least privilege, data protection, SCIM gateway responses, observability, outputs,
 * no token anywhere, and cdk-nag clean.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_AGE_METRIC } from '../../lambdas/auth/token-age.js';
import { TOKEN_SECRETS_ENV } from '../../lambdas/auth/token-source.js';
import { CONNECTORS_ENV } from '../../lambdas/connectors/deployed.js';
import { TABLE_NAME_ENV } from '../../lambdas/http/app.js';
import { CURSOR_KEY_SECRET_ENV } from '../../lambdas/http/cursor-key.js';
import { METRIC_NAMESPACE, PROVISIONING_METRICS, DERIVED_METRICS, REQUEST_COUNTS, SERVICE_NAME } from '../../lambdas/http/metric-names.js';
import { ROUTES } from '../../lambdas/http/routes.js';
import { SCIM_ERROR_SCHEMA } from '../../lambdas/scim/errors.js';
import { DEFAULT_THROTTLING } from '../../lib/constructs/scim-api.js';
import {
  actionsOf,
  flattenJoin,
  integrationFunction,
  logicalId,
  resourcePath,
  resourcesOfType,
  roleStatements,
  synth,
  type Json,
  type Synthesised,
} from './helpers.js';

const CONNECTORS = [
  { name: 'askspoke', profile: 'generic', throttling: { rateLimit: 5, burstLimit: 10 }, alarmEmail: 'it-ops@example.com' },
  { name: 'okta-jostle', basePath: 'scim', alarmEmail: 'IT-OPS@example.com' },
  { name: 'spaceiq' },
];

let s: Synthesised;
const chunk = (xs: string[]) => xs.flatMap((x, i) => (i % 2 === 0 ? [[x, xs[i + 1]!] as const] : []));
const fnId = (name: 'authorizer' | 'users' | 'groups' | 'discovery') => logicalId(s.stack, s.stack.functions[name].function);
const roleId = (name: 'authorizer' | 'users' | 'groups' | 'discovery') => logicalId(s.stack, s.stack.functions[name].role);

beforeAll(() => {
  s = synth({ 'scim:connectors': CONNECTORS, 'scim:alarmEmail': 'platform@example.com', 'scim:idleAlarmHours': 12 });
});

describe('stages', () => {
  it('one stage per connector on one deployment, with the connector stage variable', () => {
    const stages = resourcesOfType(s, 'AWS::ApiGateway::Stage');
    expect(stages.map(([, p]) => p.StageName).sort()).toEqual(['askspoke', 'okta-jostle', 'spaceiq']);
    const deployments = resourcesOfType(s, 'AWS::ApiGateway::Deployment');
    expect(deployments).toHaveLength(1);
    for (const [, p] of stages) {
      expect(p.Variables).toEqual({ connector: p.StageName });
      expect(p.DeploymentId).toEqual({ Ref: deployments[0]![0] });
      expect(p.TracingEnabled).toBe(true);
    }
  });

  it('per-stage throttling (connector setting, else the default), metrics, error-level logs, no data trace', () => {
    const expected: Record<string, { rateLimit: number; burstLimit: number }> = {
      askspoke: { rateLimit: 5, burstLimit: 10 },
      'okta-jostle': DEFAULT_THROTTLING,
      spaceiq: DEFAULT_THROTTLING,
    };
    for (const [name, t] of Object.entries(expected)) {
      s.template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: name,
        MethodSettings: Match.arrayWith([
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: t.rateLimit,
            ThrottlingBurstLimit: t.burstLimit,
            MetricsEnabled: true,
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
          }),
        ]),
      });
    }
  });

  it('JSON access logs with the stage, status and error type, never a header', () => {
    for (const [, p] of resourcesOfType(s, 'AWS::ApiGateway::Stage')) {
      const setting = p.AccessLogSetting as { Format: string; DestinationArn: unknown };
      const format = JSON.parse(setting.Format.replace(/\$context\.status|\$context\.responseLatency/g, '0')) as Json;
      expect(format).toMatchObject({ stage: '$context.stage', status: 0, responseType: '$context.error.responseType' });
      expect(setting.Format).not.toMatch(/header|Authorization/i);
    }
  });
});

describe('authorizer', () => {
  it('REQUEST authorizer keyed on the Authorization header and the stage, TTL 300 s by default', () => {
    s.template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    s.template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization,context.stage',
      AuthorizerResultTtlInSeconds: 300,
    });
    const [, auth] = resourcesOfType(s, 'AWS::ApiGateway::Authorizer')[0]!;
    expect(JSON.stringify(auth.AuthorizerUri)).toContain(fnId('authorizer'));
  });

  it('knows every connector by its secret name, and nothing else (not the connector list: 4 KB of environment)', () => {
    const env = (s.json.Resources[fnId('authorizer')]!.Properties!.Environment as { Variables: Record<string, string> }).Variables;
    expect(env[CONNECTORS_ENV]).toBeUndefined();
    expect(JSON.parse(env[TOKEN_SECRETS_ENV]!)).toEqual({
      askspoke: 'Scim/askspoke/token',
      'okta-jostle': 'Scim/okta-jostle/token',
      spaceiq: 'Scim/spaceiq/token',
    });
    expect(env[TABLE_NAME_ENV]).toBeUndefined();
  });
});

describe('routes', () => {
  it('every route of the shared table, under each base path, reaches its handler through the authorizer', () => {
    const [authorizerId] = resourcesOfType(s, 'AWS::ApiGateway::Authorizer')[0]!;
    const methods = resourcesOfType(s, 'AWS::ApiGateway::Method').map(([, m]) => ({
      path: resourcePath(s, m.ResourceId),
      method: String(m.HttpMethod),
      fn: integrationFunction(m),
      m,
    }));
    for (const m of methods) {
      expect(m.m.AuthorizationType, `${m.method} ${m.path}`).toBe('CUSTOM');
      expect(m.m.AuthorizerId).toEqual({ Ref: authorizerId });
      expect((m.m.Integration as Json).Type).toBe('AWS_PROXY');
    }
    const expected: string[] = [];
    for (const base of ['/scim/v2', '/scim']) {
      for (const route of ROUTES) {
        const path = route.path === '' ? base : `${base}/${route.path}`; // the root route is the base path's own resource
        const hit = methods.filter((m) => m.path === path && m.method === route.method);
        expect(hit, `${route.method} ${path}`).toHaveLength(1);
        expect(hit[0]!.fn, `${route.method} ${path}`).toBe(fnId(route.handler));
        // ANY on the same resource goes to the same handler (its middleware answers 405).
        const any = methods.find((m) => m.path === path && m.method === 'ANY');
        expect(any?.fn, `ANY ${path}`).toBe(fnId(route.handler));
        expected.push(`${route.method} ${path}`, `ANY ${path}`);
      }
    }
    // Nothing else is routed (no catch-all proxy: unknown paths are the SCIM 404 gateway response).
    expect(new Set(methods.map((m) => `${m.method} ${m.path}`))).toEqual(new Set(expected));
  });

  it('queries at the server root: GET on the base path and POST on .search reach the users function through the authorizer', () => {
    const [authorizerId] = resourcesOfType(s, 'AWS::ApiGateway::Authorizer')[0]!;
    const methods = resourcesOfType(s, 'AWS::ApiGateway::Method').map(([, m]) => ({ path: resourcePath(s, m.ResourceId), method: String(m.HttpMethod), m }));
    for (const base of ['/scim/v2', '/scim']) {
      for (const [path, verbs] of [
        [base, ['GET', 'ANY']],
        [`${base}/.search`, ['POST', 'ANY']],
      ] as const) {
        expect(methods.filter((m) => m.path === path).map((m) => m.method).sort(), path).toEqual([...verbs].sort());
        for (const m of methods.filter((x) => x.path === path)) {
          expect(integrationFunction(m.m), `${m.method} ${path}`).toBe(fnId('users'));
          expect([m.m.AuthorizationType, m.m.AuthorizerId]).toEqual(['CUSTOM', { Ref: authorizerId }]);
        }
      }
    }
    // The base path resource is the one Users hangs under (no second `v2` resource).
    const v2 = resourcesOfType(s, 'AWS::ApiGateway::Resource').filter(([, r]) => r.PathPart === 'v2');
    expect(v2).toHaveLength(1);
    expect(resourcesOfType(s, 'AWS::ApiGateway::Resource').filter(([, r]) => r.PathPart === '.search')).toHaveLength(3 * 2); // Users, Groups, root × 2 base paths
  });

  it('one invoke permission per handler and API, none per method', () => {
    // The purge sweeper's and the token-age check's one permission each is EventBridge's
    // (test/infra/purge-sweeper.test.ts, test/infra/token-age.test.ts).
    const scheduled = [s.stack.purgeSweeper.sweeper.function, s.stack.tokenAge.checker.function].map((f) => logicalId(s.stack, f));
    const perms = resourcesOfType(s, 'AWS::Lambda::Permission').filter(([, p]) => !scheduled.some((id) => JSON.stringify(p.FunctionName).includes(`"${id}"`)));
    const byFunction = new Map<string, number>();
    for (const [, p] of perms) {
      const fn = JSON.stringify(p.FunctionName).match(/"([A-Za-z0-9]+)","Arn"/)?.[1] ?? '';
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + 1);
      expect(p.Principal).toBe('apigateway.amazonaws.com');
    }
    expect(Object.fromEntries(byFunction)).toEqual({ [fnId('users')]: 1, [fnId('groups')]: 1, [fnId('discovery')]: 1, [fnId('authorizer')]: 1 });
  });
});

describe('functions', () => {
  it('Node.js 22 on arm64, traced, JSON logs into their own log group, Powertools names', () => {
    for (const name of ['authorizer', 'users', 'groups', 'discovery'] as const) {
      const p = s.json.Resources[fnId(name)]!.Properties!;
      expect(p.Runtime).toBe('nodejs22.x');
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.TracingConfig).toEqual({ Mode: 'Active' });
      expect(p.LoggingConfig).toMatchObject({ LogFormat: 'JSON', LogGroup: { Ref: logicalId(s.stack, s.stack.functions[name].logGroup) } });
      expect((p.Environment as { Variables: Json }).Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
      });
    }
  });

  it('users and groups get the table name and the cursor key secret ARN', () => {
    const tableId = logicalId(s.stack, s.stack.table.table);
    for (const name of ['users', 'groups'] as const) {
      const env = (s.json.Resources[fnId(name)]!.Properties!.Environment as { Variables: Json }).Variables;
      expect(env[TABLE_NAME_ENV]).toEqual({ Ref: tableId });
      expect(env[CURSOR_KEY_SECRET_ENV]).toEqual({ Ref: logicalId(s.stack, s.stack.cursorKey) });
      expect(env[TOKEN_SECRETS_ENV]).toBeUndefined();
    }
    for (const name of ['authorizer', 'discovery'] as const) {
      const env = (s.json.Resources[fnId(name)]!.Properties!.Environment as { Variables: Json }).Variables;
      expect(env[CURSOR_KEY_SECRET_ENV], name).toBeUndefined();
    }
  });

  it('log groups keep logs for the configured retention', () => {
    for (const [, p] of resourcesOfType(s, 'AWS::Logs::LogGroup')) expect(p.RetentionInDays).toBe(90);
  });
});

describe('least privilege', () => {
  const cursorKeyId = () => logicalId(s.stack, s.stack.cursorKey);
  const tokenSecretIds = () => s.stack.connectors.map((c) => logicalId(s.stack, c.secret));
  const tableId = () => logicalId(s.stack, s.stack.table.table);

  it('the stack holds exactly the token secrets and the cursor key', () => {
    expect(resourcesOfType(s, 'AWS::SecretsManager::Secret').map(([id]) => id).sort()).toEqual([...tokenSecretIds(), cursorKeyId()].sort());
  });

  it('the authorizer reads exactly the connector secrets and cannot touch the table', () => {
    const st = roleStatements(s, roleId('authorizer'));
    const actions = actionsOf(st);
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    expect(JSON.stringify(st)).not.toContain(tableId());
    const secretStatements = st.filter((x) => actionsOf([x]).some((a) => a.startsWith('secretsmanager:')));
    expect(new Set(actionsOf(secretStatements))).toEqual(new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']));
    const granted = secretStatements.map((x) => (x.Resource as { Ref: string }).Ref).sort();
    expect(granted).toEqual(tokenSecretIds().sort());
    expect(JSON.stringify(st)).not.toContain(cursorKeyId());
  });

  it('users and groups use the table and cannot read any secret but the cursor key', () => {
    for (const name of ['users', 'groups'] as const) {
      const st = roleStatements(s, roleId(name));
      const actions = actionsOf(st);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']));
      const dynamo = st.filter((x) => actionsOf([x]).some((a) => a.startsWith('dynamodb:')));
      for (const x of dynamo) expect(JSON.stringify(x.Resource)).toContain(tableId());
      // Secrets Manager: one statement, GetSecretValue (not even DescribeSecret) on the cursor key alone.
      const secretStatements = st.filter((x) => actionsOf([x]).some((a) => a.startsWith('secretsmanager:')));
      expect(secretStatements, name).toHaveLength(1);
      expect(actionsOf(secretStatements)).toEqual(['secretsmanager:GetSecretValue']);
      expect(secretStatements[0]!.Resource).toEqual({ Ref: cursorKeyId() });
      expect(secretStatements[0]!.Effect).toBe('Allow');
      for (const id of tokenSecretIds()) expect(JSON.stringify(st), name).not.toContain(id);
    }
  });

  it('discovery may only write its logs and traces', () => {
    const actions = new Set(actionsOf(roleStatements(s, roleId('discovery'))));
    expect(actions).toEqual(new Set(['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
  });

  it('no function role carries a managed policy', () => {
    for (const name of ['authorizer', 'users', 'groups', 'discovery'] as const) {
      expect(s.json.Resources[roleId(name)]!.Properties!.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('table', () => {
  it('on-demand, PITR, deletion protection, retained, AWS-managed encryption, stream and TTL from the shared definition', () => {
    s.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'GSI1', Projection: { ProjectionType: 'KEYS_ONLY' } })],
      }),
    });
  });
});

describe('secrets', () => {
  it('one generated token per connector in the authorizer shape', () => {
    const secrets = resourcesOfType(s, 'AWS::SecretsManager::Secret').filter(([id]) => id !== logicalId(s.stack, s.stack.cursorKey));
    expect(secrets.map(([, p]) => p.Name).sort()).toEqual(['Scim/askspoke/token', 'Scim/okta-jostle/token', 'Scim/spaceiq/token']);
    for (const [, p] of secrets) {
      expect(p.SecretString).toBeUndefined();
      expect(p.GenerateSecretString).toMatchObject({ SecretStringTemplate: '{}', GenerateStringKey: 'current', ExcludePunctuation: true });
    }
  });

  it('a cursor signing key generated at deploy: 64 characters without punctuation, no value in the template', () => {
    const [, p] = resourcesOfType(s, 'AWS::SecretsManager::Secret').find(([id]) => id === logicalId(s.stack, s.stack.cursorKey))!;
    expect(p.Name).toBe('Scim/cursor-key');
    expect(p.SecretString).toBeUndefined();
    expect(p.GenerateSecretString).toEqual({ ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 64 });
    expect(p.GenerateSecretString).not.toHaveProperty('SecretStringTemplate'); // a plain string, not JSON
    // No output carries it, not even its ARN (the functions get the ARN by environment).
    for (const [name, o] of Object.entries(s.json.Outputs ?? {})) expect(JSON.stringify(o.Value), name).not.toContain(logicalId(s.stack, s.stack.cursorKey));
  });

  it('no secret value anywhere in the template or its outputs', () => {
    const text = JSON.stringify(s.json);
    expect(text).not.toContain('"SecretString"');
    expect(text).not.toMatch(/resolve:secretsmanager/);
    // A secret reference by value would be a GetAtt/Join on the secret; only ARNs (Ref) are used.
    for (const [id] of resourcesOfType(s, 'AWS::SecretsManager::Secret')) {
      expect(text).not.toMatch(new RegExp(`"Fn::GetAtt":\\["${id}"`));
    }
    for (const [name, o] of Object.entries(s.json.Outputs ?? {})) {
      expect(JSON.stringify(o.Value), name).not.toMatch(/SecretString|resolve:/);
    }
  });
});

describe('gateway responses', () => {
  const byType = () =>
    new Map(resourcesOfType(s, 'AWS::ApiGateway::GatewayResponse').map(([, p]) => [String(p.ResponseType), p] as const));

  it.each([
    ['UNAUTHORIZED', '401'],
    ['ACCESS_DENIED', '403'],
    ['MISSING_AUTHENTICATION_TOKEN', '404'],
    ['REQUEST_TOO_LARGE', '413'],
    ['UNSUPPORTED_MEDIA_TYPE', '415'],
    ['THROTTLED', '429'],
    ['QUOTA_EXCEEDED', '429'],
    ['AUTHORIZER_FAILURE', '503'],
    ['DEFAULT_4XX', '400'],
    ['DEFAULT_5XX', '500'],
  ])('%s is a SCIM error with status %s', (type, status) => {
    const p = byType().get(type);
    expect(p, type).toBeDefined();
    expect(p!.StatusCode).toBe(status);
    const headers = p!.ResponseParameters as Record<string, string>;
    expect(headers['gatewayresponse.header.Content-Type']).toBe("'application/scim+json'");
    const templates = p!.ResponseTemplates as Record<string, string>;
    for (const template of [templates['application/json'], templates['application/scim+json']]) {
      const body = JSON.parse(template!.replace('$context.error.messageString', '"message"')) as Json;
      expect(body).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status, detail: expect.any(String) });
    }
  });

  it('401 challenges with Bearer, 429 says when to retry', () => {
    const m = byType();
    expect((m.get('UNAUTHORIZED')!.ResponseParameters as Json)['gatewayresponse.header.WWW-Authenticate']).toBe("'Bearer'");
    for (const t of ['THROTTLED', 'QUOTA_EXCEEDED']) {
      expect((m.get(t)!.ResponseParameters as Json)['gatewayresponse.header.Retry-After']).toMatch(/^'\d+'$/);
    }
  });

  it('the deployment is created after the gateway responses (they only apply once deployed)', () => {
    const [, deployment] = Object.entries(s.json.Resources).find(([, r]) => r.Type === 'AWS::ApiGateway::Deployment')!;
    const responses = resourcesOfType(s, 'AWS::ApiGateway::GatewayResponse').map(([id]) => id);
    expect(deployment.DependsOn).toEqual(expect.arrayContaining(responses));
  });
});

describe('observability', () => {
  const dashboard = () => {
    const [, p] = resourcesOfType(s, 'AWS::CloudWatch::Dashboard')[0]!;
    return JSON.parse(flattenJoin(p.DashboardBody)) as { widgets: { type: string; properties: Json }[] };
  };

  it('one dashboard with a row per connector: requests/4XX/5XX, p50/p99, denials, provisioning operations, ignored members, configuration errors, token age', () => {
    s.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const widgets = dashboard().widgets;
    for (const c of CONNECTORS) {
      expect(widgets.some((w) => w.type === 'text' && String(w.properties.markdown).includes(c.name))).toBe(true);
      const graphs = widgets.filter((w) => w.type === 'metric' && String(w.properties.title).startsWith(`${c.name} — `));
      expect(graphs).toHaveLength(7); // … and deprovisioned per hour / rejected % (test/infra/connector-safety.test.ts)
      const metrics = graphs.map((g) => JSON.stringify(g.properties.metrics));
      const all = metrics.join('\n');
      for (const m of ['Count', '4XXError', '5XXError', 'Latency']) expect(all).toContain(`"AWS/ApiGateway","${m}"`);
      expect(all).toContain(`"Stage","${c.name}"`);
      expect(all).toContain('"stat":"p50"');
      expect(all).toContain('"stat":"p99"');
      expect(all).toContain(`"${METRIC_NAMESPACE}","${DERIVED_METRICS.authorizerDenials}","connector","${c.name}"`);
      const emf = graphs.flatMap((g) => g.properties.metrics as unknown[][]).filter((m) => m[0] === METRIC_NAMESPACE);
      for (const name of [...Object.values(PROVISIONING_METRICS), ...Object.values(REQUEST_COUNTS), TOKEN_AGE_METRIC]) {
        const metric = emf.find((m) => m[1] === name);
        expect(metric, name).toBeDefined();
        // Exactly the dimensions the handlers publish (service from Powertools, connector).
        const dims = metric!.slice(2).filter((x) => typeof x === 'string');
        expect(Object.fromEntries(chunk(dims as string[]))).toEqual({ service: SERVICE_NAME, connector: c.name });
      }
    }
  });

  it('overall widgets: Lambda errors/throttles/duration/concurrency per function, DynamoDB latency/throttles/capacity', () => {
    const titles = dashboard().widgets.map((w) => String(w.properties.title ?? ''));
    expect(titles).toEqual(
      expect.arrayContaining(['Errors', 'Throttles', 'Duration p99 (ms)', 'Concurrent executions (max)', 'DynamoDB latency (ms, average)', 'DynamoDB throttles', 'DynamoDB consumed capacity']),
    );
    const errors = dashboard().widgets.find((w) => w.properties.title === 'Errors')!;
    expect(JSON.stringify(errors.properties.metrics).match(/"AWS\/Lambda","Errors"/g)).toHaveLength(4);
  });

  it('authorizer denials are counted per connector from the access logs', () => {
    s.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: Match.stringLikeRegexp('UNAUTHORIZED'),
      MetricTransformations: [
        Match.objectLike({ MetricNamespace: METRIC_NAMESPACE, MetricName: DERIVED_METRICS.authorizerDenials, Dimensions: [{ Key: 'connector', Value: '$.stage' }] }),
      ],
    });
  });

  it('alarms: 5XX rate, no-success and token age per connector, Lambda errors, authorizer errors, DynamoDB throttles — all into one topic', () => {
    const alarms = resourcesOfType(s, 'AWS::CloudWatch::Alarm');
    const names = alarms.map(([, p]) => String(p.AlarmName)).sort();
    expect(names).toEqual(
      [
        ...CONNECTORS.flatMap((c) => [`Scim-${c.name}-5xx-rate`, `Scim-${c.name}-no-successful-request`, `Scim-${c.name}-token-age`]), // the connector-safety pair is in its nested stack (test/infra/connector-safety.test.ts)
        'Scim-lambda-users-errors',
        'Scim-lambda-groups-errors',
        'Scim-lambda-discovery-errors',
        'Scim-lambda-authorizer-errors',
        'Scim-dynamodb-throttles',
        'Scim-storage-configuration-errors',
        'Scim-change-events-dead-letters', // test/infra/events.test.ts
        'Scim-change-events-lag',
        'Scim-purge-sweeper-errors', // test/infra/purge-sweeper.test.ts
        'Scim-token-age-check-errors', // test/infra/token-age.test.ts
      ].sort(),
    );
    s.template.resourceCountIs('AWS::SNS::Topic', 1);
    const [topicId] = resourcesOfType(s, 'AWS::SNS::Topic')[0]!;
    for (const [, p] of alarms) expect(p.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('configuration errors: one stack-wide alarm on the first ConfigurationErrors count (dimension service only, as the request line publishes it)', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Scim-storage-configuration-errors',
      Namespace: METRIC_NAMESPACE,
      MetricName: REQUEST_COUNTS.configurationErrors,
      Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('"no successful request" looks back the configured hours and treats silence as breaching', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Scim-spaceiq-no-successful-request',
      EvaluationPeriods: 12,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
      Metrics: Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({
            Period: 3600,
            Metric: Match.objectLike({ MetricName: 'Count', Dimensions: Match.arrayWith([{ Name: 'Stage', Value: 'spaceiq' }]) }),
          }),
        }),
      ]),
    });
  });

  it('e-mail subscriptions: the global address and each distinct connector address', () => {
    const subs = resourcesOfType(s, 'AWS::SNS::Subscription').map(([, p]) => String(p.Endpoint).toLowerCase());
    expect(subs.sort()).toEqual(['it-ops@example.com', 'platform@example.com']);
  });

  it('saved Logs Insights queries: failures by connector and scimType, history of one user', () => {
    const queries = resourcesOfType(s, 'AWS::Logs::QueryDefinition').map(([, p]) => ({ name: String(p.Name), q: String(p.QueryString) }));
    const failures = queries.find((q) => q.name.includes('failures by connector and scimType'));
    expect(failures?.q).toMatch(/stats count\(\*\) as failures by connector, scimType/);
    const history = queries.find((q) => q.name.includes('history of one user'));
    expect(history?.q).toMatch(/resourceId = "USER_ID"/);
  });
});

describe('outputs', () => {
  it('a Tenant URL and a secret ARN per connector, and the dashboard URL', () => {
    const outputs = s.json.Outputs ?? {};
    for (const c of CONNECTORS) {
      const key = c.name.replace(/[^A-Za-z0-9]/g, '');
      const url = flattenJoin(outputs[`TenantUrl${key}`]?.Value);
      expect(url).toMatch(new RegExp(`^https://«.+»\\.execute-api\\.«AWS::Region»\\.«AWS::URLSuffix»/«.+»/${c.basePath ?? 'scim/v2'}$`));
      expect(outputs[`TokenSecretArn${key}`]?.Value).toEqual({ Ref: expect.stringMatching(/^Token/) });
    }
    expect(flattenJoin(outputs.DashboardUrl?.Value)).toContain('console.aws.amazon.com/cloudwatch/home');
  });
});

describe('cdk-nag', () => {
  it('AwsSolutions reports nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.stack);
    const findings = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });

  it('every acknowledgment carries a reason', () => {
    const acks = s.stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) expect(String(reason).length, id).toBeGreaterThan(40);
  });
});
