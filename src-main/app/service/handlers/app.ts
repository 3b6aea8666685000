import type { InvokeHandlers } from '../../../ipc/dispatch';
import type { HandlerContext } from './context';

export const appHandlers: Pick<InvokeHandlers<HandlerContext>, 'app:open-logs-folder' | 'renderer:ready'> = {
  'app:open-logs-folder': async (_req, ctx) => {
    await ctx.desktop.openPath(ctx.desktop.logsDir);
    return { path: ctx.desktop.logsDir };
  },
  'renderer:ready': (_req, ctx) => ({ flushed: ctx.client.ready() }),
};
