/**
 * Queries at the server root (RFC 7644 §3.4.2.1 `GET <base>/`, §3.4.3 `POST <base>/.search`): the
 * same query parameters / SearchRequest body as /Users and /Groups, answered over every resource
 * type the connector offers (lambdas/provisioning/root-search.ts). Always 200 with a ListResponse.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { RootSearch } from '../../provisioning/index.js';
import type { ScimRequest } from '../middleware.js';
import { jsonResponse } from '../response.js';
import { listQueryOf } from './resources.js';

export function makeRootAction(root: RootSearch) {
  return async (req: ScimRequest): Promise<APIGatewayProxyResult> => {
    if (req.route.action !== 'rootList' && req.route.action !== 'rootSearch') throw new Error(`the root action cannot serve ${req.route.action}`);
    return jsonResponse(200, await root.list(req.connector.name, listQueryOf(req)));
  };
}
