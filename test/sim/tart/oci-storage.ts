// cache/OCIs: digest directories, tag symlinks pointing at them, and Tart's reference-count GC.
import fs from 'node:fs';
import path from 'node:path';
import type { TartHome } from './home';
import { cachePath, remoteText, type RemoteName } from './remote-name';
import { VmDir } from './vm-dir';
import { rmrf } from './fsx';

export interface OciEntry {
  name: string;
  vm: VmDir;
  isSymlink: boolean;
}

export function ociVm(home: TartHome, r: RemoteName): VmDir {
  return new VmDir(cachePath(home.ocisDir, r), remoteText(r));
}

export function ociExists(home: TartHome, r: RemoteName): boolean {
  return ociVm(home, r).initialized();
}

/** The digest a cached tag points to (its symlink target), if any. */
export function cachedDigest(home: TartHome, r: RemoteName): string | undefined {
  if (r.isDigest) return ociExists(home, r) ? r.reference : undefined;
  const p = cachePath(home.ocisDir, r);
  try {
    const target = fs.readlinkSync(p);
    if (!new VmDir(path.resolve(path.dirname(p), target), '').initialized()) return undefined;
    return path.basename(target);
  } catch {
    return undefined;
  }
}

export function listOci(home: TartHome): OciEntry[] {
  const out: OciEntry[] = [];
  const walk = (dir: string, rel: string[]): void => {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const p = path.join(dir, n);
      const st = fs.lstatSync(p);
      const relParent = rel.map((s, i) => (i === 0 ? decodeURIComponent(s) : s)).join('/');
      if (st.isSymbolicLink()) {
        const vm = new VmDir(p, `${relParent}:${n}`);
        if (vm.initialized()) out.push({ name: vm.name, vm, isSymlink: true });
      } else if (st.isDirectory()) {
        const vm = new VmDir(p, `${relParent}@${n}`);
        if (vm.initialized()) out.push({ name: vm.name, vm, isSymlink: false });
        else walk(p, [...rel, n]);
      }
    }
  };
  walk(home.ocisDir, []);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Points the tag at the digest directory (replacing an older link), then collects garbage. */
export function linkTag(home: TartHome, tag: RemoteName, digest: RemoteName): void {
  const link = cachePath(home.ocisDir, tag);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  rmrf(link);
  fs.symlinkSync(cachePath(home.ocisDir, digest), link);
  gc(home);
}

export function markExplicitlyPulled(vm: VmDir): void {
  fs.mkdirSync(vm.sim(), { recursive: true });
  fs.writeFileSync(vm.sim('explicitly-pulled'), '');
}

/** Tart's GC: drop dangling tag links, then digests nobody links to (unless pulled by digest). */
export function gc(home: TartHome): void {
  const refs = new Map<string, number>();
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const p = path.join(dir, n);
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) {
        const target = path.resolve(dir, fs.readlinkSync(p));
        if (!new VmDir(target, '').initialized()) {
          fs.rmSync(p, { force: true });
          continue;
        }
        refs.set(target, (refs.get(target) ?? 0) + 1);
      } else if (st.isDirectory()) {
        if (new VmDir(p, '').initialized()) refs.set(p, refs.get(p) ?? 0);
        else walk(p);
      }
    }
  };
  walk(home.ocisDir);
  for (const [dir, count] of refs) {
    if (count === 0 && !fs.existsSync(path.join(dir, '.sim', 'explicitly-pulled'))) rmrf(dir);
  }
}

export function deleteOci(home: TartHome, r: RemoteName): void {
  rmrf(cachePath(home.ocisDir, r));
  gc(home);
}
