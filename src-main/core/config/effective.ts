// The configuration in effect: the local file with the organisation's managed settings laid over
// it, validated by the same schema. Problems with managed values say so, since the operator of
// the Mac cannot fix them in the local file.
import { stat } from 'node:fs/promises';
import { ConfigError, type ConfigIssue } from './config-error';
import { checkConfig, readConfigInput } from './load';
import { isPathWithin, MANAGED_NOTE, mergeManaged, type ManagedSettings, type MergedConfig } from './managed';
import type { EkidenConfig } from './schema';

export interface EffectiveConfig {
  config: EkidenConfig;
  /** Config paths set by managed preferences (e.g. "vm.slots"); [] when none. */
  managedPaths: string[];
  /** The managed preference files that were read; [] when none. */
  managedSources: string[];
}

/** An issue touches a managed value when the field is managed, inside one, or contains one. */
function touchesManaged(field: string, managedPaths: readonly string[]): boolean {
  return managedPaths.some((m) => isPathWithin(field, m) || (field !== '' && isPathWithin(m, field)));
}

export function markManagedIssues(issues: ConfigIssue[], managedPaths: readonly string[]): ConfigIssue[] {
  return issues.map((issue) =>
    touchesManaged(issue.path, managedPaths) ? { ...issue, message: `${issue.message} ${MANAGED_NOTE}`, managed: true } : issue,
  );
}

/** Validates merged settings; throws ConfigError whose managed issues end in MANAGED_NOTE. */
export function parseEffectiveConfig(
  merged: MergedConfig,
  source?: string,
  managedSources: readonly string[] = [],
  opts: { localMissing?: boolean } = {},
): EkidenConfig {
  const checked = checkConfig(merged.input);
  if (checked.ok) return checked.config;
  const issues = markManagedIssues(checked.issues, merged.managedPaths);
  const n = issues.length;
  const problems = `${n} ${n === 1 ? 'problem' : 'problems'}`;
  const from = managedSources.length ? ` (${managedSources.join(', ')})` : '';
  let headline: string | undefined;
  if (opts.localMissing) {
    headline = `There is no configuration file ${source ?? ''}, and the settings managed by your organisation${from} are incomplete (${problems}):`;
  } else if (issues.some((i) => i.managed)) {
    headline = `The configuration ${source ? `${source} ` : ''}with the settings managed by your organisation${from} is invalid (${problems}):`;
  }
  throw new ConfigError(issues, source, headline);
}

async function missing(file: string): Promise<boolean> {
  return stat(file).then(
    () => false,
    (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
  );
}

/**
 * Loads the config file and lays managed settings over it. With managed settings, a missing local
 * file counts as empty: a fleet may push the whole configuration (secrets stay references).
 */
export async function loadEffectiveConfig(file: string, managed: ManagedSettings | undefined): Promise<EffectiveConfig> {
  const localMissing = managed !== undefined && (await missing(file));
  const local = localMissing ? {} : await readConfigInput(file);
  const merged = mergeManaged(local, managed?.values);
  const managedSources = managed?.sources ?? [];
  const config = parseEffectiveConfig(merged, file, managedSources, { localMissing });
  return { config, managedPaths: merged.managedPaths, managedSources };
}
