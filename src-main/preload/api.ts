// The renderer's whole view of main: `invoke` for the contract's channels (errors rethrown with
// main's name and message) and `on`/`off` for its pushes. Nothing else of ipcRenderer leaks out.
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { isInvokeChannel, isPushChannel, type InvokeChannel, type PushChannel } from '../ipc/channels';
import type { EkidenApi, PushPayloads } from '../ipc/contract';
import { isEnvelope, unwrap, type Envelope } from '../ipc/envelope';

export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

type Listener = (payload: never) => void;
type Wrapped = (event: IpcRendererEvent, payload: unknown) => void;

export function createEkidenApi(ipc: IpcRendererLike): EkidenApi {
  // listener -> channel -> the wrapper registered with ipcRenderer, so `off` can find it.
  const wrappers = new Map<Listener, Map<PushChannel, Wrapped>>();

  const off = (channel: PushChannel, listener: Listener) => {
    const wrapped = wrappers.get(listener)?.get(channel);
    if (!wrapped) return;
    ipc.removeListener(channel, wrapped);
    wrappers.get(listener)!.delete(channel);
    if (wrappers.get(listener)!.size === 0) wrappers.delete(listener);
  };

  const api: EkidenApi = {
    async invoke(channel: InvokeChannel, ...request: unknown[]) {
      if (!isInvokeChannel(channel)) throw new TypeError(`unknown channel: ${String(channel)}`);
      const answer: unknown = await ipc.invoke(channel, request[0]);
      if (!isEnvelope(answer)) throw new TypeError(`${channel}: main answered without an envelope`);
      return unwrap(answer as Envelope<never>);
    },
    on(channel, listener) {
      if (!isPushChannel(channel)) throw new TypeError(`unknown push channel: ${String(channel)}`);
      const l = listener as Listener;
      if (!wrappers.get(l)?.has(channel)) {
        // Only the payload crosses over: the event object would expose `sender` (ipcRenderer).
        const wrapped: Wrapped = (_event, payload) => listener(payload as PushPayloads[typeof channel]);
        if (!wrappers.has(l)) wrappers.set(l, new Map());
        wrappers.get(l)!.set(channel, wrapped);
        ipc.on(channel, wrapped);
      }
      return () => off(channel, l);
    },
    off(channel, listener) {
      off(channel, listener as Listener);
    },
  } as EkidenApi;
  return Object.freeze(api);
}
