import path from 'node:path';
import { EkidenError, HOST_WIDE_REASONS, isEkidenError, type FailureReason } from '../errors';
import type { CycleOutcome, Phase, PhaseOutcome, SlotSnapshot, SlotState } from '../events/types';
import { pipelineResult } from '../guest/runner-output';
import { checkDhcpLeases } from '../host/preflight';
import { vmName } from '../host/tart/vm-name';
import { abortable, withDeadline } from '../util/async';
import type { Logger } from '../util/logger';
import { Backoff, type BackoffSettings } from './backoff';
import type { CapacityGate } from './capacity';
import { CycleCancelled, CycleContext } from './cycle-context';
import type { ImageManager } from './image-manager';
import type { SlotDeps, SlotSettings } from './ports';
import { RunnerSession } from './runner-session';
import { tearDown, type TeardownDeps } from './teardown';

/** What a slot needs from its supervisor: shared image and capacity, and the host-wide error gate. */
export interface SlotHost {
  images: ImageManager;
  capacity: CapacityGate;
  backoff: BackoffSettings;
  /** Blocks while a host-wide error pauses every slot. */
  waitForHostClear(signal: AbortSignal): Promise<void>;
  reportHostError(error: EkidenError, slot: number): void;
  /** Counts limit errors while none of our VMs run; the host escalates to "host reboot needed". */
  noteLimitError(slot: number): void;
  /** Counts failed VM starts across slots; the host escalates to one host-level error (field-failures #6). */
  noteStartFailure(slot: number, error: EkidenError): void;
  /** A VM of ours started and answered: the start-failure counts begin again. */
  noteStartSucceeded(): void;
  /** A cycle reached a listening runner: any host-wide error is over. */
  noteHealthy(): void;
}

export const DEFAULT_LABELS = ['self-hosted', 'macOS', 'ARM64'];

/**
 * One VM slot: the run loop of architecture.md, one cycle per job.
 *
 * idle -> preparing -> cloning -> booting -> connecting -> registering -> listening -> running
 *      -> finishing -> tearing-down -> idle;  any error -> backoff -> idle;  drain -> paused;  stop -> stopped
 */
export class Slot {
  private state: SlotState = 'idle';
  private since: number;
  private mode: 'run' | 'drain' | 'stop' = 'run';
  private cycle: CycleContext | undefined;
  private drainWaiters: (() => void)[] = [];
  private readonly backoff: Backoff;
  private lastError: SlotSnapshot['lastError'];
  /** The reason the current/last cycle failed, if it did. */
  private cycleFailure: FailureReason | undefined;
  /** Whether the cycle's first failure was about the host (it then waits at the host gate, not in backoff). */
  private cycleFailureHostWide = false;
  private retryAt: number | undefined;
  private job: SlotSnapshot['job'];
  private breakerOpen = false;
  private wake: (() => void) | undefined;
  private readonly log: Logger;
  private loopDone: Promise<void> | undefined;
  /** Work left by earlier teardowns (registration checks), by runner name; awaited before the slot pauses or stops. */
  private readonly settling = new Map<string, Promise<void>>();
  /** Aborted when that work should finish now (drain, stop). */
  private hurry = new AbortController();

  constructor(
    readonly index: number,
    private settings: SlotSettings,
    private readonly deps: SlotDeps,
    private readonly host: SlotHost,
  ) {
    this.since = deps.clock.now();
    this.backoff = new Backoff(host.backoff);
    this.log = deps.logger.child({ slot: index, scope: 'core' });
  }

  snapshot(): SlotSnapshot {
    const c = this.cycle;
    return {
      slot: this.index,
      state: this.state,
      since: this.since,
      vm: c?.vm,
      runnerName: c?.runner?.name,
      runnerId: c?.runner?.id,
      job: this.job,
      imageDigest: c?.imageDigest,
      lastError: this.lastError,
      retryAt: this.retryAt,
    };
  }

  /** Settings apply between cycles, never mid-job. */
  updateSettings(settings: SlotSettings): void {
    this.settings = settings;
  }

