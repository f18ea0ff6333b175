/** The default profile: core User + Enterprise User + core Group, every resource type, no rules. */
import { defineProfile } from '../profile.js';

export const generic = defineProfile({
  name: 'generic',
  description: 'Core User + Enterprise User + Group, everything on (the default)',
  resourceTypes: ['User', 'Group'],
});
