/**
 * More connectors than API Gateway's 10 stages per REST API, behind a custom domain: the
 * connectors are spread over several REST APIs in config order (10 each; the second and later ones
 * in nested stacks, so no template nears CloudFormation's 500 resources), every API is complete
 * (routes, its own authorizer and deployment, gateway responses), and with the custom domain every
 * Tenant URL is `https://<domain>/<connector>/<base path>` whatever API serves it.
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lambdas/http/routes.js';
import { chunkConnectors } from '../../lib/scim-stack.js';
import { flattenJoin, resourcesOfType, synth, type Synthesised } from './helpers.js';

const NAMES = Array.from({ length: 23 }, (_, i) => `app-${String(i + 1).padStart(2, '0')}`);
const DOMAIN = 'scim.example.com';
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f3c2a2e-1111-2222-3333-444455556666';

let s: Synthesised;
/** `ApiGroup2/` for a nested resource id, `` for the parent's. */
const templateOf = (id: string) => (id.includes('/') ? `${id.split('/')[0]}/` : '');
const apiKey = (id: string, p: { RestApiId?: unknown }) => templateOf(id) + (p.RestApiId as { Ref: string }).Ref;

beforeAll(() => {
  s = synth(
    {
      'scim:connectors': NAMES.map((name) => ({ name })),
      'scim:customDomain': { domainName: DOMAIN, certificateArn: CERT },
      'scim:authorizerCacheTtlSeconds': 60,
    },
    { nag: false },
  );
});

