/**
 * A DescribeStacks answer for a deployed stack as `scim-admin` reads it (aws-sdk-client-mock): the
 * outputs per connector with the descriptions the stack writes (the CLI finds connectors by them).
 */
import type { DescribeStacksCommandOutput } from '@aws-sdk/client-cloudformation';

export interface DeployedConnector {
  readonly name: string;
  readonly tenantUrl: string;
  readonly tokenSecretArn?: string;
}

export function deployedStack(o: { connectors: readonly DeployedConnector[]; tableName?: string; eventBusName?: string; createdAt?: Date }): Partial<DescribeStacksCommandOutput> {
  const outputs = o.connectors.flatMap((c) => [
    { OutputKey: `TenantUrl${c.name}`, OutputValue: c.tenantUrl, Description: `Tenant URL of connector ${c.name} (paste into Entra ID / Okta)` },
    ...(c.tokenSecretArn ? [{ OutputKey: `TokenSecretArn${c.name}`, OutputValue: c.tokenSecretArn, Description: `Secret holding the token of connector ${c.name}: aws secretsmanager get-secret-value …` }] : []),
  ]);
  if (o.tableName) outputs.push({ OutputKey: 'TableName', OutputValue: o.tableName, Description: 'The SCIM table' });
  if (o.eventBusName) outputs.push({ OutputKey: 'EventBusName', OutputValue: o.eventBusName, Description: 'Change events bus' });
  return { Stacks: [{ StackName: 'Scim', CreationTime: o.createdAt ?? new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: outputs }] };
}
