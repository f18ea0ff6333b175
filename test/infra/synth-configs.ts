/**
 * `.ci/run`: synthesises the default configuration (cdk.json) and the largest documented one
 * (max-config.ts) into `<outdir>/default` and `<outdir>/max`, without bundling (the templates are
 * what cfn-lint reads), and fails past an AWS limit like `cdk synth` does (lib/limits.ts).
 *   npx tsx test/infra/synth-configs.ts <outdir>
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createScimApp } from '../../lib/app.js';
import { assertWithinLimits } from '../../lib/limits.js';
import { MAX_CONTEXT } from './max-config.js';

const out = process.argv[2];
if (!out) throw new Error('usage: synth-configs.ts <outdir>');
const cdkJson = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
for (const [name, context] of [['default', cdkJson.context], ['max', MAX_CONTEXT]] as const) {
  const outdir = join(out, name);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const { app } = createScimApp({ context: { 'aws:cdk:bundling-stacks': [], ...context }, outdir, nag: false });
  assertWithinLimits(app.synth().directory);
  console.log(`${name}: ${outdir}`);
}
