// `tart pull` and the implicit pull of `clone` (tart.md §4): manifest, cache check, host lock,
// disk transfer with progress and retries, NVRAM, then the tag symlink.
import fs from 'node:fs';
import path from 'node:path';
import type { CommandSpec, Parsed } from '../args';
import type { Ctx } from '../ctx';
import { GenericError, UsageError } from '../errors';
import { compressedDiskSize, fetchManifest, imageVm, uncompressedDiskSize, type Manifest } from '../registry';
import { digestName, hostCacheDir, cachePath, parseRemote, pctHost, remoteText, type RemoteName } from '../remote-name';
import { cachedDigest, linkTag, markExplicitlyPulled, ociExists, ociVm } from '../oci-storage';
import { lockAsync, rmrf, sleep } from '../fsx';
import { num, str, takeFault } from '../faults';
import { newTmpDir, releaseTmpDir } from '../tmp-dirs';
import { ProgressLine } from '../progress';
import { autoPrune } from './prune';
import { localVm } from '../vm-dir';

export const spec: CommandSpec = {
  name: 'pull',
  usage: '<remote-name> [--insecure] [--concurrency <concurrency>] [--deduplicate]',
  flags: ['insecure', 'deduplicate'],
  options: ['concurrency'],
  positionals: [{ name: 'remote-name' }],
};

const MAX_ATTEMPTS = 5;
const NETWORK_LOST = 'The network connection was lost.';

export function concurrencyOption(p: Parsed): void {
  const raw = p.opts.get('concurrency');
  if (raw === undefined) return;
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`The value '${raw}' is invalid for '--concurrency <concurrency>'`);
  if (Number(raw) < 1) throw new UsageError('network concurrency cannot be less than 1');
}

export async function run(ctx: Ctx, p: Parsed): Promise<void> {
  concurrencyOption(p);
  const name = p.pos[0];
  if (localVm(ctx.home, name).initialized()) {
    ctx.out(`"${name}" is a local image, nothing to pull here!`);
    return;
  }
  const r = parseRemote(name);
  if (!r) throw new GenericError(`failed to parse remote name: ${name}`);
  ctx.out(`pulling ${remoteText(r)}...`);
  await pullImage(ctx, r);
}

/** Everything from `pulling manifest...` on (what clone prints for an uncached source). */
export async function pullImage(ctx: Ctx, r: RemoteName): Promise<void> {
  const home = ctx.home;
  ctx.out('pulling manifest...');
  const { digest, manifest } = fetchManifest(home, r, ctx.env);
  const dn = digestName(r, digest);
  if (!r.isDigest && cachedDigest(home, r) === digest) {
    ctx.out(`${remoteText(dn)} image is already cached and linked!`);
    return;
  }
  fs.mkdirSync(hostCacheDir(home.ocisDir, r.host), { recursive: true });
  const release = await lockAsync(home.lockFile(`pull-${pctHost(r.host)}`), () => ctx.out('waiting for lock...'));
  try {
    if (!ociExists(home, dn)) {
      autoPrune(ctx, uncompressedDiskSize(manifest) + 128 * 1024 * 1024);
      const tmp = newTmpDir(home);
      await transfer(ctx, manifest, digest, tmp);
      releaseTmpDir(tmp);
      const target = cachePath(home.ocisDir, dn);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      rmrf(target);
      fs.renameSync(tmp, target);
    } else {
      ctx.out(`${remoteText(dn)} image is already cached! creating a symlink...`);
    }
    if (r.isDigest) markExplicitlyPulled(ociVm(home, dn));
    else linkTag(home, r, dn);
    ociVm(home, dn).touch();
  } finally {
    release();
  }
}

async function transfer(ctx: Ctx, manifest: Manifest, digest: string, tmp: string): Promise<void> {
  const home = ctx.home;
  const slow = takeFault(home, 'tart.pull_slow');
  const durationMs = home.scaled(slow ? num(slow, 'seconds', 30) * 1000 : home.config().pullMs);
  const netErr = takeFault(home, 'tart.pull_network_error');
  const failures = netErr ? num(netErr, 'n', 1) : 0;
  const diskFull = takeFault(home, 'tart.disk_full');
  const gb = (compressedDiskSize(manifest) / 1e9).toFixed(1);

  for (let attempt = 1; ; attempt++) {
    ctx.out(`pulling disk (${gb} GB compressed)...`);
    const progress = new ProgressLine(ctx, home.scaled(1000));
    progress.start();
    const failAt = attempt <= failures ? 0.5 : diskFull ? 0.7 : 2;
    const steps = Math.max(1, Math.round(durationMs / 50));
    let failed = false;
    for (let i = 1; i <= steps; i++) {
      await sleep(durationMs / steps);
      const fraction = i / steps;
      if (fraction >= failAt) {
        failed = true;
        break;
      }
      progress.update(fraction, i === steps);
    }
    if (!failed) break;
    if (attempt > failures && diskFull) {
      // Tart has no message of its own here: the raw Foundation error, temp files left behind.
      fs.writeFileSync(path.join(tmp, 'disk.img'), '');
      throw new GenericError(str(diskFull, 'message', 'Error Domain=NSPOSIXErrorDomain Code=28 "No space left on device"'));
    }
    if (attempt >= MAX_ATTEMPTS) {
      throw new GenericError(`Error Domain=NSURLErrorDomain Code=-1005 "${NETWORK_LOST}"`);
    }
    ctx.out(`Error pulling image: "${NETWORK_LOST}", attempting to re-try...`);
  }
  ctx.out('pulling NVRAM...');
  const src = imageVm(home, digest);
  for (const f of ['config.json', 'disk.img', 'nvram.bin', 'manifest.json']) {
    fs.copyFileSync(path.join(src.dir, f), path.join(tmp, f));
  }
  fs.cpSync(src.guestRoot, path.join(tmp, '.sim', 'guest'), { recursive: true, verbatimSymlinks: true });
}
