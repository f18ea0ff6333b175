/**
 * AWS list prices the cost model (model.ts) uses: one region, one date. Prices change and differ by
 * region; change these constants (and `asOf`) rather than the model. No free tier is applied: an
 * account's free tier, if it has one, is shared with everything else running in it.
 */

export interface Prices {
  readonly region: string;
  /** When these list prices were taken from the AWS pricing pages. */
  readonly asOf: string;
  readonly currency: 'USD';
  /** API Gateway REST API requests, per million (first 333 million a month). */
  readonly apiGatewayRestPerMillion: number;
  /** Lambda requests, per million. */
  readonly lambdaRequestsPerMillion: number;
  /** Lambda duration on arm64, per GB-second (first 7.5 billion GB-s a month). Since 2025-08-01 the INIT phase is billed too. */
  readonly lambdaArmGbSecond: number;
  /** DynamoDB on-demand write request units, per million (after the 2024-11-01 price cut). */
  readonly dynamoWriteRequestPerMillion: number;
  /** DynamoDB on-demand read request units, per million (after the 2024-11-01 price cut). */
  readonly dynamoReadRequestPerMillion: number;
  /** DynamoDB Standard table class storage, per GB-month. */
  readonly dynamoStorageGbMonth: number;
  /** DynamoDB continuous backups (point-in-time recovery), per GB-month of table size. */
  readonly dynamoPitrGbMonth: number;
  /** Secrets Manager, per secret per month. */
  readonly secretPerMonth: number;
  /** Secrets Manager API calls, per 10,000. */
  readonly secretsApiPer10k: number;
  /** CloudWatch dashboard, per month. */
  readonly dashboardPerMonth: number;
  /** CloudWatch standard-resolution alarm, per alarm metric per month (a metric-math alarm: per metric it reads). */
  readonly alarmMetricPerMonth: number;
  /** CloudWatch custom metric (EMF, metric filters, Powertools), per metric per month (first 10,000), prorated by the hour in which it receives data. */
  readonly customMetricPerMonth: number;
  /** CloudWatch Logs ingestion (Standard log class), per GB. */
  readonly logIngestionGb: number;
  /** CloudWatch Logs storage, per GB-month. */
  readonly logStorageGbMonth: number;
  /** X-Ray traces recorded, per million. */
  readonly xrayTracesPerMillion: number;
  /** EventBridge custom events published, per million (each 64 KB chunk of an entry counts as one). */
  readonly eventBridgeEventsPerMillion: number;
  /** EventBridge archive: events processed into it, per GB. */
  readonly eventArchiveProcessedGb: number;
  /** EventBridge archive storage, per GB-month. */
  readonly eventArchiveStorageGbMonth: number;
  /** SQS standard queue requests, per million (each API call of up to 10 messages / 64 KB counts one). */
  readonly sqsRequestsPerMillion: number;
}

/** us-east-1 (N. Virginia) public list prices, as of 2025-11-01. */
export const PRICES: Prices = {
  region: 'us-east-1',
  asOf: '2025-11-01',
  currency: 'USD',
  apiGatewayRestPerMillion: 3.5,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  dynamoWriteRequestPerMillion: 0.625,
  dynamoReadRequestPerMillion: 0.125,
  dynamoStorageGbMonth: 0.25,
  dynamoPitrGbMonth: 0.2,
  secretPerMonth: 0.4,
  secretsApiPer10k: 0.05,
  dashboardPerMonth: 3,
  alarmMetricPerMonth: 0.1,
  customMetricPerMonth: 0.3,
  logIngestionGb: 0.5,
  logStorageGbMonth: 0.03,
  xrayTracesPerMillion: 5,
  eventBridgeEventsPerMillion: 1,
  eventArchiveProcessedGb: 0.1,
  eventArchiveStorageGbMonth: 0.023,
  sqsRequestsPerMillion: 0.4,
};
