/**
 * The `snapshot` and `restore` commands of scim-admin (logic in ./restore.ts). Kept apart from
 * cli.ts, which only lists them; written against ./command.ts like every command.
 */
import { isStorageError } from '../../lambdas/store/errors.js';
import { counterItems } from '../../lambdas/store/connector-items.js';
import { AdminError, EXIT, LocalBackend } from './backend.js';
import { interruption, note, out, progressLine, resolveConnector, type Command, type Ctx } from './command.js';
import { applyRestore, planRestore, planSize, renderPlan } from './restore.js';

/** The copy's table must exist and be readable: said in words, not as a DynamoDB error. */
function tableError(e: unknown, table: string, where: string): never {
  if (isStorageError(e) && e.code === 'ResourceNotFoundException')
    throw new AdminError(`table ${table} not found in ${where}: name the table the point-in-time restore created (aws dynamodb list-tables)`, EXIT.notFound);
  if (isStorageError(e) && (e.code === 'AccessDeniedException' || e.code === 'UnrecognizedClientException'))
    throw new AdminError(`AWS refused reading table ${table} (${e.code}): the restore needs dynamodb:Query and BatchGetItem on it, and Query, Scan, BatchGetItem, BatchWriteItem on the stack's table`, EXIT.auth);
  throw e;
}

export const snapshotCmd: Command = {
  path: 'snapshot',
  args: [],
  options: ['to'],
  summary: '--local only: copy the table into a new one (the stand-in for a point-in-time restore)',
  help: `Usage: scim-admin --local snapshot [--to <table>]
Copies every item of the local endpoint's table into a new table of the same DynamoDB Local (default
name: <table>-snapshot-<UTC time>) and prints its name on stdout: what \`restore --from-table\` reads.
On AWS the copy is made by DynamoDB point-in-time recovery instead:
  aws dynamodb restore-table-to-point-in-time --source-table-name <TableName output> \\
    --target-table-name <copy> --restore-date-time <ISO time before the mistake>`,
  run: async (ctx) => {
    if (!(ctx.backend instanceof LocalBackend))
      throw new AdminError(
        'snapshot works on the local endpoint only (--local); on AWS restore the table to a point in time: aws dynamodb restore-table-to-point-in-time (README "Undo a mass deprovisioning")',
        EXIT.usage,
      );
    const live = await ctx.backend.liveTableName();
    const stamp = ctx.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const to = typeof ctx.values.to === 'string' ? ctx.values.to : `${live}-snapshot-${stamp}`;
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(to)) throw new AdminError(`--to must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got ${to}`, EXIT.usage);
    const n = await ctx.backend.snapshot(to);
    out(ctx, to);
    note(ctx, `copied ${n} items of ${live} into ${to} (${ctx.backend.description})`);
    return EXIT.ok;
  },
};

export const restoreCmd: Command = {
  path: 'restore',
  args: ['connector'],
  options: ['from-table', 'dry-run', 'quiet'],
  summary: "bring a connector's users, groups and memberships back to a point-in-time copy (same ids)",
  help: `Usage: scim-admin restore <connector> --from-table <table> [--dry-run] [--quiet]
Makes the connector's users, groups, memberships, uniqueness guards and counters what they are in
<table> — a copy of the stack's table made by DynamoDB point-in-time recovery (or a backup restore),
same account and region; locally one made by \`scim-admin --local snapshot\`. Other connectors are
untouched. Resources keep their ids, versions and timestamps; every write goes through the stack's
table, so its stream reports them as change events. Pending purge tasks of restored resources are
dropped, the connector's page bookmarks deleted.
  --dry-run   print what would change, write nothing
Pause the connector first. Interrupted (Ctrl-C, exit 130) or failed: run the same command again, it
writes only what is still different. Progress goes to stderr; the summary to stdout.`,
  run: async (ctx, [name]) => {
    const from = ctx.values['from-table'];
    if (typeof from !== 'string' || from === '') throw new AdminError('--from-table <table> is required: the point-in-time copy to restore from', EXIT.usage);
    await resolveConnector(ctx, name!);
    const live = await ctx.backend.store();
    if (from === live.ctx.table) throw new AdminError(`--from-table ${from} is the live table itself: name the point-in-time copy`, EXIT.usage);
    const source = await ctx.backend.tableStore(from);
    await counterItems(source.ctx, name!).catch((e: unknown) => tableError(e, from, ctx.backend.description));
    const dry = ctx.values['dry-run'] === true;
    const started = Date.now();
    const plan = await planRestore(source.ctx, live.ctx, name!);
    const header = `restore of ${name} from ${from} into ${live.ctx.table} (${ctx.backend.description})`;
    if (dry) {
      out(ctx, `${header} — dry run, nothing written\n${renderPlan(plan)}`);
      return EXIT.ok;
    }
    const stop = interruption(ctx);
    const progress = progressLine(ctx, ctx.values.quiet === true);
    try {
      const r = await applyRestore(live.ctx, plan, {
        signal: stop.signal,
        onProgress: (done, all) => progress.show(`restoring ${name}: ${done} of ${all} items written (${Math.floor((100 * done) / Math.max(1, all))}%)`),
      });
      progress.clear();
      const again = `scim-admin${ctx.backend.kind === 'local' ? ' --local' : ''} restore ${name} --from-table ${from}`;
      if (!r.completed) {
        note(ctx, `restore of ${name} interrupted after ${r.written} of ${planSize(plan)} items; continue with: ${again}`);
        return EXIT.interrupted;
      }
      const seconds = (Date.now() - started) / 1000;
      const left = await planRestore(source.ctx, live.ctx, name!);
      out(ctx, `${header}\n${renderPlan(plan)}`);
      note(ctx, `wrote ${r.written} items in ${seconds.toFixed(1)} s (${Math.round(r.written / Math.max(seconds, 0.001))} items/s)`);
      if (planSize(left) - left.bookmarks.length > 0) {
        note(ctx, `${planSize(left)} items changed meanwhile and still differ from the copy (is the connector paused?): run ${again} again`);
        return EXIT.error;
      }
      note(ctx, `${name} now equals ${from}.`);
      return EXIT.ok;
    } catch (e) {
      if (isStorageError(e)) note(ctx, `restore of ${name} stopped: ${e.message}; run the same command again to continue`);
      throw e;
    } finally {
      stop.release();
    }
  },
};
