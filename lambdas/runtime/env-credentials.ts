/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (esbuild alias set by
 * lib/constructs/scim-function.ts). Lambda always puts the function role's credentials in the
 * environment, so the SDK's default chain (SSO, INI files, STS web identity, process, login …)
 * only adds 130–165 KiB of code and cold-start time it can never use there. Local runs and tests
 * are not bundled and keep the full chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
