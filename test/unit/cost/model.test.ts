/**
 * The cost model (bin/cost/model.ts): a small case worked out by hand, monotonic in users,
 * connectors multiplying what is per connector and not what is per stack, the IdP patterns, prices
 * as inputs, and input validation.
 */
import { describe, expect, it } from 'vitest';
import { IDP_PATTERNS, MEASURED_OPS, requestLineBytes, STACK, storedBytes } from '../../../bin/cost/figures.js';
import { DAYS_PER_MONTH, DEFAULT_INPUT, estimateCost, inputProblems, type CostInput, type CostResult, type LineItemId } from '../../../bin/cost/model.js';
import { PRICES } from '../../../bin/cost/prices.js';

const item = (r: CostResult, id: LineItemId) => r.items.find((x) => x.id === id)!;
const input = (o: Partial<CostInput>): CostInput => ({ ...DEFAULT_INPUT, ...o });

describe('a small directory, by hand', () => {
  // 10 users, 2 groups, 1 membership each, one Entra ID connector; 10 % churn = 1 changed user a day, no membership change.
  const r = estimateCost(input({ users: 10, groups: 2, connectors: 1, oktaConnectors: 0, dailyChurn: 0.1, membershipsPerUser: 1, memberChangesPerChange: 0 }));

  it('initial cycle: 34 requests, 132 WRU, 24 RRU', () => {
    // users 10 × (GET miss + POST) = 20, groups 2 × (GET + POST) = 4, memberships 10 × PATCH = 10
    expect(r.initial.scimRequests).toBe(34);
    expect(item(r, 'apiGateway').initialUsd).toBeCloseTo((34 / 1e6) * 3.5, 12);
    // WRU: POST /Users 10 × 6 + POST /Groups 2 × 6 + PATCH add 10 × 6; RRU: 10 × 1 + 2 × 2 + 10 × 1
    expect(item(r, 'dynamoRequests').initialUsd).toBeCloseTo((132 / 1e6) * 0.625 + (24 / 1e6) * 0.125, 12);
    expect(r.initial.events).toEqual({ user: 10, group: 2, member: 10 });
  });

  it('a month: one changed user a day = GET ?filter + PATCH', () => {
    const perMonth = 2 * DAYS_PER_MONTH;
    expect(r.monthly.scimRequests).toBeCloseTo(perMonth, 9);
    expect(r.monthly.requests).toEqual({ 'GET /Users?filter=userName eq': DAYS_PER_MONTH, 'PATCH /Users/{id} (non-unique attributes)': DAYS_PER_MONTH });
    expect(item(r, 'apiGateway').monthlyUsd).toBeCloseTo((perMonth / 1e6) * 3.5, 12);
    // RRU: GET 2 + PATCH 1, + the sweeper's empty query 0.5 × 2,920 runs; WRU: PATCH 1
    expect(item(r, 'dynamoRequests').monthlyUsd).toBeCloseTo(((3 * DAYS_PER_MONTH + 0.5 * 2920) / 1e6) * 0.125 + (DAYS_PER_MONTH / 1e6) * 0.625, 12);
  });

  it('fixed parts: 2 secrets, 1 dashboard, 22 alarm metrics (12 fixed + 10 for the one connector)', () => {
    expect(item(r, 'dashboard').monthlyUsd).toBe(3);
    expect(item(r, 'alarms').monthlyUsd).toBeCloseTo(22 * 0.1, 12);
    expect(item(r, 'secrets').monthlyUsd).toBeGreaterThanOrEqual(2 * 0.4);
    expect(item(r, 'secrets').monthlyUsd).toBeLessThan(2 * 0.4 + 0.01);
  });

  it('storage: the codecs\' item sizes × (storage + PITR)', () => {
    const s = storedBytes();
    const bytes = 10 * s.user + 2 * s.group + 10 * s.membership + s.fixedPerConnector;
    expect(r.storedBytes).toBe(bytes);
    expect(item(r, 'dynamoStorage').monthlyUsd).toBeCloseTo((bytes / 1024 ** 3) * (0.25 + 0.2), 12);
  });

  it('totals add the line items; the first month is initial + one month', () => {
    expect(r.totals.monthlyUsd).toBeCloseTo(r.items.reduce((n, x) => n + x.monthlyUsd, 0), 12);
    expect(r.totals.firstMonthUsd).toBeCloseTo(r.totals.initialUsd + r.totals.monthlyUsd, 12);
  });
});

