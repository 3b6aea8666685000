// The menu-bar app's main process. This file only wires: each concern lives in its own module,
// and everything that decides lives in the core (src-main/core), which never imports Electron.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  powerSaveBlocker,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
} from 'electron';
import path from 'node:path';
import { stateDirFor } from '../cli/state-dir';
import type { ReadManagedOptions } from '../core/config/managed';
import { registerIpcHandlers } from './ipc-main';
import { loginItem } from './login-item';
import { setupLogging } from './logging';
import { registerNotifications } from './notifications';
import { registerPower } from './power';
import { deliverToWindow } from './push';
import { registerQuit } from './quit';
import { SafeStorageSecretStore } from './secrets/safe-storage-store';
import { isAppSchemeUrl, APP_ENTRY_URL, registerAppScheme, serveRenderer } from './security/app-protocol';
import { installSecurityGuards } from './security/guards';
import { isTrustedSender } from './security/sender';
import { createAppServices } from './service/app-services';
import { invokeHandlers, type HandlerContext } from './service/handlers';
import type { HostControllerOptions } from './service/host-controller';
import { PushGate } from './service/push-gate';
import { registerTray } from './tray/tray';
import { MainWindow } from './window';

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Organisation settings (tests point this at their own files). */
  managed?: ReadManagedOptions;
  hostOptions?: HostControllerOptions['hostOptions'];
  startRetryMs?: number;
}

export type EkidenApp = Awaited<ReturnType<typeof wire>>;

export async function startEkidenApp(opts: StartOptions = {}): Promise<EkidenApp | undefined> {
  // A second launch shows the first one's window instead.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return undefined;
  }
  registerAppScheme(protocol);
  await app.whenReady();
  return wire(opts);
}

async function wire(opts: StartOptions) {
  const env = opts.env ?? process.env;
  // LSUIElement keeps the packaged app out of the Dock; this does the same for `electron .`.
  app.dock?.hide();
  const appDir = app.getAppPath();
  const userData = app.getPath('userData');
  const logsDir = app.getPath('logs');
  const configFile = env.EKIDEN_CONFIG ? path.resolve(env.EKIDEN_CONFIG) : path.join(userData, 'config.json');
  const devUrl = !app.isPackaged && env.EKIDEN_RENDERER_URL ? new URL(env.EKIDEN_RENDERER_URL) : undefined;
  const isAppUrl = (url: string) => isAppSchemeUrl(url) || (!!devUrl && URL.canParse(url) && new URL(url).origin === devUrl.origin);

  const login = loginItem(app);
  let startAtLogin = login.enabled();
  let quitting = () => false;
  const gate = new PushGate(deliverToWindow(() => window.current));
  const secrets = new SafeStorageSecretStore(path.join(userData, 'secrets.json'), safeStorage);
  const services = createAppServices({
    configFile, stateDir: stateDirFor(configFile, env), env, secrets, appVersion: app.getVersion(),
    appInfo: () => ({ name: 'Ekiden', version: app.getVersion(), platform: process.platform, configPath: configFile, logsDir, startAtLogin }),
    desktop: {
      logsDir,
      openPath: async (p) => {
        const error = await shell.openPath(p);
        if (error) throw new Error(`cannot open ${p}: ${error}`);
      },
    },
    push: (channel, payload) => gate.send(channel, payload),
    managed: opts.managed, hostOptions: opts.hostOptions, startRetryMs: opts.startRetryMs,
  });
  const { bus, redactor, controller, feed, logger } = services;
  // The log file follows the bus before the host starts, so no line of the first start is lost.
  const logging = setupLogging({ logsDir, redactor, bus, console: !app.isPackaged && env.EKIDEN_LOG_CONSOLE !== '0' });
  installSecurityGuards({ app, session: session.defaultSession, shell }, { isAppUrl, logger });
  serveRenderer(protocol, path.join(appDir, 'out', 'renderer'));

  const window = new MainWindow({
    createWindow: (o) => new BrowserWindow(o),
    preload: path.join(appDir, 'out', 'preload', 'index.cjs'),
    url: devUrl?.toString() ?? APP_ENTRY_URL,
    quitting: () => quitting(),
    onPageGone: () => gate.reset(),
    focusApp: () => app.focus({ steal: true }),
    logger,
  });
  const context: HandlerContext = services.contextFor({ ready: () => gate.ready() });
  const stopIpc = registerIpcHandlers(ipcMain, {
    handlers: invokeHandlers, context, redact: (t) => redactor.redact(t), logger,
    trusted: (event) => isTrustedSender(event, { contents: () => window.current?.webContents, isAppUrl }),
  });

  const quit = registerQuit(
    { app, dialog },
    { snapshot: () => feed.snapshot(), shutdown: (how) => controller.shutdown(how), changed: () => tray.refresh(), logger },
  );
  quitting = quit.isQuitting;
  const act = (what: string, fn: () => unknown) => () => {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch((e: Error) => logger.log('error', `${what} failed: ${e.message}`));
    } catch (e) {
      logger.log('error', `${what} failed: ${(e as Error).message}`);
    }
  };
  const tray = registerTray(
    {
      createTray: (image) => new Tray(image),
      buildMenu: (template) => Menu.buildFromTemplate(template),
      imageFromPath: (file) => nativeImage.createFromPath(file),
    },
    {
      iconDir: path.join(appDir, 'assets', 'tray'),
      snapshot: () => feed.snapshot(),
      onChange: (l) => feed.onChange(l),
      quitting: quit.isQuitting,
      actions: {
        pause: act('pause', () => controller.pause()),
        resume: act('resume', () => controller.resume()),
        open: act('open the window', () => window.show()),
        'open-logs': act('open the logs folder', () => context.desktop.openPath(logsDir)),
        'toggle-login': act('change Start at Login', () => {
          login.set(!startAtLogin);
          startAtLogin = login.enabled();
          feed.changed();
        }),
        quit: act('quit', () => quit.requestQuit()),
        'stop-now-quit': act('stop now', () => quit.stopNowAndQuit()),
      },
    },
  );
  const power = registerPower({ powerSaveBlocker, powerMonitor }, { onChange: (l) => feed.onChange(l), reprobe: () => controller.reprobe(), logger });
  const stopNotifications = registerNotifications(
    { isSupported: () => Notification.isSupported(), create: (o) => new Notification(o) },
    { onChange: (l) => feed.onChange(l), onClick: () => window.show() },
  );
  // A menu-bar app lives on without windows; a second launch opens this one's window.
  app.on('window-all-closed', () => {});
  app.on('second-instance', () => window.show());
  void quit.done.then(() => {
    tray.dispose();
    power.dispose();
    stopNotifications();
    stopIpc();
    services.stop();
    logging.stop();
  });

  logger.log('info', `Ekiden ${app.getVersion()} started; configuration ${configFile}`);
  void controller.start();
  return { ...services, gate, window, tray, quit, power, context, configFile, logsDir };
}
