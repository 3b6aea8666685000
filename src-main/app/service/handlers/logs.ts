import type { InvokeHandlers } from '../../../ipc/dispatch';
import type { HandlerContext } from './context';

/** The window's first load and gap recovery (telemetry.md §5.3); entries are redacted already. */
export const logHandlers: Pick<InvokeHandlers<HandlerContext>, 'logs:tail'> = {
  'logs:tail': ({ sinceSeq, limit }, ctx) => ctx.logs.tail({ sinceSeq, limit: limit ?? 5_000 }),
};