describe('more than 10 connectors', () => {
  it('three REST APIs with 10, 10 and 3 stages, in config order', () => {
    const apis = resourcesOfType(s, 'AWS::ApiGateway::RestApi', 'all');
    expect(apis.map(([, p]) => p.Name).sort()).toEqual(['Scim', 'Scim-2', 'Scim-3']);
    const stagesByApi = new Map<string, string[]>();
    for (const [id, p] of resourcesOfType(s, 'AWS::ApiGateway::Stage', 'all')) {
      const api = apiKey(id, p);
      stagesByApi.set(api, [...(stagesByApi.get(api) ?? []), String(p.StageName)]);
    }
    const groups = [...stagesByApi.values()].map((g) => g.sort()).sort((a, b) => a[0]!.localeCompare(b[0]!));
    expect(groups).toEqual(chunkConnectors(NAMES, 10));
    for (const [, p] of resourcesOfType(s, 'AWS::ApiGateway::Stage', 'all')) expect(p.Variables).toEqual({ connector: p.StageName });
  });

  it('the first API stays in the main stack under the id a single-API deployment has; the others are nested', () => {
    expect(s.stack.apis.map((a) => a.node.path)).toEqual(['Scim/Api', 'Scim/ApiGroup2/Api2', 'Scim/ApiGroup3/Api3']);
    expect(resourcesOfType(s, 'AWS::ApiGateway::RestApi')).toHaveLength(1);
    s.template.resourceCountIs('AWS::CloudFormation::Stack', 3); // + the connector-safety alarms (test/infra/connector-safety.test.ts)
  });

  it('every template stays well inside CloudFormation limits (500 resources, 200 outputs)', () => {
    for (const t of [{ id: 'parent', json: s.json }, ...s.nested]) {
      expect(Object.keys(t.json.Resources).length, t.id).toBeLessThan(300);
      expect(Object.keys(t.json.Outputs ?? {}).length, t.id).toBeLessThan(200);
    }
  });

  it('each API is complete: every route, its own authorizer and deployment, the gateway responses', () => {
    const apiIds = resourcesOfType(s, 'AWS::ApiGateway::RestApi', 'all').map(([id]) => id);
    const perApi = (type: string) => {
      const counts = new Map<string, number>();
      for (const [id, p] of resourcesOfType(s, type, 'all')) {
        const api = apiKey(id, p);
        counts.set(api, (counts.get(api) ?? 0) + 1);
      }
      return apiIds.map((id) => counts.get(templateOf(id) + id.split('/').pop()) ?? 0);
    };
    const pathCount = new Set(ROUTES.map((r) => r.path)).size;
    expect(perApi('AWS::ApiGateway::Method')).toEqual(apiIds.map(() => ROUTES.length + pathCount));
    expect(perApi('AWS::ApiGateway::Authorizer')).toEqual(apiIds.map(() => 1));
    expect(perApi('AWS::ApiGateway::Deployment')).toEqual(apiIds.map(() => 1));
    expect(new Set(perApi('AWS::ApiGateway::GatewayResponse')).size).toBe(1);
    for (const [, p] of resourcesOfType(s, 'AWS::ApiGateway::Authorizer', 'all')) {
      expect(p.IdentitySource).toBe('method.request.header.Authorization,context.stage');
      expect(p.AuthorizerResultTtlInSeconds).toBe(60);
    }
  });

  it('the functions are shared: one invoke permission per function and API', () => {
    // users, groups, discovery, authorizer + the change-events publisher (no API permission), the
    // purge sweeper and the token-age check (one EventBridge permission each,
    // test/infra/purge-sweeper.test.ts, test/infra/token-age.test.ts)
    s.template.resourceCountIs('AWS::Lambda::Function', 7);
    expect(resourcesOfType(s, 'AWS::Lambda::Function', 'all')).toHaveLength(7);
    expect(resourcesOfType(s, 'AWS::Lambda::Permission', 'all').filter(([, p]) => p.Principal === 'apigateway.amazonaws.com')).toHaveLength(4 * 3);
    expect(resourcesOfType(s, 'AWS::Lambda::Permission', 'all')).toHaveLength(4 * 3 + 2);
  });

  it('every connector still has its secret, alarms and dashboard row', () => {
    // one token per connector, plus the stack's one cursor key
    expect(resourcesOfType(s, 'AWS::SecretsManager::Secret')).toHaveLength(NAMES.length + 1);
    const alarms = resourcesOfType(s, 'AWS::CloudWatch::Alarm').map(([, p]) => String(p.AlarmName));
    for (const n of NAMES) expect(alarms).toEqual(expect.arrayContaining([`Scim-${n}-5xx-rate`, `Scim-${n}-no-successful-request`, `Scim-${n}-token-age`]));
    const [, dash] = resourcesOfType(s, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = flattenJoin(dash.DashboardBody);
    // app-21..23 are served by the third API: their metrics carry its ApiName.
    expect(body).toContain('"ApiName","Scim-3","Stage","app-23"');
    expect(body).toContain('"ApiName","Scim","Stage","app-01"');
  });

  it('cdk-nag stays clean with several APIs', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('custom domain', () => {
  it('a regional domain with the certificate and TLS 1.2', () => {
    s.template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: DOMAIN,
      RegionalCertificateArn: CERT,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
  });

  it('one base-path mapping per connector, to its own API and stage', () => {
    const mappings = resourcesOfType(s, 'AWS::ApiGateway::BasePathMapping');
    expect(mappings.map(([, p]) => p.BasePath).sort()).toEqual(NAMES);
    for (const [, p] of mappings) {
      const name = String(p.BasePath);
      const group = Math.floor(NAMES.indexOf(name) / 10);
      const stage = JSON.stringify(p.Stage);
      const api = JSON.stringify(p.RestApiId);
      // Same-template references for the first API, nested-stack outputs for the others.
      expect(stage).toContain(`Stage${name.replace(/-/g, '')}`);
      if (group === 0) expect(api).toBe(JSON.stringify({ Ref: resourcesOfType(s, 'AWS::ApiGateway::RestApi')[0]![0] }));
      else expect(api).toContain(`ApiGroup${group + 1}`);
    }
  });

  it('Tenant URLs are on the custom domain; the DNS target is an output', () => {
    const outputs = s.json.Outputs ?? {};
    for (const n of NAMES) {
      expect(flattenJoin(outputs[`TenantUrl${n.replace(/-/g, '')}`]?.Value)).toBe(`https://${DOMAIN}/${n}/scim/v2`);
    }
    expect(outputs.CustomDomainTarget).toBeDefined();
  });
});
