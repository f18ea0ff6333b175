/**
 * Profiles declared in configuration (`scim:profiles`, lambdas/connectors/profile-config.ts): the
 * README's acme example is accepted with the schema builder's defaults; every kind of mistake is
 * refused with one line naming the exact field; connectors may name configured profiles; and a
 * built-in profile declared again in configuration resolves to the same schemas and rules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { problemsOf } from '../../support/config-errors.js';
import { describe, expect, it } from 'vitest';
import { parseConnectors } from '../../../lambdas/connectors/config.js';
import { ConnectorConfigError } from '../../../lambdas/connectors/deployed.js';
import { declaredProfileNames, parseProfiles } from '../../../lambdas/connectors/profile-config.js';
import { ProfileConfigError } from '../../../lambdas/connectors/profile-spec.js';
import { profileRegistry } from '../../../lambdas/connectors/profiles.js';
import { applyRules } from '../../../lambdas/connectors/rules.js';
import { attr, complexAttr } from '../../../lambdas/scim/schema/define.js';
import { normalizeResource } from '../../../lambdas/scim/normalize.js';
import { schemaDocument } from '../../../lambdas/scim/schema/resource-schema.js';

const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/configured-profiles.json'), 'utf8')) as Record<string, Record<string, unknown>>;
const ACME = FIXTURE.acme!;
const ACME_URN = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';

/** The problems `scim:profiles` = `input` is refused with. */
const problems = (input: unknown): string[] => problemsOf(() => parseProfiles(input), ProfileConfigError);

/** acme with one change (a deep copy edited by `edit`). */
function acmeWith(edit: (p: Record<string, any>) => void): Record<string, unknown> {
  const copy = structuredClone(ACME) as Record<string, any>;
  edit(copy);
  return { acme: copy };
}

describe('the acme example', () => {
  it('is accepted; attributes get the schema builder defaults; the registry has it as configured', () => {
    const { specs, registry } = parseProfiles({ acme: ACME });
    expect(specs.acme!.extensions!.User![0]!.attributes).toEqual([
      attr('badgeId', 'Badge number'),
      attr('floor', '', { type: 'integer' }),
      attr('skills', '', { multiValued: true }),
      complexAttr('desk', '', [attr('building', '')]),
    ]);
    expect(specs.acme!.rules!.User!.dropInvalid!.map((r) => r.description)).toEqual([
      'a valid 10-digit US number, not toll-free',
      'matches ^[A-Z]{2}[0-9]{4}$',
      'one of: Engineer, Manager',
    ]);
    expect(registry.origin('acme')).toBe('configured');
    expect(registry.origin('generic')).toBe('built-in');
    const acme = registry.get('acme');
    expect(acme.offers('Group')).toBe(false);
    expect([acme.deactivation, acme.patchResponse, acme.unknownMembers]).toEqual(['keep', 'noContent', 'ignore']);
  });

  it('every RFC 7643 §7 characteristic can be set', () => {
    const all = {
      name: 'manager', type: 'reference', referenceTypes: ['User', 'external'], multiValued: true, required: true, caseExact: true,
      mutability: 'immutable', returned: 'always', uniqueness: 'server', canonicalValues: ['a', 'b'], description: 'x',
    };
    const { specs } = parseProfiles(acmeWith((p) => p.extensions.User[0].attributes.push(all, { name: 'hired', type: 'dateTime' }, { name: 'vip', type: 'boolean' }, { name: 'rate', type: 'decimal' }, { name: 'photo', type: 'binary' })));
    const attrs = specs.acme!.extensions!.User![0]!.attributes;
    expect(attrs[4]).toEqual(all);
    expect(attrs.slice(5).map((a) => a.type)).toEqual(['dateTime', 'boolean', 'decimal', 'binary']);
  });

  it('rules run like a code profile\'s: invalid phone and badge dropped, title outside oneOf dropped, emails required', () => {
    const p = parseProfiles({ acme: ACME }).registry.get('acme');
    const rs = p.schemas.user;
    const out = applyRules(rs, p.rules.User, normalizeResource(rs, {
      userName: 'a', emails: [{ value: 'a@x.example' }], title: 'Director',
      phoneNumbers: [{ type: 'work', value: '415-555-0123' }, { type: 'mobile', value: '1-888-555-0000' }],
      [ACME_URN]: { badgeId: 'AB12', floor: 3 },
    }));
    expect(out).not.toHaveProperty('title');
    expect(out.phoneNumbers).toEqual([{ type: 'work', value: '415-555-0123' }]);
    expect(out[ACME_URN]).toEqual({ floor: 3 });
    expect(() => applyRules(rs, p.rules.User, normalizeResource(rs, { userName: 'a' }))).toThrow(/'emails' is required by this connector/);
  });
});

