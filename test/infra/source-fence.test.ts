/**
 * The source-address fence and WAF on the synthesised template: the REST API resource policy
 * (Allow everyone, Deny each fenced stage outside its CIDRs, grouped per list, each API covering
 * only its own stages), the deployment that carries it (a policy change → a new deployment
 * logical id, so `cdk deploy` applies it), the SCIM 403 the deny is answered with, the web ACL
 * association per stage, cdk-nag, and the synth-time errors.
 */
import type { CfnResource } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_RESPONSES } from '../../lambdas/http/gateway-responses.js';
import { SCIM_ERROR_SCHEMA } from '../../lambdas/scim/errors.js';
import { DeploymentConfigError, readDeploymentConfig } from '../../lib/config.js';
import { RESOURCE_POLICY_MAX_CHARS, sourceFencePolicy, storedPolicyLength } from '../../lib/source-fence.js';
import { resourcesOfType, synth, type Json, type Synthesised } from './helpers.js';

const ENTRA = ['20.190.128.0/18', '40.126.0.0/18', '2603:1006:2000::/48'];
const OKTA = ['198.51.100.0/24', '2001:db8::/32'];
const WEB_ACL = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/scim-idp/0f3c2a2e-1111-2222-3333-444455556666';
const CONNECTORS = [
  { name: 'entra-hr' }, // the default list
  { name: 'okta-crm', allowedSourceCidrs: OKTA },
  { name: 'entra-wiki' }, // the default list again: same statement as entra-hr
  { name: 'everyone', allowedSourceCidrs: ['0.0.0.0/0', '::/0'] }, // opted out of the default
];
const context = (extra: Record<string, unknown> = {}) => ({ 'scim:connectors': CONNECTORS, 'scim:allowedSourceCidrs': ENTRA, ...extra });

interface Statement {
  Sid?: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: { NotIpAddress?: { 'aws:SourceIp': string[] } };
}
const policyOf = (p: Json) => p.Policy as { Version: string; Statement: Statement[] } | undefined;
const asList = (x: string | string[]) => (Array.isArray(x) ? x : [x]);
// The connectors' SCIM APIs only: the setup pages' API (nested stack SetupStack) is never fenced (test/infra/setup.test.ts).
const deploymentIds = (s: Synthesised) => resourcesOfType(s, 'AWS::ApiGateway::Deployment', 'all').map(([id]) => id).filter((id) => !id.startsWith('SetupStack/'));

let fenced: Synthesised;
beforeAll(() => {
  fenced = synth(context({ 'scim:webAclArn': WEB_ACL }), { nag: false });
});

