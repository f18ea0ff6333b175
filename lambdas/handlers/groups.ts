/** Lambda entry: /Groups, /Groups/{id}, /Groups/.search. Clients and config built once per container. */
import { createProvisioning, fromEnvironment, groupsHandler } from '../http/app.js';

const { connectors, profiles, store } = fromEnvironment();
export const handler = groupsHandler(connectors, createProvisioning(connectors, store, profiles));
