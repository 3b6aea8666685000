// Our own security lint of the Electron code (electronegativity is not installed): the checks that
// matter for this app, as failing tests. Static rules read the source; the guards are exercised.
import type { OnHeadersReceivedListenerDetails, PermissionCheckHandlerHandlerDetails, PermissionRequest, WebContents } from 'electron';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nullLogger } from '../../../src-main/core/util/logger';
import { APP_ENTRY_URL, isAppSchemeUrl, rendererResponse, registerAppScheme } from '../../../src-main/app/security/app-protocol';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/app/security/csp';
import { safeExternalUrl } from '../../../src-main/app/security/external-links';
import { installSecurityGuards } from '../../../src-main/app/security/guards';
import { SECURE_WEB_PREFERENCES } from '../../../src-main/app/security/web-preferences';
import { fake, FakeBrowserWindow, FakeEvent, resetFakeElectron } from './support/fake-electron';

const ROOT = path.resolve(__dirname, '../../..');
const ELECTRON_DIRS = ['src-main/app', 'src-main/preload', 'src-main/ipc'];

async function sources(): Promise<{ file: string; text: string }[]> {
  const out: { file: string; text: string }[] = [];
  const walk = async (dir: string) => {
    for (const e of await readdir(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) await walk(rel);
      else if (e.name.endsWith('.ts')) out.push({ file: rel, text: await readFile(path.join(ROOT, rel), 'utf8') });
    }
  };
  for (const d of ELECTRON_DIRS) await walk(d);
  return out;
}

