/** Public surface of the provisioning service (the HTTP handlers import from here). */
export {
  Provisioning,
  pendingPurges,
  ResourceService,
  type ConnectorSchemas,
  type ProvisioningOptions,
  type ReadOptions,
  type WriteOptions,
  type ListQuery,
  type ResourceResult,
} from './service.js';
export {
  sweepPendingPurges,
  PURGE_SWEEP_DEFAULTS,
  PURGE_SWEEP_METRICS,
  PURGE_SWEEP_RATE_MINUTES,
  type PurgeSweepOptions,
  type PurgeSweepResult,
  type PurgeSweepFailure,
  type ConnectorSweep,
} from './purge-sweeper.js';
export { RootSearch, type RootSearchOptions } from './root-search.js';
