// Programmatic control of the Tart half of the host simulator: a TART_HOME with its simulated
// registry, DHCP, faults and invocation log, the fake `tart` to spawn, and cleanup of everything it started.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { DEFAULT_CONFIG, TartHome, type SimConfig, type Timeline } from './home';
import * as faults from './faults';
import type { FaultEntry, FaultOptions, FaultParams } from './faults';
import { publish, registryRequests, setRegistryCredentials as storeCredentials } from './registry';
import { newVmConfig, seededMac } from './vm-config';
import { readLeases, removeFillers, resetLeases as wipeLeases, type Lease } from './leases';
import { localVm } from './vm-dir';
import { procStartTime, writeFileAtomic, writeJsonAtomic } from './fsx';
import { findMarked, killMarked, processEnv, signalAll } from './sweep';
import { claimIpBase } from './net-claim';
import { allowLocalNetwork, denyLocalNetwork } from './net-deny';
import { registerVz, unregisterVz } from './vz';
import type { InvocationEnd, InvocationStart } from './ctx';
import { newHostKeyPair } from '../guest/host-key';
import { ensureLoginProfile } from '../guest/login-profile';

export type { FaultOptions, FaultParams, FaultEntry, Lease, Timeline, SimConfig };

const here = path.dirname(fileURLToPath(import.meta.url));
const SIM_ROOT = path.resolve(here, '..');
const TART_BIN = path.join(SIM_ROOT, 'bin', 'tart');
const DIST = path.join(SIM_ROOT, 'dist');

export interface TartSimOptions {
  /** Directory owned by the simulator (created; removed by cleanup). Default: a fresh mkdtemp. */
  root?: string;
  guestPort?: number;
  bootDelayMs?: number;
  sshDelayMs?: number;
  agentDelayMs?: number;
  leaseTimeSec?: number;
  seed?: number;
  tartVersion?: string;
  /** Multiplies every simulated delay (timeline, fault delays, pull duration). Default 1. */
  timeScale?: number;
  /** Simulated pull duration of one image in ms (before timeScale). Default 300. */
  pullMs?: number;
  usr2Mode?: 'graceful' | 'dialog';
}

export interface PublishImageOptions {
  populateHome?: (homeDir: string) => void | Promise<void>;
  os?: 'darwin' | 'linux';
  sizeGb?: number;
}

export interface TartResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Invocation {
  id: string;
  pid: number;
  argv: string[];
  /** Selected env values (HOME, PATH, TART_HOME, CI, TART_NO_AUTO_PRUNE, TART_REGISTRY_HOSTNAME/USERNAME). */
  env: Record<string, string>;
  /** Presence of those keys and of TART_REGISTRY_PASSWORD (never recorded as a value). */
  present: Record<string, boolean>;
  envKeys: string[];
  startedAt: number;
  exitCode?: number;
  endedAt?: number;
}

export interface RunHandle {
  pid: number;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<TartResult>;
  kill(signal?: NodeJS.Signals): void;
}

