// Fault switches (tart.md §10): stored in $TART_HOME/.sim/faults.json, consumed at fixed decision points.
// Deterministic: a probability draw depends only on (seed, fault name, evaluation number).
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { TartHome } from './home';
import { readJson, withLockSync, writeJsonAtomic } from './fsx';

/*
 * Fault names, params, and the decision point where each is taken (`times` counts those points):
 *   tart.pull_slow {seconds=30}           per pull transfer      tart.pull_network_error {n=1}   per pull (n failed attempts; >=5 fails)
 *   tart.registry_401 {stage=token|manifest} per manifest GET    tart.registry_404               per manifest GET
 *   tart.disk_full {message?}             per pull transfer / clone
 *   tart.auto_prune_evicts {count?}       per auto-prune (skipped when TART_NO_AUTO_PRUNE is present)
 *   tart.clone_fail {message?}            per clone              tart.run_start_fail {message?}  per run start
 *   tart.keychain_locked {message?}       per run start          tart.limit_leak                 per darwin run start (until rebootHost)
 *   tart.foreign_vm {name='foreign-vm', visible=true, count=1}   a running darwin VM we do not own (index.ts starts it)
 *   tart.lock_lost                        per run: alive but reads stopped
 *   tart.boot_hang                        per run: never leases   tart.run_ignores_sigint         per run
 *   tart.guest_error_stop {afterS=5, message?}                    tart.network_disconnect {afterS=5, message?}   per run
 *   net.stale_lease                       per `tart ip` before the VM's own lease
 *   net.duplicate_ip / net.lease_exhaustion                      per lease allocation (guest boot)
 *   net.guest_offline                     per run, or standing while set without times/probability
 *   net.local_network_denied              standing (index.ts adds an unreachable route; needs CAP_NET_ADMIN)
 *   agent.absent / ssh.host_key_change / ssh.refuse {s=10}       per run
 *   ssh.hang                              per TCP connection     ssh.auth_fail                   per SSH connection
 *   ssh.drop {afterS=5}                   per authenticated SSH connection
 */
export type FaultParams = Record<string, unknown>;

export interface FaultScope {
  /** VM name, or a prefix ending in `*`. */
  vm?: string;
  /** Substring of the VM's image digest or fqn. */
  image?: string;
}

export interface FaultOptions {
  /** Fire this many times, then stay quiet. Unset: fire at every decision point. */
  times?: number;
  /** Chance of firing at each decision point (seeded). */
  probability?: number;
  scope?: FaultScope;
}

export interface FaultEntry extends FaultOptions {
  params: FaultParams;
  fired: number;
  evaluated: number;
}

interface FaultFile {
  faults: Record<string, FaultEntry>;
}

export interface FaultContext {
  vm?: string;
  image?: string;
}

const file = (home: TartHome): string => home.sim('faults.json');
const lockName = (home: TartHome): string => home.lockFile('faults');

export function setFault(home: TartHome, name: string, params: FaultParams = {}, opts: FaultOptions = {}): void {
  withLockSync(lockName(home), () => {
    const f = readJson<FaultFile>(file(home), { faults: {} });
    f.faults[name] = { params, ...opts, fired: 0, evaluated: 0 };
    writeJsonAtomic(file(home), f);
  });
}

export function clearFaults(home: TartHome, name?: string): void {
  withLockSync(lockName(home), () => {
    const f = readJson<FaultFile>(file(home), { faults: {} });
    if (name === undefined) f.faults = {};
    else delete f.faults[name];
    writeJsonAtomic(file(home), f);
  });
}

export function listFaults(home: TartHome): Record<string, FaultEntry> {
  return readJson<FaultFile>(file(home), { faults: {} }).faults;
}

function scopeMatches(scope: FaultScope | undefined, ctx: FaultContext): boolean {
  if (!scope) return true;
  if (scope.vm !== undefined) {
    if (!ctx.vm) return false;
    const ok = scope.vm.endsWith('*') ? ctx.vm.startsWith(scope.vm.slice(0, -1)) : ctx.vm === scope.vm;
    if (!ok) return false;
  }
  if (scope.image !== undefined && !(ctx.image ?? '').includes(scope.image)) return false;
  return true;
}

function draw(seed: number, name: string, n: number): number {
  const h = createHash('sha256').update(`${seed}/${name}/${n}`).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000;
}

/** Evaluates a decision point: returns the fault's params when it fires (and counts it), else undefined. */
export function takeFault(home: TartHome, name: string, ctx: FaultContext = {}): FaultParams | undefined {
  if (!fs.existsSync(file(home))) return undefined;
  const seed = home.config().seed;
  return withLockSync(lockName(home), () => {
    const f = readJson<FaultFile>(file(home), { faults: {} });
    const e = f.faults[name];
    if (!e || !scopeMatches(e.scope, ctx)) return undefined;
    if (e.times !== undefined && e.fired >= e.times) return undefined;
    e.evaluated += 1;
    let fires = true;
    if (e.probability !== undefined) fires = draw(seed, name, e.evaluated) < e.probability;
    if (fires) e.fired += 1;
    writeJsonAtomic(file(home), f);
    if (!fires) return undefined;
    fs.appendFileSync(home.sim('fault-log.jsonl'), JSON.stringify({ name, ctx, at: Date.now(), pid: process.pid }) + '\n');
    return e.params;
  });
}

/** Whether a fault is set and could still fire (no consumption). */
export function faultActive(home: TartHome, name: string, ctx: FaultContext = {}): FaultParams | undefined {
  const e = listFaults(home)[name];
  if (!e || !scopeMatches(e.scope, ctx)) return undefined;
  if (e.times !== undefined && e.fired >= e.times) return undefined;
  return e.params;
}

/** A fault set without `times` acts as a standing condition (e.g. net.guest_offline switched on mid-run). */
export function standingFault(home: TartHome, name: string, ctx: FaultContext = {}): boolean {
  const e = listFaults(home)[name];
  return e !== undefined && e.times === undefined && e.probability === undefined && scopeMatches(e.scope, ctx);
}

export function num(p: FaultParams | undefined, key: string, def: number): number {
  const v = p?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : def;
}

export function str(p: FaultParams | undefined, key: string, def: string): string {
  const v = p?.[key];
  return typeof v === 'string' ? v : def;
}
