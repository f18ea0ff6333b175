/** The setup page's pure parts: the profile guide, the status summary, the link URL and expiry. */
import { describe, expect, it } from 'vitest';
import { parseLinkExpiry, setupLinkUrl } from '../../../bin/admin/setup-link.js';
import { profileFromSpec } from '../../../lambdas/connectors/profile-spec.js';
import { schemaRegistry } from '../../../lambdas/connectors/profiles.js';
import { setupGuide } from '../../../lambdas/setup/guide.js';
import { SETUP_PAGE_CSP, SETUP_PAGE_HTML } from '../../../lambdas/setup/page.js';
import { summarize } from '../../../lambdas/setup/status.js';

describe('setupGuide', () => {
  it('lists what the generic profile requires and nothing else', () => {
    const g = setupGuide(schemaRegistry().get('generic'));
    expect(g.attributes).toEqual([expect.objectContaining({ attribute: 'userName', rule: 'required' })]);
    expect(g.groups).toBe(true);
  });

  it('reads a configured profile the same way as a built-in one', () => {
    const acme = profileFromSpec('acme', {
      description: 'Acme HR',
      resourceTypes: ['User'],
      rules: { User: { required: ['displayName'], dropInvalid: [{ path: 'title', description: 'at most 20 characters', accept: { maxLength: 20 } }] } },
      lifecycle: { deactivation: 'delete' },
    });
    const g = setupGuide(schemaRegistry([acme]).get('acme'));
    expect(g).toMatchObject({ profile: 'acme', groups: false, deactivation: 'delete' });
    expect(g.attributes.map((a) => `${a.attribute}:${a.rule}`)).toEqual(['userName:required', 'displayName:required', 'title:dropped when invalid']);
  });
});

describe('summarize', () => {
  const now = Date.parse('2026-01-02T00:00:00Z');
  it('waits until a request arrives in the past 24 h', () => {
    expect(summarize([{ at: now - 25 * 3600_000, method: 'GET', status: 200 }], now)).toMatchObject({ phase: 'waiting', requests: 0 });
  });
  it('is connected after queries and .search POSTs, provisioning after a write', () => {
    const reads = [
      { at: now - 1000, method: 'GET', status: 200 },
      { at: now - 900, method: 'POST', status: 200 },
    ];
    expect(summarize(reads, now).phase).toBe('connected');
    expect(summarize([...reads, { at: now - 800, method: 'PATCH', status: 204 }], now).phase).toBe('provisioning');
    expect(summarize([...reads, { at: now - 800, method: 'POST', status: 201 }], now).phase).toBe('provisioning');
  });
  it('keeps the latest five failures, newest first, with scimType and detail', () => {
    const fails = Array.from({ length: 7 }, (_, i) => ({ at: now - 1000 + i, method: 'POST', status: 409, scimType: 'uniqueness', detail: `d${i}` }));
    const s = summarize(fails, now);
    expect(s).toMatchObject({ phase: 'connected', requests: 7, failed: 7 });
    expect(s.lastSuccessAt).toBeUndefined();
    expect(s.failures.map((f) => f.detail)).toEqual(['d6', 'd5', 'd4', 'd3', 'd2']);
  });
});

describe('setup link URL and expiry', () => {
  it('sits next to the base path, on execute-api and custom domains alike', () => {
    expect(setupLinkUrl('https://abc.execute-api.eu-west-1.amazonaws.com/askspoke/scim/v2', 'askspoke', 'L', 'S')).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com/askspoke/setup/L#S',
    );
    expect(setupLinkUrl('https://scim.example.com/jostle/scim', 'jostle', 'L', 'S')).toBe('https://scim.example.com/jostle/setup/L#S');
  });
  it('takes 30m to 30d', () => {
    expect(parseLinkExpiry('72h')).toBe(72 * 3600_000);
    expect(parseLinkExpiry('31d')).toMatch(/at most 30d/);
    expect(parseLinkExpiry('0')).toMatch(/must look like/);
    expect(parseLinkExpiry('soon')).toMatch(/must look like/);
  });
});

describe('the page', () => {
  it('allows its own script and style by hash and nothing inline beyond them', () => {
    expect(SETUP_PAGE_HTML.match(/<script>/g)).toHaveLength(1);
    expect(SETUP_PAGE_HTML.match(/<style>/g)).toHaveLength(1);
    expect(SETUP_PAGE_HTML).not.toMatch(/ on[a-z]+=|innerHTML|https?:\/\//);
    expect(SETUP_PAGE_CSP).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'sha256-[A-Za-z0-9+/=]+'; connect-src 'self'/);
  });
});