  /** Runner registrations an earlier teardown still confirms (the sweep leaves them alone). */
  get settlingRunners(): string[] {
    return [...this.settling.keys()];
  }

  /** Starts the loop (idempotent while it runs). Resolves when the slot is paused or stopped. */
  start(): Promise<void> {
    if (this.loopDone) return this.loopDone;
    this.mode = 'run';
    this.hurry = new AbortController();
    this.breakerOpen = false;
    this.backoff.reset();
    this.loopDone = this.loop().finally(() => (this.loopDone = undefined));
    return this.loopDone;
  }

  /** Pause = drain: a running job finishes; an idle runner is deregistered; nothing new starts. */
  drain(): Promise<void> {
    if (this.mode === 'run') this.mode = 'drain';
    this.hurry.abort();
    this.drainWaiters.splice(0).forEach((w) => w());
    this.wake?.();
    const c = this.cycle;
    if (c && !c.jobStarted && !['listening', 'tearing-down'].includes(this.state)) c.abort(new CycleCancelled('drain'));
    return this.loopDone ?? Promise.resolve();
  }

  /** Stop now: cancels everything; teardown still runs so nothing is left behind. */
  stopNow(): Promise<void> {
    this.mode = 'stop';
    this.hurry.abort();
    this.drainWaiters.splice(0).forEach((w) => w());
    this.wake?.();
    this.cycle?.abort(new CycleCancelled('stop'));
    return this.loopDone ?? Promise.resolve();
  }

  /** Ends a backoff wait early (e.g. the operator fixed something and pressed resume). */
  poke(): void {
    this.wake?.();
  }

  private setState(state: SlotState, extra: { reason?: FailureReason; retryAt?: number } = {}, at = this.deps.clock.now()): void {
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    this.since = at;
    this.deps.bus.emit({ type: 'slot.state', at: this.since, slot: this.index, state, previous, vm: this.cycle?.vm, ...extra });
  }

  private async loop(): Promise<void> {
    while (this.mode === 'run') {
      const idle = new AbortController();
      this.wake = () => idle.abort(new CycleCancelled('drain'));
      try {
        this.setState('idle');
        await this.host.waitForHostClear(idle.signal);
      } catch {
        continue;
      } finally {
        this.wake = undefined;
      }
      if (this.mode !== 'run') break;
      const outcome = await this.runCycle();
      // A host-wide failure waits at the host gate instead: it must not open this slot's breaker.
      const hostWide = this.cycleFailureHostWide;
      if (outcome === 'failed' && this.mode === 'run' && !hostWide) await this.waitBackoff();
      if (this.breakerOpen) break;
    }
    this.hurry.abort();
    await Promise.all(this.settling.values());
    this.setState(this.mode === 'stop' ? 'stopped' : 'paused');
  }

  private settleLater(runner: string, work: (hurry: AbortSignal) => Promise<void>): void {
    const task = work(this.hurry.signal)
      .catch((error: unknown) => this.log.log('warn', `checking runner ${runner} after teardown failed: ${(error as Error).message}`))
      .finally(() => this.settling.delete(runner));
    this.settling.set(runner, task);
  }

  private async waitBackoff(): Promise<void> {
    const delay = this.backoff.fail(this.deps.clock.now());
    if (this.backoff.open) {
      this.breakerOpen = true;
      const message = `Slot ${this.index} paused after ${this.host.backoff.breakerFailures} failures in ${this.host.backoff.breakerWindowMinutes} min; last: ${this.lastError?.message ?? 'unknown'}. Resume to retry.`;
      this.log.log('error', message);
      this.deps.bus.emit({
        type: 'failure', at: this.deps.clock.now(), slot: this.index, reason: this.lastError?.reason ?? 'vm_start_failed',
        message, hostWide: false,
      });
      return;
    }
    const now = this.deps.clock.now();
    this.retryAt = now + delay;
    this.setState('backoff', { reason: this.lastError?.reason, retryAt: this.retryAt }, now);
    const wait = new AbortController();
    this.wake = () => wait.abort(new CycleCancelled('drain'));
    await this.deps.clock.sleep(delay, wait.signal).catch(() => {});
    this.wake = undefined;
    this.retryAt = undefined;
  }

