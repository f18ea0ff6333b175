/**
 * Profile rules on normalised documents (lambdas/connectors/rules.ts), the phone check, and the
 * registry: every registered profile resolves (rule paths exist in its schemas).
 */
import { describe, expect, it } from 'vitest';
import { defineProfile } from '../../../lambdas/connectors/profile.js';
import { PROFILE_NAMES, PROFILES, profileRegistry } from '../../../lambdas/connectors/profiles.js';
import { SPOKE_CUSTOM_USER } from '../../../lambdas/connectors/profiles/askspoke.js';
import { applyRules, ProfileError, resolveProfile } from '../../../lambdas/connectors/rules.js';
import { TOLL_FREE_AREA_CODES, usPhoneNumber } from '../../../lambdas/connectors/values.js';
import { ScimError } from '../../../lambdas/scim/errors.js';
import { normalizeResource } from '../../../lambdas/scim/normalize.js';
import { applyPatch } from '../../../lambdas/scim/patch/apply.js';
import { parsePatchRequest } from '../../../lambdas/scim/patch/request.js';
import type { ScimResource } from '../../../lambdas/scim/schema/types.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const builtIn = profileRegistry();
const profileFor = (name: string) => builtIn.get(name);

describe('registry', () => {
  it.each(PROFILE_NAMES)('%s resolves under its own name', (name) => {
    const p = profileFor(name);
    expect(p.name).toBe(name);
    expect(PROFILES[name].name).toBe(name);
    expect(p.offers('User')).toBe(true);
  });

  it('generic: core User + Enterprise User + Group, no rules, keep on deactivation, PATCH 204', () => {
    const p = profileFor('generic');
    expect(p.schemas.user.schemas.map((s) => s.id)).toEqual([USER, ENTERPRISE]);
    expect(p.offers('Group')).toBe(true);
    expect(p.rules.User.empty && p.rules.Group.empty).toBe(true);
    expect([p.deactivation, p.patchResponse]).toEqual(['keep', 'noContent']);
    const doc = { schemas: [USER], userName: 'a' };
    expect(applyRules(p.schemas.user, p.rules.User, doc, doc)).toBe(doc);
  });

  it('per app: extensions, resource types, lifecycle, PATCH answer', () => {
    expect(profileFor('askspoke').schemas.user.resolveUrn(SPOKE_CUSTOM_USER.toLowerCase())?.id).toBe(SPOKE_CUSTOM_USER);
    expect(profileFor('jostle').schemas.user.resolveText('urn:ietf:params:scim:schemas:extension:jostle:2.0:User:alternateEmail2Label')).toBeDefined();
    expect(profileFor('jostle').offers('Group')).toBe(false);
    expect(['spaceiq', 'ideo', 'askspoke'].every((n) => profileFor(n).offers('Group'))).toBe(true);
    expect(profileFor('askspoke')).toMatchObject({ deactivation: 'delete', patchResponse: 'resource' });
  });

  it('a malformed profile fails when resolved, naming the path', () => {
    const bad = (rules: object) => () => resolveProfile(defineProfile({ name: 'x', description: '', resourceTypes: ['User'], rules: { User: rules } }));
    expect(bad({ immutable: ['nickname.value'] })).toThrow(ProfileError);
    expect(bad({ required: ['noSuchThing'] })).toThrow(/User required attribute "noSuchThing" is not an attribute/);
    expect(bad({ immutable: ['emails.value'] })).toThrow(/multi-valued/);
    expect(bad({ immutable: ['id'] })).toThrow(/read-only/);
    expect(() => resolveProfile({ name: 'Has Space', description: '', resourceTypes: ['User'] })).toThrow(ProfileError);
    expect(() => resolveProfile({ name: 'g', description: '', resourceTypes: ['Group'] })).toThrow(/must include User/);
  });
});

describe('US phone numbers (askSpoke)', () => {
  const ok = usPhoneNumber();
  it.each(['(415) 555-0123', '415-555-0123', '415.555.0123', '4155550123', '+1 415 555 0123', '1-415-555-0123', '+14155550123'])('accepts %s', (n) => {
    expect(ok(n)).toBe(true);
  });
  it.each([
    '555-0123', // 7 digits
    '415-555-01234', // 11 digits not starting with 1
    '+44 20 7946 0958', // not US
    '+2 415 555 0123',
    '(015) 555-0123', // area code starts with 0
    '(415) 155-0123', // exchange starts with 1
    '(911) 555-0123', // N11
    '415-555-0123 x12', // extension
    'call me',
    '',
    ...TOLL_FREE_AREA_CODES.map((a) => `1-${a}-555-0123`),
  ])('refuses %s', (n) => {
    expect(ok(n)).toBe(false);
  });
  it('toll-free codes are 800, 833, 844, 855, 866, 877, 888; allowTollFree lets them through', () => {
    expect(TOLL_FREE_AREA_CODES).toEqual(['800', '833', '844', '855', '866', '877', '888']);
    expect(usPhoneNumber({ allowTollFree: true })('1-888-555-0123')).toBe(true);
  });
});

