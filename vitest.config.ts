import { defineConfig } from 'vitest/config';

// One project per test kind so later work only adds files:
//  unit  — pure code (SCIM core, planners, codecs), no I/O
//  int   — storage against DynamoDB Local (started once by the global setup)
//  e2e   — real HTTP requests through the local gateway on 127.0.0.1
//  infra — CDK template assertions (synth in-process)
//  faults — storage/secret faults, fuzzing and a short soak against the local endpoint
// `npm test` runs the projects one after another (unit+infra, int, e2e, faults): each storage
// project starts its own DynamoDB Local (2 cores; all at once starved each other). Within a project
// the files share that DynamoDB Local, so test tables have no stream unless a test reads it: a
// stream record history (the 20k-member scale test writes 40k) made every later table's writes
// ~13x slower (test/support/ddb.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'int',
          include: ['test/int/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/dynamodb-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/dynamodb-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Faults (storage down/throttled/hanging, crashes between chunks, secrets unavailable),
        // hostile input (seeded fuzz over HTTP) and the short soak: see README "Reliability & security".
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/dynamodb-global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          // beforeAll synthesises the app: well over the 10 s default on a busy machine.
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
