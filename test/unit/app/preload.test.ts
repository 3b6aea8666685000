import type { ContextBridge, IpcRenderer, IpcRendererEvent } from 'electron';
import { EventEmitter } from 'node:events';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { EkidenApi } from '../../../src-main/ipc/contract';
import type { LogBatch } from '../../../src-main/ipc/types';

const exposed: Record<string, unknown> = {};
const renderer = new EventEmitter();
const answers = new Map<string, unknown>();
const invoked: { channel: string; payload: unknown }[] = [];

const contextBridge = {
  exposeInMainWorld: (key: string, api: unknown) => {
    exposed[key] = api;
  },
} satisfies Pick<ContextBridge, 'exposeInMainWorld'>;

const ipcRenderer = {
  invoke: async (channel: string, ...args: unknown[]) => {
    invoked.push({ channel, payload: args[0] });
    return answers.get(channel);
  },
  on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void) {
    renderer.on(channel, listener);
    return this as unknown as IpcRenderer;
  },
  removeListener(channel: string, listener: (...args: any[]) => void) {
    renderer.removeListener(channel, listener);
    return this as unknown as IpcRenderer;
  },
} satisfies Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

vi.mock('electron', () => ({ contextBridge, ipcRenderer }));

let api: EkidenApi;
beforeAll(async () => {
  await import('../../../src-main/preload/index');
  api = exposed.ekiden as EkidenApi;
});

/** What main sends: the payload after an event object that must never reach the page. */
const push = (channel: string, payload: unknown) => renderer.emit(channel, { sender: ipcRenderer } as unknown as IpcRendererEvent, payload);

describe('the preload', () => {
  it('exposes exactly one frozen object with invoke, on and off, and nothing of ipcRenderer', () => {
    expect(Object.keys(exposed)).toEqual(['ekiden']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'off', 'on']);
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
  });

  it('invoke returns the result of the envelope', async () => {
    answers.set('logs:tail', { result: [{ seq: 1, text: 'hello' }] });
    await expect(api.invoke('logs:tail', { sinceSeq: 0 })).resolves.toEqual([{ seq: 1, text: 'hello' }]);
    expect(invoked.at(-1)).toEqual({ channel: 'logs:tail', payload: { sinceSeq: 0 } });
  });

  it('invoke rethrows main\'s error with its name and message', async () => {
    answers.set('host:pause', { error: { name: 'ForbiddenSender', message: 'host:pause is only answered to Ekiden\'s own window' } });
    const error = await api.invoke('host:pause').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('ForbiddenSender');
    expect((error as Error).message).toBe("host:pause is only answered to Ekiden's own window");
  });

  it('invoke refuses a channel outside the contract without calling main', async () => {
    const before = invoked.length;
    await expect((api.invoke as (c: string) => Promise<unknown>)('shell:exec')).rejects.toThrow(/unknown channel/);
    expect(invoked.length).toBe(before);
  });

  it('invoke refuses an answer that is not an envelope', async () => {
    answers.set('doctor:run', { rows: [] });
    await expect(api.invoke('doctor:run')).rejects.toThrow(/without an envelope/);
  });

  it('on passes only the payload; the unsubscribe and off both stop delivery', () => {
    const seen: unknown[] = [];
    const listener = (batch: LogBatch) => seen.push(batch);
    const unsubscribe = api.on('logs:append', listener);
    push('logs:append', { entries: [] });
    expect(seen).toEqual([{ entries: [] }]);
    unsubscribe();
    push('logs:append', { entries: [] });
    expect(seen).toHaveLength(1);

    api.on('logs:append', listener);
    api.off('logs:append', listener);
    push('logs:append', { entries: [] });
    expect(seen).toHaveLength(1);
    expect(renderer.listenerCount('logs:append')).toBe(0);
  });

  it('on refuses a channel main never pushes', () => {
    expect(() => (api.on as (c: string, l: () => void) => void)('ipc:raw', () => {})).toThrow(/unknown push channel/);
  });
});
