/**
 * The webhook verification snippet in the README is the file the delivery tests run
 * (test/fixtures/webhook-verify.mjs): an app team copying it gets code that verified real deliveries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_SETTINGS } from '../../../lib/constructs/webhooks.js';

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

describe('README webhook dead-letter window', () => {
  it('is what the retentions give: SQS counts the DLQ\'s retention from the first enqueue, so DLQ − queue retention', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const s = WEBHOOK_SETTINGS;
    expect(s.deadLetterWindowDays).toBe(s.deadLetterRetentionDays - s.queueRetentionDays);
    expect(readme).toContain(`It stays there **at least ${s.deadLetterWindowDays} days**`);
    expect(readme).toContain(`SQS counts its ${s.deadLetterRetentionDays}-day retention (the maximum)`);
    expect(readme).toContain(`at most ${s.queueRetentionDays} days (the connector queue's retention`);
    expect(readme).not.toMatch(/webhook\s+dead-letter queue \(14 days\)/);
  });
});
