// Electron's side of the contract: one ipcMain.handle per invoke channel, the sender checked on
// every call, the payload validated and the answer enveloped by the transport-neutral dispatcher.
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { Logger } from '../core/util/logger';
import { INVOKE_CHANNELS } from '../ipc/channels';
import { dispatchInvoke, type InvokeHandlers } from '../ipc/dispatch';
import { errorEnvelope, IPC_ERRORS, type Envelope } from '../ipc/envelope';

export interface IpcMainOptions<Ctx> {
  handlers: InvokeHandlers<Ctx>;
  context: Ctx;
  trusted(event: IpcMainInvokeEvent): boolean;
  redact(text: string): string;
  logger: Logger;
}

export function registerIpcHandlers<Ctx>(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, o: IpcMainOptions<Ctx>): () => void {
  const log = o.logger.child({ scope: 'ipc' });
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event, payload: unknown): Promise<Envelope<unknown>> => {
      if (!o.trusted(event)) {
        log.log('warn', `refused ${channel} from a sender that is not Ekiden's window (${event.senderFrame?.url ?? 'no frame'})`);
        return errorEnvelope(IPC_ERRORS.forbiddenSender, `${channel} is only answered to Ekiden's own window`);
      }
      const answer = await dispatchInvoke(o.handlers, channel, payload, o.context, o.redact);
      if ('error' in answer) log.log('warn', `${channel} failed: ${answer.error.name}: ${answer.error.message.split('\n')[0]}`);
      return answer;
    });
  }
  return () => INVOKE_CHANNELS.forEach((c) => ipcMain.removeHandler(c));
}
