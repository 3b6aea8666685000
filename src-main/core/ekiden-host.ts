// Builds one host's Ekiden from a validated configuration: tart driver, guest shell, GitHub client,
// redaction, log buffer and the supervisor, all talking through one event bus. The CLI and the
// Electron app both start here; neither re-implements any of it.
import { execa } from 'execa';
import os from 'node:os';
import path from 'node:path';
import { githubApiUrl, runnerLabels } from './config/derived';
import type { EkidenConfig } from './config/schema';
import type { ResolvedSecrets } from './config/secrets';
import { secretValues } from './config/secrets';
import { EventBus } from './events/bus';
import type { EkidenEvent, LogEntry } from './events/types';
import { createGitHubClient, scopeAttribute, type GitHubCallRecord } from './github';
import type { GitHubSettings } from './github/github-config';
import type { GitHubClient } from './github/github-client';
import { RunnerControl } from './guest/runner-control';
import { SshGuestConnector } from './guest/ssh-guest-connector';
import { parseOciRef, isOciRef } from './config/oci-ref';
import { dhcpLeasesFile, hostPreflight, type HostCheck } from './host/preflight';
import { TartCli } from './host/tart/tart-cli';
import type { VmBackend } from './host/vm-backend';
import type { SupervisorSettings } from './runner/supervisor';
import { Supervisor, type HostSnapshot } from './runner/supervisor';
import { LogBuffer } from './telemetry/log-buffer';
import { telemetryRequested } from './telemetry/otlp-endpoint';
import { Redactor } from './telemetry/redact';
import { startTelemetry, type Telemetry } from './telemetry/telemetry';
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
  /** Share one ring buffer with the caller (the app keeps its log seq across host restarts). */
  logs?: LogBuffer;
  /** The app's version (service.version): `app.getVersion()`, or package.json in the CLI. */
  appVersion?: string;
  /** Telemetry timing overrides (tests use e.g. 200 / 100 ms; the config allows 10–60 s). */
  telemetry?: { exportIntervalMillis?: number; exportTimeoutMillis?: number; hostCheckIntervalMillis?: number };
  /** First re-check of a host-wide error in seconds (default 30; tests use 1–2). */
  hostRetrySeconds?: number;
  /** Least time between GitHub writes (default 1000 ms, GitHub's guidance); time-scaled benchmarks shrink it. */
  githubWriteSpacingMs?: number;
}

export interface EkidenHost {
  readonly bus: EventBus;
  readonly logs: LogBuffer;
  readonly redactor: Redactor;
  readonly logger: Logger;
  readonly backend: VmBackend;
  readonly github: GitHubClient;
  readonly supervisor: Supervisor;
  /** OTLP export, when `telemetry.endpoint` (or an OTEL_EXPORTER_OTLP_* variable) is set. */
  readonly telemetry: Telemetry | undefined;
  snapshot(): HostSnapshot;
  /** Runs the host preflight checks and publishes them (`host.checks`). */
  checkHost(): Promise<HostCheck[]>;
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

export function supervisorSettings(config: EkidenConfig, secrets: ResolvedSecrets, stateDir: string, dhcpLeases?: string): SupervisorSettings {
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
      dhcpLeasesFile: dhcpLeases,
    },
    image: {
      ref: config.image.ref, pullPolicy: config.image.pullPolicy, checkIntervalMinutes: config.image.checkIntervalMinutes,
      cacheBudgetGb: config.image.cacheBudgetGb,
    },
    backoff: config.backoff,
    reconcileIntervalSeconds: config.reconcileIntervalSeconds,
    sweepIntervalMinutes: config.sweepIntervalMinutes,
    hostRetrySeconds: config.backoff.hostRetrySeconds,
    hostRetryMaxSeconds: config.backoff.hostRetryMaxSeconds,
  };
}

/** Disk a cycle needs beyond the cached image (as `ekiden doctor` checks). */
const DISK_BUDGET_BYTES = 30e9;
/** Preflight results go stale (leases, disk); telemetry re-reads them this often. */
const HOST_CHECK_INTERVAL_MS = 15 * 60_000;

/** The transport's call record as an event: the fields telemetry needs, nothing secret. */
function githubCallEvent(c: GitHubCallRecord, at: number): EkidenEvent {
  return {
    type: 'github.call', at, method: c.method, urlTemplate: c.urlTemplate, serverAddress: c.serverAddress, status: c.status,
    seconds: c.seconds, errorType: c.errorType,
    rateLimit: c.rateLimit && { resource: c.rateLimit.resource, remaining: c.rateLimit.remaining, limit: c.rateLimit.limit },
  };
}

/** The credential part of an Authorization value (`Basic <this>`), registered on its own too. */
function credentialOf(authorization: string): string {
  return authorization.replace(/^\S+\s+/, '');
}

