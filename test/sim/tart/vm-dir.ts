// One VM directory (local VM or OCI cache entry): its three files, run lock, state and access date.
// disk.img is a small file that declares the image's sizes; the simulated guest disk lives in .sim/guest.
import fs from 'node:fs';
import path from 'node:path';
import { holderAlive, readHolder, readJson, writeJsonAtomic, type Holder } from './fsx';
import { missingFiles, notFound } from './errors';
import type { TartHome } from './home';
import type { VmConfig } from './vm-config';

export interface DiskImage {
  simDisk: 1;
  sizeBytes: number;
  allocatedBytes: number;
}

/** What the image said about itself (kept with every copy of it). */
export interface ImageInfo {
  digest?: string;
  fqn?: string;
}

export class VmDir {
  constructor(
    readonly dir: string,
    readonly name: string,
  ) {}

  get configPath(): string {
    return path.join(this.dir, 'config.json');
  }
  get diskPath(): string {
    return path.join(this.dir, 'disk.img');
  }
  get nvramPath(): string {
    return path.join(this.dir, 'nvram.bin');
  }
  get statePath(): string {
    return path.join(this.dir, 'state.vzvmsave');
  }
  get controlSocket(): string {
    return path.join(this.dir, 'control.sock');
  }
  sim(...parts: string[]): string {
    return path.join(this.dir, '.sim', ...parts);
  }
  get guestRoot(): string {
    return this.sim('guest');
  }
  get guestHome(): string {
    return this.sim('guest', 'home');
  }
  get runLock(): string {
    return this.sim('run.lock');
  }

  exists(): boolean {
    return fs.existsSync(this.dir);
  }
  initialized(): boolean {
    return [this.configPath, this.diskPath, this.nvramPath].every((f) => fs.existsSync(f));
  }
  validate(): void {
    if (!this.exists()) throw notFound(this.name);
    if (!this.initialized()) throw missingFiles();
  }

  config(): VmConfig {
    return JSON.parse(fs.readFileSync(this.configPath, 'utf8')) as VmConfig;
  }
  saveConfig(c: VmConfig): void {
    writeJsonAtomic(this.configPath, c);
  }

  disk(): DiskImage {
    const d = readJson<DiskImage | undefined>(this.diskPath, undefined);
    if (d && d.simDisk === 1) return d;
    const size = fs.statSync(this.diskPath).size;
    return { simDisk: 1, sizeBytes: size, allocatedBytes: size };
  }
  saveDisk(d: DiskImage): void {
    writeJsonAtomic(this.diskPath, d);
  }
  sizeGB(): number {
    return Math.floor(this.disk().sizeBytes / 1e9);
  }
  allocatedSizeGB(): number {
    return Math.floor(this.disk().allocatedBytes / 1e9);
  }

  /** The live process holding the run lock (tart run), if any. */
  lockHolder(): Holder | undefined {
    const h = readHolder(this.runLock);
    return holderAlive(h) ? h : undefined;
  }
  running(): boolean {
    return this.lockHolder() !== undefined;
  }
  state(): 'running' | 'suspended' | 'stopped' {
    if (this.running()) return 'running';
    return fs.existsSync(this.statePath) ? 'suspended' : 'stopped';
  }

  touch(): void {
    try {
      writeJsonAtomic(this.sim('accessed.json'), { accessed: Date.now() });
    } catch {
      /* a read-only cache entry still opens */
    }
  }
  accessed(): Date {
    const a = readJson<{ accessed?: number }>(this.sim('accessed.json'), {});
    if (typeof a.accessed === 'number') return new Date(a.accessed);
    try {
      return fs.statSync(this.dir).mtime;
    } catch {
      return new Date(0);
    }
  }

  imageInfo(): ImageInfo {
    return readJson<ImageInfo>(this.sim('guest', 'image.json'), {});
  }
}

export function localVm(home: TartHome, name: string): VmDir {
  return new VmDir(home.vmDir(name), name);
}

/** Opens a local VM: exit 2 if missing, exit 1 if incomplete; updates the access date. */
export function openLocal(home: TartHome, name: string): VmDir {
  const vm = localVm(home, name);
  vm.validate();
  vm.touch();
  return vm;
}

export function listLocal(home: TartHome): VmDir[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(home.vmsDir);
  } catch {
    return [];
  }
  return names
    .map((n) => localVm(home, n))
    .filter((v) => v.initialized())
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Files that make up a VM copy: the three files, the suspend state, and the simulated guest disk. */
export function copyVmFiles(from: VmDir, toDir: string): void {
  fs.mkdirSync(toDir, { recursive: true });
  for (const f of ['config.json', 'disk.img', 'nvram.bin', 'state.vzvmsave']) {
    const src = path.join(from.dir, f);
    if (fs.existsSync(src)) fs.copyFileSync(src, path.join(toDir, f));
  }
  if (fs.existsSync(from.guestRoot)) {
    fs.cpSync(from.guestRoot, path.join(toDir, '.sim', 'guest'), {
      recursive: true,
      verbatimSymlinks: true,
      // Runtime state of a former boot is not part of the disk image.
      filter: (src) => !src.startsWith(path.join(from.guestRoot, 'state')),
    });
  }
}
