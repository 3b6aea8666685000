// Pushes reach the window only while it exists and is not destroyed (telemetry.md §5.3); with no
// window they are dropped: a new window loads a snapshot and the log tail first.
import type { PushChannel } from '../ipc/channels';
import type { PushPayloads } from '../ipc/contract';
import type { Deliver } from './service/push-gate';

export interface PushTarget {
  isDestroyed(): boolean;
  webContents: { isDestroyed(): boolean; send(channel: string, payload: unknown): void };
}

export function deliverToWindow(window: () => PushTarget | undefined): Deliver {
  return <P extends PushChannel>(channel: P, payload: PushPayloads[P]) => {
    const win = window();
    if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return;
    win.webContents.send(channel, payload);
  };
}
