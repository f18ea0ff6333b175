/**
 * The change-event mapping stays pure: the store's codecs and keys, the SCIM core, and the
 * DynamoDB attribute-value codec — no clients, no handlers, no I/O — so the Lambda publisher and
 * the local tailer are guaranteed to run the same thing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '..', '..', '..', 'lambdas', 'events');
const ALLOWED = [/^\.\/schema\.js$/, /^\.\.\/store\/(items|keys)\.js$/, /^\.\.\/scim\//, /^node:crypto$/, /^@aws-sdk\/util-dynamodb$/];

describe('lambdas/events layering', () => {
  for (const file of ['mapping.ts', 'schema.ts']) {
    it(`${file} imports only codecs, keys and the SCIM core`, () => {
      const src = readFileSync(join(dir, file), 'utf8');
      const specs = [...src.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      expect(specs.length).toBeGreaterThan(0);
      expect(specs.filter((s) => !ALLOWED.some((re) => re.test(s)))).toEqual([]);
    });
  }
});