describe('shape of the model', () => {
  it('grows with users: no line item falls, the totals rise', () => {
    const sizes = [100, 1_000, 10_000, 100_000, 1_000_000];
    const results = sizes.map((users) => estimateCost(input({ users, groups: 500, connectors: 3 })));
    for (let k = 1; k < results.length; k++) {
      const [a, b] = [results[k - 1]!, results[k]!];
      for (const x of a.items) {
        expect(item(b, x.id).initialUsd, `${x.id} initial`).toBeGreaterThanOrEqual(x.initialUsd - 1e-12);
        expect(item(b, x.id).monthlyUsd, `${x.id} monthly`).toBeGreaterThanOrEqual(x.monthlyUsd - 1e-12);
      }
      expect(b.totals.monthlyUsd).toBeGreaterThan(a.totals.monthlyUsd);
      expect(b.totals.initialUsd).toBeGreaterThan(a.totals.initialUsd);
    }
  });

  it('connectors multiply what is per connector, not what is per stack', () => {
    const one = estimateCost(input({ connectors: 1 }));
    const three = estimateCost(input({ connectors: 3 }));
    expect(item(three, 'dashboard').monthlyUsd).toBe(item(one, 'dashboard').monthlyUsd);
    // One dashboard per REST API, 10 connectors each (the APIs in nested stacks chart their own).
    expect(item(estimateCost(input({ connectors: 11 })), 'dashboard').monthlyUsd).toBe(2 * PRICES.dashboardPerMonth);
    expect(item(estimateCost(input({ connectors: 60 })), 'dashboard').monthlyUsd).toBe(6 * PRICES.dashboardPerMonth);
    expect(item(three, 'alarms').monthlyUsd - item(one, 'alarms').monthlyUsd).toBeCloseTo(2 * STACK.alarmMetrics.perConnector * PRICES.alarmMetricPerMonth, 12);
    // Secrets: 2 more tokens (the authorizer reads them a few thousand times a month more: cents).
    const secrets = item(three, 'secrets').monthlyUsd - item(one, 'secrets').monthlyUsd;
    expect(secrets).toBeGreaterThanOrEqual(2 * PRICES.secretPerMonth);
    expect(secrets).toBeLessThan(2 * PRICES.secretPerMonth + 0.05);
    // Every connector gets the whole directory: requests and stored data × 3.
    for (const id of ['apiGateway', 'dynamoRequests'] as const) expect(item(three, id).initialUsd).toBeCloseTo(3 * item(one, id).initialUsd, 9);
    expect(item(three, 'apiGateway').monthlyUsd).toBeCloseTo(3 * item(one, 'apiGateway').monthlyUsd, 9);
    expect(three.storedBytes).toBe(3 * one.storedBytes);
    expect(three.totals.monthlyUsd).toBeLessThan(3 * one.totals.monthlyUsd);
  });

  it('Okta pushes changes as GET by id + PUT; Entra ID as GET ?filter + PATCH', () => {
    const okta = estimateCost(input({ connectors: 2, oktaConnectors: 2 })).monthly.requests;
    const entra = estimateCost(input({ connectors: 2, oktaConnectors: 0 })).monthly.requests;
    expect(okta['PUT /Users/{id}']).toBeGreaterThan(0);
    expect(okta['PATCH /Users/{id} (non-unique attributes)'] ?? 0).toBe(0);
    expect(entra['PATCH /Users/{id} (non-unique attributes)']).toBeGreaterThan(0);
    expect(entra['PUT /Users/{id}'] ?? 0).toBe(0);
    const mixed = estimateCost(input({ connectors: 2, oktaConnectors: 1 })).monthly.requests;
    expect(mixed['PUT /Users/{id}']).toBeCloseTo((okta['PUT /Users/{id}'] as number) / 2, 9);
  });

  it('no churn: a month has no SCIM request, and still the fixed parts', () => {
    const r = estimateCost(input({ dailyChurn: 0 }));
    expect(r.monthly.scimRequests).toBe(0);
    expect(item(r, 'apiGateway').monthlyUsd).toBe(0);
    expect(item(r, 'dashboard').monthlyUsd + item(r, 'alarms').monthlyUsd).toBeGreaterThan(0);
    expect(r.dominant[0]).toBe('dashboard');
  });

  it('prices are an input: a dearer dashboard costs more, nothing else moves', () => {
    const base = estimateCost(DEFAULT_INPUT);
    const dear = estimateCost(DEFAULT_INPUT, { ...PRICES, dashboardPerMonth: 6 });
    expect(item(dear, 'dashboard').monthlyUsd).toBe(6);
    expect(dear.totals.monthlyUsd - base.totals.monthlyUsd).toBeCloseTo(3, 12);
    expect(PRICES.region).toBe('us-east-1');
    expect(PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('refuses impossible inputs by name', () => {
    expect(inputProblems(input({ oktaConnectors: 2, connectors: 1 }))).toEqual([expect.stringContaining('okta')]);
    expect(inputProblems(input({ users: -1 })).join()).toContain('users');
    expect(inputProblems(input({ dailyChurn: 1.5 })).join()).toContain('churn');
    expect(inputProblems(input({ connectors: 0 })).join()).toContain('connectors');
    expect(inputProblems(DEFAULT_INPUT)).toEqual([]);
    expect(() => estimateCost(input({ users: 1.5 }))).toThrow(/users/);
  });
});

describe('figures', () => {
  it('every operation an IdP pattern sends is a measured one', () => {
    for (const p of Object.values(IDP_PATTERNS)) {
      for (const op of [...p.perUser, ...p.perGroup, p.perMembership, ...p.perChange, ...p.memberChange]) expect(MEASURED_OPS, op).toHaveProperty([op]);
    }
  });

  it('writes carry their EMF metric in the request line and cause a change event; reads neither', () => {
    const read = requestLineBytes(MEASURED_OPS['GET /Users?filter=userName eq']);
    const write = requestLineBytes(MEASURED_OPS['PATCH /Users/{id} (non-unique attributes)']);
    expect(write).toBeGreaterThan(read + 100); // the `_aws` directive
    for (const [name, op] of Object.entries(MEASURED_OPS)) {
      const writes = op.method !== 'GET';
      expect('event' in op, name).toBe(writes);
      expect('metric' in op, name).toBe(writes);
      expect(op.wcu > 0, name).toBe(writes);
    }
  });

  it('stored sizes come from the store codecs: a user is its document and more', () => {
    const s = storedBytes();
    expect(s.user).toBeGreaterThan(JSON.stringify({ userName: 'adele.vance@contoso.example.com' }).length + 3 * 100);
    expect(s.membership).toBeGreaterThan(2 * 100);
    expect(s.user).toBeGreaterThan(s.group);
  });
});

describe('webhooks', () => {
  const base = { ...DEFAULT_INPUT, connectors: 3 };
  it('are priced only when asked for, per webhook connector', () => {
    const none = estimateCost(base);
    expect(none.items.map((x) => x.id)).not.toContain('webhooks');
    const one = estimateCost({ ...base, webhookConnectors: 1 }).items.find((x) => x.id === 'webhooks')!;
    const two = estimateCost({ ...base, webhookConnectors: 2 }).items.find((x) => x.id === 'webhooks')!;
    // A secret ($0.40) and the idle polling of a queue (~657k requests, $0.26) per webhook connector at least.
    expect(one.monthlyUsd).toBeGreaterThan(0.4 + 0.26);
    expect(two.monthlyUsd - one.monthlyUsd).toBeGreaterThan(0.66);
    expect(two.initialUsd).toBeGreaterThan(one.initialUsd);
    expect(estimateCost({ ...base, webhookConnectors: 2 }).totals.monthlyUsd).toBeCloseTo(none.totals.monthlyUsd + two.monthlyUsd, 6);
  });
  it('cannot outnumber the connectors', () => {
    expect(inputProblems({ ...base, webhookConnectors: 4 })).toEqual(['webhooks must be at most the number of connectors (3), got 4']);
  });
});

describe('webhook figures match the construct', () => {
  it('memory and batch size as lib/constructs/webhooks.ts deploys them', async () => {
    const { WEBHOOK_SETTINGS } = await import('../../../lib/constructs/webhooks.js');
    expect(STACK.webhooks.memoryMb).toBe(WEBHOOK_SETTINGS.memorySize);
    expect(STACK.webhooks.batchSize).toBe(WEBHOOK_SETTINGS.batchSize);
  });
});
