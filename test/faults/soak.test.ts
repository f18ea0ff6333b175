/**
 * The CI version of the soak (test/soak/soak.ts): 32 clients, Entra and Okta patterns, ~20 s on
 * the shared DynamoDB Local. Zero errors, and the server's heap after GC does not run away.
 * The 10-minute run is `npm run soak`.
 */
import { describe, expect, it } from 'vitest';
import { runSoak } from '../soak/soak.js';
import { assertLoopback } from '../support/ddb.js';

describe('soak (short)', () => {
  it('32 clients for 20 s: no errors, bounded server memory', async () => {
    const report = await runSoak({ minutes: Number(process.env.SOAK_MINUTES ?? 1 / 3), sampleEveryMs: 2000, dynamodbEndpoint: assertLoopback(process.env.DYNAMODB_ENDPOINT) });
    expect(report.errorSamples).toEqual([]);
    expect(report.errors).toBe(0);
    expect(report.requests).toBeGreaterThan(500);
    expect(report.memory.end.heapUsed - report.memory.start.heapUsed).toBeLessThan(64 * 1024 * 1024);
  });
});
