// `tart run <name>` (tart.md §4): blocks for the VM's life. Holding the run lock is "running"; the guest
// is a child process (dist/guest.mjs) that lives exactly as long as this process.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { CommandSpec, Parsed } from '../args';
import type { Ctx } from '../ctx';
import { alreadyRunning, ExitCode, UsageError } from '../errors';
import { listLocal, openLocal, type VmDir } from '../vm-dir';
import { lockAsync, selfHolder, tryLock, unlock, writeFileAtomic } from '../fsx';
import { faultActive, num, str, takeFault, type FaultContext } from '../faults';
import { randomMac } from '../vm-config';
import { liveVz, registerVz, unregisterVz } from '../vz';
import { killMarked } from '../sweep';
import type { GuestSpec } from '../guest-spec';

export const spec: CommandSpec = {
  name: 'run',
  usage: '<name> [--no-graphics] [--serial] [--no-audio] [--suspendable] [--dir <dir> ...] [--net-softnet] ...',
  flags: [
    'no-graphics',
    'graphics',
    'serial',
    'no-audio',
    'no-clipboard',
    'no-trackpad',
    'no-pointer',
    'no-keyboard',
    'recovery',
    'vnc',
    'vnc-experimental',
    'nested',
    'suspendable',
    'capture-system-keys',
    'net-softnet',
    'net-host',
  ],
  options: ['serial-path', 'rosetta', 'root-disk-opts', 'net-softnet-allow', 'net-softnet-block', 'net-softnet-expose'],
  multi: ['disk', 'dir', 'net-bridged'],
  positionals: [{ name: 'name' }],
};

const DEFAULT_VZ_ERROR =
  'Error Domain=VZErrorDomain Code=1 "The virtual machine stopped unexpectedly." UserInfo={NSLocalizedFailure=Internal Virtualization error., NSLocalizedFailureReason=The virtual machine stopped unexpectedly.}';
const DEFAULT_START_ERROR =
  'Error Domain=VZErrorDomain Code=1 "Internal Virtualization error. The virtual machine failed to start." UserInfo={NSLocalizedFailure=Internal Virtualization error., NSLocalizedFailureReason=The virtual machine failed to start.}';
const KEYCHAIN_ERROR =
  'Failed to generate keypair: SecKeyCreateRandomKey_ios failed: Interaction is not allowed with the Security Server. (-25308)';
const NETWORK_DEVICE = '<VZVirtioNetworkDevice: 0x600003e8c0a0>';
const DEFAULT_NET_ERROR =
  'Error Domain=VZErrorDomain Code=-9 "The network attachment was disconnected." UserInfo={NSLocalizedFailure=The network attachment was disconnected.}';
const SUSPEND_UNSUPPORTED =
  'The virtual machine configuration does not support saving and restoring. Start the VM with --suspendable.';

type VmSignal = 'SIGINT' | 'SIGUSR1' | 'SIGUSR2';

function validate(p: Parsed): void {
  const f = p.flags;
  if (f.has('vnc') && f.has('vnc-experimental')) throw new UsageError('--vnc and --vnc-experimental are mutually exclusive');
  const softnet = f.has('net-softnet') || p.opts.has('net-softnet-allow') || p.opts.has('net-softnet-block') || p.opts.has('net-softnet-expose');
  const nets = [(p.multi.get('net-bridged') ?? []).length > 0, softnet, f.has('net-host')].filter(Boolean).length;
  if (nets > 1) throw new UsageError('--net-bridged, --net-softnet and --net-host are mutually exclusive');
  if (f.has('graphics') && f.has('no-graphics')) throw new UsageError('--graphics and --no-graphics are mutually exclusive');
}

function guestEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const c of [path.join(here, 'guest.mjs'), path.join(here, '..', 'dist', 'guest.mjs'), path.join(here, '..', '..', 'dist', 'guest.mjs')]) {
    if (fs.existsSync(c)) return c;
  }
  throw new Error('simulator guest bundle (dist/guest.mjs) not found; run test/sim/build.ts');
}

