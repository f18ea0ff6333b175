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
