// The VmBackend over the local `tart` CLI: one small method per tart command (tart.md §4, §9, §11).
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { nullLogger, type Logger } from '../../util/logger';
import type { PullResult, VmBackend, VmConfigureOptions, VmExit, VmHandle, VmInfo, VmStartOptions } from '../vm-backend';
import { parseFqn, parseGet, parseIp, parseList, parsePull, parseVersion, parseVmConfigMac, type VmDetails } from './parsers';
import { classifyRunExit } from './run-exit';
import { runProcess } from './run-process';
import { TartError, tartFailure, tartMissing, tartTimeout, type TartCommand } from './tart-errors';

export interface TartTimeouts {
  version: number;
  pull: number;
  fqn: number;
  clone: number;
  set: number;
  /** Added to `--wait` for `tart ip`. */
  ipMargin: number;
  /** Added to `--timeout` for `tart stop`. */
  stopMargin: number;
  delete: number;
  list: number;
  get: number;
  prune: number;
  /** How long our `tart run` child may take to exit after a stop before we SIGKILL it. */
  childExit: number;
}

export const DEFAULT_TART_TIMEOUTS: TartTimeouts = {
  version: 10_000,
  pull: 60 * 60_000,
  fqn: 15_000,
  clone: 15 * 60_000,
  set: 60_000,
  ipMargin: 10_000,
  stopMargin: 10_000,
  delete: 60_000,
  list: 15_000,
  get: 15_000,
  prune: 10 * 60_000,
  childExit: 5_000,
};

export interface TartCliOptions {
  /** Absolute path of the tart binary (launchd's PATH lacks Homebrew). */
  tartPath: string;
  tartHome: string;
  home: string;
  /** PATH for tart's own children (e.g. `docker-credential-*`). */
  path: string;
  /** Registry credentials, passed only through TART_REGISTRY_* env vars, never argv (tart.md §2). */
  registry?: { hostname: string; username: string; password: string };
  timeouts?: Partial<TartTimeouts>;
  logger?: Logger;
  /** `--concurrency` for pull and clone; tart's default when unset. */
  concurrency?: number;
  /** `--insecure` for pull and clone (an HTTP registry). */
  insecure?: boolean;
  /** Further non-secret env vars (e.g. TRACEPARENT). */
  env?: Record<string, string>;
  /** Grace between the polite signal and SIGKILL when a call times out. */
  forceKillAfterMs?: number;
}

interface CallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onStdoutLine?: (line: string) => void;
  vm?: string;
}

interface CallResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

interface Child {
  handle: VmHandle;
  done: boolean;
}

const TAIL = 200;

export class TartCli implements VmBackend {
  private readonly timeouts: TartTimeouts;
  private readonly log: Logger;
  private readonly children = new Map<string, Child>();

  constructor(private readonly opts: TartCliOptions) {
    if (!path.isAbsolute(opts.tartPath)) throw new Error(`tartPath must be absolute, got ${opts.tartPath}`);
    this.timeouts = { ...DEFAULT_TART_TIMEOUTS, ...opts.timeouts };
    this.log = (opts.logger ?? nullLogger).child({ scope: 'tart', source: 'tart' });
  }

  /** The whole environment tart sees; nothing is inherited from ours. */
  private env(): Record<string, string> {
    const env: Record<string, string> = {
      ...this.opts.env,
      HOME: this.opts.home,
      PATH: this.opts.path,
      TART_HOME: this.opts.tartHome,
      CI: '1',
      TART_NO_AUTO_PRUNE: '1',
    };
    const reg = this.opts.registry;
    if (reg) {
      env.TART_REGISTRY_HOSTNAME = reg.hostname;
      env.TART_REGISTRY_USERNAME = reg.username;
      env.TART_REGISTRY_PASSWORD = reg.password;
    }
    return env;
  }

