/** Lambda entry: /Users, /Users/{id}, /Users/.search, and root queries (GET <base>/, POST <base>/.search). Clients and config built once per container. */
import { createProvisioning, fromEnvironment, usersHandler } from '../http/app.js';

const { connectors, profiles, store } = fromEnvironment();
export const handler = usersHandler(connectors, createProvisioning(connectors, store, profiles));