  private async runCycle(): Promise<CycleOutcome> {
    const c = new CycleContext(vmName(this.settings.hostId, this.index), this.deps.clock.now());
    this.cycle = c;
    let outcome: CycleOutcome = 'failed';
    this.cycleFailure = undefined;
    this.cycleFailureHostWide = false;
    try {
      outcome = await this.phases(c);
      this.backoff.succeed();
    } catch (error) {
      const reason = c.signal.aborted ? c.signal.reason : error;
      outcome = this.classify(await this.explainIpTimeout(reason), c);
    } finally {
      await tearDown(c, this.teardownDeps(), (s) => this.setState(s));
      this.job = undefined;
      const seconds = (this.deps.clock.now() - c.startedAt) / 1000;
      this.deps.bus.emit({ type: 'cycle.completed', at: this.deps.clock.now(), slot: this.index, outcome, seconds, vm: c.vm });
      this.cycle = undefined;
    }
    return outcome;
  }

  /**
   * An IP timeout with bootpd's pool full of unexpired leases is the host's problem, not the guest's
   * (field-failures #15): every slot would time out alike. Said once, host-wide, with the fix.
   */
  private async explainIpTimeout(error: unknown): Promise<unknown> {
    const file = this.settings.dhcpLeasesFile;
    if (!file || !isEkidenError(error) || error.reason !== 'ip_timeout') return error;
    const check = await checkDhcpLeases({ leasesFile: file }).catch(() => undefined);
    if (check?.status !== 'fail') return error;
    return new EkidenError(
      'ip_timeout', `${error.message} The DHCP address pool is full: ${check.message}. Fix: ${check.fix}`, error.detail,
      { cause: error, hostWide: true },
    );
  }

  private classify(error: unknown, c: CycleContext): CycleOutcome {
    if (error instanceof CycleCancelled) {
      this.log.log('info', error.message, { vm: c.vm });
      return 'aborted';
    }
    const failure = isEkidenError(error)
      ? error
      : new EkidenError('vm_exited_unexpectedly', `Unexpected error: ${(error as Error)?.message ?? String(error)}`, undefined, { cause: error });
    this.reportFailure(failure, c, c.failedPhase);
    return 'failed';
  }

  private reportFailure(error: EkidenError, c: CycleContext, phase?: Phase): void {
    const hostWide = error.hostWide || HOST_WIDE_REASONS.has(error.reason);
    this.lastError = { reason: error.reason, message: error.message, at: this.deps.clock.now() };
    if (this.cycleFailure === undefined) this.cycleFailureHostWide = hostWide;
    this.cycleFailure ??= error.reason;
    this.log.log('error', `${error.reason}: ${error.message}${error.detail ? ` (${error.detail})` : ''}`, { vm: c.vm });
    this.deps.bus.emit({
      type: 'failure', at: this.deps.clock.now(), slot: this.index, reason: error.reason, message: error.message,
      detail: error.detail, phase, vm: c.vm, hostWide,
    });
    if (hostWide) this.host.reportHostError(error, this.index);
    if (error.reason === 'vm_limit_exceeded') this.host.noteLimitError(this.index);
    if (error.reason === 'vm_start_failed') this.host.noteStartFailure(this.index, error);
  }

