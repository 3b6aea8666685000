import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SlotSnapshot } from '../../../src-main/core/events/types';
import { nullLogger } from '../../../src-main/core/util/logger';
import type { AppSnapshot } from '../../../src-main/ipc/types';
import { loginItem } from '../../../src-main/app/login-item';
import { registerNotifications } from '../../../src-main/app/notifications';
import { registerPower } from '../../../src-main/app/power';
import { QUIT_BUTTONS, registerQuit } from '../../../src-main/app/quit';
import { SECURE_WEB_PREFERENCES } from '../../../src-main/app/security/web-preferences';
import { MainWindow, type WindowLike } from '../../../src-main/app/window';
import { registerTray, type TrayDeps } from '../../../src-main/app/tray/tray';
import type { Menu, NativeImage } from 'electron';
import { fake, FakeBrowserWindow, FakeEvent, FakeMenu, FakeNativeImage, FakeNotification, FakeTray, resetFakeElectron } from './support/fake-electron';

beforeEach(() => resetFakeElectron());

function snap(slots: Partial<SlotSnapshot>[], extra: Partial<AppSnapshot> = {}): AppSnapshot {
  return {
    rev: 1,
    app: { name: 'Ekiden', version: '1', platform: 'darwin', configPath: '/c', logsDir: '/l', startAtLogin: false },
    service: { status: 'running' },
    host: { hostId: 'mini', paused: false, draining: false, stopped: false, slots: slots.map((s, i) => ({ slot: i, state: 'listening', since: 0, ...s })) },
    recentJobs: [],
    cycles: [],
    health: null,
    ...extra,
  };
}

