// In-memory stand-ins for the slot's ports, driven by the test under fake time. Integration tests
// run the same Slot against the real simulator; these exist so the state machine's timing rules can
// be checked deterministically.
import { EkidenError } from '../../../src-main/core/errors';
import { EventBus } from '../../../src-main/core/events/bus';
import type { JobDetails } from '../../../src-main/core/guest/job-message';
import type { EkidenEvent } from '../../../src-main/core/events/types';
import type { DeleteOutcome, GitHubClient, JitRunner, RunnerDeletionReason, RunnerRecord } from '../../../src-main/core/github/github-client';
import type { ExecResult, GuestConnector, GuestShell } from '../../../src-main/core/guest/guest-shell';
import type { VmBackend, VmExit, VmHandle, VmInfo } from '../../../src-main/core/host/vm-backend';
import { bindLogger } from '../../../src-main/core/util/logger';
import { deferred } from '../../../src-main/core/util/async';
import type { AttachResult, RunnerLauncher, SlotDeps, SlotSettings } from '../../../src-main/core/runner/ports';
import type { FakeClock } from '../../support/fake-clock';

export class FakeBackend implements VmBackend {
  vms = new Map<string, { running: boolean; mac: string; exit?: (e: VmExit) => void }>();
  calls: string[] = [];
  cloneError: Error | undefined;
  pulls = 0;

  async version() { return '2.32.1'; }
  async pull() { this.pulls++; return { changed: false, lines: [] }; }
  async fqn(ref: string) { return `${ref.split(':')[0]}@sha256:${'a'.repeat(64)}`; }
  async clone(_source: string, name: string) {
    this.calls.push(`clone ${name}`);
    if (this.cloneError) throw this.cloneError;
    this.vms.set(name, { running: false, mac: 'aa:bb:cc:00:00:01' });
  }
  async configure(name: string) { this.calls.push(`set ${name}`); }
  start(name: string): VmHandle {
    this.calls.push(`run ${name}`);
    const vm = this.vms.get(name)!;
    vm.running = true;
    const exited = deferred<VmExit>();
    vm.exit = (e) => {
      vm.running = false;
      exited.resolve(e);
    };
    return { name, pid: 1234, exited: exited.promise, kill: () => vm.exit?.({ code: null, signal: 'SIGKILL', clean: false }) };
  }
  async macAddress(name: string) { return this.vms.get(name)!.mac; }
  async ip() { return '192.168.64.3'; }
  async stop(name: string) {
    this.calls.push(`stop ${name}`);
    const vm = this.vms.get(name);
    if (vm?.running) vm.exit?.({ code: 0, signal: null, clean: true });
  }
  async delete(name: string) {
    this.calls.push(`delete ${name}`);
    this.vms.delete(name);
  }
  async list(): Promise<VmInfo[]> {
    return [...this.vms].map(([name, vm]) => ({
      name, source: 'local', running: vm.running, state: vm.running ? 'running' : 'stopped', sizeGb: 1, diskGb: 50, accessed: '',
    }));
  }
  async prune() {}

  /** The guest stops the VM with an error, as `tart run` reports it. */
  crash(name: string) {
    this.vms.get(name)?.exit?.({
      code: 0, signal: null, clean: false, reason: 'guest has stopped the virtual machine due to error: boom',
      error: new EkidenError('vm_error_stop', 'The VM stopped with an error.', 'guest has stopped the virtual machine due to error: boom'),
    });
  }
}

class FakeShell implements GuestShell {
  private done = deferred<void>();
  readonly closed = this.done.promise;
  async exec(): Promise<ExecResult> { return { code: 0, signal: null, stdout: '', stderr: '' }; }
  async close() { this.done.resolve(); }
}

export class FakeConnector implements GuestConnector {
  connects = 0;
  async connect(): Promise<GuestShell> {
    this.connects++;
    return new FakeShell();
  }
}

/** The runner in the guest: the test prints its lines; attach streams them until it exits. */
export class FakeLauncher implements RunnerLauncher {
  started: string[] = [];
  private lines: string[] = [];
  private exitCode: number | null | undefined;
  private notify: (() => void) | undefined;
  mac = 'aa:bb:cc:00:00:01';

  async startJit(_shell: GuestShell, jit: string) { this.fresh(); this.started.push(jit); }
  async startWithToken() { this.fresh(); this.started.push('token'); }
  /** A new VM runs a new runner: its output starts empty. */
  private fresh() {
    this.lines = [];
    this.exitCode = undefined;
  }
  async guestMac() { return this.mac; }
  /** What the worker's diagnostics say about the running job (unset: this runner never says). */
  details: JobDetails | undefined;
  detailLooks = 0;
  async jobDetails() {
    this.detailLooks++;
    return this.details;
  }

  print(...lines: string[]) {
    this.lines.push(...lines);
    this.notify?.();
  }
  exit(code: number) {
    this.exitCode = code;
    this.notify?.();
  }

