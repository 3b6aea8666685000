// `tart clone <source> <new-name>` (tart.md §4): implicit pull only when uncached, copy through tmp/
// under the TART_HOME lock, silent replace, MAC kept unless another local VM has it, then auto-prune.
import fs from 'node:fs';
import type { CommandSpec, Parsed } from '../args';
import type { Ctx } from '../ctx';
import { GenericError, UsageError } from '../errors';
import { isRemote, parseRemote } from '../remote-name';
import { cachedDigest, ociVm } from '../oci-storage';
import { copyVmFiles, listLocal, localVm, openLocal, type VmDir } from '../vm-dir';
import { lockAsync, rmrf } from '../fsx';
import { str, takeFault } from '../faults';
import { newTmpDir, releaseTmpDir } from '../tmp-dirs';
import { randomMac } from '../vm-config';
import { concurrencyOption, pullImage } from './pull';
import { autoPrune } from './prune';
import { intOption } from '../args';

export const spec: CommandSpec = {
  name: 'clone',
  usage: '<source-name> <new-name> [--insecure] [--concurrency <concurrency>] [--prune-limit <n>]',
  flags: ['insecure', 'deduplicate'],
  options: ['concurrency', 'prune-limit'],
  positionals: [{ name: 'source-name' }, { name: 'new-name' }],
};

export async function run(ctx: Ctx, p: Parsed): Promise<void> {
  const [source, newName] = p.pos;
  if (newName.includes('/')) throw new UsageError(`<new-name> should be a local name`);
  concurrencyOption(p);
  const pruneLimitGb = intOption(p, 'prune-limit', 100)!;
  const home = ctx.home;

  let src: VmDir;
  if (isRemote(source)) {
    const r = parseRemote(source);
    if (!r) throw new GenericError(`failed to parse remote name: ${source}`);
    if (cachedDigest(home, r) === undefined) await pullImage(ctx, r);
    src = ociVm(home, r);
    src.validate();
    src.touch();
  } else {
    src = openLocal(home, source);
  }

  const release = await lockAsync(home.homeLock);
  let tmp: string | undefined;
  const onSigint = (): void => {
    if (tmp) rmrf(tmp);
    process.exit(130);
  };
  process.on('SIGINT', onSigint);
  try {
    const srcConfig = src.config();
    const generateMac =
      listLocal(home).some((v) => v.config().macAddress === srcConfig.macAddress) && src.state() !== 'suspended';
    tmp = newTmpDir(home);
    const fail = takeFault(home, 'tart.clone_fail', { vm: newName, image: src.imageInfo().digest });
    if (fail) {
      throw new GenericError(
        str(fail, 'message', `Error Domain=NSCocoaErrorDomain Code=512 "“disk.img” couldn’t be copied to “${tmp.split('/').pop()}”."`),
      );
    }
    const full = takeFault(home, 'tart.disk_full', { vm: newName });
    if (full) {
      fs.writeFileSync(`${tmp}/disk.img`, '');
      throw new GenericError(str(full, 'message', 'Error Domain=NSPOSIXErrorDomain Code=28 "No space left on device"'));
    }
    copyVmFiles(src, tmp);
    const target = localVm(home, newName);
    if (generateMac) {
      const c = JSON.parse(fs.readFileSync(`${tmp}/config.json`, 'utf8'));
      c.macAddress = randomMac();
      fs.writeFileSync(`${tmp}/config.json`, JSON.stringify(c, null, 2) + '\n');
    }
    releaseTmpDir(tmp);
    fs.mkdirSync(home.vmsDir, { recursive: true });
    rmrf(target.dir);
    fs.renameSync(tmp, target.dir);
    tmp = undefined;
    target.touch();
  } finally {
    process.off('SIGINT', onSigint);
    release();
  }

  const d = src.disk();
  autoPrune(ctx, Math.min(Math.max(0, d.sizeBytes - d.allocatedBytes), pruneLimitGb * 1e9), src.dir);
}
