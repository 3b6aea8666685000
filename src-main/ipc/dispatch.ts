// Transport-neutral dispatch: Electron's ipcMain and a WebSocket bridge both hand a channel name and
// a raw payload here and send back the envelope.
import type { z } from 'zod';
import { isInvokeChannel, type InvokeChannel } from './channels';
import { requestSchemas, type InvokeRequest, type InvokeResponse } from './contract';
import { errorEnvelope, IPC_ERRORS, toErrorEnvelope, type Envelope } from './envelope';

/** One plain function per channel: `(request, ctx) => response`. */
export type InvokeHandlers<Ctx> = {
  [C in InvokeChannel]: (request: InvokeRequest<C>, ctx: Ctx) => Promise<InvokeResponse<C>> | InvokeResponse<C>;
};

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
}

/** Validates the payload with the channel's schema, runs its handler, and wraps either outcome. */
export async function dispatchInvoke<Ctx>(
  handlers: InvokeHandlers<Ctx>,
  channel: unknown,
  payload: unknown,
  ctx: Ctx,
  redact: (text: string) => string = (t) => t,
): Promise<Envelope<unknown>> {
  if (!isInvokeChannel(channel)) return errorEnvelope(IPC_ERRORS.unknownChannel, `no such channel: ${String(channel).slice(0, 80)}`);
  const parsed = requestSchemas[channel].safeParse(payload);
  if (!parsed.success) return errorEnvelope(IPC_ERRORS.invalidRequest, `${channel}: ${describeIssues(parsed.error.issues)}`);
  try {
    const handler = handlers[channel] as (request: unknown, ctx: Ctx) => unknown;
    return { result: await handler(parsed.data, ctx) };
  } catch (e) {
    return toErrorEnvelope(e, redact);
  }
}
