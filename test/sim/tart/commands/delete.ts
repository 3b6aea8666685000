// `tart delete <name>...` (tart.md §4): in order, the first error aborts the rest.
import type { CommandSpec, Parsed } from '../args';
import type { Ctx } from '../ctx';
import { notFound, RuntimeError } from '../errors';
import { isRemote, parseRemote } from '../remote-name';
import { deleteOci, ociVm } from '../oci-storage';
import { openLocal } from '../vm-dir';
import { rmrf } from '../fsx';

export const spec: CommandSpec = {
  name: 'delete',
  usage: '<name> ...',
  positionals: [{ name: 'name', variadic: true }],
};

export async function run(ctx: Ctx, p: Parsed): Promise<void> {
  for (const name of p.pos) {
    if (isRemote(name)) {
      const r = parseRemote(name);
      if (!r || !ociVm(ctx.home, r).exists()) throw notFound(name);
      deleteOci(ctx.home, r);
      continue;
    }
    const vm = openLocal(ctx.home, name);
    if (vm.running()) throw new RuntimeError(`VM "${name}" is running`, 1);
    rmrf(vm.dir);
  }
}
