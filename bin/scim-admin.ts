/**
 * `scim-admin` entry (run through tsx: bin/scim-admin.mjs or `npm run admin --`). All logic is in
 * bin/admin/cli.ts, which tests call directly.
 */
import { run } from './admin/cli.js';

const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, interactive: process.stderr.isTTY === true });
process.exitCode = code;
