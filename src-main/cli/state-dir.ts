import path from 'node:path';

/** Ekiden's private state (per-VM known-hosts files, the status file) lives beside its config. */
export function stateDirFor(configPath: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.EKIDEN_STATE_DIR ? path.resolve(env.EKIDEN_STATE_DIR) : path.join(path.dirname(configPath), 'state');
}

export function statusFile(stateDir: string): string {
  return path.join(stateDir, 'status.json');
}
