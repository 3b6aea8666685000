// The simulated guest of one `tart run` (bundled to test/sim/dist/guest.mjs). It boots on the configured
// timeline (DHCP lease, then SSH, then the agent) and dies with its VM: when `tart run` goes away its
// stdin closes, and every process started in the guest is killed, detached ones included.
import fs from 'node:fs';
import path from 'node:path';
import { TartHome } from '../tart/home';
import { VmDir } from '../tart/vm-dir';
import { allocate } from '../tart/leases';
import { standingFault, takeFault } from '../tart/faults';
import { findMarked, killMarked, signalAll } from '../tart/sweep';
import { writeFileAtomic } from '../tart/fsx';
import { newHostKeyPair } from './host-key';
import { GUEST_HOSTNAME, type GuestSpec } from '../tart/guest-spec';
import { ensureGuestBin } from './guest-bin';
import { ensureLoginProfile } from './login-profile';
import { startSshServer } from './ssh-server';
import { startAgent } from './agent-server';
import type { GuestRuntime } from './processes';

const spec = JSON.parse(process.env.TART_SIM_GUEST_SPEC ?? '{}') as GuestSpec;
const home = new TartHome(spec.tartHome);
const config = home.config();
const vm = new VmDir(spec.vmDir, spec.vmName);
const fctx = { vm: spec.vmName, image: vm.imageInfo().digest };
const log = (line: string): void => {
  process.stdout.write(`${new Date().toISOString()} [${spec.vmName}] ${line}\n`);
};

const stateDir = path.join(vm.guestRoot, 'state');
const tmpDir = path.join(vm.guestRoot, 'tmp');
fs.mkdirSync(stateDir, { recursive: true });
fs.mkdirSync(tmpDir, { recursive: true });
fs.mkdirSync(vm.guestHome, { recursive: true });
ensureLoginProfile(vm.guestHome);
writeFileAtomic(path.join(stateDir, 'en0.mac'), spec.mac + '\n');
fs.rmSync(path.join(stateDir, 'en0.ip'), { force: true });
const binDir = home.sim('guest-bin');
ensureGuestBin(binDir);

const rt: GuestRuntime = {
  home: vm.guestHome,
  stateDir,
  tmpDir,
  binDir,
  runId: spec.runId,
  instanceId: spec.instanceId,
  vmName: spec.vmName,
  // Offline if this boot took net.guest_offline, or while an untimed one is set (so it can be switched mid-run).
  offline: () => spec.guestOffline || standingFault(home, 'net.guest_offline', fctx),
};

let ip: string | undefined;
const closers: (() => void)[] = [];
const timers: NodeJS.Timeout[] = [];
const at = (simMs: number): number => Math.max(0, spec.startedAt + home.scaled(simMs) - Date.now());
const later = (ms: number, fn: () => void): void => {
  timers.push(setTimeout(fn, ms));
};

function hostKey(): string {
  if (spec.hostKeyChange) return newHostKeyPair().private;
  const keyFile = path.join(vm.guestRoot, 'ssh', 'ssh_host_ed25519_key');
  if (!fs.existsSync(keyFile)) writeFileAtomic(keyFile, newHostKeyPair().private);
  return fs.readFileSync(keyFile, 'utf8');
}

function lease(): void {
  const got = allocate(home, spec.mac, {
    leaseTimeSec: spec.leaseTimeSec,
    hostname: GUEST_HOSTNAME.replace(/\.local$/, ''),
    duplicate: takeFault(home, 'net.duplicate_ip', fctx) !== undefined,
    exhaust: takeFault(home, 'net.lease_exhaustion', fctx) !== undefined,
  });
  if (!got) {
    log('DHCP: no lease (pool exhausted); retrying');
    later(home.scaled(1000), lease);
    return;
  }
  ip = got;
  writeFileAtomic(path.join(stateDir, 'en0.ip'), ip + '\n');
  log(`DHCP: leased ${ip}`);
  later(Math.max(at(config.timeline.sshDelayMs), 0) + spec.sshRefuseMs, () => {
    const s = startSshServer({ home, rt, ip: got, port: config.guestPort, hostKey: hostKey(), fctx, log });
    closers.push(s.close);
  });
}

function boot(): void {
  if (spec.bootHang) {
    log('boot hangs (tart.boot_hang)');
    return;
  }
  later(at(config.timeline.bootDelayMs), lease);
  if (!spec.agentAbsent) {
    later(at(config.timeline.agentDelayMs), () => {
      const a = startAgent(vm.controlSocket, rt, () => ip);
      closers.push(a.close);
      log('agent serving control.sock');
    });
  }
}

let stopping = false;
let poweringOff = false;

/** Power off: everything started in the guest dies at once. */
async function powerOff(code: number): Promise<void> {
  if (poweringOff) return;
  poweringOff = true;
  stopping = true;
  for (const t of timers) clearTimeout(t);
  for (const c of closers) c();
  await killMarked('TART_SIM_GUEST', spec.runId);
  process.exit(code);
}

/** The guest shuts itself down: processes get SIGTERM and a moment, then the power goes. */
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('guest shutdown');
  for (const c of closers) c();
  signalAll(findMarked('TART_SIM_GUEST', spec.runId), 'SIGTERM');
  const deadline = Date.now() + home.scaled(2000);
  while (Date.now() < deadline && findMarked('TART_SIM_GUEST', spec.runId).length > 0) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await powerOff(0);
}

// The lifeline: `tart run` holds the other end of stdin. EOF (exit, SIGKILL, stop) means the VM is gone.
process.stdin.on('data', (d: Buffer) => {
  if (d.toString().includes('shutdown')) void shutdown();
});
process.stdin.on('end', () => void powerOff(0));
process.stdin.on('close', () => void powerOff(0));
process.stdin.on('error', () => void powerOff(0));
process.stdin.resume();
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
process.on('uncaughtException', (e) => {
  log(`guest crashed: ${e.stack ?? e}`);
  // Also kept host-side: the VM's directory (and its guest.log) goes with the teardown.
  try {
    fs.appendFileSync(home.sim('guest-crashes.log'), `${new Date().toISOString()} [${spec.vmName}] ${e.stack ?? e}\n`);
  } catch {
    /* the TART_HOME is gone: nothing to keep */
  }
  void powerOff(70);
});

log(`boot: mac=${spec.mac} run=${spec.runId}`);
boot();