export interface TartSim {
  root: string;
  tartPath: string;
  tartHome: string;
  /** HOME given to the fake tart by runTart. */
  hostHome: string;
  /** Env to run the fake tart by hand: HOME, PATH, TART_HOME. */
  env: Record<string, string>;
  /** First three octets of this simulator's guest /24. */
  ipBase: string;
  guestPort: number;
  publishImage(ref: string, opts?: PublishImageOptions): Promise<string>;
  setRegistryCredentials(host: string, user: string, pass: string): void;
  clearRegistryCredentials(host: string): void;
  setFault(name: string, params?: FaultParams, opts?: FaultOptions): void;
  clearFaults(name?: string): void;
  faults(): Record<string, FaultEntry>;
  setTimeline(t: Partial<Timeline>): void;
  setConfig(c: Partial<Omit<SimConfig, 'instanceId' | 'ipBase'>>): void;
  config(): SimConfig;
  invocations(): Invocation[];
  registryRequests(): { what: string; ref: string; at: number; pid: number }[];
  leases(): Lease[];
  /** `sudo rm /var/db/dhcpd_leases`. */
  resetLeases(): void;
  /** The address the guest booted with (read from inside the guest), if it has one. */
  guestIp(vm: string): string | undefined;
  guestHome(vm: string): string;
  vmDir(vm: string): string;
  /** Kills every VM (all tart run and guest processes) and clears tart.limit_leak. Leases survive. */
  rebootHost(): Promise<void>;
  runTart(args: string[], opts?: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number }): Promise<TartResult>;
  /** Spawns a long-lived tart process (e.g. `run`), tracked for cleanup. */
  spawnTart(args: string[], opts?: { env?: Record<string, string | undefined> }): RunHandle;
  /** Live pids belonging to this simulator (tart processes, guests, guest processes). */
  processes(): number[];
  cleanup(): Promise<void>;
}

async function ensureBuilt(): Promise<void> {
  if (fs.existsSync(path.join(DIST, 'tart.mjs')) && fs.existsSync(path.join(DIST, 'guest.mjs'))) return;
  const { buildSim } = await import('../build');
  await buildSim();
}

