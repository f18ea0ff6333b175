import { problemsOf } from '../../support/config-errors.js';
import { describe, expect, it } from 'vitest';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import { ConnectorConfigError, connectorsFromEnv } from '../../../lambdas/connectors/deployed.js';
import { profileRegistry } from '../../../lambdas/connectors/profiles.js';
import { connectorStoreOptions } from '../../../lambdas/http/app.js';
import { lambdaConnectorsJson } from '../../../lib/scim-stack.js';

const problems = (input: unknown): string[] => problemsOf(() => parseConnectors(input), ConnectorConfigError);

describe('connector configuration', () => {
  it('defaults profile and base path; missing or empty → one generic "default" connector', () => {
    expect(parseConnectors([{ name: 'askspoke' }])).toEqual([{ name: 'askspoke', profile: 'generic', basePath: 'scim/v2' }]);
    expect(parseConnectors(undefined)).toEqual([{ name: 'default', profile: 'generic', basePath: 'scim/v2' }]);
    expect(parseConnectors([])).toHaveLength(1);
    expect(parseConnectors([{ name: 'spaceiq', basePath: '/scim/', throttling: { rateLimit: 50, burstLimit: 100 }, alarmEmail: 'ops@example.com' }])[0]).toEqual({
      name: 'spaceiq',
      profile: 'generic',
      basePath: 'scim',
      throttling: { rateLimit: 50, burstLimit: 100 },
      alarmEmail: 'ops@example.com',
    });
  });

  it('names the bad field', () => {
    expect(problems([{ name: 'has space' }])).toEqual([expect.stringMatching(/^scim:connectors\[0\]\.name: .*stage name/)]);
    expect(problems([{ name: 'a' }, { name: 'b', profile: 'nope' }])).toEqual([expect.stringMatching(/^scim:connectors\[1\]\.profile: must be one of: generic/)]);
    expect(problems([{ name: 'a', throttling: { rateLimit: -1 } }])[0]).toMatch(/^scim:connectors\[0\]\.throttling\.rateLimit: must be > 0/);
    expect(problems([{ name: 'a', alarmEmail: 'x' }])[0]).toMatch(/^scim:connectors\[0\]\.alarmEmail: /);
    expect(problems([{ name: 'a', basePath: 'scim v2' }])[0]).toMatch(/^scim:connectors\[0\]\.basePath: /);
    expect(problems([{ name: 'a', extra: 1 }])[0]).toMatch(/^scim:connectors\[0\]/);
    expect(problems([{ name: 'A' }, { name: 'a' }])).toEqual([expect.stringMatching(/^scim:connectors\[1\]\.name: duplicates connector \[0\]/)]);
    expect(problems({ name: 'a' })[0]).toMatch(/^scim:connectors: must be an array/);
    expect(problems([{ name: 'x'.repeat(129) }])).toHaveLength(1);
  });

  it('reads the Lambda env var', () => {
    expect(connectorsFromEnv({ SCIM_CONNECTORS: '[{"name":"a"}]' })).toHaveLength(1);
    expect(() => connectorsFromEnv({})).toThrow(/SCIM_CONNECTORS is not set/);
    expect(() => connectorsFromEnv({ SCIM_CONNECTORS: '{' })).toThrow(/not valid JSON/);
  });

  it('checks the Lambda env var without zod: what the stack wrote passes unchanged, a hand edit fails at init naming the field', () => {
    const written = parseConnectors([{ name: 'askspoke', profile: 'askspoke' }, { name: 'spaceiq', basePath: 'scim', throttling: { rateLimit: 5 } }]);
    expect(connectorsFromEnv({ SCIM_CONNECTORS: JSON.stringify(written) })).toEqual(written);
    expect(connectorsFromEnv({ SCIM_CONNECTORS: '[{"name":"a"}]' })).toEqual([{ name: 'a', profile: 'generic', basePath: 'scim/v2' }]);
    const fails = (raw: string, profiles: ReturnType<typeof profileRegistry> | null = profileRegistry()) => {
      try {
        connectorsFromEnv({ SCIM_CONNECTORS: raw }, profiles ?? undefined);
      } catch (e) {
        if (e instanceof ConnectorConfigError) return e.problems;
        throw e;
      }
      return [];
    };
    expect(fails('[]')).toEqual([expect.stringMatching(/non-empty array/)]);
    expect(fails('{"name":"a"}')).toEqual([expect.stringMatching(/non-empty array/)]);
    expect(fails('[{"name":"a"},{"name":"b","profile":"nope"}]')).toEqual([expect.stringMatching(/^SCIM_CONNECTORS\[1\]\.profile: unknown profile "nope"/)]);
    // Without the profiles (authorizer, purge sweeper: they apply none), a configured name passes; a non-name does not.
    expect(fails('[{"name":"a","profile":"acme"}]', null)).toEqual([]);
    expect(fails('[{"name":"a","profile":7}]', null)).toEqual([expect.stringMatching(/^SCIM_CONNECTORS\[0\]\.profile: unknown profile 7/)]);
    expect(fails('[{"profile":"generic"}]')).toEqual([expect.stringMatching(/^SCIM_CONNECTORS\[0\]\.name/)]);
    expect(fails('[{"name":"a","basePath":7}]')).toEqual([expect.stringMatching(/basePath/)]);
    expect(fails('[{"name":"a","unknownMembers":"drop"}]')).toEqual([expect.stringMatching(/^SCIM_CONNECTORS\[0\]\.unknownMembers: must be one of: ignore, reject/)]);
  });

  it('the stack writes one name|profile|basePath|unknownMembers string per connector: 60 connectors of 24-character names with a profile fit Lambda\'s 4 KB', () => {
    const list = parseConnectors([{ name: 'spoke', profile: 'askspoke', unknownMembers: 'reject' }, { name: 'iq', basePath: 'scim' }, { name: 'plain' }]);
    expect(JSON.parse(lambdaConnectorsJson(list))).toEqual(['spoke|askspoke||reject', 'iq||scim', 'plain']);
    expect(connectorsFromEnv({ SCIM_CONNECTORS: lambdaConnectorsJson(list) })).toEqual([
      { name: 'spoke', profile: 'askspoke', basePath: 'scim/v2', unknownMembers: 'reject' },
      { name: 'iq', profile: 'generic', basePath: 'scim' },
      { name: 'plain', profile: 'generic', basePath: 'scim/v2' },
    ]);
    expect(() => connectorsFromEnv({ SCIM_CONNECTORS: '["a|askspoke||drop"]' })).toThrow(/SCIM_CONNECTORS\[0\]\.unknownMembers/);
    const sixty = parseConnectors(Array.from({ length: 60 }, (_, i) => ({ name: `okta-workday-prod-eu-${String(i).padStart(3, '0')}`, profile: 'askspoke', ...(i % 3 ? {} : { basePath: 'scim' }) })));
    // Lambda measures the variables as JSON: the value's quotes count escaped; ~250 bytes are the other variables.
    expect(JSON.stringify({ SCIM_CONNECTORS: lambdaConnectorsJson(sixty) }).length).toBeLessThan(4096 - 250);
  });

  it('unknownMembers: validated where written, carried to the Lambdas, the connector\'s own setting before its profile\'s default (ignore)', () => {
    expect(problems([{ name: 'a', unknownMembers: 'drop' }])).toEqual([expect.stringMatching(/^scim:connectors\[0\]\.unknownMembers: must be one of: ignore, reject/)]);
    const list = parseConnectors([{ name: 'strict', unknownMembers: 'reject' }, { name: 'lenient' }, { name: 'spoke', profile: 'askspoke' }]);
    const fromEnv = connectorsFromEnv({ SCIM_CONNECTORS: lambdaConnectorsJson(list) });
    expect(fromEnv.map((c) => c.unknownMembers)).toEqual(['reject', undefined, undefined]);
    const options = connectorStoreOptions(fromEnv, profileRegistry());
    expect(['strict', 'lenient', 'spoke'].map((n) => options(n).unknownMembers)).toEqual(['reject', 'ignore', 'ignore']);
  });
});
