/**
 * IDEO, from its Entra ID tutorial (004): core user attributes (userName, work e-mail, active,
 * given and family name) and groups whose membership Entra updates by PATCH (never PUT), which
 * the core already does as item writes.
 */
import { defineProfile } from '../profile.js';

export const ideo = defineProfile({
  name: 'ideo',
  description: 'IDEO (Entra ID tutorial 004)',
  resourceTypes: ['User', 'Group'],
});
