import { readFile } from 'node:fs/promises';
import type { CliArgs } from '../args';
import type { CliIo } from '../io';
import { configPath } from '../../core/config/paths';
import { stateDirFor, statusFile } from '../state-dir';
import type { StatusFile } from '../status-writer';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `ekiden status`: what the `ekiden run` of this config is doing, from its status file. */
export async function statusCommand(args: CliArgs, io: CliIo): Promise<number> {
  const file = statusFile(stateDirFor(configPath({ override: args.config, env: io.env }), io.env));
  let status: StatusFile;
  try {
    status = JSON.parse(await readFile(file, 'utf8')) as StatusFile;
  } catch {
    io.stdout('ekiden is not running (no status file; start it with `ekiden run`)');
    return 3;
  }
  const running = alive(status.pid) && !status.host.stopped;
  if (args.json) {
    io.stdout(JSON.stringify({ running, ...status }, null, 2));
    return running ? 0 : 3;
  }
  const h = status.host;
  const mode = !running ? 'not running' : h.draining ? 'draining' : h.paused ? 'paused' : 'running';
  io.stdout(`ekiden on ${h.hostId}: ${mode} (pid ${status.pid}, updated ${status.updatedAt}); jobs completed: ${status.jobsCompleted}`);
  if (h.hostError) io.stdout(`host error: ${h.hostError.reason}: ${h.hostError.message}`);
  for (const s of h.slots) {
    const since = Math.round((Date.parse(status.updatedAt) - s.since) / 1000);
    const origin = s.job?.repository ? ` (${s.job.repository}${s.job.runUrl ? ` ${s.job.runUrl}` : ''})` : '';
    const job = s.job ? ` job "${s.job.name}"${origin}` : '';
    const err = s.lastError ? ` last error ${s.lastError.reason}` : '';
    io.stdout(`  slot ${s.slot}: ${s.state} for ${since}s${s.vm ? ` vm ${s.vm}` : ''}${job}${err}`);
  }
  return running ? 0 : 3;
}