describe('askSpoke rules', () => {
  const p = profileFor('askspoke');
  const rs = p.schemas.user;
  const rules = p.rules.User;
  const create = (body: object) => applyRules(rs, rules, normalizeResource(rs, body));
  const update = (body: object, current: ScimResource) => applyRules(rs, rules, normalizeResource(rs, body), current);
  const base = { userName: 'ann@example.com', emails: [{ type: 'work', value: 'ann@example.com', primary: true }] };

  it('create: invalid phone numbers are dropped, valid ones and everything else kept verbatim', () => {
    const out = create({
      ...base,
      phoneNumbers: [
        { type: 'work', value: '(415) 555-0123' },
        { type: 'mobile', value: '1-800-555-0199' },
        { type: 'fax', value: 'n/a' },
      ],
      [SPOKE_CUSTOM_USER]: { startDate: '20240115000000.0Z' },
    });
    expect(out.phoneNumbers).toEqual([{ type: 'work', value: '(415) 555-0123' }]);
    expect(out[SPOKE_CUSTOM_USER]).toEqual({ startDate: '20240115000000.0Z' });
    expect(out.schemas).toEqual([USER, SPOKE_CUSTOM_USER]);
  });

  it('create: no valid phone at all → phoneNumbers absent', () => {
    expect(create({ ...base, phoneNumbers: [{ type: 'work', value: '888-555-0100' }] })).not.toHaveProperty('phoneNumbers');
  });

  it('create: emails are required (email is the identifier)', () => {
    expect(() => create({ userName: 'x' })).toThrow(ScimError);
    expect(() => create({ userName: 'x' })).toThrow(/'emails' is required by this connector/);
  });

  it('update: an invalid phone keeps the stored number of the same type', () => {
    const current = create({ ...base, phoneNumbers: [{ type: 'work', value: '415-555-0123' }] });
    const out = update({ ...base, phoneNumbers: [{ type: 'work', value: '1-888-555-0000' }, { type: 'mobile', value: '212-555-0100' }] }, current);
    expect(out.phoneNumbers).toEqual([{ type: 'mobile', value: '212-555-0100' }, { type: 'work', value: '415-555-0123' }]);
  });

  it('update: userName and emails changes are ignored on PUT bodies and on PATCH results, removals too', () => {
    const current = create({ ...base, title: 'Engineer' });
    const put = update({ userName: 'new@example.com', emails: [{ type: 'work', value: 'new@example.com' }], title: 'Lead' }, current);
    expect(put).toMatchObject({ userName: 'ann@example.com', emails: base.emails, title: 'Lead' });
    const ops = (...Operations: object[]) => parsePatchRequest({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
    const patched = applyPatch(rs, current, ops(
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' },
      { op: 'replace', path: 'userName', value: 'new' },
      { op: 'replace', path: 'title', value: 'Lead' },
    ));
    expect(applyRules(rs, rules, normalizeResource(rs, patched), current)).toMatchObject({ userName: 'ann@example.com', emails: base.emails, title: 'Lead' });
    const removed = applyPatch(rs, current, ops({ op: 'remove', path: 'emails' }));
    expect(applyRules(rs, rules, normalizeResource(rs, removed), current).emails).toEqual(base.emails);
  });

  it('does not modify its input', () => {
    const doc = normalizeResource(rs, { ...base, phoneNumbers: [{ type: 'work', value: 'bad' }] });
    const copy = structuredClone(doc);
    applyRules(rs, rules, doc);
    expect(doc).toEqual(copy);
  });
});

describe('rule shapes', () => {
  const p = resolveProfile({
    name: 'shapes',
    description: '',
    resourceTypes: ['User'],
    rules: {
      User: {
        dropInvalid: [
          { path: 'title', description: 'no digits', accept: (v) => typeof v === 'string' && !/\d/.test(v) },
          { path: 'name.givenName', description: 'short', accept: (v) => typeof v === 'string' && v.length < 10 },
          { path: `${ENTERPRISE}:department`, description: 'upper', accept: (v) => typeof v === 'string' && v === v.toUpperCase() },
        ],
        immutable: ['name.familyName', `${ENTERPRISE}:employeeNumber`],
      },
    },
  });
  const rs = p.schemas.user;
  const run = (body: object, current?: ScimResource) => applyRules(rs, p.rules.User, normalizeResource(rs, body), current);

  it('single values, sub-attributes of a single complex and extension attributes', () => {
    const out = run({ userName: 'u', title: 'R2D2', name: { givenName: 'Bartholomew', familyName: 'F' }, [ENTERPRISE]: { department: 'sales' } });
    expect(out).not.toHaveProperty('title');
    expect(out.name).toEqual({ familyName: 'F' });
    expect(out).not.toHaveProperty(ENTERPRISE);
    expect(out.schemas).toEqual([USER]);
  });

  it('immutable sub-attribute and extension attribute: settable while absent, then frozen', () => {
    const first = run({ userName: 'u', name: { givenName: 'A' } });
    const set = run({ userName: 'u', name: { givenName: 'A', familyName: 'F' }, [ENTERPRISE]: { employeeNumber: '7' } }, first);
    expect(set).toMatchObject({ name: { familyName: 'F' }, [ENTERPRISE]: { employeeNumber: '7' } });
    const changed = run({ userName: 'u', name: { givenName: 'B', familyName: 'G' } }, set);
    expect(changed).toMatchObject({ name: { givenName: 'B', familyName: 'F' }, [ENTERPRISE]: { employeeNumber: '7' } });
    expect(changed.schemas).toEqual([USER, ENTERPRISE]);
  });
});
