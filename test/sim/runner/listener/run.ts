// `Runner.Listener run` (github.md §10 steps 1-10): configure from a JIT config or .runner,
// create a session, listen, run a job in a Runner.Worker child, clean up, and return the
// listener exit code that run-helper maps.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { ChannelMessage, CredentialsFile, RunnerSettingsFile } from '../../github/wire';
import { channelBaseFromServerUrl } from '../../github/wire';
import { argOrEnv, parseArgs, unknownNames } from './args';
import { ConnectError, HttpClient, type Reply, isAbort } from './client';
import { isConfigured, readCredentials, readSettings, removeConfigFiles, writeJitConfig } from './config-files';
import { Diag } from './diag';
import { UPDATE_FINISHED, file, root, runnerVersion, setRunnerVersion, sleep } from './paths';
import type { Term } from './term';

const RETRY_MS = 5_000;
const CONFLICT_RETRY_MS = 30_000;
const CONFLICT_LIMIT_S = 240;
const POLL_TIMEOUT_MS = 60_000;
const WORKER_DONE = 100;

const MSG = {
  notConfigured: 'An error occurred: Not configured. Run config.(sh/cmd) to configure the runner.',
  registrationDeleted:
    'Failed to create a session. The runner registration has been deleted from the server, please re-configure. Runner registrations are automatically deleted for runners that have not connected to the service recently.',
  noLongerExistsReconfigure: 'The runner no longer exists on the server. Please reconfigure the runner.',
  noLongerExistsCleanup: 'The runner no longer exists on the server. Cleaning up local configuration.',
  sessionExists: 'A session for this runner already exists.',
} as const;

type Job = Extract<ChannelMessage, { type: 'job' }>['job'];

const stripDot = (s: string) => s.replace(/\.+$/, '');

export class RunListener {
  private readonly client = new HttpClient();
  private readonly diag = new Diag(root());
  private readonly version = runnerVersion();
  private settings!: RunnerSettingsFile;
  private credentials!: CredentialsFile;
  private base = '';
  private sessionId: string | null = null;
  private outage = false;
  /** Set by SIGINT/SIGTERM or the hang fault; aborts every wait and request. */
  private readonly stop = new AbortController();
  private stopReason: 'SIGINT' | 'SIGTERM' | 'hang' | null = null;
  private once = false;
  private timers: NodeJS.Timeout[] = [];
  /** Fault runner.hang with afterJob: go silent this many seconds after the completion line. */
  private hangAfterJobS: number | undefined;

