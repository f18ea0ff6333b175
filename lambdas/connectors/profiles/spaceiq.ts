/**
 * SpaceIQ, from its Entra ID tutorial (001): users and groups with the standard attributes, bearer
 * token. Its Tenant URL ends in `/scim`: that is the connector's `basePath`, not part of the profile.
 */
import { defineProfile } from '../profile.js';

export const spaceiq = defineProfile({
  name: 'spaceiq',
  description: 'SpaceIQ (Entra ID tutorial 001)',
  resourceTypes: ['User', 'Group'],
});
