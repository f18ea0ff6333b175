/**
 * A connector's operational state: paused or not (`scim-admin pause` / `resume`). One item per
 * connector in the table (keys.connectorState), so it survives deploys, is the same for `npm start`
 * and needs no permission beyond the table the handlers already use. Absent item = not paused.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { run, type StoreContext } from './context.js';
import { keys } from './keys.js';

export interface ConnectorState {
  readonly paused: boolean;
  /** When the state was last set (ISO 8601). */
  readonly since?: string;
}

/** One GetItem; `consistent` for the admin CLI (the handlers' cached check reads eventually consistent: half the cost). */
export async function readConnectorState(ctx: StoreContext, connector: string, o: { consistent?: boolean } = {}): Promise<ConnectorState> {
  const res = await run(() => ctx.doc.send(new GetCommand({ TableName: ctx.table, Key: keys.connectorState(connector), ConsistentRead: o.consistent ?? false })));
  const item = res.Item;
  if (!item) return { paused: false };
  return { paused: item.paused === true, ...(typeof item.since === 'string' ? { since: item.since } : {}) };
}

export async function writeConnectorState(ctx: StoreContext, connector: string, paused: boolean): Promise<ConnectorState> {
  const state = { paused, since: ctx.now().toISOString() };
  await run(() => ctx.doc.send(new PutCommand({ TableName: ctx.table, Item: { ...keys.connectorState(connector), ...state } })));
  return state;
}