  /** Runs one tart command; non-zero exits are returned, spawn failures, timeouts and aborts throw. */
  private async call(command: TartCommand, args: string[], o: CallOptions): Promise<CallResult> {
    this.log.log('debug', `tart ${args.join(' ')}`, { vm: o.vm });
    const r = await runProcess(this.opts.tartPath, args, {
      env: this.env(),
      timeoutMs: o.timeoutMs,
      signal: o.signal,
      // SIGINT lets tart clean up (clone removes its temp dir); SIGKILL follows if it lingers.
      killSignal: 'SIGINT',
      forceKillAfterMs: this.opts.forceKillAfterMs ?? 3_000,
      onStdoutLine: o.onStdoutLine,
    });
    if (r.kind === 'aborted') throw o.signal?.reason ?? new Error(`tart ${command} aborted`);
    if (r.kind === 'timed-out') throw tartTimeout(command, o.timeoutMs);
    if (r.kind === 'spawn-failed') {
      if (r.code === 'ENOENT' || r.code === 'EACCES') throw tartMissing(command, this.opts.tartPath, r.error);
      throw new TartError('other', tartFailure(command, null, '').reason, `tart ${command} could not start: ${r.error.message}`, command, null, '', { cause: r.error });
    }
    if (r.kind === 'signalled') {
      throw new TartError('other', tartFailure(command, null, '').reason, `tart ${command} ended by signal ${r.signal ?? 'unknown'}`, command, null, '');
    }
    const result = { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    if (result.exitCode !== 0) this.log.log('debug', `tart ${command} exit ${result.exitCode}: ${result.stderr.trim()}`, { vm: o.vm });
    return result;
  }

  /** Runs a command that must exit 0. */
  private async must(command: TartCommand, args: string[], o: CallOptions): Promise<CallResult> {
    const r = await this.call(command, args, o);
    if (r.exitCode !== 0) throw tartFailure(command, r.exitCode, r.stderr);
    return r;
  }

  private registryFlags(): string[] {
    const flags: string[] = [];
    if (this.opts.concurrency !== undefined) flags.push('--concurrency', String(this.opts.concurrency));
    if (this.opts.insecure) flags.push('--insecure');
    return flags;
  }

  async version(): Promise<string> {
    const r = await this.must('version', ['--version'], { timeoutMs: this.timeouts.version });
    return parseVersion(r.stdout);
  }

  async pull(ref: string, o: { signal?: AbortSignal; onLine?: (line: string) => void } = {}): Promise<PullResult> {
    const lines: string[] = [];
    const onStdoutLine = (line: string) => {
      lines.push(line);
      o.onLine?.(line);
    };
    await this.must('pull', ['pull', ref, ...this.registryFlags()], { timeoutMs: this.timeouts.pull, signal: o.signal, onStdoutLine });
    return { changed: parsePull(lines).changed, lines };
  }

  async fqn(ref: string): Promise<string> {
    const r = await this.must('fqn', ['fqn', ref], { timeoutMs: this.timeouts.fqn });
    return parseFqn(r.stdout);
  }

  async clone(source: string, name: string, o: { signal?: AbortSignal } = {}): Promise<void> {
    checkLocalName(name);
    await this.must('clone', ['clone', source, name, ...this.registryFlags()], { timeoutMs: this.timeouts.clone, signal: o.signal, vm: name });
  }

  async configure(name: string, o: VmConfigureOptions): Promise<void> {
    const args = ['set', name];
    if (o.randomMac) args.push('--random-mac');
    if (o.cpu !== undefined) args.push('--cpu', String(o.cpu));
    if (o.memoryMb !== undefined) args.push('--memory', String(o.memoryMb));
    if (o.diskSizeGb !== undefined) args.push('--disk-size', String(o.diskSizeGb));
    if (args.length === 2) return;
    await this.must('set', args, { timeoutMs: this.timeouts.set, vm: name });
  }

  /** Spawns `tart run --no-graphics` as a supervised child; its exit is the VM's end. */
  start(name: string, o: VmStartOptions = {}): VmHandle {
    checkLocalName(name);
    const prior = this.children.get(name);
    if (prior && !prior.done) throw new TartError('already-running', 'vm_already_running', `Ekiden already runs ${name}`, 'run', null, '');
    const args = ['run', '--no-graphics'];
    for (const dir of o.dirs ?? []) {
      if (dir.name.includes(':') || dir.hostPath.includes(':')) throw new Error(`--dir name and path must not contain ':' (${dir.name})`);
      args.push('--dir', `${dir.name}:${dir.hostPath}${dir.readOnly ? ':ro' : ''}`);
    }
    args.push(...(o.extraArgs ?? []), name);
    this.log.log('debug', `tart ${args.join(' ')}`, { vm: name });

    const out: string[] = [];
    const err: string[] = [];
    const tap = (stream: 'stdout' | 'stderr', keep: string[]) =>
      function* (line: unknown) {
        const text = String(line);
        if (keep.length < TAIL) keep.push(text);
        o.onLine?.(text, stream);
        // Nothing is yielded: the lines are kept here, not buffered for the whole VM life.
      };
    const log = this.log;
    const sub = execa(this.opts.tartPath, args, {
      env: this.env(),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      // Its own process group: a Ctrl-C in Ekiden's terminal must not power off running VMs
      // (the first Ctrl-C drains, and jobs finish). Teardown stops it with `tart stop`.
      detached: true,
      cleanup: false,
      stdout: [tap('stdout', out)],
      stderr: [tap('stderr', err)],
    });
    const child: Child = { done: false, handle: undefined as unknown as VmHandle };
    const exited: Promise<VmExit> = sub.then(
      (r): VmExit => {
        if (r.exitCode === undefined && (r.code === 'ENOENT' || r.code === 'EACCES')) {
          return { code: null, signal: null, clean: false, error: tartMissing('run', this.opts.tartPath, r.cause) };
        }
        return classifyRunExit({ code: r.exitCode ?? null, signal: r.signal ?? null, stdout: out, stderr: err });
      },
      (e: unknown): VmExit => ({ code: null, signal: null, clean: false, error: e instanceof Error ? e : new Error(String(e)) }),
    ).then((exit) => {
      child.done = true;
      if (this.children.get(name) === child) this.children.delete(name);
      log.log(exit.clean ? 'info' : 'warn', `tart run ended: code ${exit.code} signal ${exit.signal}${exit.reason ? `: ${exit.reason}` : ''}`, { vm: name });
      return exit;
    });
    child.handle = {
      name,
      pid: sub.pid,
      exited,
      kill: () => {
        if (!child.done) sub.kill('SIGKILL');
      },
    };
    this.children.set(name, child);
    return child.handle;
  }

  async macAddress(name: string): Promise<string> {
    checkLocalName(name);
    const file = path.join(this.opts.tartHome, 'vms', name, 'config.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new TartError('not-found', 'clone_failed', `the VM ${name} has no config.json (${(e as NodeJS.ErrnoException).code})`, 'get', null, '', { cause: e });
    }
    return parseVmConfigMac(text);
  }

  async ip(name: string, o: { waitSeconds: number; resolver?: 'dhcp' | 'arp' | 'agent'; signal?: AbortSignal }): Promise<string> {
    const args = ['ip', name, '--wait', String(Math.max(0, Math.round(o.waitSeconds)))];
    if (o.resolver) args.push('--resolver', o.resolver);
    const r = await this.must('ip', args, { timeoutMs: o.waitSeconds * 1000 + this.timeouts.ipMargin, signal: o.signal, vm: name });
    return parseIp(r.stdout);
  }

  async stop(name: string, o: { timeoutSeconds?: number } = {}): Promise<void> {
    const seconds = o.timeoutSeconds ?? 5;
    let failure: unknown;
    let stopped = false;
    try {
      const r = await this.call('stop', ['stop', name, '--timeout', String(seconds)], { timeoutMs: seconds * 1000 + this.timeouts.stopMargin, vm: name });
      if (r.exitCode === 0) stopped = true;
      else {
        const e = tartFailure('stop', r.exitCode, r.stderr);
        if (e.kind !== 'not-running' && e.kind !== 'not-found') failure = e;
      }
    } catch (e) {
      failure = e;
    }
    // Our own child is the truth: after a real stop it exits by itself; if tart says "not running"
    // while it lives (a lost lock, cirruslabs/tart#967) nothing else will end it.
    const ended = await this.endChild(name, stopped ? this.timeouts.childExit : 0);
    if (failure && !ended) throw failure;
  }

  /** Ends our `tart run` child of this VM: waits `graceMs` for it, then SIGKILLs it. False if we have none. */
  private async endChild(name: string, graceMs: number): Promise<boolean> {
    const child = this.children.get(name);
    if (!child) return false;
    if (!child.done && !(await settlesWithin(child.handle.exited, graceMs))) {
      this.log.log('warn', 'tart run is still alive after stop; killing our child', { vm: name });
      child.handle.kill();
      await settlesWithin(child.handle.exited, this.timeouts.childExit);
    }
    return true;
  }

  async delete(name: string): Promise<void> {
    let last: TartError | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await this.call('delete', ['delete', name], { timeoutMs: this.timeouts.delete, vm: name });
      if (r.exitCode === 0) return;
      last = tartFailure('delete', r.exitCode, r.stderr);
      if (last.kind === 'not-found') return;
      if (last.kind !== 'is-running') throw last;
      if (attempt === 0) {
        await this.stop(name);
      } else {
        const child = this.children.get(name);
        if (!child) break;
        child.handle.kill();
        await settlesWithin(child.handle.exited, this.timeouts.childExit);
      }
    }
    throw last!;
  }