  async attach(_shell: GuestShell, from: number, onLine: (l: string) => void, signal: AbortSignal): Promise<AttachResult> {
    let i = from;
    for (;;) {
      while (i < this.lines.length) onLine(this.lines[i++]);
      if (this.exitCode !== undefined) return { kind: 'exited', exitCode: this.exitCode, offset: i };
      if (signal.aborted) return { kind: 'dropped', offset: i };
      await new Promise<void>((resolve) => {
        this.notify = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }
}

export class FakeGitHub implements GitHubClient {
  readonly runnerUrl = 'https://github.com/acme/app';
  runners = new Map<number, RunnerRecord>();
  nextId = 1;
  deleteAnswers: DeleteOutcome[] = [];
  deletes: number[] = [];

  async runnerGroupId() { return 1; }
  async createJitRunner(req: { name: string; labels: string[] }): Promise<JitRunner> {
    const runner: RunnerRecord = { id: this.nextId++, name: req.name, os: 'unknown', status: 'offline', busy: false, labels: req.labels.map((name) => ({ name })) };
    this.runners.set(runner.id, runner);
    return { runner, encodedJitConfig: `jit-secret-${runner.id}` };
  }
  async createRegistrationToken() { return { token: 'REGTOKEN', expiresAt: '' }; }
  async getRunner(id: number) { return this.runners.get(id) ?? null; }
  async findRunnerByName(name: string) { return [...this.runners.values()].find((r) => r.name === name) ?? null; }
  /** Like the real client, every DELETE is reported (the wiring turns it into a runner.deleted event). */
  onDeleted: (d: { id: number; name: string; reason: RunnerDeletionReason; status: 204 | 404 | 422 }) => void = () => {};
  async deleteRunner(id: number, opts: { reason?: RunnerDeletionReason; name?: string } = {}): Promise<DeleteOutcome> {
    this.deletes.push(id);
    const answer = this.deleteAnswers.shift() ?? (this.runners.has(id) ? 'deleted' : 'not-found');
    if (answer === 'deleted') this.runners.delete(id);
    this.onDeleted({ id, name: opts.name ?? '', reason: opts.reason ?? 'teardown', status: answer === 'deleted' ? 204 : answer === 'busy' ? 422 : 404 });
    return answer;
  }
  async listRunners() { return [...this.runners.values()]; }
  async latestRunnerVersion() { return '2.336.0'; }
}

export const TIMEOUTS = { pull: 600, clone: 60, boot: 60, ip: 60, connect: 60, register: 120, idle: 600, job: 3600, finishing: 60, stop: 10, delete: 30 };

export function slotSettings(over: Partial<SlotSettings> = {}): SlotSettings {
  return {
    hostId: 'mini1',
    labels: ['xcode-16'],
    runnerGroup: '',
    workFolder: '_work',
    registration: 'jit',
    disableUpdate: false,
    vm: { randomMac: true, dirs: [], extraRunArgs: [] },
    guest: { port: 22, user: 'admin', password: 'admin', ipResolver: 'dhcp' },
    timeouts: TIMEOUTS,
    stateDir: '/tmp/ekiden-unit',
    livenessIntervalSeconds: 60,
    ...over,
  };
}

export function fakeWorld(clock: FakeClock) {
  const bus = new EventBus((e) => {
    throw e;
  });
  const events: EkidenEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const secrets = new Set<string>();
  const deps: SlotDeps = {
    backend: new FakeBackend(),
    connector: new FakeConnector(),
    github: new FakeGitHub(),
    launcher: new FakeLauncher(),
    secrets: { register: (v) => secrets.add(v), unregister: (v) => secrets.delete(v) },
    bus,
    clock,
    logger: bindLogger(() => {}),
  };
  (deps.github as FakeGitHub).onDeleted = (d) =>
    bus.emit({ type: 'runner.deleted', at: clock.now(), runnerId: d.id, name: d.name, reason: d.reason, status: d.status });
  return {
    deps, events, secrets,
    backend: deps.backend as FakeBackend,
    github: deps.github as FakeGitHub,
    launcher: deps.launcher as FakeLauncher,
    states: (slot = 0) => events.filter((e) => e.type === 'slot.state' && e.slot === slot).map((e) => (e as { state: string }).state),
  };
}

export const TS = '2026-12-03 12:00:00Z';
export const RUNNER = {
  connected: ['', '√ Connected to GitHub', ''],
  listening: ["Current runner version: '2.336.0'", `${TS}: Listening for Jobs`],
  job: (name: string) => `${TS}: Running job: ${name}`,
  done: (name: string, result = 'Succeeded') => `${TS}: Job ${name} completed with result: ${result}`,
  exit: ['√ Removed .credentials', '√ Removed .runner', 'Runner listener exit with 0 return code, stop the service, no retry needed.', 'Exiting runner...'],
};
