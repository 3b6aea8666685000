import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import { createEkidenHost } from '../../core/ekiden-host';
import { EventBus } from '../../core/events/bus';
import type { EkidenEvent } from '../../core/events/types';
import { defaultLogDir, LogFiles } from '../../core/telemetry/log-files';
import { Redactor } from '../../core/telemetry/redact';
import { appVersion } from '../app-version';
import type { CliArgs } from '../args';
import { eventLine } from '../event-lines';
import { loadHostConfig, type LoadedConfig } from '../load-host-config';
import { acquireInstanceLock } from '../instance-lock';
import { stateDirFor, statusFile } from '../state-dir';
import { writeStatusOnChange } from '../status-writer';
import type { CliIo } from '../io';

/**
 * `ekiden run`: runs the slots until interrupted. The first Ctrl-C (or SIGTERM) drains — running
 * jobs finish, idle runners are deregistered; a second Ctrl-C stops now. Either way no VM and no
 * runner registration of ours is left when it returns.
 */
export async function runCommand(args: CliArgs, io: CliIo): Promise<number> {
  const loaded = await loadHostConfig(args.config, io.env);
  const stateDir = stateDirFor(loaded.path, io.env);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const lock = await acquireInstanceLock(stateDir);
  try {
    return await runLocked(args, io, loaded, stateDir);
  } finally {
    await lock.release();
  }
}

async function runLocked(args: CliArgs, io: CliIo, loaded: LoadedConfig, stateDir: string): Promise<number> {
  // The log file follows the bus before the host exists, so nothing the host logs while starting is missed.
  const bus = new EventBus();
  const redactor = new Redactor();
  const files = new LogFiles({ dir: defaultLogDir({ home: io.env.HOME ?? os.homedir(), stateDir }), redact: (t) => redactor.redact(t) });
  const stopFiles = files.follow(bus);
  io.stdout(`ekiden: logging to ${files.path}`);
  const host = await createEkidenHost({
    config: loaded.config, secrets: loaded.secrets, stateDir, env: io.env, bus, redactor, appVersion: appVersion(),
  }).catch((error: unknown) => {
    stopFiles();
    throw error;
  });
  if (host.telemetry) io.stdout(`ekiden: sending metrics to ${host.telemetry.metricsUrl} every ${loaded.config.telemetry.exportIntervalSeconds}s`);
  host.bus.subscribe((e: EkidenEvent) => {
    if (e.type === 'log') {
      if (e.entry.level === 'warn' || e.entry.level === 'error') io.stderr(`${e.entry.level}: ${e.entry.text}`);
      return;
    }
    const line = eventLine(e);
    if (line) io.stdout(line);
  });
  const status = writeStatusOnChange(host, statusFile(stateDir));

  let stopping: Promise<void> | undefined;
  let interrupts = 0;
  const finished = new Promise<void>((resolve) => {
    const stop = (how: 'drain' | 'now') => {
      stopping = host.shutdown(how).then(resolve);
    };
    let firstAt = 0;
    io.onSignal((signal) => {
      // One keypress can arrive twice (a wrapper relaying the terminal's signal to its child):
      // only a second signal a moment later means "stop now".
      if (interrupts === 1 && signal !== 'SIGQUIT' && Date.now() - firstAt < 1000) return;
      if (interrupts === 0) firstAt = Date.now();
      interrupts += 1;
      if (interrupts === 1 && signal !== 'SIGQUIT') {
        io.stderr('draining: running jobs finish, nothing new starts (Ctrl-C again to stop now)');
        stop('drain');
      } else {
        io.stderr('stopping now: cancelling jobs and removing VMs');
        stop('now');
      }
    });
    if (args.once) {
      // One job is the point of --once: after the first job (or one cycle per slot without a
      // job), drain. A slot still listening is deregistered instead of waiting for its idle TTL.
      const cycles = new Set<number>();
      host.bus.on('job.completed', () => {
        if (!stopping) stop('drain');
      });
      host.bus.on('cycle.completed', (e) => {
        cycles.add(e.slot);
        if (cycles.size >= loaded.config.vm.slots && !stopping) stop('drain');
      });
    }
  });

  io.stdout(`ekiden: ${loaded.config.vm.slots} slot(s) on host "${loaded.config.hostId}", image ${loaded.config.image.ref}`);
  await host.start();
  await finished;
  await stopping;
  await status.flush();
  status.stop();
  io.stdout('ekiden: stopped; no VM or runner registration of ours is left');
  files.write('info', 'stopped; no VM or runner registration of ours is left', { scope: 'app' });
  stopFiles();
  return 0;
}
