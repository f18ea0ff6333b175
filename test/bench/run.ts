/**
 * `npm run bench`: runs every benchmark, prints a table per part and writes the figures as JSON to
 * bench-results/<timestamp>.json. Timings are reported here, never asserted in `npm test`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { runCoreBench } from './core.bench.js';

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};

async function main(): Promise<void> {
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}`);
  const core = await runCoreBench();
  console.log('\nSCIM core (micro-benchmarks)');
  console.table(
    core.map((f) => ({
      task: f.name,
      'ops/s': Math.round(f.opsPerSecond),
      'mean µs': Number(f.meanMicros.toFixed(2)),
      'target µs': f.targetMicros ?? '',
      ok: f.ok ? 'yes' : 'NO',
    })),
  );
  const dir = join(process.cwd(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ machine, core }, null, 2));
  console.log(`\nresults: ${file}`);
}

await main();
