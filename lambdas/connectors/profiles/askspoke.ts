/**
 * askSpoke, from its Entra ID tutorial (000: attribute table with the SpokeCustom `startDate`,
 * groups with members) and its Okta guide (002: deactivation removes the account; only valid
 * 10-digit US phone numbers, no toll-free, invalid ones silently ignored; email and userName
 * updates ignored because email is the unique identifier).
 */
import { attr } from '../../scim/schema/define.js';
import type { SchemaDefinition } from '../../scim/schema/types.js';
import { defineProfile } from '../profile.js';

export const SPOKE_CUSTOM_USER = 'urn:ietf:params:scim:schemas:extension:SpokeCustom:2.0:User';

/** `startDate` is declared String by the tutorial: stored verbatim, never parsed as a dateTime. */
export const spokeCustomUserSchema: SchemaDefinition = {
  id: SPOKE_CUSTOM_USER,
  name: 'SpokeCustomUser',
  description: 'askSpoke custom user attributes',
  attributes: [attr('startDate', "The user's start date, as the identity provider sends it (any format)", { caseExact: true })],
};

export const askspoke = defineProfile({
  name: 'askspoke',
  description: 'askSpoke (Entra ID tutorial 000, Okta guide 002)',
  resourceTypes: ['User', 'Group'],
  extensions: { User: [spokeCustomUserSchema] },
  rules: {
    User: {
      dropInvalid: [
        {
          path: 'phoneNumbers.value',
          description: 'a valid 10-digit US number, not toll-free (800, 833, 844, 855, 866, 877, 888)',
          accept: 'usPhone', // values.ts usPhoneNumber(), compiled like a configured profile's
        },
      ],
      // "askSpoke will ignore any updates made to email addresses or usernames" (002).
      immutable: ['userName', 'emails'],
      // Email is askSpoke's unique identifier for a user.
      required: ['emails'],
    },
  },
  // "for this application, deactivating a user means removing the user's account" (002).
  lifecycle: { deactivation: 'delete' },
  // Okta's SCIM guide answers PATCH with the updated user; Entra accepts either.
  responses: { patch: 'resource' },
});
