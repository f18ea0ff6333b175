/**
 * Micro-benchmark of the pure SCIM core's hot paths (filter parsing, PATCH). Run:
 *   npx tsx test/bench/core.bench.ts
 * `runCoreBench()` returns the figures for a combined bench runner. Each task runs its operation
 * BATCH times per sample so timer resolution does not dominate sub-microsecond operations.
 */
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { compileFilter } from '../../lambdas/scim/filter/evaluate.js';
import { parseFilter } from '../../lambdas/scim/filter/parse.js';
import { applyPatch } from '../../lambdas/scim/patch/apply.js';
import { planGroupPatch } from '../../lambdas/scim/patch/members.js';
import { parsePatchRequest } from '../../lambdas/scim/patch/request.js';
import { groupResource, userResource } from '../../lambdas/scim/schema/resource-schema.js';
import { SCHEMA, type ScimResource } from '../../lambdas/scim/schema/types.js';

export interface CoreBenchFigure {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly meanMicros: number;
  /** Target mean in µs (from the brief), if any. */
  readonly targetMicros?: number;
  readonly ok: boolean;
}

const BATCH = 100;

const SIMPLE = 'userName eq "x"';
const COMPLEX =
  'userType eq "Employee" and (emails[type eq "work" and value co "@example.com"] or urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "2819c223") and not (active eq false) and meta.lastModified gt "2011-05-13T04:42:34Z"';

const USER: ScimResource = {
  schemas: [SCHEMA.user],
  id: 'u1',
  externalId: 'ext-a',
  userName: 'alice@contoso.com',
  displayName: 'Alice',
  active: true,
  name: { givenName: 'Alice', familyName: 'Smith', formatted: 'Alice Smith' },
  emails: [{ type: 'work', value: 'alice@contoso.com', primary: true }],
  meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', lastModified: '2024-01-01T00:00:00Z' },
};

/** Entra, aadOptscim062020 dialect (scim-clients.md §1.6 c): one filtered op + one path-less replace. */
const ENTRA_PATCH = {
  schemas: [SCHEMA.patchOp],
  Operations: [
    { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
    {
      op: 'replace',
      value: {
        displayName: 'Bjfe',
        'name.givenName': 'Kkom',
        'name.familyName': 'Unua',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': 'Aklq',
      },
    },
  ],
};

const MEMBERS_PATCH = {
  schemas: [SCHEMA.patchOp],
  Operations: [
    { op: 'add', path: 'members', value: Array.from({ length: 256 }, (_, i) => ({ value: `2819c223-7f76-453a-919d-${String(i).padStart(12, '0')}`, display: `user ${i}` })) },
  ],
};

export async function runCoreBench(opts: { time?: number } = {}): Promise<CoreBenchFigure[]> {
  const userRs = userResource();
  const groupRs = groupResource();
  const entraOps = parsePatchRequest(ENTRA_PATCH);
  const complex = parseFilter(COMPLEX);
  let sink = 0;

  const tasks: { name: string; target?: number; fn: () => void }[] = [
    { name: `parse ${SIMPLE}`, target: 2, fn: () => void (sink += parseFilter(SIMPLE).kind.length) },
    { name: 'parse complex filter', target: 20, fn: () => void (sink += parseFilter(COMPLEX).kind.length) },
    { name: 'evaluate complex filter (compiled)', fn: () => void (sink += compileFilter(complex, userRs)(USER) ? 1 : 0) },
    { name: 'apply Entra 2-op user PATCH', target: 10, fn: () => void (sink += Object.keys(applyPatch(userRs, USER, entraOps)).length) },
    {
      name: 'parse + apply Entra 2-op user PATCH',
      fn: () => void (sink += Object.keys(applyPatch(userRs, USER, parsePatchRequest(ENTRA_PATCH))).length),
    },
    {
      name: 'parse + plan 256-member PatchOp',
      target: 100,
      fn: () => void (sink += planGroupPatch(groupRs, parsePatchRequest(MEMBERS_PATCH)).members?.add.size ?? 0),
    },
  ];

  const bench = new Bench({ time: opts.time ?? 500, warmup: true });
  for (const t of tasks) {
    bench.add(t.name, () => {
      for (let i = 0; i < BATCH; i++) t.fn();
    });
  }
  await bench.run();
  if (sink === -1) console.log(sink); // keep the results alive

  return tasks.map((t) => {
    const task = bench.getTask(t.name);
    const r = task?.result;
    const periodMs = r && 'period' in r ? r.period : Number.NaN;
    const meanMicros = (periodMs * 1000) / BATCH;
    return {
      name: t.name,
      opsPerSecond: 1e6 / meanMicros,
      meanMicros,
      ...(t.target !== undefined ? { targetMicros: t.target } : {}),
      ok: t.target === undefined || meanMicros <= t.target,
    };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await runCoreBench();
  for (const f of figures) {
    const target = f.targetMicros !== undefined ? `  (target ≤ ${f.targetMicros} µs: ${f.ok ? 'ok' : 'MISSED'})` : '';
    console.log(`${f.name.padEnd(44)} ${Math.round(f.opsPerSecond).toLocaleString('en-US').padStart(12)} ops/s  ${f.meanMicros.toFixed(2).padStart(8)} µs${target}`);
  }
  if (figures.some((f) => !f.ok)) process.exitCode = 1;
}