  /** The cycle, phase by phase. Returns how it ended; throws on failure (teardown follows). */
  private async phases(c: CycleContext): Promise<CycleOutcome> {
    const t = this.settings.timeouts;
    const log = this.log.child({ vm: c.vm });

    // preparing: the image (pull per policy) and a place under the two-VM limit
    this.setState('preparing');
    const image = await withDeadline(
      this.deps.clock, t.pull * 1000, () => new EkidenError('pull_failed', `Image pull did not finish within ${t.pull}s.`),
      (signal) => this.host.images.forCycle(signal, (line) => log.log('info', line, { source: 'tart', scope: 'tart' })), c.signal,
    ).catch((error: unknown) => {
      c.failedPhase ??= 'pull';
      throw error;
    });
    // The pull phase is timed only when this cycle actually ran `tart pull`.
    if (image.pullSeconds !== undefined) this.emitPhase(c, 'pull', 'ok', image.pullSeconds);
    c.imageDigest = image.digest;
    await abortable(
      this.host.capacity.acquire(c.vm, c.signal, (running) =>
        log.log('info', `waiting for a free macOS guest place (running: ${running.join(', ') || 'none'})`),
      ),
      c.signal,
    );
    c.reserved = true;

    // cloning: a fresh VM from the image, with a random MAC (stale DHCP leases, field-failures #16)
    this.setState('cloning');
    await this.phase(c, 'clone', t.clone, () => new EkidenError('clone_failed', `Clone did not finish within ${t.clone}s.`), async (signal) => {
      c.cloneStarted = true;
      await this.deps.backend.clone(image.source, c.vm, { signal });
      const vm = this.settings.vm;
      await this.deps.backend.configure(c.vm, { randomMac: vm.randomMac, cpu: vm.cpu, memoryMb: vm.memoryMb, diskSizeGb: vm.diskSizeGb });
    });

    // booting: `tart run` as a supervised child; its exit at any later point fails the cycle
    this.setState('booting');
    await this.phase(c, 'boot', t.boot, () => new EkidenError('vm_start_failed', `The VM did not start within ${t.boot}s.`), (signal) =>
      this.boot(c, signal),
    );

    // connecting: address (a hint only), then a guest shell and proof that it is our VM
    this.setState('connecting');
    const ip = await this.phase(c, 'ip', t.ip, () => new EkidenError('ip_timeout', `No IP address within ${t.ip}s.`), (signal) =>
      this.deps.backend.ip(c.vm, { waitSeconds: t.ip, resolver: this.settings.guest.ipResolver, signal }),
    );
    // Reaching only other guests until the bound is an identity failure, not a slow login (field-failures #14).
    let mismatch: string | undefined;
    await this.phase(
      c, 'connect', t.connect,
      () =>
        mismatch
          ? new EkidenError('ip_identity_mismatch', `The address tart reported belongs to another guest: ${mismatch}.`)
          : new EkidenError('ssh_timeout', `No guest login within ${t.connect}s.`),
      (signal) => this.connect(c, ip, signal, (what) => (mismatch = what)),
    );
    // Only a guest that answers proves the start: `tart list` can read "running" for a moment before
    // VZ refuses the start (limit, start failure).
    this.host.noteStartSucceeded();

    // registering: mint the single-use runner config as late as possible, start the runner detached
    this.setState('registering');
    const session = await this.phase(
      c, 'register', t.register,
      // A runner that said it cannot reach GitHub points at the guest's network (field-failures #20).
      () =>
        c.session?.hasSeen('connect-error')
          ? new EkidenError('guest_network', `The runner could not reach GitHub from the guest within ${t.register}s; recreating the VM (guest network).`)
          : new EkidenError('runner_register_timeout', `The runner was not listening within ${t.register}s (guest network or GitHub unreachable?).`),
      (signal) => this.register(c, signal),
    );

    // listening: an idle runner waits for any job that matches its labels
    this.setState('listening');
    this.host.noteHealthy();
    const started = await this.listen(c, session);
    if (!started) return c.controller.signal.aborted ? 'aborted' : 'idle_recycled';

    // running: the job's name comes from the runner, never from an assumed job <-> VM binding
    c.jobStarted = true;
    const jobStart = this.deps.clock.now();
    this.job = { name: started, startedAt: jobStart };
    this.deps.bus.emit({ type: 'job.started', at: jobStart, slot: this.index, vm: c.vm, runnerName: c.runner!.name, job: started });
    this.setState('running');
    void this.lookUpJobDetails(c, session, started);
    const done = await withDeadline(
      this.deps.clock, t.job * 1000,
      () => new EkidenError('job_timeout', `The job ran longer than ${t.job}s; the VM is destroyed.`),
      (signal) => session.waitFor('job-completed', signal), c.signal,
    );
    // A job shorter than the lookups still gets its origin: the worker's log outlives the job.
    if (!c.jobDetails) {
      const lastLook = () => this.readJobDetails(c, session, done.job);
      await withDeadline(this.deps.clock, 2_000, () => new Error('job details timed out'), lastLook).catch(() => false);
    }
    this.deps.bus.emit({
      type: 'job.completed', at: this.deps.clock.now(), slot: this.index, vm: c.vm, runnerName: c.runner!.name, job: done.job,
      runnerResult: done.result, result: pipelineResult(done.result), seconds: (this.deps.clock.now() - jobStart) / 1000,
      imageDigest: c.imageDigest, ...(c.jobDetails ? { repository: c.jobDetails.repository, runUrl: c.jobDetails.runUrl } : {}),
    });

    // finishing: the runner removes its credentials and exits; bounded, then the VM is killed anyway
    this.setState('finishing');
    try {
      await this.phase(c, 'finishing', t.finishing, () => new EkidenError('finishing_timeout', `The runner did not exit within ${t.finishing}s after its job.`), (signal) =>
        abortable(session.exited, signal),
      );
    } catch (error) {
      if (isEkidenError(error) && !c.signal.aborted) this.reportFailure(error, c, 'finishing');
      else if (!(c.signal.reason instanceof CycleCancelled)) throw error;
    }
    return 'job_completed';
  }

