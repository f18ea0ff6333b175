/**
 * `scim-admin pause <connector>` / `resume <connector>`: while paused, every /Users, /Groups and
 * root request of the connector answers 503 + Retry-After (lambdas/http/pause.ts) within 5 s on
 * every container; the flag is an item of the table, so it survives deploys and works the same
 * locally. Written against ./command.ts like every command (cli.ts only lists it).
 */
import { readConnectorState, writeConnectorState } from '../../lambdas/store/connector-state.js';
import { PAUSE_CHECK_TTL_MS, PAUSED_RETRY_AFTER_SECONDS } from '../../lambdas/http/pause.js';
import { AdminError, EXIT } from './backend.js';
import { note, resolveConnector, type Command } from './command.js';

function toggle(paused: boolean): Command {
  const verb = paused ? 'pause' : 'resume';
  return {
    path: verb,
    args: ['connector'],
    options: [],
    summary: paused ? 'every SCIM request of the connector answers 503 + Retry-After (nothing is written) until resume' : 'end a pause: requests are served again',
    help: paused
      ? `Usage: scim-admin pause <connector>
Within ${PAUSE_CHECK_TTL_MS / 1000} s every /Users, /Groups and root request of the connector answers 503 with
Retry-After: ${PAUSED_RETRY_AFTER_SECONDS} and nothing is read or written; Entra ID and Okta retry later instead of
dropping the change. Discovery (/ServiceProviderConfig, /Schemas, /ResourceTypes) still answers.
The pause lasts (deploys included) until: scim-admin resume <connector>.`
      : `Usage: scim-admin resume <connector>
Within ${PAUSE_CHECK_TTL_MS / 1000} s the connector's requests are served again; the identity provider's retries go through.`,
    run: async (ctx, [name]) => {
      await resolveConnector(ctx, name!);
      const store = await ctx.backend.store();
      const before = await readConnectorState(store.ctx, name!, { consistent: true });
      if (before.paused === paused) {
        note(ctx, `${name} is already ${paused ? 'paused' : 'running'}${before.since ? ` (since ${before.since})` : ''}`);
        return EXIT.ok;
      }
      await writeConnectorState(store.ctx, name!, paused);
      note(
        ctx,
        paused
          ? `${name} is paused (${ctx.backend.description}): within ${PAUSE_CHECK_TTL_MS / 1000} s its SCIM requests answer 503 + Retry-After. End it with: scim-admin${ctx.backend.kind === 'local' ? ' --local' : ''} resume ${name}`
          : `${name} resumed (${ctx.backend.description}): within ${PAUSE_CHECK_TTL_MS / 1000} s its requests are served again.`,
      );
      return EXIT.ok;
    },
  };
}

export const pauseCmd = toggle(true);
export const resumeCmd = toggle(false);
