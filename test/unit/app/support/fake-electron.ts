// A stand-in for the `electron` module (there is no Electron binary here). Each piece is typed
// `satisfies Pick<Electron.X, …>` so it cannot drift from the real API's signatures; events use
// Node's EventEmitter. Tests drive it (`fake`) and mock `electron` with `electronModule`.
import { EventEmitter } from 'node:events';
import type {
  App,
  BrowserWindowConstructorOptions,
  Dialog,
  IpcMain,
  IpcMainInvokeEvent,
  MenuItemConstructorOptions,
  MessageBoxOptions,
  MessageBoxReturnValue,
  NotificationConstructorOptions,
  PowerSaveBlocker,
  SafeStorage,
  Session,
  Shell,
  WebRequest,
} from 'electron';

/** A preventable Electron event. */
export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly url?: string) {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

let nextId = 1;

export class FakeFrame {
  url = '';
  parent: FakeFrame | null = null;
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame = new FakeFrame();
  readonly sent: { channel: string; payload: unknown }[] = [];
  reloads = 0;
  destroyed = false;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;

  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload: structuredClone(payload) });
  }
  reload(): void {
    this.reloads++;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible = false;
  destroyed = false;

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    FakeBrowserWindow.instances.push(this);
    fake.app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  async loadURL(url: string): Promise<void> {
    this.webContents.emit('did-start-navigation', { url, isMainFrame: true, isSameDocument: false, frame: this.webContents.mainFrame });
    this.webContents.mainFrame.url = url;
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** What the red close button does. */
  close(): void {
    const event = new FakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

export class FakeNativeImage {
  template = false;
  constructor(readonly path: string) {}
  setTemplateImage(on: boolean): void {
    this.template = on;
  }
  isEmpty(): boolean {
    return false;
  }
}

export class FakeMenu {
  constructor(readonly template: MenuItemConstructorOptions[]) {}
}

export class FakeTray extends EventEmitter {
  static instances: FakeTray[] = [];
  title = '';
  tooltip = '';
  menu: FakeMenu | undefined;
  menuBuilds = 0;
  destroyed = false;
  constructor(public image: FakeNativeImage) {
    super();
    FakeTray.instances.push(this);
  }
  setImage(image: FakeNativeImage): void {
    this.image = image;
    this.emit('update');
  }
  setTitle(title: string): void {
    this.title = title;
    this.emit('update');
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: FakeMenu | null): void {
    this.menu = menu ?? undefined;
    this.menuBuilds++;
    this.emit('update');
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** The menu's labels, as a person reads them. */
  labels(): string[] {
    return (this.menu?.template ?? []).filter((i) => i.type !== 'separator').map((i) => i.label ?? '');
  }
  /** Clicks the menu item with this id. */
  click(id: string): void {
    const item = this.menu?.template.find((i) => i.id === id);
    if (!item?.click) throw new Error(`no menu item "${id}" (have ${this.labels().join(' | ')})`);
    if (item.enabled === false) throw new Error(`menu item "${id}" is disabled`);
    (item.click as () => void)();
  }
  iconName(): string {
    return this.image.path.split('/').pop() ?? '';
  }
}

export class FakeNotification extends EventEmitter {
  static instances: FakeNotification[] = [];
  shown = false;
  constructor(readonly options: NotificationConstructorOptions) {
    super();
    FakeNotification.instances.push(this);
  }
  static isSupported(): boolean {
    return true;
  }
  show(): void {
    this.shown = true;
  }
}

type InvokeListener = (event: IpcMainInvokeEvent, ...args: any[]) => any;

function createFake() {
  const paths: Record<string, string> = {};
  const appEmitter = new EventEmitter();
  let loginAtStart = false;
  const app = Object.assign(appEmitter, {
    isPackaged: false,
    quitCalls: 0,
    focusCalls: 0,
    dock: { hide: () => {} },
    setPaths(p: Record<string, string>) {
      Object.assign(paths, p);
    },
    ...({
      whenReady: async () => {},
      isReady: () => true,
      requestSingleInstanceLock: () => true,
      getPath: (name: Parameters<App['getPath']>[0]) => {
        const p = paths[name];
        if (!p) throw new Error(`fake app has no path "${name}"`);
        return p;
      },
      getAppPath: () => paths.appPath ?? process.cwd(),
      getVersion: () => '0.1.0-test',
      getLoginItemSettings: () => ({ openAtLogin: loginAtStart }) as ReturnType<App['getLoginItemSettings']>,
      setLoginItemSettings: (s: Parameters<App['setLoginItemSettings']>[0]) => {
        loginAtStart = !!s.openAtLogin;
      },
      quit: () => {
        app.quitCalls++;
        const event = new FakeEvent();
        appEmitter.emit('before-quit', event);
        if (!event.defaultPrevented) appEmitter.emit('will-quit', new FakeEvent());
      },
      exit: (_code?: number) => {},
      focus: (_options?: { steal: boolean }) => {
        app.focusCalls++;
      },
    } satisfies Pick<App, 'whenReady' | 'isReady' | 'requestSingleInstanceLock' | 'getPath' | 'getAppPath' | 'getVersion' | 'getLoginItemSettings' | 'setLoginItemSettings' | 'quit' | 'exit' | 'focus'>),
  });

  const handlers = new Map<string, InvokeListener>();
  const ipcMain = Object.assign(new EventEmitter(), {
    handlers,
    handle(channel: string, listener: InvokeListener) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, listener);
    },
    removeHandler(channel: string) {
      handlers.delete(channel);
    },
    /** What ipcRenderer.invoke does, from a given sender. */
    async invoke(event: { sender: unknown; senderFrame: FakeFrame | null }, channel: string, payload?: unknown): Promise<unknown> {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      // Like Electron, only structured-clonable data crosses.
      return structuredClone(await handler(event as unknown as IpcMainInvokeEvent, payload));
    },
  } satisfies Pick<IpcMain, 'handle' | 'removeHandler'> & Record<string, unknown>);

  // Not encryption: a reversible scramble that is plainly not the plaintext.
  const encryption = { available: true };
  const safeStorage = {
    encryption,
    isEncryptionAvailable: (): boolean => encryption.available,
    encryptString: (plain: string) => Buffer.from(`v10${Buffer.from(plain, 'utf8').toString('base64').split('').reverse().join('')}`, 'utf8'),
    decryptString: (blob: Buffer) => {
      const text = blob.toString('utf8');
      if (!text.startsWith('v10')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(text.slice(3).split('').reverse().join(''), 'base64').toString('utf8');
    },
  } satisfies Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & { encryption: { available: boolean } };

  const blockers = new Set<number>();
  let nextBlocker = 1;
  const powerSaveBlocker = {
    active: blockers,
    types: [] as string[],
    start: (type: 'prevent-app-suspension' | 'prevent-display-sleep') => {
      powerSaveBlocker.types.push(type);
      const id = nextBlocker++;
      blockers.add(id);
      return id;
    },
    stop: (id: number) => {
      blockers.delete(id);
      return true;
    },
    isStarted: (id: number) => blockers.has(id),
  } satisfies Pick<PowerSaveBlocker, 'start' | 'stop' | 'isStarted'> & { active: Set<number>; types: string[] };

  const dialogAnswers: number[] = [];
  const dialogs: MessageBoxOptions[] = [];
  const dialog = {
    answers: dialogAnswers,
    shown: dialogs,
    showMessageBox: async (a: unknown, b?: unknown): Promise<MessageBoxReturnValue> => {
      dialogs.push((b ?? a) as MessageBoxOptions);
      return { response: dialogAnswers.shift() ?? 0, checkboxChecked: false };
    },
  } satisfies Pick<Dialog, 'showMessageBox'> & { answers: number[]; shown: MessageBoxOptions[] };

  const opened: string[] = [];
  const external: string[] = [];
  const shell = {
    opened,
    external,
    openPath: async (p: string) => {
      opened.push(p);
      return '';
    },
    openExternal: async (url: string) => {
      external.push(url);
    },
  } satisfies Pick<Shell, 'openPath' | 'openExternal'> & { opened: string[]; external: string[] };

  type RequestHandler = Parameters<Session['setPermissionRequestHandler']>[0];
  type CheckHandler = Parameters<Session['setPermissionCheckHandler']>[0];
  type HeadersListener = Parameters<WebRequest['onHeadersReceived']>[0];
  const permission = {
    request: null as RequestHandler,
    check: null as CheckHandler,
    headers: null as HeadersListener,
  };
  const defaultSession = {
    setPermissionRequestHandler: (h: RequestHandler) => {
      permission.request = h;
    },
    setPermissionCheckHandler: (h: CheckHandler) => {
      permission.check = h;
    },
    webRequest: {
      onHeadersReceived: ((h: HeadersListener) => {
        permission.headers = h;
      }) as WebRequest['onHeadersReceived'],
    } satisfies Pick<WebRequest, 'onHeadersReceived'>,
  } satisfies Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> & { webRequest: Pick<WebRequest, 'onHeadersReceived'> };
  const session = { defaultSession };

  const protocol = {
    privileged: [] as unknown[],
    handlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
    registerSchemesAsPrivileged(schemes: unknown[]) {
      protocol.privileged.push(...schemes);
    },
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>) {
      protocol.handlers.set(scheme, handler);
    },
  };

  const powerMonitor = new EventEmitter();

  return { app, ipcMain, safeStorage, powerSaveBlocker, dialog, shell, session, permission, protocol, powerMonitor };
}

export let fake = createFake();

/** A fresh fake for the next test (listeners, handlers and recorded calls cleared). */
export function resetFakeElectron(): void {
  const next = createFake();
  Object.assign(fake, next);
  FakeBrowserWindow.instances = [];
  FakeTray.instances = [];
  FakeNotification.instances = [];
}

/** The module `electron` resolves to under vi.mock: getters, so a reset takes effect. */
export const electronModule = {
  get app() {
    return fake.app;
  },
  get ipcMain() {
    return fake.ipcMain;
  },
  get safeStorage() {
    return fake.safeStorage;
  },
  get powerSaveBlocker() {
    return fake.powerSaveBlocker;
  },
  get powerMonitor() {
    return fake.powerMonitor;
  },
  get dialog() {
    return fake.dialog;
  },
  get shell() {
    return fake.shell;
  },
  get session() {
    return fake.session;
  },
  get protocol() {
    return fake.protocol;
  },
  BrowserWindow: FakeBrowserWindow,
  Tray: FakeTray,
  Notification: FakeNotification,
  Menu: { buildFromTemplate: (template: MenuItemConstructorOptions[]) => new FakeMenu(template) },
  nativeImage: { createFromPath: (p: string) => new FakeNativeImage(p) },
};

/** The event Electron hands an ipcMain handler, from our window's main frame. */
export function senderEvent(win: FakeBrowserWindow): { sender: FakeWebContents; senderFrame: FakeFrame } {
  return { sender: win.webContents, senderFrame: win.webContents.mainFrame };
}

/** Resolves when `test` holds for the tray; checks on every tray update, bounded by `timeoutMs`. */
export function trayUntil(tray: FakeTray, test: (t: FakeTray) => boolean, what: string, timeoutMs = 40_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!test(tray)) return;
      tray.off('update', check);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      tray.off('update', check);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for the tray to show ${what}; it shows ${tray.iconName()} "${tray.title}": ${tray.labels().join(' | ')}`));
    }, timeoutMs);
    tray.on('update', check);
    check();
  });
}
