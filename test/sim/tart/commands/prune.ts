// `tart prune` and the auto-prune of pull/clone (tart.md §4, field failure 42).
import fs from 'node:fs';
import { intOption, type CommandSpec, type Parsed } from '../args';
import type { Ctx } from '../ctx';
import { UsageError } from '../errors';
import { gc, listOci } from '../oci-storage';
import { listLocal, type VmDir } from '../vm-dir';
import { rmrf } from '../fsx';
import { num, takeFault } from '../faults';

export const spec: CommandSpec = {
  name: 'prune',
  usage: '[--entries <entries>] [--older-than <n>] [--space-budget <n>]',
  options: ['entries', 'older-than', 'space-budget'],
  positionals: [],
};

function prunables(ctx: Ctx, entries: 'caches' | 'vms'): VmDir[] {
  if (entries === 'vms') return listLocal(ctx.home).filter((v) => !v.running());
  return listOci(ctx.home)
    .filter((e) => !e.isSymlink)
    .map((e) => e.vm);
}

export async function run(ctx: Ctx, p: Parsed): Promise<void> {
  const entries = p.opts.get('entries') ?? 'caches';
  if (entries !== 'caches' && entries !== 'vms') {
    throw new UsageError('unsupported --entries value, please specify either "caches" or "vms"');
  }
  const olderThan = intOption(p, 'older-than');
  const budget = intOption(p, 'space-budget');
  if (olderThan === undefined && budget === undefined) throw new UsageError('at least one pruning criteria must be specified');

  let items = prunables(ctx, entries);
  if (olderThan !== undefined) {
    const cutoff = Date.now() - olderThan * 86_400_000;
    for (const vm of items) if (vm.accessed().getTime() <= cutoff) rmrf(vm.dir);
    items = items.filter((vm) => fs.existsSync(vm.dir));
  }
  if (budget !== undefined) {
    let used = 0;
    const byRecent = [...items].sort((a, b) => b.accessed().getTime() - a.accessed().getTime());
    for (const vm of byRecent) {
      used += vm.disk().allocatedBytes;
      if (used > budget * 1e9) rmrf(vm.dir);
    }
  }
  if (entries === 'caches') gc(ctx.home);
}

/**
 * Tart reclaims space before pull/clone only when the volume is short of it. The simulated disk never
 * is, unless `tart.auto_prune_evicts` says so; TART_NO_AUTO_PRUNE (mere presence) disables it all.
 */
export function autoPrune(ctx: Ctx, reclaimBytes: number, keepDir?: string): void {
  if (ctx.env.TART_NO_AUTO_PRUNE !== undefined) return;
  const f = takeFault(ctx.home, 'tart.auto_prune_evicts');
  if (!f) return;
  const maxEntries = num(f, 'count', Infinity);
  let reclaimed = 0;
  let evicted = 0;
  const real = (d: string): string => {
    try {
      return fs.realpathSync(d);
    } catch {
      return d;
    }
  };
  const keep = keepDir === undefined ? undefined : real(keepDir);
  const lru = prunables(ctx, 'caches')
    .filter((vm) => real(vm.dir) !== keep)
    .sort((a, b) => a.accessed().getTime() - b.accessed().getTime());
  for (const vm of lru) {
    if (evicted >= maxEntries || (reclaimed >= reclaimBytes && evicted > 0)) break;
    reclaimed += vm.disk().allocatedBytes;
    evicted += 1;
    rmrf(vm.dir);
    fs.appendFileSync(ctx.home.sim('evictions.jsonl'), JSON.stringify({ name: vm.name, at: Date.now() }) + '\n');
  }
  gc(ctx.home);
}
