/**
 * Lambda entry: the table's stream → change events on the custom EventBridge bus.
 * Env (set by the CDK stack): `SCIM_EVENT_BUS` (bus name or ARN), `SCIM_EVENT_SOURCE` (optional).
 *
 * Failure handling is the event source mapping's: a publish that still fails after the publisher's
 * own retries throws, Lambda retries the batch (bisecting it), and what keeps failing goes to the
 * SQS dead-letter queue (its depth raises an alarm). Nothing is swallowed here.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { makeEventsHandler } from '../events/handler.js';
import { EventPublisher } from '../events/publisher.js';
import { DEFAULT_EVENT_SOURCE, EVENT_BUS_ENV, EVENT_SOURCE_ENV } from '../events/schema.js';

const busName = process.env[EVENT_BUS_ENV];
if (!busName) throw new Error(`${EVENT_BUS_ENV} is not set`);
const logger = new Logger({ serviceName: 'scim', persistentKeys: { handler: 'events' } });
const publisher = new EventPublisher({ client: new EventBridgeClient({}), busName, source: process.env[EVENT_SOURCE_ENV] || DEFAULT_EVENT_SOURCE });

export const handler: (event: DynamoDBStreamEvent) => Promise<void> = makeEventsHandler({ publisher, logger });