describe('resource policy', () => {
  it('allows invoke to everyone, then denies each fenced stage outside its list (one statement per distinct list)', () => {
    const [, api] = resourcesOfType(fenced, 'AWS::ApiGateway::RestApi')[0]!;
    const policy = policyOf(api)!;
    expect(policy.Version).toBe('2012-10-17');
    const [allow, ...denies] = policy.Statement;
    expect(allow).toEqual({ Sid: 'AllowInvoke', Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' });
    const byStages = new Map(denies.map((d) => [asList(d.Resource).join(' '), d] as const));
    expect([...byStages.keys()].sort()).toEqual(['execute-api:/entra-hr/*/* execute-api:/entra-wiki/*/*', 'execute-api:/everyone/*/*', 'execute-api:/okta-crm/*/*']);
    for (const d of denies) {
      expect(d).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke' });
      expect(Object.keys(d.Condition ?? {})).toEqual(['NotIpAddress']);
    }
    expect(byStages.get('execute-api:/entra-hr/*/* execute-api:/entra-wiki/*/*')!.Condition!.NotIpAddress!['aws:SourceIp']).toEqual(ENTRA);
    expect(byStages.get('execute-api:/okta-crm/*/*')!.Condition!.NotIpAddress!['aws:SourceIp']).toEqual(OKTA);
    expect(byStages.get('execute-api:/everyone/*/*')!.Condition!.NotIpAddress!['aws:SourceIp']).toEqual(['0.0.0.0/0', '::/0']);
    // Relative resources only: the policy never references the API it belongs to (no circular dependency).
    expect(JSON.stringify(policy)).not.toMatch(/Ref|Fn::|arn:/);
  });

  it('the lists stay out of the Lambdas (their environment is bounded to 4 KB): only the resource policy carries them', () => {
    for (const name of ['authorizer', 'users', 'groups', 'discovery'] as const) {
      const fnId = fenced.stack.getLogicalId(fenced.stack.functions[name].function.node.defaultChild as CfnResource);
      const env = JSON.stringify(fenced.json.Resources[fnId]!.Properties!.Environment);
      expect(env, name).not.toContain('allowedSourceCidrs');
      expect(env, name).not.toContain(OKTA[0]);
    }
  });

  it('absent everywhere = open as before: the Allow alone (a policy all the same, so removing a fence replaces it: CloudFormation never clears a removed one)', () => {
    const open = synth({ 'scim:connectors': [{ name: 'a' }, { name: 'b' }] }, { nag: false });
    const [, api] = resourcesOfType(open, 'AWS::ApiGateway::RestApi')[0]!;
    expect(policyOf(api)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'AllowInvoke', Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }],
    });
    expect(open.stack.apis[0]!.resourcePolicy).toEqual(policyOf(api));
  });

  it('with several REST APIs each policy covers only its own stages; an API without a fenced connector denies nothing', () => {
    const s = synth(
      { 'scim:connectors': [{ name: 'a' }, { name: 'b' }, { name: 'c', allowedSourceCidrs: OKTA, api: 2 }, { name: 'd', api: 2 }], 'scim:stagesPerApi': 2 },
      { nag: false },
    );
    const apis = resourcesOfType(s, 'AWS::ApiGateway::RestApi', 'all');
    const byName = new Map(apis.map(([, p]) => [String(p.Name), p] as const));
    expect(policyOf(byName.get('Scim')!)!.Statement.map((x) => x.Effect)).toEqual(['Allow']);
    const second = policyOf(byName.get('Scim-2')!)!;
    const denied = second.Statement.filter((x) => x.Effect === 'Deny').flatMap((x) => asList(x.Resource));
    expect(denied).toEqual(['execute-api:/c/*/*']);
  });
});

describe('deployment', () => {
  it('a different CIDR list gives a new deployment logical id; the same list the same id', () => {
    const same = synth(context({ 'scim:webAclArn': WEB_ACL }), { nag: false });
    expect(deploymentIds(same)).toEqual(deploymentIds(fenced));
    const changedDefault = synth(context({ 'scim:webAclArn': WEB_ACL, 'scim:allowedSourceCidrs': [...ENTRA, '20.20.32.0/19'] }), { nag: false });
    expect(deploymentIds(changedDefault)).toHaveLength(1);
    expect(deploymentIds(changedDefault)[0]).not.toBe(deploymentIds(fenced)[0]);
    const changedConnector = synth(
      { ...context({ 'scim:webAclArn': WEB_ACL }), 'scim:connectors': CONNECTORS.map((c) => (c.name === 'okta-crm' ? { ...c, allowedSourceCidrs: ['198.51.100.0/25'] } : c)) },
      { nag: false },
    );
    expect(deploymentIds(changedConnector)[0]).not.toBe(deploymentIds(fenced)[0]);
    // And every stage serves the new deployment.
    for (const [, stage] of resourcesOfType(changedConnector, 'AWS::ApiGateway::Stage')) expect(stage.DeploymentId).toEqual({ Ref: deploymentIds(changedConnector)[0] });
  });

  it('the synthesised resource policy, literally; what the deployment hashes (ScimApi.resourcePolicy) is exactly it', () => {
    const deny = (n: number, Resource: string | string[], cidrs: string[]) => ({
      Sid: `DenyOutsideAllowedSourceCidrs${n}`,
      Effect: 'Deny',
      Principal: '*',
      Action: 'execute-api:Invoke',
      Resource,
      Condition: { NotIpAddress: { 'aws:SourceIp': cidrs } },
    });
    const expected = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AllowInvoke', Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
        deny(1, ['execute-api:/entra-hr/*/*', 'execute-api:/entra-wiki/*/*'], ['20.190.128.0/18', '40.126.0.0/18', '2603:1006:2000::/48']),
        deny(2, 'execute-api:/okta-crm/*/*', ['198.51.100.0/24', '2001:db8::/32']),
        deny(3, 'execute-api:/everyone/*/*', ['0.0.0.0/0', '::/0']),
      ],
    };
    const [apiId, rendered] = resourcesOfType(fenced, 'AWS::ApiGateway::RestApi')[0]!;
    expect(policyOf(rendered)).toEqual(expected);
    const api = fenced.stack.apis[0]!;
    expect(api.resourcePolicy).toEqual(expected);
    const [, deployment] = Object.entries(fenced.json.Resources).find(([, r]) => r.Type === 'AWS::ApiGateway::Deployment')!;
    expect(deployment.Properties!.RestApiId).toEqual({ Ref: apiId });
  });

  it('the deny is answered with the SCIM 403 gateway response (ACCESS_DENIED), which the deployment waits for', () => {
    const [id, p] = resourcesOfType(fenced, 'AWS::ApiGateway::GatewayResponse').find(([, r]) => r.ResponseType === 'ACCESS_DENIED')!;
    expect(p.StatusCode).toBe('403');
    expect((p.ResponseParameters as Json)['gatewayresponse.header.Content-Type']).toBe("'application/scim+json'");
    const body = JSON.parse((p.ResponseTemplates as Record<string, string>)['application/json']!) as Json;
    expect(body).toEqual({ schemas: [SCIM_ERROR_SCHEMA], status: '403', detail: GATEWAY_RESPONSES.accessDenied.detail });
    const [, deployment] = Object.entries(fenced.json.Resources).find(([, r]) => r.Type === 'AWS::ApiGateway::Deployment')!;
    expect(deployment.DependsOn).toContain(id);
  });
});

