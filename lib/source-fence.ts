/**
 * The source-address fence (`allowedSourceCidrs` per connector, `scim:allowedSourceCidrs` as the
 * default of every connector) as a REST API resource policy. Pure (no CDK): lib/config.ts checks
 * the policy's size at synth, lib/constructs/scim-api.ts attaches it and hashes it into the
 * deployment, the infra tests read it.
 *
 * Shape, per REST API (each covers only its own stages):
 *  - one Allow of `execute-api:Invoke` on `execute-api:/*` for everyone: the fence only ever takes
 *    away (the token is still checked by the Lambda authorizer on every method);
 *  - one Deny of `execute-api:Invoke` on `execute-api:/<stage>/*\/*` with
 *    `NotIpAddress: {aws:SourceIp: [...]}` per distinct address list, naming every stage that uses
 *    it (the default list is written once, not once per connector).
 * API Gateway evaluates the explicit Deny before calling the authorizer and answers it with the
 * ACCESS_DENIED gateway response (a SCIM 403, lib/constructs/gateway-responses.ts). Resources use
 * the relative `execute-api:/…` form API Gateway accepts in resource policies, so the policy does
 * not reference the API's own id (which would be a circular dependency).
 *
 * No connector of an API fenced → the Allow alone (open, as before the setting existed). The policy
 * is never left out: CloudFormation does not clear a resource policy whose `Policy` property is
 * removed from the template (aws/aws-cdk#21840), so dropping the last fence of an API must replace
 * the policy with the open one rather than remove it.
 */
import type { ConnectorConfig } from '../lambdas/connectors/config.js';
import { DEFAULT_SOURCE_CIDRS_KEY } from '../lambdas/connectors/config.js';
import { CONTEXT_KEY } from '../lambdas/connectors/deployed.js';
import { placeConnectors } from './placement.js';

/** API Gateway's default quota: "Length, in characters, of API Gateway resource policy". */
export const RESOURCE_POLICY_MAX_CHARS = 8192;

/**
 * API Gateway stores each `execute-api:/…` resource as a full ARN; the longest prefix it can
 * gain (`arn:aws-us-gov:execute-api:ap-southeast-1:123456789012:abcdefghij` minus
 * `execute-api:`) is counted for every resource when the size is estimated.
 */
const ARN_EXPANSION_CHARS = 53;

export interface PolicyStatementJson {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: '*';
  readonly Action: 'execute-api:Invoke';
  readonly Resource: string | readonly string[];
  readonly Condition?: { readonly NotIpAddress: { readonly 'aws:SourceIp': readonly string[] } };
}

export interface PolicyJson {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatementJson[];
}

/** The addresses allowed to call `connector`'s stage: its own list, else the default; undefined = open. */
export function effectiveSourceCidrs(connector: Pick<ConnectorConfig, 'allowedSourceCidrs'>, defaultCidrs?: readonly string[]): readonly string[] | undefined {
  return connector.allowedSourceCidrs ?? defaultCidrs;
}

/** The resource policy of one REST API serving `connectors` (the Allow alone when none is fenced). */
export function sourceFencePolicy(
  connectors: readonly Pick<ConnectorConfig, 'name' | 'allowedSourceCidrs'>[],
  defaultCidrs?: readonly string[],
): PolicyJson {
  const groups = new Map<string, { cidrs: readonly string[]; stages: string[] }>();
  for (const c of connectors) {
    const cidrs = effectiveSourceCidrs(c, defaultCidrs);
    if (!cidrs) continue;
    const key = [...cidrs].sort().join(',');
    const g = groups.get(key);
    if (g) g.stages.push(c.name);
    else groups.set(key, { cidrs, stages: [c.name] });
  }
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AllowInvoke', Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
      ...[...groups.values()].map(
        (g, i): PolicyStatementJson => ({
          Sid: `DenyOutsideAllowedSourceCidrs${i + 1}`,
          Effect: 'Deny',
          Principal: '*',
          Action: 'execute-api:Invoke',
          // One stage: a string, as CDK renders a one-element list.
          Resource: g.stages.length === 1 ? `execute-api:/${g.stages[0]}/*/*` : g.stages.map((stage) => `execute-api:/${stage}/*/*`),
          Condition: { NotIpAddress: { 'aws:SourceIp': g.cidrs } },
        }),
      ),
    ],
  };
}

/** Upper estimate of the policy's length as API Gateway stores it (resources as full ARNs). */
export function storedPolicyLength(policy: PolicyJson): number {
  const resources = policy.Statement.reduce((n, s) => n + (typeof s.Resource === 'string' ? 1 : s.Resource.length), 0);
  return JSON.stringify(policy).length + resources * ARN_EXPANSION_CHARS;
}

/**
 * Field-named problems for REST APIs whose policy would exceed the quota (each API as
 * lib/placement.ts places the connectors; the caller has checked that placement first).
 */
export function sourceFenceProblems(connectors: readonly ConnectorConfig[], defaultCidrs: readonly string[] | undefined, stagesPerApi: number): string[] {
  const problems: string[] = [];
  for (const { number: n, connectors: group } of placeConnectors(connectors, stagesPerApi)) {
    const policy = sourceFencePolicy(group, defaultCidrs);
    const length = storedPolicyLength(policy);
    if (length <= RESOURCE_POLICY_MAX_CHARS) continue;
    const fields = new Set<string>();
    group.forEach((c) => {
      if (c.allowedSourceCidrs) fields.add(`${CONTEXT_KEY}[${connectors.indexOf(c)}].allowedSourceCidrs`);
      else if (defaultCidrs) fields.add(DEFAULT_SOURCE_CIDRS_KEY);
    });
    problems.push(
      `${[...fields].join(', ')}: the resource policy of REST API ${n} (connectors ${group.map((c) => c.name).join(', ')}) would be about ${length} characters, over API Gateway's ${RESOURCE_POLICY_MAX_CHARS}-character quota: use fewer, wider CIDRs, give the connectors the same list (one statement serves them all), or filter with an AWS WAF IP set instead (scim:webAclArn)`,
    );
  }
  return problems;
}
