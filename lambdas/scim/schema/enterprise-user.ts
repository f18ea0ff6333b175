/**
 * The Enterprise User extension, RFC 7643 §4.3 / §8.7.1. `manager` is complex with
 * `value`/`$ref`/`displayName` (readOnly); Entra sends it as a bare id string, normalisation turns
 * that into `{value}` (scim-clients.md §4 #6).
 */
import { attr, complexAttr } from './define.js';
import { SCHEMA, type SchemaDefinition } from './types.js';

export const enterpriseUserSchema: SchemaDefinition = {
  id: SCHEMA.enterpriseUser,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attr('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person by the organization.'),
    attr('costCenter', 'Identifies the name of a cost center.'),
    attr('organization', 'Identifies the name of an organization.'),
    attr('division', 'Identifies the name of a division.'),
    attr('department', 'Identifies the name of a department.'),
    complexAttr("manager", "The User's manager.", [
      attr('value', "The 'id' of the SCIM resource representing the User's manager."),
      attr('$ref', "The URI of the SCIM resource representing the User's manager.", {
        type: 'reference',
        referenceTypes: ['User'],
      }),
      attr('displayName', "The displayName of the User's manager.", { mutability: 'readOnly' }),
    ]),
  ],
};