describe('WAF', () => {
  it('one web ACL association per stage, on the stage ARN, after the stage', () => {
    const stages = new Map(resourcesOfType(fenced, 'AWS::ApiGateway::Stage').map(([id, p]) => [id, String(p.StageName)] as const));
    const associations = Object.entries(fenced.json.Resources).filter(([, r]) => r.Type === 'AWS::WAFv2::WebACLAssociation');
    expect(associations).toHaveLength(CONNECTORS.length);
    const [apiId] = resourcesOfType(fenced, 'AWS::ApiGateway::RestApi')[0]!;
    const associated: string[] = [];
    for (const [, r] of associations) {
      expect(r.Properties!.WebACLArn).toBe(WEB_ACL);
      const arn = r.Properties!.ResourceArn as { 'Fn::Join': [string, unknown[]] };
      const [, parts] = arn['Fn::Join'];
      const stageRef = (parts.at(-1) as { Ref: string }).Ref;
      expect(parts).toEqual(['arn:', { Ref: 'AWS::Partition' }, ':apigateway:', { Ref: 'AWS::Region' }, '::/restapis/', { Ref: apiId }, '/stages/', { Ref: stageRef }]);
      expect(r.DependsOn).toContain(stageRef);
      associated.push(stages.get(stageRef)!);
    }
    expect(associated.sort()).toEqual(CONNECTORS.map((c) => c.name).sort());
  });

  it('without scim:webAclArn: no association', () => {
    const s = synth(context(), { nag: false });
    expect(resourcesOfType(s, 'AWS::WAFv2::WebACLAssociation')).toEqual([]);
  });

  it('every REST API gets its associations in its own (nested) stack', () => {
    const s = synth({ 'scim:connectors': [{ name: 'a' }, { name: 'b' }, { name: 'c', api: 2 }], 'scim:stagesPerApi': 2, 'scim:webAclArn': WEB_ACL }, { nag: false });
    const all = resourcesOfType(s, 'AWS::WAFv2::WebACLAssociation', 'all').map(([id]) => id.split('/')[0]!.startsWith('ApiGroup'));
    expect(all.sort()).toEqual([false, false, true]);
  });
});

describe('cdk-nag', () => {
  const findings = (s: Synthesised) =>
    new AwsSolutionsChecks(s.app).validateScope(s.stack).violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
  const apig3Acks = (s: Synthesised) =>
    s.stack.node
      .findAll()
      .filter((c) => !c.node.path.includes('/SetupStack/'))
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .filter(([id]) => /(^|:)AwsSolutions-APIG3$/.test(id));

  it('with a web ACL: clean without acknowledging APIG3 (the associations satisfy it)', () => {
    expect(findings(fenced)).toEqual([]);
    expect(apig3Acks(fenced)).toEqual([]);
  });

  it('without one: clean, APIG3 acknowledged with a reason that names the alternative', () => {
    const s = synth(context(), { nag: false });
    expect(findings(s)).toEqual([]);
    const acks = apig3Acks(s);
    expect(acks).toHaveLength(1);
    expect(acks[0]![1]).toMatch(/scim:webAclArn/);
  });
});

