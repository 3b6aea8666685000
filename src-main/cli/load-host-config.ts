import { loadEffectiveConfig } from '../core/config/effective';
import { readManagedSettings, type ReadManagedOptions } from '../core/config/managed';
import { configPath } from '../core/config/paths';
import type { EkidenConfig } from '../core/config/schema';
import { resolveSecrets, type ResolvedSecrets } from '../core/config/secrets';

export interface LoadedConfig {
  path: string;
  config: EkidenConfig;
  secrets: ResolvedSecrets;
  /** Config paths set by the organisation's managed preferences (MDM), e.g. "vm.slots"; [] when none. */
  managedPaths: string[];
  /** The managed preference files that were read; [] when none. */
  managedSources: string[];
}

/**
 * Loads the configuration file, lays the organisation's managed settings over it (macOS), validates
 * the result, then resolves its secret references (env or 0600 file).
 */
export async function loadHostConfig(
  override: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  managed: ReadManagedOptions = {},
): Promise<LoadedConfig> {
  const path = configPath({ override, env });
  const { config, managedPaths, managedSources } = await loadEffectiveConfig(path, await readManagedSettings(managed));
  const secrets = await resolveSecrets(config, { env });
  return { path, config, secrets, managedPaths, managedSources };
}
