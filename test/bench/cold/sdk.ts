/**
 * Cold-import reference: the AWS SDK part of the users/groups functions alone — the DynamoDB
 * client and document client as the store builds them, with the commands the store sends — so the
 * bench can tell the SDK's share of a cold start from ours.
 */
import { BatchGetCommand, BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { resolvedOnceDocumentClient } from '../../../lambdas/store/doc-client.js';

export const doc = resolvedOnceDocumentClient({ maxAttempts: 3 }, { marshallOptions: { removeUndefinedValues: true } });
export const commands = [BatchGetCommand, BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand];
