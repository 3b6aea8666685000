import type { InvokeHandlers } from '../../../ipc/dispatch';
import type { HandlerContext } from './context';

type Handlers = InvokeHandlers<HandlerContext>;

/** The loop's controls. Each returns at once; progress arrives as state patches. */
export const hostHandlers: Pick<Handlers, 'host:snapshot' | 'host:pause' | 'host:resume' | 'host:stop-now' | 'slot:restart'> = {
  'host:snapshot': (_req, ctx) => ctx.feed.snapshot(),
  'host:pause': (_req, ctx) => {
    ctx.controller.pause();
    return { accepted: true };
  },
  'host:resume': (_req, ctx) => {
    ctx.controller.resume();
    return { accepted: true };
  },
  'host:stop-now': (_req, ctx) => {
    ctx.controller.stopNow();
    return { accepted: true };
  },
  'slot:restart': ({ slot }, ctx) => {
    ctx.controller.restartSlot(slot);
    return { accepted: true };
  },
};