  constructor(
    private readonly term: Term,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  onSignal(sig: 'SIGINT' | 'SIGTERM'): void {
    if (this.stopReason) return;
    this.stopReason = sig;
    if (sig === 'SIGINT') this.term.line('Exiting...');
    this.diag.info(`Received ${sig}, shutting down.`);
    this.stop.abort();
  }

  private get stopping(): boolean {
    return this.stopReason !== null;
  }

  private get hung(): boolean {
    return this.stopReason === 'hang';
  }

  async run(argv: string[]): Promise<number> {
    const code = await this.runInner(argv);
    for (const t of this.timers) clearTimeout(t);
    if (this.hung) return this.hangForever();
    this.diag.info(`Runner listener exits with ${code}.`);
    return code;
  }

  private async runInner(argv: string[]): Promise<number> {
    const p = parseArgs(argv);
    const unknown = unknownNames(p, ['once', 'check'], ['jitconfig', 'startuptype']);
    if (unknown.length > 0) {
      this.term.error(
        `Unrecognized command-line input arguments for command run: '${unknown.join(', ')}'. For usage refer to: .\\config.cmd --help or ./config.sh --help`,
      );
    }
    this.once = p.flags.has('once');
    this.diag.info(`Runner starting, version ${this.version}.`);
    const jit = p.args.get('jitconfig') ?? argOrEnv(p, 'jitconfig', this.env);
    if (jit) {
      try {
        writeJitConfig(jit);
        this.diag.info('JIT configuration written.');
      } catch (err) {
        this.term.error((err as Error).message);
        return 1;
      }
    } else if (!isConfigured()) {
      this.term.error(MSG.notConfigured);
      return 1;
    }
    try {
      this.settings = readSettings();
      this.credentials = readCredentials();
    } catch (err) {
      this.term.error(`An error occurred: ${(err as Error).message}`);
      return 1;
    }
    this.base = channelBaseFromServerUrl(this.settings.ServerUrl);
    this.term.blank();
    this.term.success('Connected to GitHub');
    this.term.blank();
    const session = await this.createSession();
    if (session !== null) return session;
    this.term.line(`Current runner version: '${this.version}'`);
    this.term.stamped('Listening for Jobs');
    this.diag.info('Listening for jobs.');
    return this.listen();
  }

  private reportOutage(message: string): void {
    if (this.outage) return;
    this.outage = true;
    this.term.stampedError(`Runner connect error: ${stripDot(message)}. Retrying until reconnected.`);
    this.diag.info('Connection lost; retrying.');
  }

  private reconnected(): void {
    if (!this.outage) return;
    this.outage = false;
    this.term.stamped('Runner reconnected.');
    this.diag.info('Reconnected.');
  }

  private call(method: string, path: string, body?: unknown, timeoutMs?: number, signal?: AbortSignal): Promise<Reply> {
    return this.client.request(method, `${this.base}${path}`, { body, timeoutMs, signal: signal ?? this.stop.signal });
  }

  /** Opens the session; null on success, else the listener exit code. */
  private async createSession(): Promise<number | null> {
    let conflicts = 0;
    for (;;) {
      if (this.stopping) return 0;
      let reply: Reply;
      try {
        reply = await this.call('POST', '/_fake/runner/session', {
          agentId: this.settings.AgentId,
          secret: this.credentials.Data.fakeSecret,
          version: this.version,
          os: 'macos',
        });
      } catch (err) {
        if (isAbort(err)) return 0;
        this.reportOutage((err as Error).message);
        await sleep(this.client.scaled(RETRY_MS), this.stop.signal);
        continue;
      }
      if (reply.status === 503) {
        this.reportOutage(String(reply.body.message ?? 'Response status code does not indicate success: 503 (Service Unavailable)'));
        await sleep(this.client.scaled(RETRY_MS), this.stop.signal);
        continue;
      }
      this.reconnected();
      switch (reply.status) {
        case 201: {
          this.sessionId = String(reply.body.sessionId);
          this.diag.info('Session created.');
          this.scheduleFaults(reply.body);
          return null;
        }
        case 401:
          this.term.error(MSG.registrationDeleted);
          return 1;
        case 404:
          this.term.error(MSG.noLongerExistsReconfigure);
          this.term.error('Failed to create session. Runner not found');
          return 1;
        case 409: {
          const msg = String(reply.body.message ?? MSG.sessionExists);
          if (conflicts * (CONFLICT_RETRY_MS / 1000) >= CONFLICT_LIMIT_S) {
            this.term.error(`Stop retry on SessionConflictException after retried for ${CONFLICT_LIMIT_S} seconds.`);
            this.term.error(`Failed to create session. ${msg}`);
            return 5;
          }
          this.term.error(MSG.sessionExists);
          conflicts += 1;
          await sleep(this.client.scaled(CONFLICT_RETRY_MS), this.stop.signal);
          continue;
        }
        case 403: {
          this.term.error(`An error occurred: ${String(reply.body.message ?? 'Forbidden')}`);
          if (reply.body.error === 'version_deprecated') {
            return this.env.ACTIONS_RUNNER_RETURN_VERSION_DEPRECATED_EXIT_CODE === '1' ? 7 : 1;
          }
          return 1;
        }
        default:
          this.term.error(`An error occurred: Response status code does not indicate success: ${reply.status}.`);
          return 2;
      }
    }
  }

  /** Faults runner.crash / runner.hang arrive with the session. */
  private scheduleFaults(body: Record<string, unknown>): void {
    if (typeof body.crashAfterS === 'number') {
      this.timers.push(setTimeout(() => process.kill(process.pid, 'SIGKILL'), this.client.scaled(body.crashAfterS * 1000)));
    }
    if (typeof body.hangAfterS === 'number' && body.hangAfterJob === true) {
      this.hangAfterJobS = body.hangAfterS;
    } else if (typeof body.hangAfterS === 'number') {
      this.timers.push(
        setTimeout(() => {
          this.term.muted = true;
          this.diag.muted = true;
          this.stopReason = 'hang';
          this.stop.abort();
        }, this.client.scaled(body.hangAfterS * 1000)),
      );
    }
  }

  /** One long poll; null when aborted or after a network error (already reported). */
  private async poll(signal: AbortSignal): Promise<Reply | null> {
    try {
      const reply = await this.call('GET', `/_fake/runner/message?sessionId=${this.sessionId}`, undefined, this.client.scaled(POLL_TIMEOUT_MS) + 5000, signal);
      if (reply.status === 503) {
        this.reportOutage(String(reply.body.message ?? 'Response status code does not indicate success: 503 (Service Unavailable)'));
        await sleep(this.client.scaled(RETRY_MS), signal);
        return null;
      }
      this.reconnected();
      return reply;
    } catch (err) {
      if (isAbort(err) || signal.aborted) return null;
      this.reportOutage((err as Error).message);
      await sleep(this.client.scaled(RETRY_MS), signal);
      return null;
    }
  }

  private async listen(): Promise<number> {
    for (;;) {
      if (this.stopping) return this.shutdown();
      const reply = await this.poll(this.stop.signal);
      if (!reply || reply.status === 202) continue;
      const body = reply.body;
      if (reply.status === 200) {
        const msg = body as unknown as ChannelMessage;
        if (msg.type === 'job') {
          const code = await this.runJob(msg.job);
          if (code !== null) return code;
        } else if (msg.type === 'update') {
          return this.selfUpdate(msg.version);
        } else if (msg.type === 'crash') {
          this.term.error(`An error occurred: ${msg.message}`);
          this.sessionId = null;
          return 2;
        }
        continue;
      }
      if (reply.status === 404 && body.error === 'runner_not_found') {
        this.term.error(MSG.noLongerExistsCleanup);
        this.diag.info('Runner registration deleted; removing local configuration.');
        removeConfigFiles(this.term);
        return 0;
      }
      if (reply.status === 404 && body.error === 'session_not_found') {
        const code = await this.createSession();
        if (code !== null) return code;
        continue;
      }
      if (reply.status === 403) {
        this.term.error(`An error occurred: ${String(body.message ?? 'Forbidden')}`);
        return 2;
      }
      await sleep(this.client.scaled(RETRY_MS), this.stop.signal);
    }
  }

  /** Starts bin/Runner.Worker and resolves once it reports ready (its signal handlers are set). */
  private async spawnWorker(job: Job): Promise<ChildProcess> {
    const child = spawn(file('bin/Runner.Worker'), ['spawnclient', '3', '4'], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: { ...this.env, RUNNER_ROOT: root() },
    });
    child.stdin?.on('error', () => undefined);
    const { repository, runId, serverUrl } = job;
    child.stdin?.write(`${JSON.stringify({ jobId: job.id, displayName: job.displayName, durationMs: this.client.scaled(job.durationMs), repository, runId, serverUrl })}\n`);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, 10_000);
      child.stdout?.once('data', done);
      child.once('exit', done);
      child.once('error', done);
    });
    return child;
  }

  /** Runs one job; returns the exit code when the listener should exit, or null to keep listening. */
  private async runJob(job: Job): Promise<number | null> {
    const worker = await this.spawnWorker(job);
    const exited = new Promise<void>((resolve) => {
      if (worker.exitCode !== null || worker.signalCode !== null) resolve();
      worker.once('exit', () => resolve());
      worker.once('error', () => resolve());
    });
    // Printed once the Runner.Worker child exists (github.md §6.3 marker table).
    this.term.stamped(`Running job: ${job.displayName}`);
    this.diag.info(`Job ${job.id} assigned.`);
    let canceled = false;
    let retryable = false;
    const jobPolls = new AbortController();
    const both = AbortSignal.any([jobPolls.signal, this.stop.signal]);
    const watcher = (async () => {
      while (!both.aborted) {
        const r = await this.poll(both);
        const m = r?.status === 200 ? (r.body as unknown as ChannelMessage) : null;
        if (m?.type === 'cancel' && m.jobId === job.id) {
          canceled = true;
          retryable = m.retryable === true;
          worker.kill('SIGTERM');
          return;
        }
      }
    })();
    const stopped = new Promise<void>((resolve) => {
      if (this.stop.signal.aborted) resolve();
      this.stop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([exited, stopped]);
    if (this.hung) return 0;
    if (this.stopping && worker.exitCode === null && worker.signalCode === null) {
      canceled = true;
      worker.kill('SIGTERM');
    }
    await exited;
    jobPolls.abort();
    await watcher;
    if (this.hung) return 0;
    // A worker that died (not done, not cancelled) fails the job.
    const result = canceled ? 'Canceled' : worker.exitCode === WORKER_DONE ? job.result : 'Failed';
    this.term.stamped(`Job ${job.displayName} completed with result: ${result}`);
    this.diag.info(`Job ${job.id} completed with result ${result}.`);
    await this.reportCompletion(job.id, result);
    if (this.hangAfterJobS !== undefined) {
      await sleep(this.client.scaled(this.hangAfterJobS * 1000), this.stop.signal);
      this.term.muted = true;
      this.diag.muted = true;
      this.stopReason = 'hang';
      this.stop.abort();
      return 0;
    }
    if (retryable) {
      await this.deleteSession();
      return 2;
    }
    if (this.stopping) return this.shutdown();
    if (this.settings.Ephemeral || this.once) {
      removeConfigFiles(this.term);
      await this.deleteSession();
      return 0;
    }
    return null;
  }

  private async reportCompletion(jobId: number, result: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const r = await this.call('POST', '/_fake/runner/complete', { sessionId: this.sessionId, jobId, result }, 10_000, AbortSignal.timeout(10_000));
        if (r.status !== 503) return;
      } catch (err) {
        if (!(err instanceof ConnectError) && !isAbort(err)) return;
      }
      await sleep(this.client.scaled(RETRY_MS));
    }
  }

  private async deleteSession(): Promise<void> {
    if (!this.sessionId) return;
    const id = this.sessionId;
    this.sessionId = null;
    try {
      await this.call('DELETE', `/_fake/runner/session/${id}`, undefined, 5000, AbortSignal.timeout(5000));
    } catch {
      // the server drops lost sessions by itself
    }
  }

  private async shutdown(): Promise<number> {
    if (this.hung) return 0;
    await this.deleteSession();
    return 0;
  }

  private async selfUpdate(version: string): Promise<number> {
    this.term.stamped('Runner update in progress, do not shutdown runner.');
    this.term.stamped(`Downloading ${version} runner`);
    this.term.stamped('Waiting for current job finish running.');
    this.term.stamped('Generate and execute update script.');
    this.term.stamped('Runner will exit shortly for update, should be back online within 10 seconds.');
    this.diag.info(`Updating to ${version}.`);
    setRunnerVersion(version);
    writeFileSync(file(UPDATE_FINISHED), `${new Date().toISOString()}\n`);
    await this.deleteSession();
    return this.settings.Ephemeral ? 4 : 3;
  }

  /** Fault runner.hang: silent, alive, never exits (until killed). */
  private hangForever(): Promise<number> {
    setInterval(() => undefined, 1 << 30);
    return new Promise<number>(() => undefined);
  }
}
