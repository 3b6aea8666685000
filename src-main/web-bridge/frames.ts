// The web bridge's wire format: the IPC contract's invokes and pushes as JSON frames on one
// WebSocket. Answers carry the same envelopes Electron's ipcMain returns.
import type { PushChannel } from '../ipc/channels';
import type { Envelope } from '../ipc/envelope';

/** Browser -> bridge: one invoke. */
export interface InvokeFrame {
  id: number;
  channel: string;
  payload?: unknown;
}

/** Bridge -> browser: the answer to invoke `id`, or a push. */
export type ServerFrame = { id: number; answer: Envelope<unknown> } | { push: PushChannel; payload: unknown };

/** The WebSocket's path on the bridge's origin. */
export const BRIDGE_SOCKET_PATH = '/ipc';