  /**
   * Best effort, never failing the cycle: where the job comes from, once the worker has traced its
   * job message in the guest (a moment after the job starts). A few tries, closer at first.
   */
  private async lookUpJobDetails(c: CycleContext, session: RunnerSession, job: string): Promise<void> {
    if (!this.deps.launcher.jobDetails) return;
    for (const wait of [250, 250, 500, 1000, 1000, 2000, 5000, 10_000]) {
      if (c.signal.aborted || c.jobDetails || (await this.readJobDetails(c, session, job))) return;
      await this.deps.clock.sleep(wait, c.signal).catch(() => {});
    }
  }

  /** One look at the job's origin; true once it is known (recorded on the cycle and announced once). */
  private async readJobDetails(c: CycleContext, session: RunnerSession, job: string): Promise<boolean> {
    const details = await this.deps.launcher.jobDetails?.(session.currentShell).catch(() => undefined);
    if (!details || c.signal.aborted || c.jobDetails) return !!c.jobDetails;
    c.jobDetails = details;
    if (this.cycle === c && this.job) this.job = { ...this.job, repository: details.repository, ...(details.runUrl ? { runUrl: details.runUrl } : {}) };
    this.deps.bus.emit({ type: 'job.details', at: this.deps.clock.now(), slot: this.index, vm: c.vm, job, ...details });
    return true;
  }

  private teardownDeps(): TeardownDeps {
    const { backend, github, secrets, bus, clock, logger } = this.deps;
    return {
      slot: this.index, backend, github, secrets, bus, clock, logger, capacity: this.host.capacity, launcher: this.deps.launcher,
      timeouts: this.settings.timeouts, busyRetrySeconds: 120, settleLater: (runner, work) => this.settleLater(runner, work),
    };
  }

  private emitPhase(c: CycleContext, phase: Phase, outcome: PhaseOutcome, seconds: number): void {
    this.deps.bus.emit({ type: 'phase.completed', at: this.deps.clock.now(), slot: this.index, phase, outcome, seconds, vm: c.vm });
  }

  /** Runs one timed phase: emits its duration and outcome, and maps its deadline to a typed error. */
  private async phase<T>(c: CycleContext, phase: Phase, seconds: number, onTimeout: () => EkidenError, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const started = this.deps.clock.now();
    let outcome: PhaseOutcome = 'ok';
    let timeoutError: EkidenError | undefined;
    try {
      return await withDeadline(this.deps.clock, seconds * 1000, () => (timeoutError = onTimeout()), work, c.signal);
    } catch (error) {
      outcome = error === timeoutError ? 'timeout' : c.signal.reason instanceof CycleCancelled ? 'cancelled' : 'error';
      c.failedPhase ??= phase;
      throw error;
    } finally {
      this.deps.bus.emit({
        type: 'phase.completed', at: this.deps.clock.now(), slot: this.index, phase, outcome,
        seconds: (this.deps.clock.now() - started) / 1000, vm: c.vm,
      });
    }
  }

