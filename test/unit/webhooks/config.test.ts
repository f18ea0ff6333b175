/**
 * `webhook` on a connector (scim:connectors): validated where the config is read (`cdk synth`,
 * `npm start`), every error naming its field; the deployed-only rule (no loopback) is checked by
 * the CDK app (test/infra/webhooks.test.ts) with the same field names.
 */
import { describe, expect, it } from 'vitest';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import { ConnectorConfigError } from '../../../lambdas/connectors/deployed.js';
import { webhookDeploymentProblems } from '../../../lib/constructs/webhooks.js';

function problems(input: unknown): string[] {
  try {
    parseConnectors(input);
    return [];
  } catch (e) {
    if (e instanceof ConnectorConfigError) return e.problems;
    throw e;
  }
}

describe('webhook config', () => {
  it('url and optional kinds are kept as written', () => {
    const [a, b] = parseConnectors([
      { name: 'a', webhook: { url: 'https://hooks.example.com/scim', kinds: ['user.*', 'member.added'] } },
      { name: 'b', webhook: { url: 'http://127.0.0.1:9000/hook' } },
    ]);
    expect(a!.webhook).toEqual({ url: 'https://hooks.example.com/scim', kinds: ['user.*', 'member.added'] });
    expect(b!.webhook).toEqual({ url: 'http://127.0.0.1:9000/hook' });
    expect(parseConnectors([{ name: 'c' }])[0]!.webhook).toBeUndefined();
  });

  it('http outside loopback: the field is named', () => {
    expect(problems([{ name: 'a' }, { name: 'b', webhook: { url: 'http://hooks.example.com/x' } }])).toEqual([
      'scim:connectors[1].webhook.url: must be https (or a loopback http URL for local use)',
    ]);
  });

  it('every bad field at once: unknown kinds, misplaced "*", empty list, missing url, wrong types, unknown keys', () => {
    expect(problems([{ name: 'a', webhook: { url: 'https://x.example.com', kinds: ['user.*', 'usr.*', 'us*er'] } }])).toEqual([
      expect.stringMatching(/^scim:connectors\[0\]\.webhook\.kinds\[1\]: "usr\.\*" matches no event kind \(kinds: user\.created, .*patterns end in "\*"/),
      'scim:connectors[0].webhook.kinds[2]: "us*er": "*" may only end a pattern (user.*, *)',
    ]);
    expect(problems([{ name: 'a', webhook: { url: 'https://x.example.com', kinds: [] } }])).toEqual([
      'scim:connectors[0].webhook.kinds: must name at least one kind (omit the key for every kind)',
    ]);
    expect(problems([{ name: 'a', webhook: { kinds: ['user.*'] } }])).toEqual(['scim:connectors[0].webhook.url: must be a string']);
    expect(problems([{ name: 'a', webhook: 'https://x.example.com' }])).toEqual(['scim:connectors[0].webhook: must be an object {url, kinds?}']);
    expect(problems([{ name: 'a', webhook: { url: 'https://x.example.com', kinds: 'user.*' } }])).toEqual([
      'scim:connectors[0].webhook.kinds: must be an array of event kinds like ["user.*", "member.added"]',
    ]);
    expect(problems([{ name: 'a', webhook: { url: 'https://x.example.com', secret: 'x' } }])).toEqual([expect.stringMatching(/^scim:connectors\[0\]\.webhook: /)]);
  });

  it('a deployed stack also refuses loopback URLs (they only work with npm start)', () => {
    const list = parseConnectors([{ name: 'a', webhook: { url: 'https://hooks.example.com' } }, { name: 'b', webhook: { url: 'http://127.0.0.1:9000/hook' } }]);
    expect(webhookDeploymentProblems(list)).toEqual([
      'scim:connectors[1].webhook.url: is a loopback URL, which only works with npm start: a deployed stack delivers to a public https URL',
    ]);
  });
});
