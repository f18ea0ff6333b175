/**
 * Request limits of the SCIM core, in one place so they are documented (README "Reliability &
 * security"), advertised (ServiceProviderConfig, lambdas/http/actions/discovery.ts) and enforced
 * from the same numbers. They exist so that hostile or broken input is answered with a SCIM 400
 * before it reaches storage: a user at every limit still fits one DynamoDB item (400 KB), because
 * the stored document is capped at MAX_RESOURCE_BYTES whatever the attribute mix.
 *
 * Errors: a value, a multi-valued attribute or a document over its limit → 400 `invalidValue`;
 * too many PATCH operations or members in one request, or members in one response → 400 `tooMany`; filters → 400
 * `invalidFilter` (filter/parse.ts). The body size (413) and `count` ceiling live in the HTTP layer.
 */
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH } from './filter/parse.js';
import { MAX_PATCH_OPERATIONS } from './patch/request.js';

/** Characters (UTF-16 code units) of one string/reference/binary value (x509 certificates fit). */
export const MAX_VALUE_LENGTH = 8192;
/** Elements of one multi-valued attribute other than `members` (emails, phoneNumbers, roles, …). */
export const MAX_MULTI_VALUES = 100;
/** Member values one request may carry (POST/PUT `members`, or all member values of a PATCH). */
export const MAX_MEMBERS_PER_REQUEST = 10_000;
/**
 * Members one response may carry inline: one group, or all groups of a list page together. A member
 * with `$ref` is ~180-220 bytes, so this is about what Lambda's 6 MB response payload holds; over it
 * → 400 `tooMany` before any member is read (the HTTP layer checks the exact size of what is read).
 */
export const MAX_MEMBERS_PER_RESPONSE = 30_000;
/** UTF-8 bytes of a resource's stored attributes (the JSON document); DynamoDB's item limit is 400 KB. */
export const MAX_RESOURCE_BYTES = 256 * 1024;

export { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_PATCH_OPERATIONS };

export const CORE_LIMITS = {
  maxValueLength: MAX_VALUE_LENGTH,
  maxMultiValues: MAX_MULTI_VALUES,
  maxMembersPerRequest: MAX_MEMBERS_PER_REQUEST,
  maxMembersPerResponse: MAX_MEMBERS_PER_RESPONSE,
  maxResourceBytes: MAX_RESOURCE_BYTES,
  maxPatchOperations: MAX_PATCH_OPERATIONS,
  maxFilterLength: MAX_FILTER_LENGTH,
  maxFilterDepth: MAX_FILTER_DEPTH,
} as const;

const utf8 = new TextEncoder();

/** The stored document's size in UTF-8 bytes (what DynamoDB counts). */
export function documentBytes(doc: unknown): number {
  return utf8.encode(typeof doc === 'string' ? doc : JSON.stringify(doc)).length;
}
