// `tart set <name> ...` (tart.md §4): persisted to config.json, effective on the next run; minimums; grow-only disk.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { intOption, type CommandSpec, type Parsed } from '../args';
import type { Ctx } from '../ctx';
import { GenericError, RuntimeError, UsageError } from '../errors';
import { openLocal } from '../vm-dir';
import { randomMac } from '../vm-config';

export const spec: CommandSpec = {
  name: 'set',
  usage: '<name> [--cpu <cpu>] [--memory <memory>] [--display <display>] [--random-mac] [--random-serial] [--disk <disk>] [--disk-size <disk-size>]',
  flags: ['random-mac', 'random-serial', 'display-refit', 'no-display-refit'],
  options: ['cpu', 'memory', 'display', 'disk', 'disk-size'],
  positionals: [{ name: 'name' }],
};

const minimal = (what: string): GenericError => new GenericError(`LessThanMinimalResourcesError: ${what}`);
const gbText = (bytes: number): string => `${Math.round(bytes / 1e9)} GB`;

export async function run(ctx: Ctx, p: Parsed): Promise<void> {
  const cpu = intOption(p, 'cpu');
  const memoryMb = intOption(p, 'memory');
  const diskSizeGb = intOption(p, 'disk-size');
  const display = p.opts.get('display');
  const vm = openLocal(ctx.home, p.pos[0]);
  const c = vm.config();

  if (cpu !== undefined) {
    const min = c.os === 'darwin' ? c.cpuCountMin : 1;
    if (cpu < min) throw minimal(`VM should have ${min} CPU cores at minimum (requested ${cpu})`);
    c.cpuCount = cpu;
  }
  if (memoryMb !== undefined) {
    const bytes = memoryMb * 1024 * 1024;
    const min = c.os === 'darwin' ? c.memorySizeMin : 128 * 1024 * 1024;
    if (bytes < min) throw minimal(`VM should have ${min} bytes of memory at minimum (requested ${bytes})`);
    c.memorySize = bytes;
  }
  if (display !== undefined) {
    const m = /^(\d+)x(\d+)(pt|px)?$/.exec(display);
    if (!m) throw new UsageError(`The value '${display}' is invalid for '--display <display>'`);
    c.display = { width: Number(m[1]), height: Number(m[2]), ...(m[3] ? { unit: m[3] as 'pt' | 'px' } : {}) };
  }
  if (p.flags.has('display-refit')) c.displayRefit = true;
  if (p.flags.has('no-display-refit')) c.displayRefit = false;
  if (p.flags.has('random-mac')) c.macAddress = randomMac();
  if (p.flags.has('random-serial') && c.os === 'darwin') c.ecid = randomBytes(24).toString('base64');
  vm.saveConfig(c);

  const diskPath = p.opts.get('disk');
  if (diskPath !== undefined) fs.copyFileSync(diskPath, vm.diskPath);
  if (diskSizeGb !== undefined) {
    const d = vm.disk();
    const wanted = diskSizeGb * 1e9;
    if (wanted < d.sizeBytes) {
      const prefix = c.diskFormat === 'asif' ? 'New' : 'new';
      throw new RuntimeError(`${prefix} disk size of ${gbText(wanted)} should be larger than the current disk size of ${gbText(d.sizeBytes)}`);
    }
    if (wanted > d.sizeBytes) vm.saveDisk({ ...d, sizeBytes: wanted });
  }
}
