// Every invoke channel's handler, as plain functions `(request, ctx) => response`. The type makes a
// missing channel a compile error; Electron's ipcMain and the web bridge both dispatch into this.
import type { InvokeHandlers } from '../../../ipc/dispatch';
import { appHandlers } from './app';
import { checkHandlers } from './checks';
import type { HandlerContext } from './context';
import { hostHandlers } from './host';
import { logHandlers } from './logs';
import { settingsHandlers } from './settings';

export type { ClientPort, DesktopPort, HandlerContext } from './context';

export const invokeHandlers: InvokeHandlers<HandlerContext> = {
  ...hostHandlers,
  ...logHandlers,
  ...settingsHandlers,
  ...checkHandlers,
  ...appHandlers,
};
