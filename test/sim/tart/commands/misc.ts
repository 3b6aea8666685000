// Small commands: fqn, suspend, login, logout (tart.md §4).
import fs from 'node:fs';
import type { CommandSpec, Parsed } from '../args';
import type { Ctx } from '../ctx';
import { RuntimeError, UsageError } from '../errors';
import { isRemote, parseRemote, remoteText } from '../remote-name';
import { cachedDigest } from '../oci-storage';
import { openLocal } from '../vm-dir';
import { checkAuth, type Credentials } from '../registry';
import { readJson, withLockSync, writeJsonAtomic } from '../fsx';

export const fqnSpec: CommandSpec = { name: 'fqn', usage: '<name>', positionals: [{ name: 'name' }] };

export async function fqn(ctx: Ctx, p: Parsed): Promise<void> {
  const name = p.pos[0];
  const r = isRemote(name) ? parseRemote(name) : undefined;
  if (!r) {
    ctx.out(name);
    return;
  }
  const digest = cachedDigest(ctx.home, r);
  if (!digest) throw new RuntimeError(`OCI storage error: ${remoteText(r)} is not a digest and doesn't point to a digest`);
  ctx.out(`${r.host}/${r.namespace}@${digest}`);
}

export const suspendSpec: CommandSpec = { name: 'suspend', usage: '<name>', positionals: [{ name: 'name' }] };

export async function suspend(ctx: Ctx, p: Parsed): Promise<void> {
  const name = p.pos[0];
  const vm = openLocal(ctx.home, name);
  const holder = vm.lockHolder();
  // Tart wraps VMNotRunning's message in its own "VM ... is not running".
  if (!holder) throw new RuntimeError(`VM "VM "${name}" is not running" is not running`, 2);
  process.kill(holder.pid, 'SIGUSR1');
}

export const loginSpec: CommandSpec = {
  name: 'login',
  usage: '<host> [--username <username>] [--password-stdin] [--insecure] [--no-validate]',
  flags: ['password-stdin', 'insecure', 'no-validate'],
  options: ['username'],
  positionals: [{ name: 'host' }],
};

const keychainFile = (ctx: Ctx): string => ctx.home.sim('keychain.json');

export async function login(ctx: Ctx, p: Parsed): Promise<void> {
  const username = p.opts.get('username');
  const stdin = p.flags.has('password-stdin');
  if ((username === undefined) !== !stdin) throw new UsageError('both --username and --password-stdin are required');
  if (username === undefined) throw new RuntimeError('interactive login needs a terminal; use --username and --password-stdin');
  const password = fs.readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  const host = p.pos[0];
  const creds: Credentials = { username, password };
  if (!p.flags.has('no-validate')) {
    try {
      checkAuth(ctx.home, host, creds);
    } catch (e) {
      throw new RuntimeError(`invalid credentials: ${(e as Error).message}`);
    }
  }
  withLockSync(ctx.home.lockFile('keychain'), () => {
    const kc = readJson<Record<string, Credentials>>(keychainFile(ctx), {});
    kc[host] = creds;
    writeJsonAtomic(keychainFile(ctx), kc);
  });
}

export const logoutSpec: CommandSpec = { name: 'logout', usage: '<host>', positionals: [{ name: 'host' }] };

export async function logout(ctx: Ctx, p: Parsed): Promise<void> {
  withLockSync(ctx.home.lockFile('keychain'), () => {
    const kc = readJson<Record<string, Credentials>>(keychainFile(ctx), {});
    delete kc[p.pos[0]];
    writeJsonAtomic(keychainFile(ctx), kc);
  });
}