  private async boot(c: CycleContext, signal: AbortSignal): Promise<void> {
    const vm = this.settings.vm;
    const handle = this.deps.backend.start(c.vm, {
      dirs: vm.dirs,
      extraArgs: vm.extraRunArgs,
      onLine: (line, stream) => this.log.log(stream === 'stderr' ? 'warn' : 'info', line, { source: 'tart', scope: 'tart', vm: c.vm }),
    });
    c.handle = handle;
    void handle.exited.then((exit) => {
      if (c.tearingDown) return;
      const error = isEkidenError(exit.error)
        ? exit.error
        : new EkidenError('vm_exited_unexpectedly', `The VM exited before teardown${exit.reason ? `: ${exit.reason}` : ''}.`, exit.reason);
      c.abort(error);
    });
    // The VM reads running once `tart run` holds its lock. If `tart list` disagrees while our child
    // lives (cirruslabs/tart#967), our child is trusted after a short grace.
    const graceUntil = this.deps.clock.now() + 2_000;
    for (;;) {
      const running = (await this.deps.backend.list()).some((v) => v.name === c.vm && v.running);
      if (running) break;
      if (this.deps.clock.now() >= graceUntil) {
        this.log.log('warn', 'tart list does not show the VM as running although its tart run lives; trusting our child', { vm: c.vm });
        break;
      }
      await this.deps.clock.sleep(200, signal);
    }
  }

  private async connect(c: CycleContext, firstIp: string, signal: AbortSignal, onMismatch: (what: string) => void): Promise<void> {
    const expectedMac = (await this.deps.backend.macAddress(c.vm)).toLowerCase();
    const g = this.settings.guest;
    let ip = firstIp;
    let lastMismatch = '';
    for (;;) {
      const shell = await this.deps.connector.connect(
        {
          host: ip, port: g.port, user: g.user, password: g.password, privateKey: g.privateKey, pinnedHostKey: g.pinnedHostKey,
          knownHostsFile: path.join(this.settings.stateDir, 'known_hosts', c.vm),
        },
        // A refused connect costs nothing: retried often, so the login follows the guest's sshd closely.
        { timeoutMs: this.settings.timeouts.connect * 1000, retryDelayMs: 250, keepaliveIntervalMs: 10_000, signal },
      );
      const mac = (await this.deps.launcher.guestMac(shell).catch(() => '')).trim().toLowerCase();
      if (mac === expectedMac) {
        c.shell = shell;
        return;
      }
      // A stale or duplicate lease led us to another guest: never start a runner there.
      await shell.close().catch(() => {});
      lastMismatch = `${ip} answered with MAC ${mac || 'unknown'}, expected ${expectedMac}`;
      onMismatch(lastMismatch);
      this.log.log('warn', `guest identity mismatch: ${lastMismatch}; asking for the address again`, { vm: c.vm });
      await this.deps.clock.sleep(1000, signal).catch(() => {
        throw new EkidenError('ip_identity_mismatch', `The address tart reported belongs to another guest: ${lastMismatch}.`);
      });
      ip = await this.deps.backend.ip(c.vm, { waitSeconds: 1, resolver: g.ipResolver, signal }).catch(() => ip);
    }
  }

  private labels(): string[] {
    const all = [...DEFAULT_LABELS, ...this.settings.labels];
    return all.filter((l, i) => all.findIndex((o) => o.toLowerCase() === l.toLowerCase()) === i);
  }

