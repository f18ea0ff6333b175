/**
 * Storage faults through the real HTTP path (local gateway → handlers → DynamoDB Local):
 *  - DynamoDB throttling, TransactionCanceled and 500s injected into the handlers' client while an
 *    IdP-like workload runs and retries (test/faults/support/workload.ts);
 *  - DynamoDB hanging (requests sent to a TCP black hole): the SDK timeouts and the handler
 *    deadline turn it into a 503 inside the client's timeout;
 *  - DynamoDB Local killed (SIGKILL) mid-run and restarted on the same data folder (reads in
 *    flight; writes held for the kill, see holdWrites for why).
 * Each time: every failed request is a SCIM 503 (or 429) with Retry-After, none is a 500 or leaks
 * internals, none outlives the client timeout; after recovery the data is exactly what the
 * lifecycle says and the storage invariants hold (test/faults/support/invariants.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { freePort, startDynamoDbLocal, type DynamoDbLocal } from '../../bin/local/dynamodb-local.js';
import { startLocalEndpoint, type LocalEndpoint } from '../../bin/local/endpoint.js';
import { parseConnectors } from '../../lambdas/connectors/config.js';
import { ScimClient } from '../e2e/support/local.js';
import { assertLoopback } from '../support/ddb.js';
import { attachFaults, faultControl, holdWrites, seeded, setFault, startBlackHole, type FaultKind } from './support/faults.js';
import { checkInvariants } from './support/invariants.js';
import { expectFinalState, expectWellFormedFailures, runWorker, type WorkerResult } from './support/workload.js';

const CLIENT_TIMEOUT_MS = 25_000; // below Entra's and Okta's request timeouts
const SEED = Number(process.env.FAULT_SEED ?? 20260110);

let dir: string;
let ddb: DynamoDbLocal | undefined;
let port: number;
let endpoint: LocalEndpoint;
let check: DynamoDBDocumentClient;
let blackHole: Awaited<ReturnType<typeof startBlackHole>>;
const faults = faultControl(seeded(SEED));

async function startDdb(): Promise<DynamoDbLocal> {
  return startDynamoDbLocal({ port, dbPath: join(dir, 'dynamodb') });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scim-faults-'));
  port = await freePort();
  ddb = await startDdb();
  blackHole = await startBlackHole();
  endpoint = await startLocalEndpoint({
    connectors: parseConnectors([{ name: 'alpha' }]),
    dir,
    port: 0,
    dynamodbEndpoint: assertLoopback(ddb.endpoint),
    tableName: 'faults',
    logLevel: 'SILENT',
    instrument: { documentClient: (doc) => attachFaults(doc, faults, () => blackHole.port) },
  });
  check = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: ddb.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 10 }),
  );
}, 120_000);

afterAll(async () => {
  await endpoint?.stop();
  check?.destroy();
  await blackHole?.close();
  await ddb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function client(): ScimClient {
  const c = endpoint.connectors.alpha!;
  return new ScimClient(c.tenantUrl, c.token);
}

async function expectInvariants(): Promise<void> {
  const report = await checkInvariants(check, endpoint.tableName, 'alpha');
  expect(report.violations).toEqual([]);
}

async function runWorkers(n: number, prefix: string, untilMs: number): Promise<WorkerResult[]> {
  const until = Date.now() + untilMs;
  return Promise.all(Array.from({ length: n }, (_, w) => runWorker(client(), w, { clientTimeoutMs: CLIENT_TIMEOUT_MS, until, prefix })));
}

describe('storage faults', () => {
  it.each<[FaultKind, number]>([
    ['throttle', 0.35],
    ['cancel', 0.85],
    ['unavailable', 0.35],
  ])('injected %s (p=%s): failures are SCIM 503 + Retry-After, retries converge, invariants hold', async (kind, probability) => {
    setFault(faults, kind, { probability });
    const results = await runWorkers(6, `inj-${kind}`, 90_000);
    const injected = Object.values(faults.injected).reduce((a, b) => a + b, 0);
    console.log(`faults ${kind}: injected ${injected} ${JSON.stringify(faults.injected)}`);
    setFault(faults, 'none');
    const answers = results.flatMap((r) => r.answers);
    const { failures, byStatus } = expectWellFormedFailures(answers, CLIENT_TIMEOUT_MS);
    console.log(`faults ${kind}: ${answers.length} requests, ${failures} failed ${JSON.stringify(byStatus)}`);
    expect(injected).toBeGreaterThan(0);
    // Transactions retry throttled/conflicting cancellations themselves, so those may all be absorbed.
    if (kind !== 'cancel') expect(byStatus[503] ?? 0).toBeGreaterThan(0);
    for (const r of results) await expectFinalState(client(), r, `inj-${kind}`);
    await expectInvariants();
  });

  it('DynamoDB hanging: SDK timeouts and the handler deadline answer 503 inside the client timeout', async () => {
    const c = client();
    const before = await c.post('/Users', { userName: 'hang-before@example.com' });
    expect(before.status).toBe(201);
    setFault(faults, 'hang');
    const started = performance.now();
    const [get, create, patch] = await Promise.all([
      c.get(`/Users/${before.body.id}`),
      c.post('/Users', { userName: 'hang-create@example.com' }),
      c.patch(`/Users/${before.body.id}`, [{ op: 'replace', path: 'active', value: false }]),
    ]);
    const ms = performance.now() - started;
    setFault(faults, 'none');
    for (const res of [get, create, patch]) {
      expect(res.status, res.text).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.body).toMatchObject({ status: '503', detail: expect.any(String) });
    }
    console.log(`hang: three requests answered 503 after ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(CLIENT_TIMEOUT_MS);
    // Nothing reached storage: the create did not happen, the user is unchanged.
    const after = await c.get(`/Users?filter=${encodeURIComponent('userName eq "hang-create@example.com"')}`);
    expect(after.body.totalResults).toBe(0);
    expect((await c.get(`/Users/${before.body.id}`)).body.active).toBeUndefined();
    await expectInvariants();
  }, 60_000);

  it('DynamoDB Local killed mid-run and restarted on its data: 503s only, then exactly the lifecycle', async () => {
    // Each worker repeats the lifecycle (fresh names per round) until DynamoDB has been back a while.
    let stop = false;
    const until = Date.now() + 120_000;
    const run = Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        const done: { result: WorkerResult; prefix: string }[] = [];
        for (let round = 0; !stop && round < 200; round++) {
          const prefix = `kill-r${round}`;
          done.push({ prefix, result: await runWorker(client(), w, { clientTimeoutMs: CLIENT_TIMEOUT_MS, until, prefix }) });
        }
        return done;
      }),
    );
    await new Promise((r) => setTimeout(r, 1500));
    const killed = ddb!;
    const releaseWrites = await holdWrites(faults, 1000);
    await new Promise<void>((resolve) => {
      killed.process.once('exit', () => resolve());
      killed.process.kill('SIGKILL');
    });
    const downAt = Date.now();
    releaseWrites(); // the held writes now meet a dead DynamoDB
    const held = faults.writesHeld;
    await new Promise((r) => setTimeout(r, 4000));
    ddb = await startDdb();
    const downMs = Date.now() - downAt;
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    const rounds = (await run).flat();
    const results = rounds.map((r) => r.result);
    const answers = results.flatMap((r) => r.answers);
    const { failures, byStatus } = expectWellFormedFailures(answers, CLIENT_TIMEOUT_MS);
    console.log(`kill: DynamoDB Local down ${downMs} ms; ${held} writes held for the kill; ${answers.length} requests, ${failures} failed ${JSON.stringify(byStatus)}`);
    expect(held).toBeGreaterThan(0); // the workload was writing when DynamoDB went
    expect(byStatus[503] ?? 0).toBeGreaterThan(0);
    expect(results.every((r) => r.completed)).toBe(true);
    for (const r of rounds) await expectFinalState(client(), r.result, r.prefix);
    await expectInvariants();
  }, 180_000);
});
