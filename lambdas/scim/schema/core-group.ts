/**
 * The core Group schema, RFC 7643 §4.2 / §8.7.1. `displayName` is REQUIRED per §4.2's text (the
 * §8.7.1 JSON says `required: false`; we follow the prose, both clients always send it).
 * `members.display` is not in §8.7.1's JSON but is used in §8.4's example and sent by Okta on
 * membership adds, so it is declared (immutable like its siblings).
 */
import { attr, complexAttr } from './define.js';
import { SCHEMA, type SchemaDefinition } from './types.js';

export const groupSchema: SchemaDefinition = {
  id: SCHEMA.group,
  name: 'Group',
  description: 'Group',
  attributes: [
    attr('displayName', 'A human-readable name for the Group. REQUIRED.', { required: true }),
    complexAttr(
      'members',
      'A list of members of the Group.',
      [
        attr('value', "The 'id' of a member of the Group.", { mutability: 'immutable' }),
        attr('$ref', 'The URI of the member resource (a User or a Group).', {
          type: 'reference',
          referenceTypes: ['User', 'Group'],
          mutability: 'immutable',
        }),
        attr('display', 'A human-readable name for the member, primarily used for display purposes.', {
          mutability: 'immutable',
        }),
        attr('type', "The type of the member: 'User' or 'Group'.", {
          canonicalValues: ['User', 'Group'],
          mutability: 'immutable',
        }),
      ],
      { multiValued: true },
    ),
  ],
};
