/**
 * cdk-nag (AwsSolutions) findings this design accepts, each acknowledged on the narrowest construct
 * with its reason. Kept in one place so a reviewer sees every exception at once; `cdk synth` and
 * the infra tests fail on any finding not listed here.
 */
import { Validations, type CfnResource } from 'aws-cdk-lib';
import type { ScimStack } from './scim-stack.js';

export function suppressNagFindings(stack: ScimStack): void {
  for (const f of Object.values(stack.functions)) {
    Validations.of(f.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments/PutTelemetryRecords support no resource-level permissions (added by Tracing.ACTIVE).',
    });
    Validations.of(f.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the project targets and tests (Powertools, AWS SDK); runtime upgrades are deliberate changes in lib/constructs/scim-function.ts.',
    });
  }

  const tableLogicalId = stack.getLogicalId(stack.table.table.node.defaultChild as CfnResource);
  for (const f of [stack.functions.users, stack.functions.groups]) {
    Validations.of(f.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
      reason: "Read/write on the SCIM table's own indexes (GSI1: memberships, externalId lookups); scoped to this one table.",
    });
  }

  for (const c of stack.connectors) {
    Validations.of(c.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The token is shared with the identity provider (pasted into Entra ID / Okta); an automatic rotation would cut provisioning off. Rotation is a documented manual step that keeps the previous token valid for a grace period.',
    });
  }

  Validations.of(stack.cursorKey).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The cursor key only signs paging positions (a cursor never reaches another connector: the partition comes from the caller); it is rotated when needed with `scim-admin cursor-key rotate`, which keeps the previous key valid for a grace period (README "Deploy"), rather than by a rotation function.',
  });

  for (const api of stack.apis) {
    Validations.of(api.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Requests are validated by the SCIM handlers, which answer RFC 7644 errors (scimType, detail); an API Gateway validator would answer non-SCIM 400s that Entra ID and Okta cannot interpret.',
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'SCIM clients (Entra ID, Okta) authenticate with a static bearer token per connector (RFC 7644 §2), checked by the Lambda REQUEST authorizer on every method; Cognito user pools do not apply.',
    });
    // With `scim:webAclArn` every stage has a web ACL association and APIG3 passes on its own.
    if (api.webAclAssociations.size === 0) {
      Validations.of(api).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'No scim:webAclArn configured: every method requires a connector token, stages are throttled per connector, and allowedSourceCidrs can fence each stage to the IdP\'s addresses; setting scim:webAclArn associates a WAF web ACL with every stage.',
      });
    }
  }

  // ---- change events publisher (lib/constructs/change-events.ts) --------------------------------------
  const ev = stack.changeEvents;
  Validations.of(ev.publisher.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray tracing (no resource-level permissions) and dynamodb:ListStreams, which AWS only grants on "*"; stream records are read from this table\'s stream ARN only.',
  });
  Validations.of(ev.publisher.function).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'Node.js 22 is the runtime the project targets and tests; runtime upgrades are deliberate changes in lib/constructs/scim-function.ts.',
  });
  Validations.of(ev.deadLetterQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter destination of the change-event stream mapping; a DLQ of the DLQ would only move the alarm.',
  });

  // ---- purge sweeper (lib/constructs/purge-sweeper.ts) ---------------------------------------------------
  const sweeper = stack.purgeSweeper.sweeper;
  Validations.of(sweeper.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray tracing: xray:PutTraceSegments/PutTelemetryRecords support no resource-level permissions (added by Tracing.ACTIVE).',
  });
  Validations.of(sweeper.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
    reason: "Query on the SCIM table's own index (GSI1: the groups a deleted user was in); scoped to this one table and to the purge path's actions.",
  });
  Validations.of(sweeper.function).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'Node.js 22 is the runtime the project targets and tests; runtime upgrades are deliberate changes in lib/constructs/scim-function.ts.',
  });

  Validations.of(stack.apiGatewayLogsRole).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason: "AWS's policy for API Gateway's account-level logging role (the same CDK's RestApi cloudWatchRole uses); it only lets API Gateway write its logs.",
  });
}