export async function createTartSim(opts: TartSimOptions = {}): Promise<TartSim> {
  await ensureBuilt();
  const root = opts.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tart-sim-'));
  fs.mkdirSync(root, { recursive: true });
  const tartHome = path.join(root, 'tart-home');
  const hostHome = path.join(root, 'home');
  fs.mkdirSync(hostHome, { recursive: true });
  const home = new TartHome(tartHome);
  home.ensure();
  const claim = claimIpBase();
  allowLocalNetwork(claim.base); // a leftover from a crashed run would otherwise deny us
  const config: SimConfig = {
    ...DEFAULT_CONFIG,
    instanceId: `sim-${randomBytes(6).toString('hex')}`,
    version: opts.tartVersion ?? DEFAULT_CONFIG.version,
    guestPort: opts.guestPort ?? DEFAULT_CONFIG.guestPort,
    ipBase: claim.base,
    seed: opts.seed ?? DEFAULT_CONFIG.seed,
    timeScale: opts.timeScale ?? 1,
    timeline: {
      bootDelayMs: opts.bootDelayMs ?? DEFAULT_CONFIG.timeline.bootDelayMs,
      sshDelayMs: opts.sshDelayMs ?? DEFAULT_CONFIG.timeline.sshDelayMs,
      agentDelayMs: opts.agentDelayMs ?? DEFAULT_CONFIG.timeline.agentDelayMs,
    },
    leaseTimeSec: opts.leaseTimeSec ?? DEFAULT_CONFIG.leaseTimeSec,
    pullMs: opts.pullMs ?? DEFAULT_CONFIG.pullMs,
    usr2Mode: opts.usr2Mode ?? DEFAULT_CONFIG.usr2Mode,
  };
  home.writeConfig(config);

  const env: Record<string, string> = { HOME: hostHome, PATH: process.env.PATH ?? '/usr/bin:/bin', TART_HOME: tartHome };
  const spawned = new Set<ChildProcess>();
  let published = 0;
  let denied = false;
  let foreign: { pid: number; name: string } | undefined;

  const ourTartPids = (): number[] => {
    const out: number[] = [];
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
      let cmdline = '';
      try {
        cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (!cmdline.includes('tart.mjs') && !cmdline.includes(TART_BIN)) continue;
      if (processEnv(Number(name))?.get('TART_HOME') === tartHome && procStartTime(Number(name)) !== undefined) out.push(Number(name));
    }
    return out;
  };

  const killVms = async (): Promise<void> => {
    for (let round = 0; round < 50; round++) {
      const pids = ourTartPids();
      if (pids.length === 0) break;
      signalAll(pids, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 20));
    }
    await killMarked('TART_SIM_INSTANCE', config.instanceId);
  };

  const startForeign = (name: string): void => {
    const vm = localVm(home, name);
    fs.mkdirSync(vm.dir, { recursive: true });
    writeJsonAtomic(vm.configPath, newVmConfig('darwin', seededMac(`foreign/${name}`)));
    writeJsonAtomic(vm.diskPath, { simDisk: 1, sizeBytes: 50e9, allocatedBytes: 20e9 });
    fs.writeFileSync(vm.nvramPath, 'nvram');
    // A VM some other tool runs: its process holds the lock and counts toward the limit.
    const holder = spawn(process.execPath, ['-e', 'process.on("SIGINT",()=>process.exit(0));setInterval(()=>{},1<<30)'], {
      detached: true,
      stdio: 'ignore',
      env: { TART_SIM_INSTANCE: config.instanceId, TART_SIM_FOREIGN: name },
    });
    holder.unref();
    const h = { pid: holder.pid!, start: procStartTime(holder.pid!) ?? '' };
    writeJsonAtomic(vm.runLock, h);
    registerVz(home, { ...h, runId: `foreign-${name}`, name, os: 'darwin' });
    foreign = { pid: h.pid, name };
  };

  const stopForeign = (): void => {
    if (!foreign) return;
    signalAll([foreign.pid], 'SIGKILL');
    unregisterVz(home, `foreign-${foreign.name}`);
    fs.rmSync(localVm(home, foreign.name).dir, { recursive: true, force: true });
    foreign = undefined;
  };

  const undoSideEffects = (name?: string): void => {
    if ((name === undefined || name === 'net.local_network_denied') && denied) {
      allowLocalNetwork(config.ipBase);
      denied = false;
    }
    if (name === undefined || name === 'tart.foreign_vm') stopForeign();
    if (name === undefined || name === 'net.lease_exhaustion') removeFillers(home);
  };

  const sim: TartSim = {
    root,
    tartPath: TART_BIN,
    tartHome,
    hostHome,
    env,
    ipBase: config.ipBase,
    guestPort: config.guestPort,

    async publishImage(ref, o = {}) {
      const os_ = o.os ?? 'darwin';
      const n = ++published;
      return publish(home, ref, {
        os: os_,
        sizeGb: o.sizeGb ?? 50,
        build: async (dir, nonce) => {
          fs.mkdirSync(dir, { recursive: true });
          writeJsonAtomic(path.join(dir, 'config.json'), newVmConfig(os_, seededMac(`${config.seed}/${ref}/${n}`)));
          const sizeBytes = (o.sizeGb ?? 50) * 1e9;
          writeJsonAtomic(path.join(dir, 'disk.img'), { simDisk: 1, sizeBytes, allocatedBytes: Math.round(sizeBytes * 0.4347) });
          fs.writeFileSync(path.join(dir, 'nvram.bin'), `nvram/${nonce}`);
          const guest = path.join(dir, '.sim', 'guest');
          const guestHome = path.join(guest, 'home');
          fs.mkdirSync(guestHome, { recursive: true });
          await o.populateHome?.(guestHome);
          ensureLoginProfile(guestHome);
          // Host keys belong to the image: a new digest brings new keys.
          const key = newHostKeyPair();
          writeFileAtomic(path.join(guest, 'ssh', 'ssh_host_ed25519_key'), key.private);
          writeFileAtomic(path.join(guest, 'ssh', 'ssh_host_ed25519_key.pub'), key.public + '\n');
        },
      });
    },

    setRegistryCredentials(host, user, pass) {
      storeCredentials(home, host, { username: user, password: pass });
    },
    clearRegistryCredentials(host) {
      storeCredentials(home, host, undefined);
    },

    setFault(name, params = {}, o = {}) {
      if (name === 'net.local_network_denied') {
        denyLocalNetwork(config.ipBase);
        denied = true;
      }
      if (name === 'tart.foreign_vm' && params.visible !== false) {
        stopForeign();
        startForeign(typeof params.name === 'string' ? params.name : 'foreign-vm');
      }
      faults.setFault(home, name, params, o);
    },
    clearFaults(name) {
      undoSideEffects(name);
      faults.clearFaults(home, name);
    },
    faults: () => faults.listFaults(home),

    setTimeline(t) {
      const c = home.config();
      home.writeConfig({ ...c, timeline: { ...c.timeline, ...t } });
    },
    setConfig(c) {
      const cur = home.config();
      home.writeConfig({ ...cur, ...c, timeline: { ...cur.timeline, ...(c.timeline ?? {}) } });
    },
    config: () => home.config(),

    invocations() {
      let lines: string[] = [];
      try {
        lines = fs.readFileSync(home.sim('invocations.jsonl'), 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
      const byId = new Map<string, Invocation>();
      for (const l of lines) {
        const rec = JSON.parse(l) as { start?: InvocationStart; end?: InvocationEnd };
        if (rec.start) byId.set(rec.start.id, { ...rec.start });
        if (rec.end) {
          const inv = byId.get(rec.end.id);
          if (inv) Object.assign(inv, { exitCode: rec.end.exitCode, endedAt: rec.end.endedAt });
        }
      }
      return [...byId.values()];
    },
    registryRequests: () => registryRequests(home),
    leases: () => readLeases(home),
    resetLeases: () => wipeLeases(home),
    guestIp(vm) {
      try {
        return fs.readFileSync(path.join(localVm(home, vm).guestRoot, 'state', 'en0.ip'), 'utf8').trim() || undefined;
      } catch {
        return undefined;
      }
    },
    guestHome: (vm) => localVm(home, vm).guestHome,
    vmDir: (vm) => localVm(home, vm).dir,

    async rebootHost() {
      stopForeign();
      await killVms();
      faults.clearFaults(home, 'tart.limit_leak');
      faults.clearFaults(home, 'tart.foreign_vm');
    },

    runTart(args, o = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(TART_BIN, args, { env: mergeEnv(env, o.env), stdio: ['pipe', 'pipe', 'pipe'] });
        spawned.add(child);
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.stdin.on('error', () => undefined);
        child.stdin.end(o.input ?? '');
        const timer = o.timeoutMs
          ? setTimeout(() => {
              child.kill('SIGKILL');
              reject(new Error(`tart ${args.join(' ')} timed out after ${o.timeoutMs} ms\n${stdout}${stderr}`));
            }, o.timeoutMs)
          : undefined;
        child.on('error', reject);
        child.on('close', (code, signal) => {
          if (timer) clearTimeout(timer);
          spawned.delete(child);
          resolve({ code, signal, stdout, stderr });
        });
      });
    },

    spawnTart(args, o = {}) {
      const child = spawn(TART_BIN, args, { env: mergeEnv(env, o.env), stdio: ['ignore', 'pipe', 'pipe'] });
      spawned.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<TartResult>((resolve) => {
        child.on('close', (code, signal) => {
          spawned.delete(child);
          resolve({ code, signal, stdout, stderr });
        });
      });
      return {
        pid: child.pid!,
        child,
        stdout: () => stdout,
        stderr: () => stderr,
        exited,
        kill: (signal = 'SIGKILL') => {
          child.kill(signal);
        },
      };
    },

    processes() {
      return [...new Set([...ourTartPids(), ...findMarked('TART_SIM_INSTANCE', config.instanceId)])];
    },

    async cleanup() {
      for (const c of spawned) c.kill('SIGKILL');
      undoSideEffects();
      await killVms();
      await Promise.all(
        [...spawned].map((c) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('close', () => r())))),
      );
      claim.release();
      fs.rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
  };
  return sim;
}

function mergeEnv(base: Record<string, string>, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}
