// Every IPC call must come from our window's main frame, showing our renderer: an iframe, another
// window or a page that navigated elsewhere gets nothing.
import type { IpcMainInvokeEvent, WebContents, WebFrameMain } from 'electron';

export interface SenderEvent {
  sender: Pick<WebContents, 'id'> | unknown;
  senderFrame: Pick<WebFrameMain, 'url' | 'parent'> | null;
}

export interface TrustedSenderOptions {
  /** The window's webContents, when there is a live window. */
  contents(): unknown;
  isAppUrl(url: string): boolean;
}

export function isTrustedSender(event: SenderEvent | IpcMainInvokeEvent, o: TrustedSenderOptions): boolean {
  const contents = o.contents();
  if (!contents || event.sender !== contents) return false;
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return o.isAppUrl(frame.url);
}
