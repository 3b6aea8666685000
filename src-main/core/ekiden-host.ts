// Builds one host's Ekiden from a validated configuration: tart driver, guest shell, GitHub client,
// redaction, log buffer and the supervisor, all talking through one event bus. The CLI and the
// Electron app both start here; neither re-implements any of it.
import os from 'node:os';
import path from 'node:path';
import { githubApiUrl, runnerLabels } from './config/derived';
import type { EkidenConfig } from './config/schema';
import type { ResolvedSecrets } from './config/secrets';
import { secretValues } from './config/secrets';
import { EventBus } from './events/bus';
import type { EkidenEvent, LogEntry } from './events/types';
import { createGitHubClient } from './github';
import type { GitHubSettings } from './github/github-config';
import type { GitHubClient } from './github/github-client';
import { RunnerControl } from './guest/runner-control';
import { SshGuestConnector } from './guest/ssh-guest-connector';
import { parseOciRef, isOciRef } from './config/oci-ref';
import { TartCli } from './host/tart/tart-cli';
import type { VmBackend } from './host/vm-backend';
import type { SupervisorSettings } from './runner/supervisor';
import { Supervisor, type HostSnapshot } from './runner/supervisor';
import { LogBuffer } from './telemetry/log-buffer';
import { Redactor } from './telemetry/redact';
import { systemClock, type Clock } from './util/clock';
import { bindLogger, type Logger, type LogLevel, type LogContext } from './util/logger';

export interface EkidenHostOptions {
  config: EkidenConfig;
  secrets: ResolvedSecrets;
  /** Private state: per-VM known-hosts files, status file. */
  stateDir: string;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Extra non-secret env for tart (tests). */
  tartEnv?: Record<string, string>;
  /** Overrides for tests: share one redactor or bus with the caller. */
  redactor?: Redactor;
  bus?: EventBus;
}

