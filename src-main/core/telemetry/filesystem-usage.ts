// `system.filesystem.usage` of the volume holding TART_HOME, read with statfs at collection time.
import { stat, statfs } from 'node:fs/promises';
import path from 'node:path';

export interface VolumeUsage {
  mountpoint: string;
  usedBytes: number;
  freeBytes: number;
}

/** The nearest existing directory at or above `dir` (TART_HOME may not exist yet). */
async function existingAncestor(dir: string): Promise<string> {
  let at = path.resolve(dir);
  for (;;) {
    try {
      await stat(at);
      return at;
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return at;
      at = parent;
    }
  }
}

/** The mount point of `dir`: the topmost ancestor on the same device. */
export async function mountPointOf(dir: string): Promise<string> {
  let at = await existingAncestor(dir);
  const dev = (await stat(at)).dev;
  for (;;) {
    const parent = path.dirname(at);
    if (parent === at) return at;
    const parentDev = await stat(parent).then((s) => s.dev, () => undefined);
    if (parentDev !== dev) return at;
    at = parent;
  }
}

/** Used and free (available to us) bytes of the volume of `dir`. */
export async function volumeUsage(dir: string, mountpoint?: string): Promise<VolumeUsage> {
  const at = await existingAncestor(dir);
  const s = await statfs(at);
  const bsize = Number(s.bsize);
  return {
    mountpoint: mountpoint ?? (await mountPointOf(at)),
    usedBytes: (Number(s.blocks) - Number(s.bfree)) * bsize,
    freeBytes: Number(s.bavail) * bsize,
  };
}