/** Start failures Virtualization.framework would report, checked under the TART_HOME lock. */
function startFailure(ctx: Ctx, vm: VmDir, fctx: FaultContext): string | undefined {
  const home = ctx.home;
  const os = vm.config().os;
  const keychain = takeFault(home, 'tart.keychain_locked', fctx);
  if (keychain) return str(keychain, 'message', KEYCHAIN_ERROR);
  if (os === 'darwin') {
    const others = liveVz(home).filter((e) => e.os === 'darwin' && e.name !== vm.name).length;
    const foreign = faultActive(home, 'tart.foreign_vm');
    const invisible = foreign && foreign.visible === false ? num(foreign, 'count', 1) : 0;
    const leaked = takeFault(home, 'tart.limit_leak', fctx) !== undefined;
    if (leaked || others + invisible >= 2) {
      const running = listLocal(home)
        .filter((v) => v.name !== vm.name && v.running())
        .map((v) => v.name);
      const hint = running.length > 0 ? ` (other running VMs: ${running.join(', ')})` : '';
      return `The number of VMs exceeds the system limit${hint}`;
    }
  }
  const fail = takeFault(home, 'tart.run_start_fail', fctx);
  if (fail) return str(fail, 'message', DEFAULT_START_ERROR);
  return undefined;
}

