/**
 * The core User schema, RFC 7643 §4.1, with the characteristics of its §8.7.1 representation.
 * Only sub-attributes that the RFC lists are declared: extra ones (e.g. invented `emails.*`
 * fields) make Entra's schema test fail (scim-clients.md §4 #29). `canonicalValues` are
 * advertised for discovery but never enforced (Jostle sends e-mail types `alternate1`, …).
 */
import { attr, complexAttr, multiValuedSubAttributes } from './define.js';
import { SCHEMA, type SchemaDefinition } from './types.js';

export const userSchema: SchemaDefinition = {
  id: SCHEMA.user,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'Unique identifier for the User, typically used to sign in; unique per service provider. REQUIRED.', {
      required: true,
      uniqueness: 'server',
    }),
    complexAttr('name', "The components of the user's real name.", [
      attr('formatted', 'The full name, formatted for display.'),
      attr('familyName', 'The family (last) name.'),
      attr('givenName', 'The given (first) name.'),
      attr('middleName', 'The middle name(s).'),
      attr('honorificPrefix', "The honorific prefix(es), e.g. 'Ms.'."),
      attr('honorificSuffix', "The honorific suffix(es), e.g. 'III'."),
    ]),
    attr('displayName', 'The name of the User, suitable for display to end-users.'),
    attr('nickName', "The casual way to address the user, e.g. 'Bob' instead of 'Robert'."),
    attr('profileUrl', "A fully qualified URL of the User's online profile.", {
      type: 'reference',
      referenceTypes: ['external'],
    }),
    attr('title', "The user's title, such as 'Vice President'."),
    attr('userType', "The relationship between the organization and the user, e.g. 'Employee'."),
    attr('preferredLanguage', "The User's preferred written or spoken language, e.g. 'en-US'."),
    attr('locale', "The User's default location for localizing items, e.g. 'en-US'."),
    attr('timezone', "The User's time zone in IANA format, e.g. 'America/Los_Angeles'."),
    attr('active', "The User's administrative status.", { type: 'boolean' }),
    attr('password', "The User's cleartext password, write-only.", {
      mutability: 'writeOnly',
      returned: 'never',
    }),
    complexAttr(
      'emails',
      "Email addresses for the User. Canonical type values: 'work', 'home', 'other'.",
      multiValuedSubAttributes({
        valueDescription: 'An email address for the User.',
        typeDescription: "A label indicating the attribute's function, e.g. 'work' or 'home'.",
        canonicalTypes: ['work', 'home', 'other'],
      }),
      { multiValued: true },
    ),
    complexAttr(
      'phoneNumbers',
      "Phone numbers for the User. Canonical type values: 'work', 'home', 'mobile', 'fax', 'pager', 'other'.",
      multiValuedSubAttributes({
        valueDescription: 'A phone number for the User.',
        typeDescription: "A label indicating the attribute's function, e.g. 'work', 'home', 'mobile'.",
        canonicalTypes: ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
      }),
      { multiValued: true },
    ),
    complexAttr(
      'ims',
      'Instant messaging addresses for the User.',
      multiValuedSubAttributes({
        valueDescription: 'An instant messaging address for the User.',
        typeDescription: "A label indicating the attribute's function, e.g. 'aim', 'gtalk', 'xmpp'.",
        canonicalTypes: ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'],
      }),
      { multiValued: true },
    ),
    complexAttr(
      'photos',
      'URLs of photos of the User.',
      multiValuedSubAttributes({
        valueDescription: 'The URL of a photo of the User.',
        valueType: 'reference',
        valueReferenceTypes: ['external'],
        typeDescription: "A label indicating the attribute's function: 'photo' or 'thumbnail'.",
        canonicalTypes: ['photo', 'thumbnail'],
      }),
      { multiValued: true },
    ),
    complexAttr(
      'addresses',
      "Physical mailing addresses for the User. Canonical type values: 'work', 'home', 'other'.",
      [
        attr('formatted', 'The full mailing address, formatted for display; may contain newlines.'),
        attr('streetAddress', 'The full street address component; may contain newlines.'),
        attr('locality', 'The city or locality component.'),
        attr('region', 'The state or region component.'),
        attr('postalCode', 'The zip code or postal code component.'),
        attr('country', 'The country name component (ISO 3166-1 alpha-2).'),
        attr('type', "A label indicating the attribute's function, e.g. 'work' or 'home'.", {
          canonicalValues: ['work', 'home', 'other'],
        }),
        // §4.1.2 and §2.4 give addresses a `primary` (Entra sends it); §8.7.1 omits it by oversight.
        attr('primary', "Whether this is the 'primary' or preferred address; 'true' appears at most once.", {
          type: 'boolean',
        }),
      ],
      { multiValued: true },
    ),
    complexAttr(
      'groups',
      'The groups the User belongs to, directly or indirectly. Read-only: managed through Group membership.',
      [
        attr('value', "The identifier of the User's group.", { mutability: 'readOnly' }),
        attr('$ref', "The URI of the corresponding 'Group' resource.", {
          type: 'reference',
          referenceTypes: ['User', 'Group'],
          mutability: 'readOnly',
        }),
        attr('display', 'A human-readable name, primarily used for display purposes.', { mutability: 'readOnly' }),
        attr('type', "A label indicating the membership's function, e.g. 'direct' or 'indirect'.", {
          canonicalValues: ['direct', 'indirect'],
          mutability: 'readOnly',
        }),
      ],
      { multiValued: true, mutability: 'readOnly' },
    ),
    complexAttr(
      'entitlements',
      'A list of entitlements for the User that represent a thing the User has.',
      multiValuedSubAttributes({
        valueDescription: 'The value of an entitlement.',
        typeDescription: "A label indicating the attribute's function.",
      }),
      { multiValued: true },
    ),
    complexAttr(
      'roles',
      "A list of roles for the User that collectively represent who the User is, e.g. 'Student'.",
      multiValuedSubAttributes({
        valueDescription: 'The value of a role.',
        typeDescription: "A label indicating the attribute's function.",
      }),
      { multiValued: true },
    ),
    complexAttr(
      'x509Certificates',
      'A list of certificates issued to the User.',
      multiValuedSubAttributes({
        valueDescription: 'The value of an X.509 certificate (base64 DER).',
        valueType: 'binary',
        typeDescription: "A label indicating the attribute's function.",
      }),
      { multiValued: true },
    ),
  ],
};