async function macosVersion(): Promise<string | undefined> {
  const r = await execa('/usr/bin/sw_vers', ['-productVersion'], { reject: false, timeout: 5_000, stdin: 'ignore' });
  return r.exitCode === 0 ? String(r.stdout).trim() : undefined;
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
  const logs = opts.logs ?? new LogBuffer({ redact: (t) => redactor.redact(t) });
  const logger = createCoreLogger(bus, logs, clock);

  const registry = config.image.registry && secrets.registryPassword
    ? { hostname: registryHost(config.image.ref) ?? '', username: config.image.registry.username, password: secrets.registryPassword }
    : undefined;
  const tartHome = config.tart.home ?? path.join(env.HOME ?? os.homedir(), '.tart');
  const backend = new TartCli({
    tartPath: config.tart.path,
    tartHome,
    home: env.HOME ?? os.homedir(),
    path: env.PATH ?? '/usr/bin:/bin:/usr/sbin:/sbin',
    registry,
    concurrency: config.image.concurrency,
    insecure: config.image.registry?.insecure,
    env: opts.tartEnv,
    logger: logger.child({ scope: 'tart', source: 'tart' }),
  });
  // Telemetry follows the bus from here on, so it sees the GitHub client's first calls too.
  let telemetry: Telemetry | undefined;
  if (telemetryRequested(config.telemetry.endpoint, env)) {
    const authorization = secrets.otlpAuthorization;
    if (authorization) redactor.register(credentialOf(authorization));
    telemetry = startTelemetry({
      bus, logger, clock, env,
      redact: (t) => redactor.redact(t),
      endpoint: config.telemetry.endpoint,
      authorization,
      exportIntervalMillis: opts.telemetry?.exportIntervalMillis ?? config.telemetry.exportIntervalSeconds * 1000,
      exportTimeoutMillis: opts.telemetry?.exportTimeoutMillis,
      resource: {
        serviceVersion: opts.appVersion ?? '0.0.0',
        instanceId: config.hostId,
        githubScope: scopeAttribute(config.github.scope),
        environment: config.telemetry.environment,
        tartVersion: backend.version(),
        osVersion: process.platform === 'darwin' ? macosVersion() : undefined,
      },
      tartHome,
      runnerVersionFile: path.join(stateDir, 'runner-version.json'),
      logs: config.telemetry.logs,
    });
  }
  // The GitHub client registers what it mints (JIT configs, registration tokens) the moment it
  // arrives; the slot using one then owns it: its register adopts the client's registration and its
  // unregister drops it. Counted twice, every cycle's JIT config would stay registered for good and
  // widen the pattern each log line is matched against.
  const minted = new Set<string>();
  const slotSecrets = {
    register: (value: string) => {
      if (!minted.delete(value)) redactor.register(value);
    },
    unregister: (value: string) => redactor.unregister(value),
  };
  const github = await createGitHubClient(
    githubSettings(config, secrets),
    {
      logger: logger.child({ scope: 'github' }), clock, onSecret: (s) => (minted.add(s), redactor.register(s)),
      writeSpacingMs: opts.githubWriteSpacingMs,
      onCall: (c) => bus.emit(githubCallEvent(c, clock.now())),
    },
    {
      onRunnerDeleted: (d) =>
        bus.emit({
          type: 'runner.deleted', at: clock.now(), runnerId: d.id, name: d.name, reason: d.reason,
          status: d.status as 204 | 404 | 422,
        }),
    },
  ).catch(async (error: unknown) => {
    await telemetry?.shutdown();
    throw error;
  });
  const settingsOf = (c: EkidenConfig, s: ResolvedSecrets): SupervisorSettings => {
    const settings = supervisorSettings(c, s, stateDir, dhcpLeasesFile(env));
    return opts.hostRetrySeconds === undefined ? settings : { ...settings, hostRetrySeconds: opts.hostRetrySeconds };
  };
  const supervisor = new Supervisor(settingsOf(config, secrets), {
    backend,
    connector: new SshGuestConnector({ clock, logger }),
    github,
    launcher: new RunnerControl(),
    secrets: slotSecrets,
    bus,
    clock,
    logger,
  });

  const checkHost = async (): Promise<HostCheck[]> => {
    const checks = await hostPreflight({ tart: backend, tartHome, home: env.HOME ?? os.homedir(), requiredDiskBytes: DISK_BUDGET_BYTES, leasesFile: dhcpLeasesFile(env) });
    bus.emit({
      type: 'host.checks', at: clock.now(),
      checks: checks.map((c) => ({ id: c.id, status: c.status, value: c.value, values: c.values })),
    });
    return checks;
  };
  // With telemetry on, `ekiden.host.check.status` and the DHCP gauges need fresh preflight results.
  let checkTimer: NodeJS.Timeout | undefined;
  const recheck = () =>
    void checkHost().catch((e: Error) => logger.log('warn', `host checks failed: ${e.message}`, { scope: 'core' }));

  return {
    bus, logs, redactor, logger, backend, github, supervisor, telemetry,
    snapshot: () => supervisor.snapshot(),
    checkHost,
    async start() {
      if (telemetry && !checkTimer) {
        recheck();
        checkTimer = setInterval(recheck, opts.telemetry?.hostCheckIntervalMillis ?? HOST_CHECK_INTERVAL_MS);
        checkTimer.unref();
      }
      await supervisor.start();
    },
    pause: () => supervisor.pause(),
    resume: () => supervisor.resume(),
    async shutdown(how) {
      clearInterval(checkTimer);
      checkTimer = undefined;
      await supervisor.shutdown(how);
      // The final export carries the last states; capped so an unreachable endpoint cannot hold up quit.
      await telemetry?.shutdown();
    },
    reconfigure(next, nextSecrets) {
      for (const value of secretValues(nextSecrets)) redactor.register(value);
      supervisor.updateSettings(settingsOf(next, nextSecrets));
    },
  };
}