describe('accept honours the attribute\'s caseExact (RFC 7643 §2.2)', () => {
  const withRules = (dropInvalid: unknown[], attributes: unknown[] = []) =>
    parseProfiles(
      acmeWith((p) => {
        p.extensions.User[0].attributes.push(...attributes);
        p.rules.User.dropInvalid = dropInvalid;
        delete p.rules.User.required;
      }),
    ).registry.get('acme');
  const keeps = (profile: ReturnType<typeof withRules>, doc: Record<string, unknown>) => {
    const rs = profile.schemas.user;
    return applyRules(rs, profile.rules.User, normalizeResource(rs, { userName: 'a', ...doc }));
  };

  it('oneOf on title (caseExact false): "engineer" is "Engineer", kept as sent; a caseExact attribute compares exactly', () => {
    const p = withRules(
      [
        { path: 'title', accept: { oneOf: ['Engineer', 'Manager'] } },
        { path: `${ACME_URN}:code`, accept: { oneOf: ['AB'] } },
      ],
      [{ name: 'code', caseExact: true }],
    );
    expect(keeps(p, { title: 'engineer' }).title).toBe('engineer');
    expect(keeps(p, { title: 'MANAGER' }).title).toBe('MANAGER');
    expect(keeps(p, { title: 'Director' })).not.toHaveProperty('title');
    expect(keeps(p, { [ACME_URN]: { code: 'AB' } })[ACME_URN]).toEqual({ code: 'AB' });
    expect(keeps(p, { [ACME_URN]: { code: 'ab' } })).not.toHaveProperty(ACME_URN);
  });

  it('a pattern on a caseExact: false attribute ignores case as the i flag does; on a caseExact one it does not', () => {
    const p = withRules(
      [
        { path: `${ACME_URN}:badgeId`, accept: { pattern: '^[A-Z]{2}[0-9]{4}$' } },
        { path: `${ACME_URN}:code`, accept: { pattern: '^[A-Z]{2}$' } },
      ],
      [{ name: 'code', caseExact: true }],
    );
    expect(keeps(p, { [ACME_URN]: { badgeId: 'ab1234', code: 'AB' } })[ACME_URN]).toEqual({ badgeId: 'ab1234', code: 'AB' });
    expect(keeps(p, { [ACME_URN]: { badgeId: 'ab12', code: 'ab' } })).not.toHaveProperty(ACME_URN);
  });

  it('non-ASCII names: \\p{L} accepts "Zoë Ångström-Nuñez", \\w (ASCII, as in JavaScript) does not', () => {
    const p = withRules([
      { path: 'name.givenName', accept: { pattern: "^[\\p{L}\\p{M}' -]+$" } },
      { path: 'name.familyName', accept: { pattern: "^[\\w' -]+$" } },
    ]);
    const out = keeps(p, { name: { givenName: 'Zoë', familyName: 'Ångström-Nuñez' } });
    expect(out.name).toEqual({ givenName: 'Zoë' });
  });
});

