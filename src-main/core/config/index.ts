// The configuration's public surface.
export { ConfigError, type ConfigIssue } from './config-error';
export { apiBaseUrl, githubApiUrl, runnerLabels } from './derived';
export { defaultHostId } from './host-id';
export { loadEffectiveConfig, parseEffectiveConfig, type EffectiveConfig } from './effective';
export { checkConfig, loadConfig, parseConfig, parseConfigInput, parseConfigText, readConfigInput, type ConfigCheck } from './load';
export {
  isManagedPath,
  MANAGED_DOMAIN,
  MANAGED_NOTE,
  mergeManaged,
  readManagedSettings,
  type ManagedSettings,
  type ManagedValues,
  type MergedConfig,
  type ReadManagedOptions,
} from './managed';
export { imageName, parseOciRef, type OciRef } from './oci-ref';
export { configPath, defaultConfigPath, tartHome } from './paths';
export { saveConfig, writeFileAtomic } from './save';
export { BUILTIN_LABELS, configSchema, type EkidenConfig, type EkidenConfigInput, type GitHubAuth, type GitHubScope } from './schema';
export { describeRef, type SecretRef } from './secret-ref';
export { readSecret, resolveSecrets, secretValues, type ResolvedSecrets, type SecretContext, type SecretStore } from './secrets';
