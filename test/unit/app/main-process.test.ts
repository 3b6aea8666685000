// The whole main process under a mocked `electron`, before any configuration exists (first run):
// the wiring, the window, IPC from the window, the one-way secret path, logs and Quit.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EkidenApp } from '../../../src-main/app/index';
import type { AppSnapshot, SettingsView, StatePatch } from '../../../src-main/ipc/types';
import { mainLogger } from './support/fake-electron-log';
import { fake, FakeBrowserWindow, FakeTray, resetFakeElectron, senderEvent, trayUntil } from './support/fake-electron';

vi.mock('electron', () => import('./support/fake-electron').then((m) => m.electronModule));
vi.mock('electron-log/main', () => import('./support/fake-electron-log').then((m) => ({ default: m.mainLogger })));

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;
let app: EkidenApp;
let tray: FakeTray;

beforeAll(async () => {
  resetFakeElectron();
  dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-main-'));
  fake.app.setPaths({ userData: path.join(dir, 'userData'), logs: path.join(dir, 'logs'), appPath: ROOT });
  const { startEkidenApp } = await import('../../../src-main/app/index');
  app = (await startEkidenApp({ env: { HOME: dir, PATH: '/usr/bin:/bin' } }))!;
  tray = FakeTray.instances[0];
});
afterAll(async () => {
  if (!app.quit.isQuitting()) {
    void app.quit.requestQuit();
    await app.quit.done;
  }
  await rm(dir, { recursive: true, force: true });
});

async function openWindow(): Promise<FakeBrowserWindow> {
  tray.click('open');
  const win = FakeBrowserWindow.instances.at(-1)!;
  await vi.waitFor(() => expect(win.webContents.mainFrame.url).toBe('ekiden://app/index.html'));
  return win;
}

describe('the main process on first run', () => {
  it('starts without a configuration and says so in the menu bar', async () => {
    await trayUntil(tray, (t) => t.labels()[0] === 'Not set up yet: open Ekiden to configure', 'the first-run hint', 10_000);
    expect(tray.iconName()).toBe('stoppedTemplate.png');
    expect(tray.image.template).toBe(true);
    expect(tray.title).toBe('');
    expect(fake.protocol.handlers.has('ekiden')).toBe(true);
    expect(fake.permission.request).toBeDefined();
  });

  it('opens one secure window from the tray and answers its IPC', async () => {
    const win = await openWindow();
    expect(fake.app.focusCalls).toBe(1);
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload: path.join(ROOT, 'out/preload/index.cjs') });
    const ask = (channel: string, payload?: unknown) => fake.ipcMain.invoke(senderEvent(win), channel, payload);
    const snap = (await ask('host:snapshot')) as { result: AppSnapshot };
    expect(snap.result).toMatchObject({ service: { status: 'unconfigured' }, host: null, app: { name: 'Ekiden', version: '0.1.0-test' } });
    expect(await ask('renderer:ready')).toMatchObject({ result: { flushed: expect.any(Number) } });
    const settings = (await ask('settings:get')) as { result: SettingsView };
    expect(settings.result).toMatchObject({ configPath: path.join(dir, 'userData', 'config.json'), input: null, managedPaths: [] });
    const saved = (await ask('settings:save', { input: { vm: { slots: 3 } } })) as { result: { ok: boolean; issues: { path: string }[] } };
    expect(saved.result.ok).toBe(false);
    expect(saved.result.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['github', 'image', 'vm.slots']));
    expect(await ask('host:pause')).toMatchObject({ error: { name: 'Error', message: expect.stringMatching(/^cannot pause: Ekiden is not running/) } });
    // The window asked to open the logs folder.
    expect(await ask('app:open-logs-folder')).toEqual({ result: { path: path.join(dir, 'logs') } });
    expect(fake.shell.opened).toEqual([path.join(dir, 'logs')]);
  });

  it('takes a secret one way: stored encrypted, never answered, never logged', async () => {
    const win = FakeBrowserWindow.instances.at(-1)!;
    const value = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
    const answer = await fake.ipcMain.invoke(senderEvent(win), 'secrets:set', { name: 'github-token', value });
    expect(answer).toEqual({ result: { name: 'github-token', set: true } });
    const view = (await fake.ipcMain.invoke(senderEvent(win), 'settings:get')) as { result: SettingsView };
    expect(view.result.storedSecrets).toEqual(['github-token']);
    expect(JSON.stringify(view)).not.toContain(value);
    expect(await readFile(path.join(dir, 'userData', 'secrets.json'), 'utf8')).not.toContain(value);
    // A renderer that logs it through electron-log gets it redacted in main.log.
    mainLogger.processMessage({ data: [`the renderer saw ${value}`], level: 'info', date: new Date(), variables: { processType: 'renderer' } });
    const log = await readFile(path.join(dir, 'logs', 'main.log'), 'utf8');
    expect(log).toContain('the renderer saw [REDACTED]');
    expect(log).toMatch(/\[info\] \[app\] slot=- vm=- job=- src=host Ekiden 0\.1\.0-test started/);
    expect(log).not.toContain(value);
    const pushed = win.webContents.sent.map((s) => JSON.stringify(s)).join('\n');
    expect(pushed).not.toContain(value);
  });

  it('pushes state patches to the ready window and log batches as lines arrive', async () => {
    const win = FakeBrowserWindow.instances.at(-1)!;
    app.logger.log('info', 'a line for the window');
    await vi.waitFor(() => expect(win.webContents.sent.some((s) => s.channel === 'logs:append' && JSON.stringify(s.payload).includes('a line for the window'))).toBe(true));
    tray.click('toggle-login');
    await vi.waitFor(() => {
      const patches = win.webContents.sent.filter((s) => s.channel === 'state:patch').map((s) => s.payload as StatePatch);
      expect(patches.at(-1)?.changes.app?.startAtLogin).toBe(true);
    });
  });

  it('a crashed renderer is reloaded; the controller does not notice', async () => {
    const win = FakeBrowserWindow.instances.at(-1)!;
    const before = app.controller.state();
    win.webContents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 9 });
    expect(win.webContents.reloads).toBe(1);
    expect(app.gate.isReady).toBe(false);
    expect(app.controller.state()).toEqual(before);
  });

  it('quits from the tray without a dialog when nothing runs', async () => {
    tray.click('quit');
    await app.quit.done;
    expect(fake.dialog.shown).toEqual([]);
    expect(app.controller.state().status).toBe('stopped');
    expect(fake.app.quitCalls).toBe(1);
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(tray.destroyed).toBe(true);
  });
});
