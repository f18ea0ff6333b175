/**
 * Jostle, from its Entra ID tutorial (003): users only; e-mails of types work, personal,
 * alternate1 and alternate2 (core `emails`, types are not restricted to the canonical ones), and
 * the jostle extension with the labels of the two alternate e-mails. The tutorial's "Jostle sends
 * its own failure notifications" is the connector's `alarmEmail` here (cdk.json).
 */
import { attr } from '../../scim/schema/define.js';
import type { SchemaDefinition } from '../../scim/schema/types.js';
import { defineProfile } from '../profile.js';

export const JOSTLE_USER = 'urn:ietf:params:scim:schemas:extension:jostle:2.0:User';

export const jostleUserSchema: SchemaDefinition = {
  id: JOSTLE_USER,
  name: 'JostleUser',
  description: 'Jostle user attributes',
  attributes: [
    attr('alternateEmail1Label', 'Label of the e-mail address of type "alternate1"'),
    attr('alternateEmail2Label', 'Label of the e-mail address of type "alternate2"'),
  ],
};

export const jostle = defineProfile({
  name: 'jostle',
  description: 'Jostle (Entra ID tutorial 003), users only',
  resourceTypes: ['User'],
  extensions: { User: [jostleUserSchema] },
});