describe('configuration errors (fail the synth, naming the field)', () => {
  const problems = (ctx: Record<string, unknown>): string[] => {
    try {
      readDeploymentConfig((k) => ctx[k]);
    } catch (e) {
      if (e instanceof DeploymentConfigError) return e.problems;
      throw e;
    }
    throw new Error('expected a DeploymentConfigError');
  };

  it.each([
    [{ 'scim:connectors': [{ name: 'a' }, { name: 'b' }, { name: 'c', allowedSourceCidrs: ['203.0.113.7/24'] }] }, 'scim:connectors[2].allowedSourceCidrs[0]: has address bits set after the /24 prefix'],
    [{ 'scim:connectors': [{ name: 'a', allowedSourceCidrs: [] }] }, 'scim:connectors[0].allowedSourceCidrs: must list at least one CIDR'],
    [{ 'scim:connectors': [{ name: 'a', allowedSourceCidrs: ['::ffff:203.0.113.0/120'] }] }, 'scim:connectors[0].allowedSourceCidrs[0]: is an IPv4-mapped IPv6 address'],
    [{ 'scim:allowedSourceCidrs': ['203.0.113.0/24', 'nope'] }, 'scim:allowedSourceCidrs[1]: must be a CIDR'],
    [{ 'scim:allowedSourceCidrs': [] }, 'scim:allowedSourceCidrs: must list at least one CIDR'],
    [{ 'scim:webAclArn': 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/cf/0f3c2a2e-1111-2222-3333-444455556666' }, 'scim:webAclArn: must be a regional AWS WAF web ACL ARN'],
    [{ 'scim:webAclArn': 'scim-idp' }, 'scim:webAclArn: must be a regional AWS WAF web ACL ARN'],
  ])('%j → %s', (ctx, expected) => {
    expect(problems(ctx).join('\n')).toContain(expected);
  });

  it('valid settings reach the config; `-c` strings are read as JSON', () => {
    const c = readDeploymentConfig((k) => ({ 'scim:allowedSourceCidrs': JSON.stringify(ENTRA), 'scim:webAclArn': WEB_ACL })[k]);
    expect(c.allowedSourceCidrs).toEqual(ENTRA);
    expect(c.webAclArn).toBe(WEB_ACL);
    const none = readDeploymentConfig(() => undefined);
    expect(none.allowedSourceCidrs).toBeUndefined();
    expect(none.webAclArn).toBeUndefined();
  });

  it("a policy over API Gateway's 8,192-character quota fails the synth, naming the fields and the API", () => {
    // 300 distinct /32s: ~6,600 characters of addresses per list.
    const many = (second: number) => Array.from({ length: 300 }, (_, i) => `10.${second}.${Math.floor(i / 250)}.${i % 250}/32`);
    const connectors = [{ name: 'a' }, { name: 'b', allowedSourceCidrs: many(2) }, { name: 'c' }];
    const ok = readDeploymentConfig((k) => ({ 'scim:connectors': connectors.slice(0, 1), 'scim:allowedSourceCidrs': many(1) })[k]);
    expect(storedPolicyLength(sourceFencePolicy(ok.connectors, ok.allowedSourceCidrs)!)).toBeLessThanOrEqual(RESOURCE_POLICY_MAX_CHARS);
    const p = problems({ 'scim:connectors': connectors, 'scim:allowedSourceCidrs': many(1) });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^scim:allowedSourceCidrs, scim:connectors\[1\]\.allowedSourceCidrs: the resource policy of REST API 1 \(connectors a, b, c\) would be about \d+ characters, over API Gateway's 8192-character quota/);
    // Split over two APIs (one list each), both fit.
    expect(() => readDeploymentConfig((k) => ({ 'scim:connectors': [connectors[0], { ...connectors[1], api: 2 }], 'scim:allowedSourceCidrs': many(1), 'scim:stagesPerApi': 1 })[k])).not.toThrow();
  });
});
