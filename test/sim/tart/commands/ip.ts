// `tart ip <name> [--wait N] [--resolver dhcp|arp|agent]` (tart.md §4): answers from the lease table,
// not from the VM; retries once a second until the deadline (that second is tart's own cadence,
// so it runs at the simulator's time scale like the boot it waits for; the deadline does not).
import { intOption, type CommandSpec, type Parsed } from '../args';
import type { Ctx } from '../ctx';
import { RuntimeError, UsageError } from '../errors';
import { openLocal, type VmDir } from '../vm-dir';
import { newestOtherLease, resolveMac } from '../leases';
import { takeFault } from '../faults';
import { agentResolveIp } from '../agent-client';
import { sleep } from '../fsx';

export const spec: CommandSpec = {
  name: 'ip',
  usage: '<name> [--wait <wait>] [--resolver <resolver>]',
  options: ['wait', 'resolver'],
  positionals: [{ name: 'name' }],
};

type Resolver = 'dhcp' | 'arp' | 'agent';

async function resolveOnce(ctx: Ctx, vm: VmDir, resolver: Resolver): Promise<string | undefined> {
  const mac = vm.config().macAddress;
  if (resolver === 'agent') return vm.running() ? agentResolveIp(vm.controlSocket) : undefined;
  if (resolver === 'arp') return vm.running() ? resolveMac(ctx.home, mac) : undefined;
  const ip = resolveMac(ctx.home, mac);
  if (ip) return ip;
  // net.stale_lease: before its own lease exists, the answer is a previous VM's still-valid address.
  if (vm.running() && takeFault(ctx.home, 'net.stale_lease', { vm: vm.name })) return newestOtherLease(ctx.home, mac)?.ip;
  return undefined;
}

export async function run(ctx: Ctx, p: Parsed): Promise<void> {
  const resolver = (p.opts.get('resolver') ?? 'dhcp') as Resolver;
  if (!['dhcp', 'arp', 'agent'].includes(resolver)) {
    throw new UsageError(`The value '${resolver}' is invalid for '--resolver <resolver>'`);
  }
  const wait = intOption(p, 'wait', 0)!;
  if (wait < 0 || wait > 65535) throw new UsageError(`The value '${p.opts.get('wait')}' is invalid for '--wait <wait>'`);
  const vm = openLocal(ctx.home, p.pos[0]);
  const deadline = Date.now() + wait * 1000;
  do {
    const ip = await resolveOnce(ctx, vm, resolver);
    if (ip) {
      ctx.out(ip);
      return;
    }
    await sleep(ctx.home.scaled(1000));
  } while (Date.now() < deadline);

  let message = 'no IP address found';
  if (!vm.running()) message += ', is your VM running?';
  if (resolver === 'agent') message += ' (also make sure that Guest agent for Tart is running inside of a VM)';
  else if (resolver === 'arp' && vm.config().os === 'linux') message += ' (not all Linux distributions are compatible with the ARP resolver)';
  throw new RuntimeError(message, 1);
}
