/**
 * The webhook verification snippet in the README is the file the delivery tests run
 * (test/fixtures/webhook-verify.mjs): an app team copying it gets code that verified real deliveries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

describe('README webhook verification snippet', () => {
  it('is byte-identical to test/fixtures/webhook-verify.mjs', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const file = readFileSync(join(root, 'test', 'fixtures', 'webhook-verify.mjs'), 'utf8');
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
    const snippet = blocks.find((b) => b?.includes('verifyScimWebhook'));
    expect(snippet).toBeDefined();
    expect(snippet).toBe(file.endsWith('\n') ? file : `${file}\n`);
  });
});