  async list(): Promise<VmInfo[]> {
    const r = await this.must('list', ['list', '--format', 'json'], { timeoutMs: this.timeouts.list });
    return parseList(r.stdout);
  }

  async get(name: string): Promise<VmDetails> {
    const r = await this.must('get', ['get', name, '--format', 'json'], { timeoutMs: this.timeouts.get, vm: name });
    return parseGet(r.stdout);
  }

  async prune(o: { spaceBudgetGb?: number; olderThanDays?: number }): Promise<void> {
    const args = ['prune', '--entries', 'caches'];
    if (o.spaceBudgetGb !== undefined) args.push('--space-budget', String(o.spaceBudgetGb));
    if (o.olderThanDays !== undefined) args.push('--older-than', String(o.olderThanDays));
    if (args.length === 3) return;
    await this.must('prune', args, { timeoutMs: this.timeouts.prune });
  }

  /** Our live `tart run` children, by VM name (counted toward the 2-VM limit, tart.md §9.4). */
  runningChildren(): string[] {
    return [...this.children.entries()].filter(([, c]) => !c.done).map(([n]) => n);
  }
}

/** A local VM name: no path separators (it becomes a directory under TART_HOME/vms). */
function checkLocalName(name: string): void {
  if (name === '' || name.includes('/') || name === '.' || name === '..') throw new Error(`not a local VM name: ${JSON.stringify(name)}`);
}

async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
