// The renderer's log store against the real ring buffer, log feed and logs:tail handler.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogStore, LOG_CAP, type LogStoreHandle } from '../../src-renderer/stores/log-store';
import { startLoopback, type Loopback } from './support/loopback';

let loop: Loopback | undefined;
afterEach(async () => {
  await loop?.close();
  loop = undefined;
});

/** Resolves once the store holds `seq` (bounded by the test timeout, not by a guess). */
function until(handle: LogStoreHandle, done: () => boolean): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const off = handle.store.subscribe(() => {
      if (done()) {
        off();
        resolve();
      }
    });
  });
}

const contiguous = (seqs: number[]) => seqs.every((s, i) => i === 0 || s === seqs[i - 1] + 1);

describe('log store', () => {
  it('loads the tail, then appends each batch that continues from the last seq', async () => {
    loop = await startLoopback();
    const { services, api } = loop;
    for (let i = 0; i < 10; i++) services.logger.log('info', `before ${i}`);
    const logs = createLogStore(api);
    const off = logs.start();
    await api.invoke('renderer:ready');
    await until(logs, () => logs.store.getState().loaded);
    for (let i = 0; i < 1200; i++) services.logger.log('info', `after ${i}`);
    services.logFeed.flush();
    const last = services.logs.lastSeq;
    await until(logs, () => logs.store.getState().lastSeq === last);
    const { entries, refetches } = logs.store.getState();
    expect(entries.length).toBe(services.logs.size);
    expect(contiguous(entries.map((e) => e.seq))).toBe(true);
    expect(entries.at(-1)!.text).toBe('after 1199');
    expect(refetches).toBe(0);
    off();
  });

  it('a lost batch leaves a gap in seq, which fetches the missing lines', async () => {
    loop = await startLoopback();
    const { services, api } = loop;
    const logs = createLogStore(api);
    const off = logs.start();
    await api.invoke('renderer:ready');
    await until(logs, () => logs.store.getState().loaded);
    let dropped = 0;
    loop.dropPush = (channel) => channel === 'logs:append' && dropped++ === 0;
    services.logger.log('info', 'lost');
    services.logFeed.flush();
    services.logger.log('info', 'seen');
    services.logFeed.flush();
    const last = services.logs.lastSeq;
    await until(logs, () => logs.store.getState().lastSeq === last);
    const { entries, refetches } = logs.store.getState();
    expect(refetches).toBe(1);
    expect(entries.map((e) => e.text).slice(-2)).toEqual(['lost', 'seen']);
    expect(contiguous(entries.map((e) => e.seq))).toBe(true);
    off();
  });

  it('applies batches that arrive together in one update, so the view renders once for them', async () => {
    loop = await startLoopback();
    const { services, api } = loop;
    const logs = createLogStore(api);
    const off = logs.start();
    await api.invoke('renderer:ready');
    await until(logs, () => logs.store.getState().loaded);
    const updates: number[] = [];
    logs.store.subscribe((s, prev) => {
      if (s.entries !== prev.entries) updates.push(s.lastSeq);
    });
    // Five batches pushed in one go, as a socket delivers a backlog after a stall.
    for (let b = 0; b < 5; b++) {
      for (let i = 0; i < 100; i++) services.logger.log('info', `burst ${b} line ${i}`);
      services.logFeed.flush();
    }
    const last = services.logs.lastSeq;
    await until(logs, () => logs.store.getState().lastSeq === last);
    expect(updates).toEqual([last]);
    expect(contiguous(logs.store.getState().entries.map((e) => e.seq))).toBe(true);
    off();
  });

  it(`keeps at most ${LOG_CAP} lines, dropping the oldest in the same update`, async () => {
    loop = await startLoopback();
    const { services, api } = loop;
    const logs = createLogStore(api);
    const off = logs.start();
    await api.invoke('renderer:ready');
    await until(logs, () => logs.store.getState().loaded);
    const sizes: number[] = [];
    logs.store.subscribe((s) => sizes.push(s.entries.length));
    for (let i = 0; i < LOG_CAP + 5_000; i++) services.logger.log('debug', `line ${i}`);
    services.logFeed.flush();
    const last = services.logs.lastSeq;
    await until(logs, () => logs.store.getState().lastSeq === last);
    const { entries } = logs.store.getState();
    expect(entries.length).toBe(LOG_CAP);
    expect(entries[0].seq).toBe(last - LOG_CAP + 1);
    expect(Math.max(...sizes)).toBe(LOG_CAP);
    off();
  });
});
