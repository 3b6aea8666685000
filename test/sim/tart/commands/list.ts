// `tart list [--source local|oci] [--format text|json] [-q]` (tart.md §4).
import type { CommandSpec, Parsed } from '../args';
import type { Ctx } from '../ctx';
import { UsageError } from '../errors';
import { listLocal } from '../vm-dir';
import { listOci } from '../oci-storage';
import { isoSeconds, relativeTime, shuffleKeys, swiftJson, table } from '../render';

export const spec: CommandSpec = {
  name: 'list',
  usage: '[--source <source>] [--format <format>] [--quiet]',
  options: ['source', 'format'],
  flags: ['quiet'],
  short: { q: 'quiet' },
  positionals: [],
};

interface Row {
  Source: string;
  Name: string;
  Disk: number;
  Size: number;
  Accessed: Date;
  Running: boolean;
  State: string;
}

export function formatOption(p: Parsed): 'text' | 'json' {
  const f = p.opts.get('format') ?? 'text';
  if (f !== 'text' && f !== 'json') throw new UsageError(`The value '${f}' is invalid for '--format <format>'`);
  return f;
}

export async function run(ctx: Ctx, p: Parsed): Promise<void> {
  const source = p.opts.get('source');
  if (source !== undefined && source !== 'local' && source !== 'oci') throw new UsageError(`'${source}' is not a valid <source>`);
  const format = formatOption(p);

  const rows: Row[] = [];
  if (source === undefined || source === 'local') {
    for (const vm of listLocal(ctx.home)) {
      const state = vm.state();
      rows.push({ Source: 'local', Name: vm.name, Disk: vm.sizeGB(), Size: vm.allocatedSizeGB(), Accessed: vm.accessed(), Running: state === 'running', State: state });
    }
  }
  if (source === undefined || source === 'oci') {
    for (const e of listOci(ctx.home)) {
      rows.push({ Source: 'OCI', Name: e.name, Disk: e.vm.sizeGB(), Size: e.vm.allocatedSizeGB(), Accessed: e.vm.accessed(), Running: false, State: 'stopped' });
    }
  }

  if (p.flags.has('quiet')) {
    for (const r of rows) ctx.out(r.Name);
    return;
  }
  if (format === 'json') {
    const cfg = ctx.home.config();
    const objs = rows.map((r, i) => {
      const o = { Source: r.Source, Name: r.Name, Disk: r.Disk, Size: r.Size, Accessed: isoSeconds(r.Accessed), Running: r.Running, State: r.State };
      return cfg.jsonKeyOrder === 'shuffled' ? shuffleKeys(o, `${cfg.seed}/list/${i}`) : o;
    });
    ctx.out(swiftJson(objs));
    return;
  }
  ctx.out(
    table(
      rows.map((r) => ({ Source: r.Source, Name: r.Name, Disk: r.Disk, Size: r.Size, Accessed: relativeTime(r.Accessed), State: r.State })),
      ['Source', 'Name', 'Disk', 'Size', 'Accessed', 'State'],
    ),
  );
}
