/**
 * Common attributes (RFC 7643 §3.1): part of every resource but of no schema, so they are not
 * listed in `/Schemas` documents. Modelled as definitions so path resolution, normalisation and
 * projection treat them like any other attribute.
 */
import { attr, complexAttr } from './define.js';
import type { AttributeDefinition } from './types.js';

export const commonAttributes: readonly AttributeDefinition[] = [
  attr('id', 'A unique identifier for the resource, assigned by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attr('externalId', 'An identifier for the resource as defined by the provisioning client.', { caseExact: true }),
  complexAttr(
    'meta',
    'Resource metadata maintained by the service provider.',
    [
      attr('resourceType', 'The name of the resource type of the resource.', { caseExact: true, mutability: 'readOnly' }),
      attr('created', 'The time the resource was added to the service provider.', {
        type: 'dateTime',
        mutability: 'readOnly',
      }),
      attr('lastModified', 'The most recent time the resource was modified.', {
        type: 'dateTime',
        mutability: 'readOnly',
      }),
      attr('location', 'The URI of the resource.', {
        type: 'reference',
        referenceTypes: ['uri'],
        caseExact: true,
        mutability: 'readOnly',
      }),
      attr('version', 'The version (entity tag) of the resource.', { caseExact: true, mutability: 'readOnly' }),
    ],
    { mutability: 'readOnly' },
  ),
];