  private async register(c: CycleContext, signal: AbortSignal): Promise<RunnerSession> {
    const shell = c.shell!;
    const gh = this.deps.github;
    const labels = this.labels();
    if (this.settings.registration === 'jit') {
      const groupId = await gh.runnerGroupId();
      for (let attempt = 1; ; attempt++) {
        const name = attempt === 1 ? c.vm : `${c.vm}-${attempt}`;
        try {
          const jit = await gh.createJitRunner({ name, labels, runnerGroupId: groupId, workFolder: this.settings.workFolder });
          this.deps.secrets.register(jit.encodedJitConfig);
          c.secrets.push(jit.encodedJitConfig);
          c.runner = { id: jit.runner.id, name };
          await this.deps.launcher.startJit(shell, jit.encodedJitConfig);
          break;
        } catch (error) {
          const reason = isEkidenError(error) ? error.reason : undefined;
          if ((reason === 'jit_conflict' || reason === 'github_5xx') && attempt < 3) {
            this.log.log('warn', `runner registration ${name} failed (${reason}); minting again under a new name`, { vm: c.vm });
            continue;
          }
          if (reason === 'github_not_found' && attempt === 1 && !c.runner) {
            this.log.log('warn', 'generate-jitconfig is not available here; falling back to a registration token', { vm: c.vm });
            await this.registerWithToken(c, labels);
            break;
          }
          throw error;
        }
      }
    } else {
      await this.registerWithToken(c, labels);
    }
    let exitLine: string | undefined;
    const session = new RunnerSession(shell, {
      launcher: this.deps.launcher,
      reconnect: (sig) => this.reconnect(c, sig),
      onLine: (line, marker) => {
        this.log.log(marker?.kind === 'connect-error' ? 'warn' : 'info', line, { source: 'runner', scope: 'runner', vm: c.vm, job: this.job?.name });
        if (marker?.kind === 'version') this.deps.bus.emit({ type: 'runner.version', at: this.deps.clock.now(), slot: this.index, version: marker.version });
        if (marker?.kind === 'listener-exit') exitLine = marker.line;
      },
      clock: this.deps.clock,
      logger: this.log.child({ vm: c.vm }),
    });
    c.session = session;
    session.onFailure((error) => {
      if (c.deregistering && error.reason === 'registration_deleted') return;
      c.abort(error);
    });
    void session.follow(c.followController.signal).catch((error) => c.abort(isEkidenError(error) ? error : new EkidenError('ssh_dropped', `Lost the guest: ${(error as Error).message}`)));
    void session.exited.then((code) => {
      // A job may have run to its end while the idle-TTL DELETE was in flight (field-failures #29).
      if (session.hasSeen('job-completed')) return;
      // After our own idle-TTL DELETE the runner exits 0 by design (variant A).
      if (c.deregistering && !session.hasSeen('job-started')) return;
      // run.sh exits 0 even when the listener was killed mid-job: the job is lost, fail now, not at the job timeout.
      const when = c.jobStarted || session.hasSeen('job-started') ? 'during its job' : 'before taking a job';
      c.abort(new EkidenError('runner_crashed', `The runner exited (code ${code}) ${when}.`, exitLine));
    });
    await session.waitFor('listening', signal);
    if (c.runner && c.runner.id === undefined) {
      const record = await gh.findRunnerByName(c.runner.name);
      if (record) c.runner.id = record.id;
    }
    return session;
  }

  private async registerWithToken(c: CycleContext, labels: string[]): Promise<void> {
    const { token } = await this.deps.github.createRegistrationToken();
    this.deps.secrets.register(token);
    c.secrets.push(token);
    c.runner = { name: c.vm };
    await this.deps.launcher.startWithToken(c.shell!, {
      url: this.deps.github.runnerUrl, token, name: c.vm, labels, group: this.settings.runnerGroup,
      workFolder: this.settings.workFolder, disableUpdate: this.settings.disableUpdate,
    });
  }

  private async reconnect(c: CycleContext, signal: AbortSignal) {
    const ip = await this.deps.backend.ip(c.vm, { waitSeconds: 5, resolver: this.settings.guest.ipResolver, signal });
    const g = this.settings.guest;
    const shell = await this.deps.connector.connect(
      {
        host: ip, port: g.port, user: g.user, password: g.password, privateKey: g.privateKey, pinnedHostKey: g.pinnedHostKey,
        knownHostsFile: path.join(this.settings.stateDir, 'known_hosts', c.vm),
      },
      { timeoutMs: this.settings.timeouts.connect * 1000, retryDelayMs: 1000, keepaliveIntervalMs: 10_000, signal },
    );
    c.shell = shell;
    return shell;
  }