/** High-severity findings: each rule names what must never appear in the Electron code. */
const FORBIDDEN: [string, RegExp][] = [
  ['nodeIntegration enabled', /nodeIntegration(InWorker|InSubFrames)?\s*:\s*true/],
  ['contextIsolation disabled', /contextIsolation\s*:\s*false/],
  ['sandbox disabled', /sandbox\s*:\s*false/],
  ['webSecurity disabled', /webSecurity\s*:\s*false/],
  ['insecure content allowed', /allowRunningInsecureContent\s*:\s*true/],
  ['experimental features', /experimentalFeatures\s*:\s*true/],
  ['<webview> enabled', /webviewTag\s*:\s*true/],
  ['the remote module', /enableRemoteModule|@electron\/remote|\.remote\b/],
  ['Blink features switched on', /enableBlinkFeatures/],
  ['eval in a page', /executeJavaScript\s*\(/],
  ['a permission granted', /callback\(\s*true\s*\)/],
  ['a window opened by a page', /action\s*:\s*['"]allow['"]/],
  ['certificate errors ignored', /certificate-error|ignore-certificate-errors/],
];

describe('the Electron code passes our security lint', () => {
  let files: { file: string; text: string }[];
  beforeAll(async () => {
    files = await sources();
  });

  it.each(FORBIDDEN)('has no %s', (_rule, pattern) => {
    const hits = files.filter((f) => pattern.test(f.text)).map((f) => f.file);
    expect(hits).toEqual([]);
  });

  it('creates windows only with the secure webPreferences', () => {
    const creators = files.filter((f) => /new BrowserWindow\s*\(/.test(f.text) || /createWindow\s*\(\s*\{/.test(f.text));
    expect(creators.map((f) => f.file).sort()).toEqual(['src-main/app/index.ts', 'src-main/app/window.ts']);
    expect(files.find((f) => f.file.endsWith('window.ts'))!.text).toMatch(/webPreferences: \{ \.\.\.SECURE_WEB_PREFERENCES, preload: this\.o\.preload \}/);
    expect(SECURE_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false,
      webSecurity: true, allowRunningInsecureContent: false, webviewTag: false,
    });
  });

  it('opens external URLs in one place only, after checking them', () => {
    const callers = files.filter((f) => /\.openExternal\s*\(/.test(f.text)).map((f) => f.file);
    expect(callers).toEqual(['src-main/app/security/external-links.ts']);
    expect(safeExternalUrl('https://github.com/acme/widgets/actions')).toBe('https://github.com/acme/widgets/actions');
    for (const bad of ['http://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'https://user:pw@example.com', 'not a url']) {
      expect(safeExternalUrl(bad)).toBeUndefined();
    }
  });

  it('handles IPC in one place only, where the sender is checked, and never with ipcMain.on', () => {
    expect(files.filter((f) => /ipcMain\.handle\s*\(/.test(f.text)).map((f) => f.file)).toEqual(['src-main/app/ipc-main.ts']);
    expect(files.filter((f) => /ipcMain\.on\s*\(|sendSync/.test(f.text)).map((f) => f.file)).toEqual([]);
    expect(files.find((f) => f.file === 'src-main/app/ipc-main.ts')!.text).toMatch(/if \(!o\.trusted\(event\)\)/);
  });

  it('keeps Electron out of the core and of the transport-neutral handlers', async () => {
    const core: string[] = [];
    const walk = async (dir: string) => {
      for (const e of await readdir(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) await walk(rel);
        else if (e.name.endsWith('.ts') && /from ['"]electron['"]|require\(['"]electron['"]\)/.test(await readFile(path.join(ROOT, rel), 'utf8'))) core.push(rel);
      }
    };
    for (const d of ['src-main/core', 'src-main/app/service', 'src-main/ipc']) await walk(d);
    expect(core).toEqual([]);
  });

  it('has a strict CSP: nothing by default, our scripts only, no inline script or eval, no framing', () => {
    const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|unsafe-inline|\*/);
  });
});

describe('the guards on every web contents', () => {
  beforeEach(() => {
    resetFakeElectron();
    installSecurityGuards({ app: fake.app, session: fake.session.defaultSession, shell: fake.shell }, { isAppUrl: isAppSchemeUrl, logger: nullLogger });
  });

  it('keep a page on the renderer: foreign navigation and redirects are stopped', () => {
    const wc = new FakeBrowserWindow({}).webContents;
    for (const [event, url, blocked] of [
      ['will-navigate', 'https://evil.example/', true],
      ['will-navigate', 'file:///etc/passwd', true],
      ['will-redirect', 'http://127.0.0.1:8080/', true],
      ['will-navigate', 'ekiden://app/index.html#/settings', false],
      ['will-navigate', 'ekiden://other/index.html', true],
    ] as const) {
      const e = new FakeEvent(url);
      wc.emit(event, e);
      expect([event, url, e.defaultPrevented]).toEqual([event, url, blocked]);
    }
  });

  it('deny every new window; https links open in the browser, others nowhere', () => {
    const wc = new FakeBrowserWindow({}).webContents;
    expect(wc.windowOpenHandler?.({ url: 'https://github.com/acme' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler?.({ url: 'file:///Applications/Calculator.app' })).toEqual({ action: 'deny' });
    expect(fake.shell.external).toEqual(['https://github.com/acme']);
  });

  it('refuse <webview>, every permission request and every permission check', () => {
    const wc = new FakeBrowserWindow({}).webContents;
    const attach = new FakeEvent();
    wc.emit('will-attach-webview', attach);
    expect(attach.defaultPrevented).toBe(true);
    const contents = wc as unknown as WebContents;
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read'] as const) {
      let granted: boolean | undefined;
      fake.permission.request?.(contents, permission, (g) => (granted = g), {} as PermissionRequest);
      expect([permission, granted]).toEqual([permission, false]);
    }
    expect(fake.permission.check?.(contents, 'media', 'ekiden://app', {} as PermissionCheckHandlerHandlerDetails)).toBe(false);
  });

  it('put the CSP on every response', () => {
    let headers: Record<string, string[] | string> | undefined;
    fake.permission.headers?.({ responseHeaders: { 'Content-Type': ['text/html'] } } as unknown as OnHeadersReceivedListenerDetails, (r) => (headers = r.responseHeaders));
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });
});

describe('the ekiden:// protocol', () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'ekiden-renderer-'));
    outside = `${root}-secret.txt`;
    await mkdir(path.join(root, 'assets'));
    await writeFile(path.join(root, 'index.html'), '<!doctype html><script src="assets/app.js"></script>');
    await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(outside, 'outside the renderer');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { force: true });
  });

  it('is registered privileged and standard, and the window starts at its entry', () => {
    resetFakeElectron();
    registerAppScheme(fake.protocol);
    expect(fake.protocol.privileged).toEqual([{ scheme: 'ekiden', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(isAppSchemeUrl(APP_ENTRY_URL)).toBe(true);
  });

  it('serves the renderer\'s files with the CSP and nosniff', async () => {
    const r = await rendererResponse(root, 'ekiden://app/index.html');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await rendererResponse(root, 'ekiden://app/assets/app.js');
    expect([js.status, js.headers.get('content-type'), await js.text()]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log(1)']);
  });

  it.each([
    ['ekiden://app/../ROOT-secret.txt', [403, 404]],
    ['ekiden://app/%2e%2e/%2e%2e/etc/passwd', [403, 404]],
    ['ekiden://app/assets/%2e%2e%2f%2e%2e%2fROOT-secret.txt', [403]],
    ['ekiden://other/index.html', [404]],
    ['ekiden://app/missing.js', [404]],
  ])('never serves %s', async (url, statuses) => {
    const r = await rendererResponse(root, url.replace('ROOT', path.basename(root)));
    expect(statuses).toContain(r.status);
    expect(await r.text()).not.toContain('outside the renderer');
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });
});
