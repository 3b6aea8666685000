// One place installs the guards for every web contents the app ever creates: no navigation away
// from the renderer, no new windows (https links go to the browser), no <webview>, no permission
// (camera, notifications, …) granted to the page, and the CSP on every response.
import type { App, Session, Shell } from 'electron';
import type { Logger } from '../../core/util/logger';
import { CONTENT_SECURITY_POLICY } from './csp';
import { openExternalSafely } from './external-links';

/** The parts of a WebContents the guards touch (typed from Electron, narrowed to what we call). */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (event: { url?: string; preventDefault(): void }, url?: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface GuardDeps {
  app: { on(event: 'web-contents-created', listener: (event: unknown, contents: GuardedContents) => void): unknown };
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> & {
    webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
  };
  shell: Pick<Shell, 'openExternal'>;
}

export interface GuardOptions {
  /** True for the renderer's own URLs (ekiden://app/…, or the dev server). */
  isAppUrl(url: string): boolean;
  logger: Logger;
}

export function guardContents(contents: GuardedContents, deps: Pick<GuardDeps, 'shell'>, o: GuardOptions): void {
  const stayHome = (event: { url?: string; preventDefault(): void }, legacyUrl?: string) => {
    const url = event.url ?? legacyUrl ?? '';
    if (o.isAppUrl(url)) return;
    event.preventDefault();
    o.logger.log('warn', `blocked navigation to ${url.slice(0, 200)}`, { scope: 'app' });
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(deps.shell, url, o.logger);
    return { action: 'deny' };
  });
}

export function installSecurityGuards(deps: GuardDeps, o: GuardOptions): void {
  deps.app.on('web-contents-created', (_event, contents) => guardContents(contents, deps, o));
  deps.session.setPermissionRequestHandler((_contents, permission, callback) => {
    o.logger.log('warn', `denied a permission request from the window: ${permission}`, { scope: 'app' });
    callback(false);
  });
  deps.session.setPermissionCheckHandler(() => false);
  // The dev server's pages get the same CSP as ekiden:// ones.
  deps.session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}
