/**
 * More connectors than API Gateway's 10 stages per REST API, behind a custom domain: the
 * connectors are spread over several REST APIs (10 on the first, the others where their `"api"`
 * says: lib/placement.ts; the second and later APIs in nested stacks, so no template nears
 * CloudFormation's 500 resources), every API is complete
 * (routes, its own authorizer and deployment, gateway responses), and with the custom domain every
 * Tenant URL is `https://<domain>/<connector>/<base path>` whatever API serves it.
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lambdas/http/routes.js';
import { placeConnectors } from '../../lib/placement.js';
import { flattenJoin, resourcesOfType, synth, type Synthesised } from './helpers.js';

const NAMES = Array.from({ length: 23 }, (_, i) => `app-${String(i + 1).padStart(2, '0')}`);
// As synth asks for them (README "Add a connector"): app-11…20 on API 2, app-21…23 on API 3.
const CONNECTORS = NAMES.map((name, i) => ({ name, ...(i >= 10 ? { api: Math.floor(i / 10) + 1 } : {}) }));
const DOMAIN = 'scim.example.com';
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f3c2a2e-1111-2222-3333-444455556666';

let s: Synthesised;
/** `ApiGroup2/` for a nested resource id, `` for the parent's. */
const templateOf = (id: string) => (id.includes('/') ? `${id.split('/')[0]}/` : '');
const apiKey = (id: string, p: { RestApiId?: unknown }) => templateOf(id) + (p.RestApiId as { Ref: string }).Ref;
/** Resources of the connectors' SCIM APIs: without the setup pages' own API (nested stack SetupStack, test/infra/setup.test.ts). */
const scimApis = (type: string) => resourcesOfType(s, type, 'all').filter(([id]) => !id.startsWith('SetupStack/'));

beforeAll(() => {
  s = synth(
    {
      'scim:connectors': CONNECTORS,
      'scim:customDomain': { domainName: DOMAIN, certificateArn: CERT },
      'scim:authorizerCacheTtlSeconds': 60,
    },
    { nag: false },
  );
});

describe('more than 10 connectors', () => {
  it('three REST APIs with 10, 10 and 3 stages, as placed', () => {
    const apis = scimApis('AWS::ApiGateway::RestApi');
    expect(apis.map(([, p]) => p.Name).sort()).toEqual(['Scim', 'Scim-2', 'Scim-3']);
    const stagesByApi = new Map<string, string[]>();
    for (const [id, p] of scimApis('AWS::ApiGateway::Stage')) {
      const api = apiKey(id, p);
      stagesByApi.set(api, [...(stagesByApi.get(api) ?? []), String(p.StageName)]);
    }
    const groups = [...stagesByApi.values()].map((g) => g.sort()).sort((a, b) => a[0]!.localeCompare(b[0]!));
    expect(groups).toEqual(placeConnectors(CONNECTORS, 10).map((a) => a.connectors.map((c) => c.name)));
    expect(groups.map((g) => g.length)).toEqual([10, 10, 3]);
    for (const [, p] of scimApis('AWS::ApiGateway::Stage')) expect(p.Variables).toEqual({ connector: p.StageName });
  });

  it('the first API stays in the main stack under the id a single-API deployment has; the others are nested', () => {
    expect(s.stack.apis.map((a) => a.node.path)).toEqual(['Scim/Api', 'Scim/ApiGroup2/Api2', 'Scim/ApiGroup3/Api3']);
    expect(resourcesOfType(s, 'AWS::ApiGateway::RestApi')).toHaveLength(1);
    s.template.resourceCountIs('AWS::CloudFormation::Stack', 4); // ApiGroup2, ApiGroup3, SetupStack, and the first API's connector-safety alarms
  });

  it('every template stays well inside CloudFormation limits (500 resources, 200 outputs)', () => {
    for (const t of [{ id: 'parent', json: s.json }, ...s.nested]) {
      expect(Object.keys(t.json.Resources).length, t.id).toBeLessThan(300);
      expect(Object.keys(t.json.Outputs ?? {}).length, t.id).toBeLessThan(200);
    }
  });

  it('each API is complete: every route, its own authorizer and deployment, the gateway responses', () => {
    const apiIds = scimApis('AWS::ApiGateway::RestApi').map(([id]) => id);
    const perApi = (type: string) => {
      const counts = new Map<string, number>();
      for (const [id, p] of scimApis(type)) {
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
    for (const [, p] of scimApis('AWS::ApiGateway::Authorizer')) {
      expect(p.IdentitySource).toBe('method.request.header.Authorization,context.stage');
      expect(p.AuthorizerResultTtlInSeconds).toBe(60);
    }
  });

  it('the functions are shared: one invoke permission per function and API', () => {
    // users, groups, discovery, authorizer + the change-events publisher (no API permission), the
    // purge sweeper and the token-age check (one EventBridge permission each,
    // test/infra/purge-sweeper.test.ts, test/infra/token-age.test.ts); the setup function in
    // SetupStack, one permission for its own API whatever the connector count.
    s.template.resourceCountIs('AWS::Lambda::Function', 7);
    expect(resourcesOfType(s, 'AWS::Lambda::Function', 'all')).toHaveLength(7 + 1);
    expect(resourcesOfType(s, 'AWS::Lambda::Permission', 'all').filter(([, p]) => p.Principal === 'apigateway.amazonaws.com')).toHaveLength(4 * 3 + 1);
    expect(resourcesOfType(s, 'AWS::Lambda::Permission', 'all')).toHaveLength(4 * 3 + 2 + 1);
  });

  it('every connector still has its secret, alarms and dashboard row: in the stack for the first API, in its API\'s nested stack for the others', () => {
    // one token per connector, plus the stack's one cursor key
    expect(resourcesOfType(s, 'AWS::SecretsManager::Secret')).toHaveLength(NAMES.length + 1);
    const alarms = resourcesOfType(s, 'AWS::CloudWatch::Alarm', 'all').map(([id, p]) => `${templateOf(id)}${String(p.AlarmName)}`);
    const [nested2, nested3] = s.nested.map((n) => `${n.id}/`);
    NAMES.forEach((n, i) => {
      // Alarm names start with the prefix of the connector's REST API (Scim, Scim_api2, Scim_api3; lib/placement.ts).
      const [where, api] = i < 10 ? ['', 'Scim'] : i < 20 ? [nested2, 'Scim_api2'] : [nested3, 'Scim_api3'];
      expect(alarms).toEqual(expect.arrayContaining([`${where}${api}-${n}-5xx-rate`, `${where}${api}-${n}-no-successful-request`, `${where}${api}-${n}-token-age`]));
    });
    const body = (id: string) => flattenJoin(resourcesOfType(s, 'AWS::CloudWatch::Dashboard', 'all').find(([d]) => templateOf(d) === id)![1].DashboardBody);
    expect(body('')).toContain('"ApiName","Scim","Stage","app-01"');
    expect(body('')).not.toContain('app-11');
    // The stack's dashboard links to the other APIs' dashboards; app-21..23 are served by the third API.
    expect(body('')).toContain('[Scim-3](#dashboards:name=Scim_api3-');
    expect(body(nested3!)).toContain('"ApiName","Scim-3","Stage","app-23"');
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
