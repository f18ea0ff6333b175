/**
 * The setup pages' CDK wiring: one API and one function for the whole stack (resources do not grow
 * with connectors), no authorizer on its two methods, a least-privilege role, cdk-nag clean, the
 * SetupPageUrl output scim-admin reads, the reveal widget on the dashboard.
 */
import { Stack, type CfnResource } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { SETUP_METRICS } from '../../lambdas/http/metric-names.js';
import { actionsOf, flattenJoin, integrationFunction, resourcePath, resourcesOfType, roleStatements, synth, type Synthesised } from './helpers.js';

let small: Synthesised;
let large: Synthesised;
const connectors = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `app${i + 1}` }));

beforeAll(() => {
  small = synth({ 'scim:connectors': connectors(2) }, { nag: true });
  small.app.synth(); // throws on any unacknowledged cdk-nag finding
  // Nine connectors, fenced to an IdP's addresses and behind a web ACL.
  large = synth({
    'scim:connectors': connectors(9),
    'scim:allowedSourceCidrs': ['203.0.113.0/24'],
    'scim:webAclArn': 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/idp-only/0f3c2a2e-1111-2222-3333-444455556666',
  });
}, 300_000);

const setupIds = (s: Synthesised) => Object.keys(s.all).filter((id) => id.startsWith('SetupStack/'));
/** The setup nested stack's template, in the shape the helpers read. */
const nested = (s: Synthesised): Synthesised => ({ ...s, json: s.nested.find((n) => n.id === 'SetupStack')!.json });
const idOf = (c: { node: { defaultChild?: unknown } }) => Stack.of(c as never).getLogicalId(c.node.defaultChild as CfnResource);

describe('setup API', () => {
  it('serves GET and POST /{connector}/{link} without an authorizer, from the setup function', () => {
    const n = nested(small);
    const fnId = idOf(small.stack.setup.function.function);
    const methods = resourcesOfType(n, 'AWS::ApiGateway::Method');
    expect(methods.map(([, m]) => `${String(m.HttpMethod)} ${resourcePath(n, m.ResourceId)} ${String(m.AuthorizationType)}`).sort()).toEqual([
      'GET /{connector}/{link} NONE',
      'POST /{connector}/{link} NONE',
    ]);
    for (const [, m] of methods) expect(integrationFunction(m)).toBe(fnId);
    const stage = resourcesOfType(n, 'AWS::ApiGateway::Stage')[0]![1];
    expect(stage).toMatchObject({ StageName: 'setup', TracingEnabled: true });
    expect(stage.MethodSettings).toEqual([expect.objectContaining({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10, DataTraceEnabled: false })]);
  });

  it('lives in its own nested stack and does not grow with the connectors', () => {
    expect(Object.keys(small.json.Resources).filter((id) => /Setup/.test(id) && !/^SetupStack/.test(id))).toEqual([]);
    expect(setupIds(large).length).toBe(setupIds(small).length);
    expect(setupIds(small).length).toBeLessThanOrEqual(16);
  });

  it('stays reachable from the admin\'s browser when the SCIM stages are fenced and behind WAF', () => {
    const n = nested(large);
    const [, api] = resourcesOfType(n, 'AWS::ApiGateway::RestApi')[0]!;
    expect(api.Policy).toBeUndefined();
    expect(resourcesOfType(n, 'AWS::WAFv2::WebACLAssociation')).toEqual([]);
    // … while every SCIM API is fenced.
    for (const [, p] of resourcesOfType(large, 'AWS::ApiGateway::RestApi')) expect(JSON.stringify(p.Policy)).toContain('NotIpAddress');
  });

  it('may read setup-link items, the token secrets and the status logs, and nothing else', () => {
    const st = roleStatements(nested(small), idOf(small.stack.setup.function.role));
    expect(actionsOf(st).sort()).toEqual(
      ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'logs:CreateLogStream', 'logs:FilterLogEvents', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'].sort(),
    );
    const ddb = st.find((s) => actionsOf([s]).includes('dynamodb:GetItem')) as unknown as { Condition: unknown };
    expect(ddb.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['C#*#SETUP'] } });
    const secrets = st.find((s) => actionsOf([s]).includes('secretsmanager:GetSecretValue'))!;
    expect(flattenJoin(secrets.Resource)).toMatch(/:secret:Scim\/\*\/token-\*$/);
  });

  it('gives scim-admin its URL and the dashboard its reveal widget', () => {
    expect(small.json.Outputs?.SetupPageUrl?.Description).toMatch(/setup pages/);
    expect(JSON.stringify(small.json.Outputs?.SetupPageUrl?.Value)).toMatch(/SetupStack.*execute-api/);
    const [, dashboard] = resourcesOfType(small, 'AWS::CloudWatch::Dashboard')[0]!;
    expect(flattenJoin(dashboard.DashboardBody)).toContain(`MetricName=\\"${SETUP_METRICS.tokenReveals}\\"`);
  });
});
