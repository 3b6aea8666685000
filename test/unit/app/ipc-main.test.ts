import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nullLogger } from '../../../src-main/core/util/logger';
import { INVOKE_CHANNELS } from '../../../src-main/ipc/channels';
import type { InvokeHandlers } from '../../../src-main/ipc/dispatch';
import { registerIpcHandlers } from '../../../src-main/app/ipc-main';
import { isAppSchemeUrl } from '../../../src-main/app/security/app-protocol';
import { isTrustedSender } from '../../../src-main/app/security/sender';
import { fake, FakeBrowserWindow, FakeFrame, resetFakeElectron, senderEvent } from './support/fake-electron';

const snapshotHandler = vi.fn(() => ({ rev: 1 }));
const handlers = new Proxy({}, { get: (_t, c) => (c === 'host:snapshot' ? snapshotHandler : vi.fn()) }) as unknown as InvokeHandlers<null>;

let win: FakeBrowserWindow;
beforeEach(async () => {
  resetFakeElectron();
  snapshotHandler.mockClear();
  win = new FakeBrowserWindow({});
  await win.loadURL('ekiden://app/index.html');
  registerIpcHandlers(fake.ipcMain, {
    handlers, context: null, redact: (t) => t, logger: nullLogger,
    trusted: (event) => isTrustedSender(event, { contents: () => (win.isDestroyed() ? undefined : win.webContents), isAppUrl: isAppSchemeUrl }),
  });
});

describe('IPC in the main process', () => {
  it('registers one handler per invoke channel', () => {
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('answers our window\'s main frame', async () => {
    expect(await fake.ipcMain.invoke(senderEvent(win), 'host:snapshot')).toEqual({ result: { rev: 1 } });
  });

  it('rejects a bad payload with the validation message', async () => {
    expect(await fake.ipcMain.invoke(senderEvent(win), 'logs:tail', { limit: 'all' })).toMatchObject({ error: { name: 'InvalidRequest' } });
  });

  const other = () => new FakeBrowserWindow({});
  it.each([
    ['another window', () => senderEvent(other())],
    ['an iframe inside our page', () => {
      const frame = new FakeFrame();
      frame.url = 'ekiden://app/index.html';
      frame.parent = win.webContents.mainFrame;
      return { sender: win.webContents, senderFrame: frame };
    }],
    ['our window after it navigated elsewhere', () => {
      win.webContents.mainFrame.url = 'https://evil.example/';
      return senderEvent(win);
    }],
    ['a frame that is gone', () => ({ sender: win.webContents, senderFrame: null })],
    ['a destroyed window', () => {
      win.close();
      win.destroyed = true;
      return senderEvent(win);
    }],
  ])('refuses %s, and the handler never runs', async (_what, event) => {
    const answer = await fake.ipcMain.invoke(event(), 'host:snapshot');
    expect(answer).toMatchObject({ error: { name: 'ForbiddenSender' } });
    expect(snapshotHandler).not.toHaveBeenCalled();
  });
});
