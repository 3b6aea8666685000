// `tart get <name> [--format text|json]` (tart.md §4), local VMs only.
import type { CommandSpec, Parsed } from '../args';
import type { Ctx } from '../ctx';
import { openLocal } from '../vm-dir';
import { displayText } from '../vm-config';
import { shuffleKeys, swiftJson, table } from '../render';
import { formatOption } from './list';

export const spec: CommandSpec = {
  name: 'get',
  usage: '<name> [--format <format>]',
  options: ['format'],
  positionals: [{ name: 'name' }],
};

export async function run(ctx: Ctx, p: Parsed): Promise<void> {
  const format = formatOption(p);
  const vm = openLocal(ctx.home, p.pos[0]);
  const c = vm.config();
  const d = vm.disk();
  const state = vm.state();
  const info = {
    OS: c.os,
    CPU: c.cpuCount,
    Memory: Math.floor(c.memorySize / 1024 / 1024),
    Disk: vm.sizeGB(),
    DiskFormat: c.diskFormat,
    Size: (d.allocatedBytes / 1e9).toFixed(3),
    Display: displayText(c),
    Running: state === 'running',
    State: state,
  };
  if (format === 'json') {
    const cfg = ctx.home.config();
    ctx.out(swiftJson(cfg.jsonKeyOrder === 'shuffled' ? shuffleKeys(info, `${cfg.seed}/get`) : info));
    return;
  }
  const { Running: _hidden, ...shown } = info;
  ctx.out(table([shown], Object.keys(shown)));
}
