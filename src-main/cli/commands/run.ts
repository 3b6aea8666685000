import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import { ConfigError } from '../../core/config/config-error';
import { createEkidenHost, type EkidenHost } from '../../core/ekiden-host';
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
  // Signals are ours from here: Ctrl-C while waiting to start ends the wait; later it drains.
  const signals = new SignalRouter(io);
  const created = await createHostWithRetry(args, io, loaded, stateDir, { bus, redactor, files, signals }).catch((error: unknown) => {
    stopFiles();
    throw error;
  });
  if (!created) {
    io.stdout('ekiden: stopped before starting; nothing was created');
    stopFiles();
    return 0;
  }
  const host: EkidenHost = created;
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
    signals.route((signal) => {
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

/** Sends process signals to whoever owns them now: the start-up wait, then the running host. */
class SignalRouter {
  private handler: ((signal: NodeJS.Signals) => void) | undefined;

  constructor(io: CliIo) {
    io.onSignal((signal) => this.handler?.(signal));
  }

  route(handler: (signal: NodeJS.Signals) => void): void {
    this.handler = handler;
  }
}

const MAX_START_RETRY_MS = 10 * 60_000;

/**
 * Creates the host. A start that fails for a reason other than the configuration (GitHub or the
 * network unreachable while resolving the App installation) is retried with doubling waits, as the
 * app does, instead of exiting: a LaunchAgent host then recovers by itself once the network is back.
 * `--once` is a one-shot check and fails at once. Returns undefined when interrupted while waiting.
 */
async function createHostWithRetry(
  args: CliArgs, io: CliIo, loaded: LoadedConfig, stateDir: string,
  deps: { bus: EventBus; redactor: Redactor; files: LogFiles; signals: SignalRouter },
): Promise<EkidenHost | undefined> {
  const interrupted = new AbortController();
  deps.signals.route(() => interrupted.abort());
  let delay = startRetryMs(io.env);
  for (;;) {
    try {
      return await createEkidenHost({
        config: loaded.config, secrets: loaded.secrets, stateDir, env: io.env, bus: deps.bus, redactor: deps.redactor, appVersion: appVersion(),
      });
    } catch (error) {
      if (error instanceof ConfigError || args.once || interrupted.signal.aborted) throw error;
      const message = deps.redactor.redact((error as Error).message ?? String(error));
      io.stderr(`error: Ekiden cannot start: ${message}; retrying in ${Math.round(delay / 1000)}s (Ctrl-C to quit)`);
      deps.files.write('error', `cannot start: ${message}; retrying in ${Math.round(delay / 1000)}s`, { scope: 'app' });
      const waited = await sleep(delay, interrupted.signal);
      if (!waited) return undefined;
      delay = Math.min(delay * 2, MAX_START_RETRY_MS);
    }
  }
}

/** First wait before retrying a failed start: EKIDEN_START_RETRY_SECONDS, default 30. */
function startRetryMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.EKIDEN_START_RETRY_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000;
}

/** Resolves true after `ms`, false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