describe('configuration errors name the exact field', () => {
  it.each<[string, unknown, string]>([
    ['a built-in name', { jostle: FIXTURE['jostle-config'] }, 'scim:profiles.jostle: "jostle" is a built-in profile; give the configured one another name'],
    ['a bad profile name', { 'Acme HR': ACME }, 'scim:profiles.Acme HR: a profile name must be lower-case letters, digits and "-"'],
    ['not an object', [ACME], 'scim:profiles: must be an object'],
    ['an unknown key', acmeWith((p) => (p.colour = 'red')), 'scim:profiles.acme.colour: unknown key; must be an object {description, resourceTypes, extensions?, rules?, lifecycle?, responses?, unknownMembers?}'],
    ['an unknown attribute key', acmeWith((p) => (p.extensions.User[0].attributes[1].format = 'int32')), 'scim:profiles.acme.extensions.User[0].attributes[1].format: unknown key'],
    ['an unknown rule key', acmeWith((p) => (p.rules.User.dropInvalid[0].why = 'x')), 'scim:profiles.acme.rules.User.dropInvalid[0].why: unknown key'],
    ['an unknown accept kind', acmeWith((p) => (p.rules.User.dropInvalid[2].accept = { anyOf: ['x'] })), 'scim:profiles.acme.rules.User.dropInvalid[2].accept.anyOf: unknown key; must be "usPhone", "email", {"pattern": "…"}, {"oneOf": ["…"]} or {"maxLength": n}'],
    ['a wrong attribute type', acmeWith((p) => (p.extensions.User[0].attributes[1].type = 'int')), 'scim:profiles.acme.extensions.User[0].attributes[1].type: must be one of: string, boolean, decimal, integer, dateTime, binary, reference, complex'],
    ['a wrong value type', acmeWith((p) => (p.extensions.User[0].attributes[2].multiValued = 'yes')), 'scim:profiles.acme.extensions.User[0].attributes[2].multiValued: must be true or false'],
    ['resourceTypes not an array', acmeWith((p) => (p.resourceTypes = 'User')), 'scim:profiles.acme.resourceTypes: must be an array'],
    ['resourceTypes without User', acmeWith((p) => (p.resourceTypes = ['Group'])), 'scim:profiles.acme.resourceTypes: must include "User"'],
    ['a missing description', acmeWith((p) => delete p.description), 'scim:profiles.acme.description: must be a string'],
    ['a wrong lifecycle', acmeWith((p) => (p.lifecycle.deactivation = 'archive')), 'scim:profiles.acme.lifecycle.deactivation: must be one of: keep, delete'],
    ['a wrong unknownMembers', acmeWith((p) => (p.unknownMembers = 'drop')), 'scim:profiles.acme.unknownMembers: must be one of: ignore, reject'],
    ['a rule path that is no attribute', acmeWith((p) => (p.rules.User.dropInvalid[1].path = `${ACME_URN}:badge`)), `scim:profiles.acme.rules.User.dropInvalid[1].path: User rule "${ACME_URN}:badge" is not an attribute of User`],
    ['an immutable path that is no attribute', acmeWith((p) => (p.rules.User.immutable = ['userName', 'nickName2'])), 'scim:profiles.acme.rules.User.immutable[1]: User immutable attribute "nickName2" is not an attribute of User'],
    ['a required path that is read-only', acmeWith((p) => (p.rules.User.required = ['id'])), 'scim:profiles.acme.rules.User.required[0]: User required attribute "id" is read-only'],
    ['an immutable element of a multi-valued attribute', acmeWith((p) => (p.rules.User.immutable = ['emails.value'])), 'scim:profiles.acme.rules.User.immutable[0]: User immutable attribute "emails.value" addresses elements of a multi-valued attribute'],
    ['an accept rule on a number', acmeWith((p) => (p.rules.User.dropInvalid[1].path = `${ACME_URN}:floor`)), `scim:profiles.acme.rules.User.dropInvalid[1].path: "${ACME_URN}:floor" is integer; accept applies to string attributes`],
    ['an invalid pattern', acmeWith((p) => (p.rules.User.dropInvalid[1].accept.pattern = '^[A-Z{2}$')), 'scim:profiles.acme.rules.User.dropInvalid[1].accept.pattern: invalid regular expression: Unterminated character class'],
    ['a pattern that cannot run in linear time', acmeWith((p) => (p.rules.User.dropInvalid[1].accept.pattern = '^(a+)\\1$')), 'scim:profiles.acme.rules.User.dropInvalid[1].accept.pattern: backreferences are not supported (patterns run in linear time)'],
    [
      'a pattern whose worst case is over the cost limit',
      acmeWith((p) => (p.rules.User.dropInvalid[1].accept.pattern = '(?:.?){490}!')),
      `scim:profiles.acme.rules.User.dropInvalid[1].accept.pattern: the pattern for "${ACME_URN}:badgeId" costs up to`,
    ],
    ['a pattern that is not a string', acmeWith((p) => (p.rules.User.dropInvalid[1].accept.pattern = 7)), 'scim:profiles.acme.rules.User.dropInvalid[1].accept.pattern: must be a string'],
    ['an empty oneOf', acmeWith((p) => (p.rules.User.dropInvalid[2].accept.oneOf = [])), 'scim:profiles.acme.rules.User.dropInvalid[2].accept.oneOf: must be a non-empty array of strings'],
    ['a oneOf that is not strings', acmeWith((p) => (p.rules.User.dropInvalid[2].accept.oneOf = ['Engineer', 3])), 'scim:profiles.acme.rules.User.dropInvalid[2].accept.oneOf[1]: must be a string'],
    ['a maxLength of 0', acmeWith((p) => (p.rules.User.dropInvalid[2].accept = { maxLength: 0 })), 'scim:profiles.acme.rules.User.dropInvalid[2].accept.maxLength: must be an integer >= 1'],
    ['an accept with two kinds', acmeWith((p) => (p.rules.User.dropInvalid[2].accept = { maxLength: 3, oneOf: ['a'] })), 'scim:profiles.acme.rules.User.dropInvalid[2].accept: must be "usPhone", "email", {"pattern": "…"}, {"oneOf": ["…"]} or {"maxLength": n} (exactly one key, got 2)'],
    ['an unknown accept word', acmeWith((p) => (p.rules.User.dropInvalid[0].accept = 'phone')), 'scim:profiles.acme.rules.User.dropInvalid[0].accept: must be "usPhone", "email"'],
    ['a complex attribute without sub-attributes', acmeWith((p) => delete p.extensions.User[0].attributes[3].subAttributes), 'scim:profiles.acme.extensions.User[0].attributes[3].subAttributes: a complex attribute needs at least one sub-attribute'],
    ['a complex sub-attribute', acmeWith((p) => (p.extensions.User[0].attributes[3].subAttributes[0].type = 'complex')), 'scim:profiles.acme.extensions.User[0].attributes[3].subAttributes[0].type: a sub-attribute cannot be complex (RFC 7643 §2.3.8)'],
    ['sub-attributes on a string', acmeWith((p) => (p.extensions.User[0].attributes[0].subAttributes = [{ name: 'x' }])), 'scim:profiles.acme.extensions.User[0].attributes[0].subAttributes: only a complex attribute has sub-attributes (this one is string)'],
    ['a reference without referenceTypes', acmeWith((p) => (p.extensions.User[0].attributes[0].type = 'reference')), 'scim:profiles.acme.extensions.User[0].attributes[0].referenceTypes: a reference attribute needs referenceTypes'],
    ['referenceTypes on a string', acmeWith((p) => (p.extensions.User[0].attributes[0].referenceTypes = ['User'])), 'scim:profiles.acme.extensions.User[0].attributes[0].referenceTypes: only a reference attribute has referenceTypes (this one is string)'],
    ['a bad attribute name', acmeWith((p) => (p.extensions.User[0].attributes[0].name = 'badge id')), 'scim:profiles.acme.extensions.User[0].attributes[0].name: must be a letter, then letters, digits, "_" or "-"'],
    ['a duplicate attribute name', acmeWith((p) => (p.extensions.User[0].attributes[1].name = 'BadgeID')), 'scim:profiles.acme.extensions.User[0].attributes[1].name: duplicates [0] "badgeId" (names are case-insensitive)'],
    ['a schema id that is no URN', acmeWith((p) => (p.extensions.User[0].id = 'acme:User')), 'scim:profiles.acme.extensions.User[0].id: must be a schema URN'],
    ['the Enterprise User URN as an extension', acmeWith((p) => (p.extensions.User[0].id = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User')), 'scim:profiles.acme.extensions.User[0].id: is the Enterprise User extension, which every User already has'],
    ['a schema declared twice', acmeWith((p) => p.extensions.User.push({ ...p.extensions.User[0], id: ACME_URN.toUpperCase().replace('URN:', 'urn:') })), 'scim:profiles.acme.extensions.User[1].id: duplicates extensions.User[0]'],
    ['Group extensions of a users-only profile', acmeWith((p) => (p.extensions.Group = [{ id: 'urn:acme:Group', name: 'G', attributes: [{ name: 'x' }] }])), 'scim:profiles.acme.extensions.Group: Group is not in resourceTypes'],
    ['Group rules of a users-only profile', acmeWith((p) => (p.rules.Group = { required: ['displayName'] })), 'scim:profiles.acme.rules.Group: Group is not in resourceTypes'],
    ['no attributes', acmeWith((p) => (p.extensions.User[0].attributes = [])), 'scim:profiles.acme.extensions.User[0].attributes: must declare at least one attribute'],
  ])('%s', (_what, input, expected) => {
    const found = problems(input);
    expect(found, found.join('\n')).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it('every problem of every profile at once, in one error whose message lists them', () => {
    const input = {
      ...acmeWith((p) => {
        p.resourceTypes = ['User', 'Users'];
        p.rules.User.dropInvalid[1].accept.pattern = '(?=x)';
      }),
      other: { description: 'x', resourceTypes: ['User'], lifecycle: { deactivation: 'purge' } },
    };
    expect(problems(input)).toEqual([
      expect.stringMatching(/^scim:profiles\.acme\.resourceTypes\[1\]: must be one of: User, Group$/),
      expect.stringMatching(/^scim:profiles\.acme\.rules\.User\.dropInvalid\[1\]\.accept\.pattern: lookaround is not supported/),
      expect.stringMatching(/^scim:profiles\.other\.lifecycle\.deactivation: must be one of: keep, delete$/),
    ]);
    expect(() => parseProfiles(input)).toThrow(/^invalid scim:profiles:\n {2}scim:profiles\.acme\.resourceTypes\[1\]/);
  });

  it('missing means none: the built-in profiles only', () => {
    expect(parseProfiles(undefined).registry.names).toEqual(['generic', 'askspoke', 'spaceiq', 'jostle', 'ideo']);
  });
});

describe('connectors naming configured profiles', () => {
  it('accepted when declared; an unknown one lists built-in and configured names', () => {
    const input = { acme: ACME };
    expect(parseConnectors([{ name: 'acme-hr', profile: 'acme' }], declaredProfileNames(input))).toEqual([{ name: 'acme-hr', profile: 'acme', basePath: 'scim/v2' }]);
    expect(problemsOf(() => parseConnectors([{ name: 'a' }, { name: 'b', profile: 'acme2' }], declaredProfileNames(input)), ConnectorConfigError)).toEqual(['scim:connectors[1].profile: must be one of: generic, askspoke, spaceiq, jostle, ideo, acme']);
  });
});

describe('parity: a built-in profile declared in configuration', () => {
  const registry = parseProfiles({ 'jostle-config': FIXTURE['jostle-config'], 'askspoke-config': FIXTURE['askspoke-config'] }).registry;

  it.each([
    ['jostle', 'jostle-config'],
    ['askspoke', 'askspoke-config'],
  ])('%s and %s serve the same schemas and resolve to the same behaviour', (builtIn, configured) => {
    const a = registry.get(builtIn);
    const b = registry.get(configured);
    const docs = (p: typeof a) => [p.schemas.user, p.schemas.group].flatMap((rs) => rs.schemas.map((s) => schemaDocument(s)));
    expect(docs(b)).toEqual(docs(a));
    expect([b.offers('Group'), b.deactivation, b.patchResponse, b.unknownMembers]).toEqual([a.offers('Group'), a.deactivation, a.patchResponse, a.unknownMembers]);
    expect(b.rules.User.dropInvalid.map((r) => b.schemas.user.canonicalPath(r.target))).toEqual(a.rules.User.dropInvalid.map((r) => a.schemas.user.canonicalPath(r.target)));
    expect(b.rules.User.immutable).toEqual(a.rules.User.immutable);
    expect(b.rules.User.required).toEqual(a.rules.User.required);
  });
});