  /**
   * Waits for a job. Returns its display name, or undefined when the runner was deregistered
   * (idle TTL or drain). A 422 on that DELETE means a job raced in: follow it.
   */
  private async listen(c: CycleContext, session: RunnerSession): Promise<string | undefined> {
    const t = this.settings.timeouts;
    const started = this.deps.clock.now();
    const local = new AbortController();
    const stopLocal = () => local.abort(c.signal.reason);
    c.signal.addEventListener('abort', stopLocal, { once: true });
    // Dropped again in `finally`: a waiter left behind would hold this whole cycle (its SSH
    // connection included) for as long as the slot lives, one more per cycle.
    let onDrain: (() => void) | undefined;
    const emitIdle = (outcome: PhaseOutcome) =>
      this.deps.bus.emit({
        type: 'phase.completed', at: this.deps.clock.now(), slot: this.index, phase: 'idle', outcome,
        seconds: (this.deps.clock.now() - started) / 1000, vm: c.vm,
      });
    try {
      const job = session.waitFor('job-started', local.signal).then((m) => ({ kind: 'job' as const, name: m.job }));
      const ttl = this.deps.clock.sleep(t.idle * 1000, local.signal).then(() => ({ kind: 'ttl' as const }));
      const drain = new Promise<{ kind: 'drain' }>((resolve) => {
        if (this.mode !== 'run') resolve({ kind: 'drain' });
        else this.drainWaiters.push((onDrain = () => resolve({ kind: 'drain' })));
      });
      const liveness = this.watchRegistration(c, local.signal);
      const first = await Promise.race([job, ttl, drain, liveness]);
      if (first.kind === 'job') {
        emitIdle('ok');
        return first.name;
      }
      const reason = first.kind === 'ttl' ? 'idle_ttl' : 'teardown';
      c.deregistering = true;
      const outcome = c.runner?.id !== undefined ? await this.deps.github.deleteRunner(c.runner.id, { reason, name: c.runner.name }) : 'not-found';
      // 422: a job raced in. A 404 or 204 can come after the runner already took a job (and even
      // finished it, its registration auto-deleted): that job is followed and counted all the same.
      if (outcome === 'busy' || session.hasSeen('job-started')) {
        c.deregistering = false;
        this.log.log('info', `a job raced in while deregistering the idle runner (${outcome}); following it`, { vm: c.vm });
        const m = await session.waitFor('job-started', c.signal);
        emitIdle('ok');
        return m.job;
      }
      emitIdle(first.kind === 'ttl' ? 'timeout' : 'cancelled');
      if (first.kind === 'drain') c.abort(new CycleCancelled('drain'));
      else this.log.log('info', `no job within the idle TTL (${t.idle}s); recycling the VM`, { vm: c.vm });
      return undefined;
    } catch (error) {
      emitIdle(c.signal.reason instanceof CycleCancelled ? 'cancelled' : 'error');
      c.failedPhase ??= 'idle';
      throw error;
    } finally {
      c.signal.removeEventListener('abort', stopLocal);
      local.abort(new CycleCancelled('drain'));
      const waiter = onDrain ? this.drainWaiters.indexOf(onDrain) : -1;
      if (waiter >= 0) this.drainWaiters.splice(waiter, 1);
    }
  }

  /** Liveness while idle: the registration must still exist on GitHub (field-failures #7). */
  private async watchRegistration(c: CycleContext, signal: AbortSignal): Promise<never> {
    for (;;) {
      await this.deps.clock.sleep(this.settings.livenessIntervalSeconds * 1000, signal);
      if (c.runner?.id === undefined) continue;
      const record = await this.deps.github.getRunner(c.runner.id).catch(() => undefined);
      if (record === null && !c.jobStarted) {
        throw new EkidenError('registration_deleted', 'The runner registration disappeared from GitHub while idle; recycling the VM.');
      }
    }
  }
}
