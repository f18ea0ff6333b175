/**
 * `scim-admin` entry (run through tsx: bin/scim-admin.mjs or `npm run admin --`). All logic is in
 * bin/admin/cli.ts, which tests call directly.
 */
import { run } from './admin/cli.js';

// The CLI's output is for people and scripts: no SDK notice about future Node versions on stderr
// (Node 20 is supported here; `engines` says so).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, interactive: process.stderr.isTTY === true });
process.exitCode = code;
