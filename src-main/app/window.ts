// The one window: created on first "Open Ekiden", hidden (not closed) when the user closes it, so the
// loop and the page's state live on. A renderer crash reloads the page and never touches the loop.
import type { BrowserWindow, BrowserWindowConstructorOptions, RenderProcessGoneDetails } from 'electron';
import type { Logger } from '../core/util/logger';
import { SECURE_WEB_PREFERENCES } from './security/web-preferences';

export type WindowLike = Pick<BrowserWindow, 'show' | 'hide' | 'focus' | 'isDestroyed' | 'loadURL' | 'on' | 'once'> & {
  webContents: Pick<BrowserWindow['webContents'], 'on' | 'reload' | 'isDestroyed' | 'send'>;
};

export interface WindowOptions {
  createWindow(options: BrowserWindowConstructorOptions): WindowLike;
  preload: string;
  url: string;
  /** True once Quit is under way: then close really closes. */
  quitting(): boolean;
  /** The page is going away or restarting: pushes must wait for the next `renderer:ready`. */
  onPageGone(): void;
  logger: Logger;
  /** Brings the app forward: a menu-bar app (LSUIElement) is not activated by showing a window. */
  focusApp?(): void;
  /** Crash reloads allowed per minute before giving up (a page that crashes on load). Default 3. */
  maxReloadsPerMinute?: number;
}

export class MainWindow {
  private window: WindowLike | undefined;
  private reloads: number[] = [];

  constructor(private readonly o: WindowOptions) {}

  /** The live window, if any. */
  get current(): WindowLike | undefined {
    return this.window && !this.window.isDestroyed() ? this.window : undefined;
  }

  show(): void {
    const win = this.current ?? this.create();
    this.o.focusApp?.();
    win.show();
    win.focus();
  }

  private create(): WindowLike {
    const win = this.o.createWindow({
      width: 1100,
      height: 760,
      minWidth: 720,
      minHeight: 480,
      show: false,
      title: 'Ekiden',
      webPreferences: { ...SECURE_WEB_PREFERENCES, preload: this.o.preload },
    });
    this.window = win;
    win.on('close', (event) => {
      if (this.o.quitting()) return;
      event.preventDefault();
      win.hide();
    });
    win.on('closed', () => {
      this.window = undefined;
      this.o.onPageGone();
    });
    win.webContents.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) this.o.onPageGone();
    });
    win.webContents.on('render-process-gone', (_event, details: RenderProcessGoneDetails) => this.rendererGone(win, details));
    void win.loadURL(this.o.url).catch((e: Error) => this.o.logger.log('error', `the window could not load ${this.o.url}: ${e.message}`, { scope: 'app' }));
    return win;
  }

  private rendererGone(win: WindowLike, details: RenderProcessGoneDetails): void {
    this.o.onPageGone();
    this.o.logger.log('error', `the window's renderer is gone (${details.reason}, exit code ${details.exitCode}); the runner loop is unaffected`, { scope: 'app' });
    if (details.reason === 'clean-exit' || win.isDestroyed() || win.webContents.isDestroyed()) return;
    const now = Date.now();
    this.reloads = this.reloads.filter((t) => now - t < 60_000);
    if (this.reloads.length >= (this.o.maxReloadsPerMinute ?? 3)) {
      this.o.logger.log('error', 'the window keeps crashing; not reloading it again (reopen it from the menu bar)', { scope: 'app' });
      return;
    }
    this.reloads.push(now);
    win.webContents.reload();
  }
}
