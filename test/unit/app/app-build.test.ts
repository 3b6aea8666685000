// The bundles electron-builder packs: the preload must need nothing but electron (a sandboxed
// preload cannot require anything else), the main bundle only what package.json ships, and the
// main bundle must load in Node with its imports resolved.
import { builtinModules } from 'node:module';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../scripts/build-app';

const ROOT = path.resolve(__dirname, '../../..');
let out: string;
beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'ekiden-app-build-'));
  await buildApp(out);
  // As in the packaged app, dependencies resolve from node_modules beside the bundle.
  await symlink(path.join(ROOT, 'node_modules'), path.join(out, 'node_modules'), 'dir');
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

describe('build:app', () => {
  it('bundles a preload that requires only electron', async () => {
    const preload = await readFile(path.join(out, 'preload', 'index.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect([...new Set(required)]).toEqual(['electron']);
    expect(preload).toMatch(/exposeInMainWorld\(API_KEY/);
  });

  it('bundles a main process that imports only node built-ins, electron and shipped dependencies', async () => {
    const main = await readFile(path.join(out, 'main', 'index.js'), 'utf8');
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const imported = new Set([...main.matchAll(/^import .* from ["']([^"'.][^"']*)["'];?$/gm)].map((m) => m[1]));
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const unshipped = [...imported].filter((s) => !builtins.has(s) && s !== 'electron' && !(packageOf(s) in pkg.dependencies));
    expect(unshipped).toEqual([]);
    expect(imported).toContain('electron-log/main');
  });

  it('loads in Node: every import resolves, and a second instance quits at once', async () => {
    // `electron` resolves to a stand-in whose single-instance lock is taken; electron-log/main's own
    // require('electron') gets the npm package's path string, as in plain Node.
    const fakeElectron = path.join(out, 'fake-electron.mjs');
    await writeFile(
      fakeElectron,
      `export const app = { requestSingleInstanceLock: () => false, quit: () => { globalThis.quitCalled = true; console.log('quit'); } };
       export const BrowserWindow = class {}, Tray = class {}, Notification = class {}, Menu = {}, nativeImage = {}, dialog = {}, ipcMain = {},
         powerMonitor = {}, powerSaveBlocker = {}, protocol = {}, safeStorage = {}, session = {}, shell = {};`,
    );
    const hooks = `data:text/javascript,${encodeURIComponent(
      `export async function resolve(spec, ctx, next) { return spec === 'electron' ? { url: ${JSON.stringify(`file://${fakeElectron}`)}, shortCircuit: true } : next(spec, ctx); }`,
    )}`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(hooks)});`;
    const r = await execa(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, path.join(out, 'main', 'index.js')], {
      cwd: ROOT, reject: false, timeout: 30_000, env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: out },
    });
    expect({ code: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: 'quit', stderr: '' });
  });
});
