/**
 * The largest configuration the README documents (section "Limits"): 60 connectors with every
 * option on — configured profile, throttling, their own alarm e-mail, source CIDRs, a webhook with
 * kinds, a second base path on every third one — plus the stack-wide custom domain, alarm e-mail,
 * default CIDRs and WAF web ACL. test/infra/limits.test.ts holds it to the budgets of lib/limits.ts;
 * `.ci/run` lints its templates with cfn-lint (test/infra/synth-configs.ts).
 */
import { MAX_CONNECTORS } from '../../lib/config.js';

/**
 * 20 characters, like `okta-workday-prod-eu`: the names the figures are measured with. Names count
 * in the functions' 4 KB of environment (the connector list), the one limit that grows with them.
 */
export const maxConnectorName = (i: number): string => `connector-${String(i + 1).padStart(2, '0')}-workday`;

export const MAX_CONTEXT: Record<string, unknown> = {
  'scim:connectors': Array.from({ length: MAX_CONNECTORS }, (_, i) => ({
    name: maxConnectorName(i),
    profile: 'acme',
    throttling: { rateLimit: 20, burstLimit: 40 },
    alarmEmail: `team-${i + 1}@example.com`,
    allowedSourceCidrs: ['203.0.113.0/24', '2001:db8::/32'],
    webhook: { url: `https://hooks.example.com/${i + 1}`, kinds: ['user.*', 'member.added'] },
    ...(i % 3 === 2 ? { basePath: 'scim' } : {}),
    // Pinned as synth asks (lib/placement.ts): connectors 11-20 on REST API 2, 21-30 on 3, …
    ...(i >= 10 ? { api: Math.floor(i / 10) + 1 } : {}),
  })),
  'scim:profiles': {
    acme: {
      description: 'Acme HR',
      resourceTypes: ['User', 'Group'],
      extensions: { User: [{ id: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User', name: 'AcmeUser', attributes: [{ name: 'badgeId', type: 'string' }] }] },
    },
  },
  'scim:customDomain': { domainName: 'scim.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f3c2a2e-1111-2222-3333-444455556666' },
  'scim:alarmEmail': 'platform@example.com',
  'scim:allowedSourceCidrs': ['198.51.100.0/24'],
  'scim:webAclArn': 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/scim/0f3c2a2e-1111-2222-3333-444455556666',
};