/** A feed stand-in: tests publish snapshots to the listeners. */
function feed() {
  const listeners = new Set<(s: AppSnapshot) => void>();
  return {
    onChange: (l: (s: AppSnapshot) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    publish: (s: AppSnapshot) => listeners.forEach((l) => l(s)),
  };
}

describe('the window', () => {
  const open = (o: { quitting?: () => boolean } = {}) => {
    const gone = vi.fn();
    const window = new MainWindow({
      // The fake's EventEmitter `on` returns itself, not a BrowserWindow: the one cast here.
      createWindow: (options) => new FakeBrowserWindow(options) as unknown as WindowLike, preload: '/app/out/preload/index.cjs', url: 'ekiden://app/index.html',
      quitting: o.quitting ?? (() => false), onPageGone: gone, logger: nullLogger,
    });
    window.show();
    return { window, win: FakeBrowserWindow.instances[0], gone };
  };

  it('opens with the secure webPreferences and our preload, and shows', () => {
    const { win } = open();
    expect(win.options.webPreferences).toEqual({ ...SECURE_WEB_PREFERENCES, preload: '/app/out/preload/index.cjs' });
    expect(win.options.show).toBe(false);
    expect(win.visible).toBe(true);
    expect(win.webContents.mainFrame.url).toBe('ekiden://app/index.html');
  });

  it('hides on close and comes back as the same window', () => {
    const { window, win } = open();
    win.close();
    expect(win.destroyed).toBe(false);
    expect(win.visible).toBe(false);
    window.show();
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    expect(win.visible).toBe(true);
  });

  it('really closes while quitting', () => {
    const { window, win, gone } = open({ quitting: () => true });
    win.close();
    expect(win.destroyed).toBe(true);
    expect(window.current).toBeUndefined();
    expect(gone).toHaveBeenCalled();
  });

  it('reloads a crashed renderer a few times a minute, and closes the ready gate each time', () => {
    const { win, gone } = open();
    gone.mockClear();
    for (let i = 0; i < 5; i++) win.webContents.emit('render-process-gone', new FakeEvent(), { reason: 'crashed', exitCode: 11 });
    expect(win.webContents.reloads).toBe(3);
    expect(gone).toHaveBeenCalledTimes(5);
  });

  it('closes the ready gate when the page navigates, not for in-page navigation', () => {
    const { win, gone } = open();
    gone.mockClear();
    win.webContents.emit('did-start-navigation', { url: 'ekiden://app/index.html#/logs', isMainFrame: true, isSameDocument: true });
    win.webContents.emit('did-start-navigation', { url: 'ekiden://app/frame', isMainFrame: false, isSameDocument: false });
    expect(gone).not.toHaveBeenCalled();
    win.webContents.emit('did-start-navigation', { url: 'ekiden://app/index.html', isMainFrame: true, isSameDocument: false });
    expect(gone).toHaveBeenCalledTimes(1);
  });
});

describe('power', () => {
  it('blocks app suspension while a job runs and re-probes after wake', () => {
    const f = feed();
    const reprobe = vi.fn();
    const power = registerPower({ powerSaveBlocker: fake.powerSaveBlocker, powerMonitor: fake.powerMonitor }, { onChange: f.onChange, reprobe, logger: nullLogger });
    f.publish(snap([{}]));
    expect(fake.powerSaveBlocker.active.size).toBe(0);
    f.publish(snap([{ state: 'running', job: { name: 'a', startedAt: 0 } }]));
    f.publish(snap([{ state: 'finishing', job: { name: 'a', startedAt: 0 } }]));
    expect(fake.powerSaveBlocker.active.size).toBe(1);
    expect(fake.powerSaveBlocker.types).toEqual(['prevent-app-suspension']);
    f.publish(snap([{ state: 'tearing-down' }]));
    expect(fake.powerSaveBlocker.active.size).toBe(0);
    fake.powerMonitor.emit('suspend');
    fake.powerMonitor.emit('resume');
    expect(reprobe).toHaveBeenCalledTimes(1);
    f.publish(snap([{ state: 'running' }]));
    power.dispose();
    expect(fake.powerSaveBlocker.active.size).toBe(0);
  });
});

describe('notifications', () => {
  it('tell about a host-wide error once, and again only after it cleared and came back', () => {
    const f = feed();
    registerNotifications({ isSupported: () => true, create: (o) => new FakeNotification(o) }, { onChange: f.onChange, onClick: () => {} });
    const broken = snap([{}], {});
    broken.host!.hostError = { reason: 'github_auth', message: 'GitHub rejected the credentials — check the App key', since: 1 };
    f.publish(broken);
    f.publish(broken);
    f.publish({ ...broken, rev: 2 });
    expect(FakeNotification.instances.map((n) => [n.options.title, n.options.body, n.shown])).toEqual([
      ['Ekiden: all slots are waiting', 'GitHub rejected the credentials — check the App key', true],
    ]);
    f.publish(snap([{}]));
    f.publish(broken);
    expect(FakeNotification.instances).toHaveLength(2);
    f.publish(snap([], { host: null, service: { status: 'error', problem: { name: 'ConfigError', message: 'Ekiden cannot read its secrets' } } }));
    expect(FakeNotification.instances.at(-1)?.options.title).toBe('Ekiden cannot start');
  });
});

describe('quit', () => {
  const quitWith = (s: AppSnapshot) => {
    const shutdown = vi.fn(async (_how: 'drain' | 'now') => {});
    const handle = registerQuit({ app: fake.app, dialog: fake.dialog }, { snapshot: () => s, shutdown, changed: () => {}, logger: nullLogger });
    return { handle, shutdown };
  };
  const busy = snap([{ state: 'running', job: { name: 'build', startedAt: 0 } }]);

  afterEach(() => {
    fake.dialog.answers.length = 0;
  });

  it('with no job running, drains without asking and then quits', async () => {
    const { handle, shutdown } = quitWith(snap([{}]));
    fake.app.quit();
    await handle.done;
    expect(fake.dialog.shown).toEqual([]);
    expect(shutdown).toHaveBeenCalledWith('drain');
    expect(fake.app.quitCalls).toBe(2);
  });

  it.each([
    [0, 'drain'],
    [1, 'now'],
  ] as const)('with a job running, button %i means %s', async (answer, how) => {
    fake.dialog.answers.push(answer);
    const { handle, shutdown } = quitWith(busy);
    await handle.requestQuit();
    await handle.done;
    expect(fake.dialog.shown[0]).toMatchObject({ buttons: [...QUIT_BUTTONS], cancelId: 2, message: 'A job is running' });
    expect(shutdown).toHaveBeenCalledWith(how);
  });

  it('Cancel keeps everything running, and Cmd-Q asks again later', async () => {
    fake.dialog.answers.push(2);
    const { handle, shutdown } = quitWith(busy);
    fake.app.quit();
    await vi.waitFor(() => expect(fake.dialog.shown).toHaveLength(1));
    await Promise.resolve();
    expect(shutdown).not.toHaveBeenCalled();
    expect(handle.isQuitting()).toBe(false);
    fake.dialog.answers.push(1);
    await handle.requestQuit();
    expect(shutdown).toHaveBeenCalledWith('now');
  });
});

describe('the login item', () => {
  it('reads and sets openAtLogin', () => {
    const item = loginItem(fake.app);
    expect(item.enabled()).toBe(false);
    item.set(true);
    expect(item.enabled()).toBe(true);
  });
});

describe('the tray adapter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('applies the model at most every 250 ms, and rebuilds the menu only when it changed', async () => {
    vi.useFakeTimers();
    const f = feed();
    let current = snap([{}]);
    const clicked: string[] = [];
    const deps: TrayDeps = {
      // The fakes' EventEmitter methods return themselves, not Electron objects: cast once here.
      createTray: (image) => new FakeTray(image as unknown as FakeNativeImage) as unknown as ReturnType<TrayDeps['createTray']>,
      buildMenu: (template) => new FakeMenu(template) as unknown as Menu,
      imageFromPath: (file) => new FakeNativeImage(file) as unknown as NativeImage,
    };
    const handle = registerTray(deps, {
      iconDir: '/assets/tray', snapshot: () => current, onChange: f.onChange, quitting: () => false, now: () => Date.now(),
      actions: { pause: () => clicked.push('pause'), resume: () => {}, open: () => {}, 'open-logs': () => {}, 'toggle-login': () => {}, quit: () => {}, 'stop-now-quit': () => {} },
    });
    const tray = FakeTray.instances[0];
    expect([tray.iconName(), tray.title, tray.menuBuilds]).toEqual(['idleTemplate.png', '0/1', 1]);
    expect(tray.image.template).toBe(true);

    for (let i = 0; i < 10; i++) {
      current = snap([{ state: i % 2 ? 'running' : 'listening', job: i % 2 ? { name: 'a', startedAt: Date.now() } : undefined }]);
      f.publish(current);
    }
    current = snap([{ state: 'running', job: { name: 'a', startedAt: Date.now() } }]);
    f.publish(current);
    expect(tray.menuBuilds).toBe(1);
    await vi.advanceTimersByTimeAsync(250);
    expect([tray.iconName(), tray.title, tray.menuBuilds]).toEqual(['busyTemplate.png', '1/1', 2]);
    // Nothing changed that a person could see: no new menu.
    f.publish(current);
    await vi.advanceTimersByTimeAsync(250);
    expect(tray.menuBuilds).toBe(2);
    tray.click('pause');
    expect(clicked).toEqual(['pause']);
    // The elapsed time moves on by itself, once a second at most.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(tray.labels()).toContain('Slot 0: running — a — 1s');
    handle.dispose();
    expect(tray.destroyed).toBe(true);
  });
});
