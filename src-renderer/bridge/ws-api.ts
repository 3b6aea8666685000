// The preload API over the web bridge's WebSocket, so the same renderer runs in a plain browser.
// Same shape and error semantics as src-main/preload/api.ts: envelopes unwrapped, errors rethrown
// with main's name and message.
import { isInvokeChannel, isPushChannel, type InvokeChannel, type PushChannel } from '../../src-main/ipc/channels';
import type { EkidenApi } from '../../src-main/ipc/contract';
import { isEnvelope, unwrap, type Envelope } from '../../src-main/ipc/envelope';
import { BRIDGE_SOCKET_PATH, type InvokeFrame, type ServerFrame } from '../../src-main/web-bridge/frames';

type Listener = (payload: never) => void;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export function createWebSocketApi(url: string, onClose?: (reason: string) => void): EkidenApi {
  const socket = new WebSocket(url);
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot reach the web bridge at ${url}`)), { once: true });
  });
  opened.catch(() => {});
  const pending = new Map<number, Pending>();
  const listeners = new Map<PushChannel, Set<Listener>>();
  let nextId = 1;

  socket.addEventListener('message', (event) => {
    const frame = JSON.parse(String(event.data)) as ServerFrame;
    if ('push' in frame) {
      for (const l of [...(listeners.get(frame.push) ?? [])]) l(frame.payload as never);
      return;
    }
    const waiter = pending.get(frame.id);
    if (!waiter) return;
    pending.delete(frame.id);
    if (!isEnvelope(frame.answer)) waiter.reject(new TypeError('the bridge answered without an envelope'));
    else {
      try {
        waiter.resolve(unwrap(frame.answer as Envelope<unknown>));
      } catch (e) {
        waiter.reject(e as Error);
      }
    }
  });
  socket.addEventListener('close', (event) => {
    const why = `the connection to Ekiden closed${event.reason ? ` (${event.reason})` : ''}`;
    for (const waiter of pending.values()) waiter.reject(new Error(why));
    pending.clear();
    onClose?.(why);
  });

  const off = (channel: PushChannel, listener: Listener) => listeners.get(channel)?.delete(listener);

  const api = {
    async invoke(channel: InvokeChannel, ...request: unknown[]) {
      if (!isInvokeChannel(channel)) throw new TypeError(`unknown channel: ${String(channel)}`);
      await opened;
      const id = nextId++;
      const frame: InvokeFrame = { id, channel, payload: request[0] };
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify(frame));
      });
    },
    on(channel: PushChannel, listener: Listener) {
      if (!isPushChannel(channel)) throw new TypeError(`unknown push channel: ${String(channel)}`);
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return () => off(channel, listener);
    },
    off(channel: PushChannel, listener: Listener) {
      off(channel, listener);
    },
  };
  return Object.freeze(api) as unknown as EkidenApi;
}

/** The API the renderer uses: the preload's in Electron, else the bridge's socket on this origin. */
export function resolveApi(onClose?: (reason: string) => void): EkidenApi {
  if (window.ekiden) return window.ekiden;
  const url = new URL(BRIDGE_SOCKET_PATH, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return createWebSocketApi(url.toString(), onClose);
}