export interface EkidenHost {
  readonly bus: EventBus;
  readonly logs: LogBuffer;
  readonly redactor: Redactor;
  readonly logger: Logger;
  readonly backend: VmBackend;
  readonly github: GitHubClient;
  readonly supervisor: Supervisor;
  snapshot(): HostSnapshot;
  start(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  shutdown(how: 'drain' | 'now'): Promise<void>;
  /** Applies a new configuration between cycles (secrets must be resolved by the caller). */
  reconfigure(config: EkidenConfig, secrets: ResolvedSecrets): void;
}

/** The logger every core module writes to: redact, keep in the ring buffer, publish on the bus. */
export function createCoreLogger(bus: EventBus, logs: LogBuffer, clock: Clock): Logger {
  return bindLogger((level: LogLevel, text: string, ctx: LogContext) => {
    const entry: LogEntry = logs.append({
      ts: clock.now(), level, scope: ctx.scope ?? 'core', source: ctx.source ?? 'host', slot: ctx.slot, vm: ctx.vm, job: ctx.job,
      text: text.replace(/\x1b\[[0-9;]*m/g, ''),
    });
    bus.emit({ type: 'log', entry } satisfies EkidenEvent);
  });
}

export function githubSettings(config: EkidenConfig, secrets: ResolvedSecrets): GitHubSettings {
  const { github } = config;
  const credentials: GitHubSettings['credentials'] =
    github.auth.kind === 'app'
      ? {
          kind: 'app',
          ...(typeof github.auth.appId === 'number' ? { appId: github.auth.appId } : { clientId: String(github.auth.appId) }),
          privateKey: secrets.githubPrivateKey ?? '',
          installationId: github.auth.installationId,
        }
      : { kind: (secrets.githubToken ?? '').startsWith('github_pat_') ? 'fine_grained_pat' : 'classic_pat', token: secrets.githubToken ?? '' };
  return { serverUrl: github.url, apiUrl: githubApiUrl(github), scope: github.scope, credentials, runnerGroup: config.runner.group };
}

export function supervisorSettings(config: EkidenConfig, secrets: ResolvedSecrets, stateDir: string): SupervisorSettings {
  return {
    slots: config.vm.slots,
    slot: {
      hostId: config.hostId,
      labels: runnerLabels(config.runner),
      runnerGroup: config.runner.group,
      workFolder: config.runner.workFolder,
      registration: config.runner.registration,
      disableUpdate: config.runner.disableUpdate,
      vm: {
        randomMac: config.vm.randomMac, cpu: config.vm.cpu, memoryMb: config.vm.memoryMb, diskSizeGb: config.vm.diskSizeGb,
        dirs: config.vm.dirs, extraRunArgs: config.vm.extraRunArgs,
      },
      guest: {
        port: config.guest.port, user: config.guest.user, password: secrets.guestPassword, privateKey: secrets.guestPrivateKey,
        pinnedHostKey: config.guest.hostKeyPin, ipResolver: config.guest.ipResolver,
      },
      timeouts: config.timeouts,
      stateDir,
      livenessIntervalSeconds: 60,
    },
    image: { ref: config.image.ref, pullPolicy: config.image.pullPolicy, checkIntervalMinutes: config.image.checkIntervalMinutes },
    backoff: config.backoff,
    reconcileIntervalSeconds: config.reconcileIntervalSeconds,
    sweepIntervalMinutes: config.sweepIntervalMinutes,
    hostRetrySeconds: 30,
  };
}

function registryHost(ref: string): string | undefined {
  const parsed = parseOciRef(ref);
  return isOciRef(parsed) ? parsed.host : undefined;
}

export async function createEkidenHost(opts: EkidenHostOptions): Promise<EkidenHost> {
  const { config, secrets, stateDir } = opts;
  const env = opts.env ?? process.env;
  const clock = opts.clock ?? systemClock;
  const bus = opts.bus ?? new EventBus();
  const redactor = opts.redactor ?? new Redactor();
  for (const value of secretValues(secrets)) redactor.register(value);
  const logs = new LogBuffer({ redact: (t) => redactor.redact(t) });
  const logger = createCoreLogger(bus, logs, clock);

  const registry = config.image.registry && secrets.registryPassword
    ? { hostname: registryHost(config.image.ref) ?? '', username: config.image.registry.username, password: secrets.registryPassword }
    : undefined;
  const backend = new TartCli({
    tartPath: config.tart.path,
    tartHome: config.tart.home ?? path.join(env.HOME ?? os.homedir(), '.tart'),
    home: env.HOME ?? os.homedir(),
    path: env.PATH ?? '/usr/bin:/bin:/usr/sbin:/sbin',
    registry,
    concurrency: config.image.concurrency,
    insecure: config.image.registry?.insecure,
    env: opts.tartEnv,
    logger: logger.child({ scope: 'tart', source: 'tart' }),
  });
  const github = await createGitHubClient(
    githubSettings(config, secrets),
    { logger: logger.child({ scope: 'github' }), clock, onSecret: (s) => redactor.register(s) },
    {
      onRunnerDeleted: (d) =>
        bus.emit({
          type: 'runner.deleted', at: clock.now(), runnerId: d.id, name: d.name, reason: d.reason,
          status: d.status as 204 | 404 | 422,
        }),
    },
  );
  const supervisor = new Supervisor(supervisorSettings(config, secrets, stateDir), {
    backend,
    connector: new SshGuestConnector({ clock, logger }),
    github,
    launcher: new RunnerControl(),
    secrets: redactor,
    bus,
    clock,
    logger,
  });

  return {
    bus, logs, redactor, logger, backend, github, supervisor,
    snapshot: () => supervisor.snapshot(),
    start: () => supervisor.start(),
    pause: () => supervisor.pause(),
    resume: () => supervisor.resume(),
    shutdown: (how) => supervisor.shutdown(how),
    reconfigure(next, nextSecrets) {
      for (const value of secretValues(nextSecrets)) redactor.register(value);
      supervisor.updateSettings(supervisorSettings(next, nextSecrets, stateDir));
    },
  };
}
