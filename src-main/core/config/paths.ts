import os from 'node:os';
import path from 'node:path';

export interface PathContext {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/**
 * Where the config lives by default: macOS `~/Library/Application Support/Ekiden/config.json`,
 * elsewhere `$XDG_CONFIG_HOME/ekiden/config.json` (XDG default `~/.config`).
 */
export function defaultConfigPath(ctx: PathContext = {}): string {
  const platform = ctx.platform ?? process.platform;
  const env = ctx.env ?? process.env;
  const home = ctx.home ?? os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Ekiden', 'config.json');
  // The XDG spec says relative values are invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(xdg, 'ekiden', 'config.json');
}

/** The config path in effect: an explicit override (e.g. `--config`), then `$EKIDEN_CONFIG`, then the default. */
export function configPath(ctx: PathContext & { override?: string } = {}): string {
  const env = ctx.env ?? process.env;
  const chosen = ctx.override || env.EKIDEN_CONFIG;
  return chosen ? path.resolve(chosen) : defaultConfigPath(ctx);
}

/** TART_HOME in effect: the configured one, else `~/.tart`. */
export function tartHome(configured: string | undefined, home: string = os.homedir()): string {
  return configured ?? path.join(home, '.tart');
}