export async function run(ctx: Ctx, p: Parsed): Promise<void> {
  // One listener per signal for the whole run: a signal that arrives while the VM is still starting
  // waits in `early` (removing a listener would drop a signal libuv has already queued).
  const early: VmSignal[] = [];
  let dispatch: Record<VmSignal, () => void> | undefined;
  for (const sig of ['SIGINT', 'SIGUSR1', 'SIGUSR2'] as const) {
    process.on(sig, () => (dispatch ? dispatch[sig]() : void early.push(sig)));
  }

  validate(p);
  const home = ctx.home;
  const name = p.pos[0];
  const vm = openLocal(home, name);
  const suspendable = p.flags.has('suspendable') || vm.state() === 'suspended';
  if (suspendable) {
    if (vm.config().os === 'linux') throw new UsageError('You can only suspend macOS VMs');
    if ((p.multi.get('dir') ?? []).length > 0) throw new UsageError('Suspending VMs with shared directories is not supported');
  }
  const fctx: FaultContext = { vm: name, image: vm.imageInfo().digest };
  const me = selfHolder();
  const runId = `${name}-${process.pid}-${randomBytes(3).toString('hex')}`;

  let holdsLock = false;
  let startError: string | undefined;
  const releaseHome = await lockAsync(home.homeLock);
  try {
    const cfg = vm.config();
    const collision = listLocal(home).some((o) => o.name !== name && o.running() && o.config().macAddress === cfg.macAddress);
    if (collision) {
      ctx.out('There is already a running VM with the same MAC address!');
      ctx.out('Resetting VM to assign a new MAC address...');
      cfg.macAddress = randomMac();
      vm.saveConfig(cfg);
    }
    if (vm.running()) throw alreadyRunning(name);
    if (takeFault(home, 'tart.lock_lost', fctx) === undefined) {
      if (!tryLock(vm.runLock, me)) throw alreadyRunning(name);
      holdsLock = true;
    }
    startError = startFailure(ctx, vm, fctx);
    if (!startError) registerVz(home, { ...me, runId, name, os: cfg.os });
  } finally {
    releaseHome();
  }
  const releaseLock = (): void => {
    if (holdsLock) unlock(vm.runLock, me);
  };

  if (fs.existsSync(vm.statePath)) {
    ctx.out('restoring VM state from a snapshot...');
    fs.rmSync(vm.statePath, { force: true });
    ctx.out('resuming VM...');
  }
  if (startError) {
    releaseLock();
    ctx.err(startError);
    throw new ExitCode(1);
  }

  const cfg = vm.config();
  const softnet = p.flags.has('net-softnet') || p.opts.has('net-softnet-allow') || p.flags.has('net-host');
  const guestSpec: GuestSpec = {
    tartHome: home.root,
    vmName: name,
    vmDir: vm.dir,
    runId,
    instanceId: home.config().instanceId,
    mac: cfg.macAddress,
    os: cfg.os,
    startedAt: Date.now(),
    leaseTimeSec: softnet ? 600 : home.config().leaseTimeSec,
    bootHang: takeFault(home, 'tart.boot_hang', fctx) !== undefined,
    agentAbsent: takeFault(home, 'agent.absent', fctx) !== undefined,
    hostKeyChange: takeFault(home, 'ssh.host_key_change', fctx) !== undefined,
    guestOffline: takeFault(home, 'net.guest_offline', fctx) !== undefined,
    sshRefuseMs: (() => {
      const f = takeFault(home, 'ssh.refuse', fctx);
      return f ? home.scaled(num(f, 's', num(f, 'seconds', 10)) * 1000) : 0;
    })(),
  };
  const ignoresSigint = takeFault(home, 'tart.run_ignores_sigint', fctx) !== undefined;
  const errorStop = takeFault(home, 'tart.guest_error_stop', fctx);
  const netDisconnect = takeFault(home, 'tart.network_disconnect', fctx);

  fs.mkdirSync(vm.sim(), { recursive: true });
  const log = fs.openSync(vm.sim('guest.log'), 'a');
  const guest: ChildProcess = spawn(process.execPath, [guestEntry()], {
    stdio: ['pipe', log, log],
    detached: true,
    env: {
      TART_SIM_GUEST_SPEC: JSON.stringify(guestSpec),
      TART_SIM_GUEST_MAIN: runId,
      TART_SIM_INSTANCE: guestSpec.instanceId,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
    },
  });
  fs.closeSync(log);
  guest.stdin?.on('error', () => undefined);

  let ending = false;
  const finish = async (code: number, line?: string): Promise<never> => {
    if (ending) return new Promise<never>(() => {});
    ending = true;
    if (line) ctx.out(line);
    await stopGuest(guest, runId);
    unregisterVz(home, runId);
    releaseLock();
    throw new ExitCode(code);
  };

  return new Promise<void>((_resolve, reject) => {
    const end = (code: number, line?: string): void => {
      finish(code, line).catch(reject);
    };
    guest.on('exit', (code, signal) => {
      if (ending) return;
      if (code === 0) end(0, 'guest has stopped the virtual machine');
      else end(0, `guest has stopped the virtual machine due to error: ${DEFAULT_VZ_ERROR} (guest exit ${code ?? signal})`);
    });
    dispatch = {
      SIGINT: () => {
        if (!ignoresSigint && !ending) end(0, 'Stopping VM...');
      },
      SIGUSR2: () => {
        if (ending) return;
        ctx.out('Requesting guest OS to stop...');
        // Through the lifeline pipe: buffered even while the guest is still loading.
        if (home.config().usr2Mode === 'graceful') guest.stdin?.write('shutdown\n');
      },
      SIGUSR1: () => {
        if (ending) return;
        if (!suspendable) {
          end(1, `Failed to suspend the VM: ${SUSPEND_UNSUPPORTED}`);
          return;
        }
        ctx.out('pausing VM to take a snapshot...');
        ctx.out('creating a snapshot...');
        writeFileAtomic(vm.statePath, JSON.stringify({ suspendedAt: Date.now(), mac: cfg.macAddress }));
        end(0, 'snapshot created successfully! shutting down the VM...');
      },
    };
    for (const sig of early.splice(0)) dispatch[sig]();
    if (errorStop) {
      const line = `guest has stopped the virtual machine due to error: ${str(errorStop, 'message', DEFAULT_VZ_ERROR)}`;
      setTimeout(() => end(0, line), home.scaled(num(errorStop, 'afterS', 5) * 1000));
    }
    if (netDisconnect) {
      const line = `virtual machine's network attachment ${NETWORK_DEVICE} has been disconnected with error: ${str(netDisconnect, 'message', DEFAULT_NET_ERROR)}`;
      setTimeout(() => end(0, line), home.scaled(num(netDisconnect, 'afterS', 5) * 1000));
    }
  });
}

/** Powers the guest off: its lifeline pipe closes and it kills its processes; then we make sure. */
async function stopGuest(guest: ChildProcess, runId: string): Promise<void> {
  if (guest.exitCode === null && guest.signalCode === null) {
    guest.stdin?.destroy();
    const exited = new Promise<void>((r) => guest.once('exit', () => r()));
    const timeout = new Promise<void>((r) => setTimeout(r, 2000));
    await Promise.race([exited, timeout]);
    if (guest.exitCode === null && guest.signalCode === null) guest.kill('SIGKILL');
  }
  await killMarked('TART_SIM_GUEST', runId);
}
