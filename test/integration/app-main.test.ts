// The menu-bar app's main process, whole, under a mocked `electron`, running the real core against
// the simulated host: the tray follows jobs, the window talks IPC, and Quit leaves nothing behind.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EkidenApp } from '../../src-main/app/index';
import type { EkidenConfigInput } from '../../src-main/core/config/schema';
import type { AppSnapshot, LogEntry } from '../../src-main/ipc/types';
import { startSimHost, type SimHost, type SimHostOptions } from '../sim/host';
import { fake, FakeBrowserWindow, FakeNotification, FakeTray, resetFakeElectron, senderEvent, trayUntil } from '../unit/app/support/fake-electron';
import { fastTimeouts } from './support/harness';

vi.mock('electron', () => import('../unit/app/support/fake-electron').then((m) => m.electronModule));
vi.mock('electron-log/main', () => import('../unit/app/support/fake-electron-log').then((m) => ({ default: m.mainLogger })));

const ROOT = path.resolve(__dirname, '../..');

interface Running {
  sim: SimHost;
  app: EkidenApp;
  tray: FakeTray;
  dir: string;
}
let run: Running | undefined;

afterEach(async () => {
  if (!run) return;
  const { app, sim, dir } = run;
  run = undefined;
  try {
    if (!app.quit.isQuitting()) {
      fake.dialog.answers.push(1); // Stop Now
      void app.quit.requestQuit();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([app.quit.done, new Promise((resolve) => (timer = setTimeout(resolve, 120_000)))]);
    clearTimeout(timer);
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}, 150_000);

/** A simulated host, and the app with the sim's configuration written into its userData. */
async function startApp(o: SimHostOptions = {}): Promise<Running> {
  resetFakeElectron();
  const sim = await startSimHost({ slots: 1, ...o, configure: (c) => { fastTimeouts(c); o.configure?.(c); } });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-app-'));
  const userData = path.join(dir, 'userData');
  await mkdir(userData, { recursive: true, mode: 0o700 });
  await writeFile(path.join(userData, 'config.json'), JSON.stringify(sim.config, null, 2), { mode: 0o600 });
  await chmod(path.join(userData, 'config.json'), 0o600);
  fake.app.setPaths({ userData, logs: path.join(dir, 'logs'), appPath: ROOT });
  const env: NodeJS.ProcessEnv = { ...sim.env, EKIDEN_LOG_CONSOLE: '0' };
  delete env.EKIDEN_CONFIG;
  const { startEkidenApp } = await import('../../src-main/app/index');
  try {
    const app = (await startEkidenApp({ env, hostOptions: { hostRetrySeconds: 1 } }))!;
    run = { sim, app, tray: FakeTray.instances[0], dir };
    return run;
  } catch (error) {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

const STEP_MS = 40_000;
const listening = (t: FakeTray) => t.iconName() === 'idleTemplate.png' && t.title === '0/1' && t.labels().includes(t.labels().find((l) => /^Slot 0: listening — /.test(l)) ?? '\0');
const busyWith = (job: string) => (t: FakeTray) =>
  t.iconName() === 'busyTemplate.png' && t.title === '1/1' && t.labels().some((l) => l.startsWith(`Slot 0: running — ${job} — `));

async function openWindow(tray: FakeTray) {
  tray.click('open');
  const win = FakeBrowserWindow.instances.at(-1)!;
  await vi.waitFor(() => expect(win.webContents.mainFrame.url).toBe('ekiden://app/index.html'));
  const ask = async <T>(channel: string, payload?: unknown): Promise<T> => {
    const answer = (await fake.ipcMain.invoke(senderEvent(win), channel, payload)) as { result?: T; error?: { name: string; message: string } };
    if (answer.error) throw new Error(`${channel}: ${answer.error.name}: ${answer.error.message}`);
    return answer.result as T;
  };
  return { win, ask };
}

describe('the menu-bar app on a simulated host', { timeout: 150_000 }, () => {
  it('follows a job from listening to busy to listening, and Quit waits for the running job', async () => {
    const { sim, app, tray } = await startApp();
    await trayUntil(tray, listening, 'slot 0 listening');
    expect(fake.powerSaveBlocker.active.size).toBe(0);

    await sim.enqueue(1, { durationMs: 2500, name: () => 'build (macos-15, #1)' });
    await trayUntil(tray, busyWith('build (macos-15, #1)'), 'the job running');
    expect(tray.labels()[0]).toBe('1 job running');
    expect(fake.powerSaveBlocker.active.size).toBe(1);
    await trayUntil(tray, listening, 'slot 0 listening again after the job');
    expect(fake.powerSaveBlocker.active.size).toBe(0);

    // The window sees the same: the snapshot, the finished job, the logs (with no secret in them).
    const { win, ask } = await openWindow(tray);
    await ask('renderer:ready');
    const snap = await ask<AppSnapshot>('host:snapshot');
    expect(snap.service).toEqual({ status: 'running' });
    expect(snap.host?.slots[0].state).toBe('listening');
    expect(snap.recentJobs).toMatchObject([{ job: 'build (macos-15, #1)', result: 'success', slot: 0 }]);
    // …with its cycle step by step (its teardown ended before the slot listened again), the slot's
    // new cycle under way, and the host header's free disk.
    expect(snap.recentJobs[0].phases.map((p) => p.step)).toEqual(
      expect.arrayContaining(['clone', 'boot', 'ip', 'connect', 'register', 'idle', 'job', 'finishing', 'teardown']),
    );
    expect(snap.cycles.find((c) => c.slot === 0)?.current?.step).toBe('idle');
    expect(snap.health?.disk?.freeBytes).toBeGreaterThan(0);
    const tail = await ask<LogEntry[]>('logs:tail', { sinceSeq: 0 });
    const text = tail.map((e) => e.text).join('\n');
    expect(text).toMatch(/Listening for Jobs/);
    for (const secret of sim.secrets) for (const line of secret.split('\n').filter((l) => l.length > 20)) expect(text).not.toContain(line);
    // Once ready, the window gets state patches and log batches as the loop moves on.
    const sentBefore = win.webContents.sent.length;

    const [second] = await sim.enqueue(1, { durationMs: 3000, name: () => 'test (macos-15, #2)' });
    await trayUntil(tray, busyWith('test (macos-15, #2)'), 'the second job running');
    await vi.waitFor(() => expect(win.webContents.sent.slice(sentBefore).map((s) => s.channel)).toEqual(expect.arrayContaining(['state:patch', 'logs:append'])));

    fake.dialog.answers.push(0); // Wait for Jobs
    tray.click('quit');
    await trayUntil(tray, (t) => t.labels()[0] === 'Quitting: waiting for 1 job' && t.labels().includes('Stop Now and Quit'), 'quitting, waiting for the job');
    await app.quit.done;
    expect(fake.dialog.shown[0]).toMatchObject({ message: 'A job is running', buttons: ['Wait for Jobs', 'Stop Now', 'Cancel'] });
    expect((await sim.github.jobs()).find((j) => j.id === second)).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(await sim.leftovers()).toEqual({ vms: [], runners: [] });
    expect(fake.app.quitCalls).toBe(1);
    expect(tray.destroyed).toBe(true);
  });

  it('starts once the window sets the missing secret, and Stop Now cancels the job and leaves nothing', async () => {
    // timeScale 0.25: the fake GitHub gives up on a killed runner after 15 s instead of 60 s.
    const { sim, app, tray } = await startApp({
      timeScale: 0.25,
      configure: (c: EkidenConfigInput) => {
        c.guest = { ...c.guest, password: { keychain: 'guest-password' } };
      },
    });
    await trayUntil(tray, (t) => t.iconName() === 'errorTemplate.png', 'the missing secret');
    expect(tray.labels()[0]).toBe('Error: Ekiden cannot read its secrets (1 problem):');
    expect(FakeNotification.instances.map((n) => [n.options.title, n.shown])).toEqual([['Ekiden cannot start', true]]);

    const { ask } = await openWindow(tray);
    const settings = await ask<{ secrets: { field: string; set: boolean }[] }>('settings:get');
    expect(settings.secrets).toContainEqual({ field: 'guest.password', ref: { keychain: 'guest-password' }, set: false, problem: expect.stringMatching(/add it in Settings/) });
    expect(await ask('secrets:set', { name: 'guest-password', value: 'admin' })).toEqual({ name: 'guest-password', set: true });
    await trayUntil(tray, listening, 'slot 0 listening after the secret was set');

    const [job] = await sim.enqueue(1, { durationMs: 120_000, name: () => 'deploy (long)' });
    await trayUntil(tray, busyWith('deploy (long)'), 'the long job running');
    const tornDown = new Promise<number>((resolve) => app.bus.on('slot.state', (e) => e.state === 'tearing-down' && resolve(Date.now())));
    fake.dialog.answers.push(1); // Stop Now
    const quitAt = Date.now();
    tray.click('quit');
    // Stop Now interrupts the runner (its job ends Canceled and its registration goes), then the
    // VM goes: long before the job would have ended.
    expect((await tornDown) - quitAt).toBeLessThan(20_000);
    await app.quit.done;
    expect(Date.now() - quitAt).toBeLessThan(60_000);
    expect(app.controller.state().status).toBe('stopped');
    expect(await sim.leftovers()).toEqual({ vms: [], runners: [] });
    expect((await sim.github.jobs()).find((j) => j.id === job)).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
  });
});
