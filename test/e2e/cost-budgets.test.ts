/**
 * Cost budgets through the real HTTP path: DynamoDB calls per SCIM operation are deterministic, so
 * they are asserted here (the same measurement `npm run bench` prints as measure 5). Calls are
 * counted inside the handler per HTTP request (test/bench/support/probe.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEASURED_OPS } from '../../bin/cost/figures.js';
import { measureCosts, type CostRow } from '../bench/cost.js';
import { startBenchEnv, type BenchEnv } from '../bench/support/env.js';
import { assertLoopback } from '../support/ddb.js';

let env: BenchEnv;
let result: Awaited<ReturnType<typeof measureCosts>>;

beforeAll(async () => {
  env = await startBenchEnv({ dynamodbEndpoint: assertLoopback(process.env.DYNAMODB_ENDPOINT), connectors: ['cost'] });
  result = await measureCosts(env);
  console.log(
    `\nDynamoDB cost per SCIM operation over HTTP\n${result.rows.map((r) => `  ${r.op}: ${r.calls} calls (budget ${r.budget}) ${r.byApi}, RCU ${r.rcu}, WCU ${r.wcu}`).join('\n')}\n`,
  );
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

describe('cost budgets over HTTP', () => {
  it('every operation succeeded and stays within its DynamoDB call budget', () => {
    const over = result.rows.filter((r: CostRow) => r.status >= 300 || r.calls > r.budget).map((r) => `${r.op}: status ${r.status}, ${r.calls} calls > ${r.budget} (${r.byApi}) — ${r.why}`);
    expect(over).toEqual([]);
    expect(result.rows.length).toBeGreaterThanOrEqual(25);
  });

  it('creates are one transaction; reads by id one GetItem', () => {
    const row = (op: string) => result.rows.find((r) => r.op === op);
    expect(row('POST /Users')?.byApi).toBe('TransactWriteItems×1');
    expect(row('POST /Groups')?.byApi).toBe('TransactWriteItems×1');
    expect(row('GET /Users/{id}?excludedAttributes=groups')?.byApi).toBe('GetItem×1');
    expect(row('GET /Groups/{id}?excludedAttributes=members')?.byApi).toBe('GetItem×1');
  });

  it('adding a member costs the same for a group of 1 and a group of 1000', () => {
    expect(result.sameForGroupSize).toBe(true);
  });

  it('the authorizer reads no DynamoDB', () => {
    expect(result.authorizerCalls).toBe(0);
  });

  it('the cost model (npm run cost, bin/cost/figures.ts) prices exactly these measurements', () => {
    for (const [op, m] of Object.entries(MEASURED_OPS)) {
      const row = result.rows.find((r) => r.op === op);
      expect(row, `${op} is no longer measured by test/bench/cost.ts`).toBeDefined();
      const calls = Object.fromEntries(row!.byApi.split(' ').map((x) => [x.split('×')[0], Number(x.split('×')[1])]));
      expect({ status: row!.status, calls, rcu: row!.rcu, wcu: row!.wcu }, `${op}: update MEASURED_OPS in bin/cost/figures.ts`).toEqual({ status: m.status, calls: m.calls, rcu: m.rcu, wcu: m.wcu });
    }
  });
});
