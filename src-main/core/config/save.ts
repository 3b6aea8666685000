import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig } from './load';
import type { EkidenConfig, EkidenConfigInput } from './schema';

/**
 * Writes `data` so that readers see the old file or the new one, never a half-written one:
 * a 0600 temp file in the same directory, fsync, rename over the target, fsync the directory.
 */
export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  let renamed = false;
  try {
    await handle.chmod(mode); // the umask may have narrowed or widened `mode`
    await handle.writeFile(data, 'utf8');
    await handle.sync();
    await handle.close();
    await rename(temp, file);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => {});
      await unlink(temp).catch(() => {});
    }
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; some platforms cannot open a directory for fsync, which is fine.
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => {});
  await handle.close();
}

/**
 * Validates and saves the configuration as the operator wrote it: defaults stay implicit, so a
 * copied file keeps deriving e.g. the host id on each machine. Throws ConfigError and writes
 * nothing when the input is invalid.
 */
export async function saveConfig(file: string, input: EkidenConfigInput): Promise<EkidenConfig> {
  const config = parseConfig(input, file);
  await writeFileAtomic(file, `${JSON.stringify(input, null, 2)}\n`);
  return config;
}
