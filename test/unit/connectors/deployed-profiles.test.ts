/**
 * How a Lambda reads the configured profiles (lambdas/connectors/deployed-profiles.ts): what the
 * CDK stack writes into the bundles (lib/config.ts lambdaProfilesJson, only the profiles some
 * connector uses) passes the zod-free structural check unchanged and builds the same registry; a
 * malformed value fails at init naming the field; discovery's registry resolves schemas only.
 */
import { problemsOf } from '../../support/config-errors.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import { connectorsFromEnv } from '../../../lambdas/connectors/deployed.js';
import { deployedProfiles, deployedProfileSpecs } from '../../../lambdas/connectors/deployed-profiles.js';
import { defineProfile } from '../../../lambdas/connectors/profile.js';
import { parseProfiles } from '../../../lambdas/connectors/profile-config.js';
import { ProfileConfigError } from '../../../lambdas/connectors/profile-spec.js';
import { profileRegistry, schemaRegistry } from '../../../lambdas/connectors/profiles.js';
import { applyRules, ProfileError, resolveProfile } from '../../../lambdas/connectors/rules.js';
import { normalizeResource } from '../../../lambdas/scim/normalize.js';
import { lambdaProfilesJson } from '../../../lib/config.js';

const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/configured-profiles.json'), 'utf8')) as Record<string, unknown>;
const ACME_URN = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';
const { specs } = parseProfiles(FIXTURE);
const connectors = parseConnectors([{ name: 'default' }, { name: 'acme-hr', profile: 'acme' }], ['generic', 'acme']);
const written = lambdaProfilesJson(specs, connectors);

const problems = (raw: string): string[] => problemsOf(() => deployedProfileSpecs(raw), ProfileConfigError);

describe('configured profiles in a Lambda', () => {
  const saved = process.env.SCIM_PROFILES;
  afterEach(() => {
    if (saved === undefined) delete process.env.SCIM_PROFILES;
    else process.env.SCIM_PROFILES = saved;
  });

  it('the stack writes only the profiles the connectors use; they pass the check unchanged', () => {
    expect(Object.keys(JSON.parse(written))).toEqual(['acme']);
    expect(deployedProfileSpecs(written)).toEqual({ acme: specs.acme });
    expect(lambdaProfilesJson(specs, parseConnectors([{ name: 'default' }]))).toBe('{}');
  });

  it('none: the built-in profiles only', () => {
    delete process.env.SCIM_PROFILES;
    expect(deployedProfileSpecs()).toEqual({});
    expect(deployedProfiles(profileRegistry).names).toEqual(['generic', 'askspoke', 'spaceiq', 'jostle', 'ideo']);
  });

  it('run from source, process.env.SCIM_PROFILES stands in for the bundled value', () => {
    process.env.SCIM_PROFILES = written;
    expect(deployedProfiles(profileRegistry).origin('acme')).toBe('configured');
  });

  it('users and groups: the full profile, its rules compiled; connectors on it pass the connector check', () => {
    const registry = deployedProfiles(profileRegistry, written);
    const acme = registry.get('acme');
    const rs = acme.schemas.user;
    const doc = normalizeResource(rs, { userName: 'a', emails: [{ value: 'a@x.example' }], title: 'CEO', [ACME_URN]: { badgeId: 'nope', floor: 1 } });
    expect(acme.rules.User.dropInvalid).toHaveLength(3);
    const out = applyRules(rs, acme.rules.User, doc);
    expect(out[ACME_URN]).toEqual({ floor: 1 });
    expect(out).not.toHaveProperty('title');
    expect(connectorsFromEnv({ SCIM_CONNECTORS: '[{"name":"acme-hr","profile":"acme"}]' }, registry)).toEqual([{ name: 'acme-hr', profile: 'acme', basePath: 'scim/v2' }]);
  });

  it('discovery: schemas and resource types only, no rules compiled', () => {
    const acme = deployedProfiles(schemaRegistry, written).get('acme');
    expect(acme.schemas.user.resolveUrn(ACME_URN)?.attributes.map((a) => a.name)).toEqual(['badgeId', 'floor', 'skills', 'desk']);
    expect(acme.offers('Group')).toBe(false);
    expect(acme).not.toHaveProperty('rules');
  });

  it.each([
    ['{', 'SCIM_PROFILES is not valid JSON'],
    ['[1]', 'SCIM_PROFILES: must be an object'],
    ['{"acme":{"description":"x"}}', 'SCIM_PROFILES.acme.resourceTypes: missing'],
    ['{"acme":{"description":"x","resourceTypes":"User"}}', 'SCIM_PROFILES.acme.resourceTypes: must be an array'],
    ['{"acme":{"description":"x","resourceTypes":["User"],"extensions":{"User":[{"id":"urn:a:b","name":"A","attributes":[{"name":"n","multiValued":false}]}]}}}', 'SCIM_PROFILES.acme.extensions.User[0].attributes[0].type: missing'],
    ['{"acme":{"description":"x","resourceTypes":["User"],"rules":{"User":{"dropInvalid":[{"accept":"email"}]}}}}', 'SCIM_PROFILES.acme.rules.User.dropInvalid[0].path: missing'],
    ['{"acme":{"description":"x","resourceTypes":["User"],"rules":{"User":{"immutable":"userName"}}}}', 'SCIM_PROFILES.acme.rules.User.immutable: must be an array'],
  ])('a malformed value fails at init naming the field: %s', (raw, expected) => {
    expect(problems(raw)).toEqual([expected]);
  });

  it('a configured profile may not take a built-in name, even past the synth check', () => {
    expect(() => deployedProfiles(profileRegistry, '{"jostle":{"description":"x","resourceTypes":["User"]}}')).toThrow(ProfileError);
    expect(() => deployedProfiles(profileRegistry, '{"jostle":{"description":"x","resourceTypes":["User"]}}')).toThrow(/jostle: a built-in profile has this name/);
  });
});

describe('accept specs in code profiles', () => {
  it('compile on the same path as configured ones; a pattern the engine refuses names its field', () => {
    const p = resolveProfile(defineProfile({ name: 'x', description: '', resourceTypes: ['User'], rules: { User: { dropInvalid: [{ path: 'title', description: '', accept: { maxLength: 3 } }] } } }));
    expect([p.rules.User.dropInvalid[0]!.accept('abc'), p.rules.User.dropInvalid[0]!.accept('abcd'), p.rules.User.dropInvalid[0]!.accept('😀😀😀')]).toEqual([true, false, true]);
    let error: unknown;
    try {
      resolveProfile(defineProfile({ name: 'x', description: '', resourceTypes: ['User'], rules: { User: { dropInvalid: [{ path: 'title', description: '', accept: { pattern: '(a)\\1' } }] } } }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProfileError);
    expect((error as ProfileError).field).toEqual(['rules', 'User', 'dropInvalid', 0, 'accept', 'pattern']);
  });

  it('email: local@domain.tld, no spaces', () => {
    const p = resolveProfile(defineProfile({ name: 'x', description: '', resourceTypes: ['User'], rules: { User: { dropInvalid: [{ path: 'emails.value', description: '', accept: 'email' }] } } }));
    const ok = p.rules.User.dropInvalid[0]!.accept;
    expect(['ann@example.com', 'a.b+c@mail.example.co.uk'].map(ok)).toEqual([true, true]);
    expect(['ann', 'ann@example', 'a n@example.com', 'a@@example.com', 7].map(ok)).toEqual([false, false, false, false, false]);
  });
});
