import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../../src-main/core/events/bus';
import type { LogEntry, SlotSnapshot } from '../../../src-main/core/events/types';
import type { HostSnapshot } from '../../../src-main/core/runner/supervisor';
import { applyStatePatch } from '../../../src-main/ipc/state-patch';
import type { AppSnapshot, LogBatch, ServiceState, StatePatch } from '../../../src-main/ipc/types';
import { LogFeed } from '../../../src-main/app/service/log-feed';
import { PushGate } from '../../../src-main/app/service/push-gate';
import { StateFeed } from '../../../src-main/app/service/state-feed';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function world() {
  const bus = new EventBus();
  let service: ServiceState = { status: 'starting' };
  const slots: SlotSnapshot[] = [{ slot: 0, state: 'idle', since: 0 }];
  const changeListeners = new Set<() => void>();
  const source = {
    state: () => service,
    snapshot: (): HostSnapshot => ({ hostId: 'mini', paused: false, draining: false, stopped: false, slots: slots.map((s) => ({ ...s })) }),
    onChange: (l: () => void) => {
      changeListeners.add(l);
      return () => changeListeners.delete(l);
    },
  };
  const patches: StatePatch[] = [];
  const feed = new StateFeed({
    bus, source, send: (p) => patches.push(structuredClone(p)),
    appInfo: () => ({ name: 'Ekiden', version: '1', platform: 'darwin', configPath: '/c', logsDir: '/l', startAtLogin: false }),
  });
  const setSlot = (state: SlotSnapshot['state'], at: number) => {
    const previous = slots[0].state;
    slots[0] = { slot: 0, state, since: at };
    bus.emit({ type: 'slot.state', at, slot: 0, state, previous });
  };
  const setService = (s: ServiceState) => {
    service = s;
    changeListeners.forEach((l) => l());
  };
  return { bus, feed, patches, setSlot, setService };
}

const entry = (seq: number): LogEntry => ({ seq, ts: seq, level: 'info', scope: 'core', source: 'host', text: `line ${seq}` });

describe('state patches to the window', () => {
  it('batch the changes of 100 ms into one patch, continuing from the snapshot\'s rev', () => {
    const w = world();
    const first = w.feed.snapshot();
    expect(first.rev).toBe(0);
    w.setService({ status: 'running' });
    w.setSlot('preparing', 1);
    w.setSlot('cloning', 2);
    w.setSlot('booting', 3);
    expect(w.patches).toEqual([]);
    vi.advanceTimersByTime(99);
    expect(w.patches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(w.patches).toHaveLength(1);
    expect(w.patches[0]).toMatchObject({ rev: 1, baseRev: 0, changes: { service: { status: 'running' }, host: { slots: [{ state: 'booting' }] } } });
    // The slot's states also started a cycle timeline.
    expect(Object.keys(w.patches[0].changes).sort()).toEqual(['cycles', 'host', 'service']);

    // A renderer that loaded `first` and applies the patches ends where main is.
    w.setSlot('listening', 4);
    vi.advanceTimersByTime(100);
    let view: AppSnapshot | undefined = first;
    for (const p of w.patches) view = applyStatePatch(view!, p);
    expect(view).toEqual(w.feed.snapshot());
  });

  it('send nothing for events that change nothing, and stop sending when stopped', () => {
    const w = world();
    w.feed.snapshot();
    w.bus.emit({ type: 'vm.inventory', at: 1, vms: [] });
    w.bus.emit({ type: 'log', entry: entry(1) });
    vi.advanceTimersByTime(500);
    expect(w.patches).toEqual([]);
    w.feed.stop();
    w.setSlot('preparing', 1);
    vi.advanceTimersByTime(500);
    expect(w.patches).toEqual([]);
  });

  it('a snapshot taken mid-batch includes the pending change, so no patch repeats it', () => {
    const w = world();
    w.setSlot('preparing', 1);
    const snap = w.feed.snapshot();
    expect(snap.rev).toBe(1);
    expect(snap.host?.slots[0].state).toBe('preparing');
    vi.advanceTimersByTime(200);
    expect(w.patches.map((p) => p.rev)).toEqual([1]);
  });

  it('keep the completed jobs for the history view', () => {
    const w = world();
    w.bus.emit({ type: 'job.completed', at: 9, slot: 0, vm: 'vm', runnerName: 'r', job: 'build', runnerResult: 'Succeeded', result: 'success', seconds: 3 });
    vi.advanceTimersByTime(100);
    expect(w.patches.at(-1)?.changes.recentJobs).toEqual([
      { at: 9, slot: 0, vm: 'vm', runnerName: 'r', job: 'build', runnerResult: 'Succeeded', result: 'success', seconds: 3, phases: [{ step: 'job', outcome: 'ok', seconds: 3, endedAt: 9 }] },
    ]);
  });

  it("give each job its cycle's steps, finishing and teardown as they end, and each slot its live timeline", () => {
    const w = world();
    const phase = (at: number, p: 'clone' | 'idle' | 'finishing' | 'teardown', seconds: number) =>
      w.bus.emit({ type: 'phase.completed', at, slot: 0, phase: p, outcome: 'ok', seconds, vm: 'vm' });
    w.setSlot('preparing', 1_000);
    w.setSlot('cloning', 1_000);
    phase(1_500, 'clone', 0.5);
    w.setSlot('listening', 2_000);
    vi.advanceTimersByTime(100);
    expect(w.patches.at(-1)?.changes.cycles).toEqual([
      { slot: 0, vm: 'vm', startedAt: 1_000, done: [{ step: 'clone', outcome: 'ok', seconds: 0.5, endedAt: 1_500 }], current: { step: 'idle', since: 2_000 } },
    ]);
    phase(4_000, 'idle', 2);
    w.bus.emit({ type: 'job.started', at: 4_000, slot: 0, vm: 'vm', runnerName: 'r', job: 'build' });
    w.setSlot('running', 4_000);
    w.bus.emit({ type: 'job.completed', at: 7_000, slot: 0, vm: 'vm', runnerName: 'r', job: 'build', runnerResult: 'Failed', result: 'failure', seconds: 3 });
    vi.advanceTimersByTime(100);
    expect(w.patches.at(-1)?.changes.recentJobs?.[0].phases.map((p) => p.step)).toEqual(['clone', 'idle', 'job']);
    expect(w.patches.at(-1)?.changes.recentJobs?.[0].cycleSeconds).toBeUndefined();
    phase(7_200, 'finishing', 0.2);
    w.setSlot('tearing-down', 7_200);
    phase(8_000, 'teardown', 0.8);
    w.bus.emit({ type: 'cycle.completed', at: 8_000, slot: 0, outcome: 'job_completed', seconds: 7, vm: 'vm' });
    vi.advanceTimersByTime(100);
    const job = w.feed.snapshot().recentJobs[0];
    expect(job.phases.map((p) => `${p.step} ${p.seconds}`)).toEqual(['clone 0.5', 'idle 2', 'job 3', 'finishing 0.2', 'teardown 0.8']);
    expect(job.cycleSeconds).toBe(7);
    // The next cycle starts a new timeline; the job keeps the one it ran in.
    w.setSlot('idle', 8_000);
    w.setSlot('preparing', 8_100);
    vi.advanceTimersByTime(100);
    expect(w.feed.snapshot().cycles).toEqual([{ slot: 0, startedAt: 8_100, done: [], current: { step: 'prepare', since: 8_100 } }]);
    expect(w.feed.snapshot().recentJobs[0].phases).toHaveLength(5);
  });
});

describe('log batches to the window', () => {
  it('go out 150 ms after the first line, all lines in one batch', () => {
    const bus = new EventBus();
    const batches: LogBatch[] = [];
    new LogFeed({ bus, send: (b) => batches.push(b) });
    for (let i = 1; i <= 10; i++) bus.emit({ type: 'log', entry: entry(i) });
    vi.advanceTimersByTime(149);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches.map((b) => b.entries.map((e) => e.seq))).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
  });

  it('go out at once at 500 lines, never one message per line', () => {
    const bus = new EventBus();
    const batches: LogBatch[] = [];
    new LogFeed({ bus, send: (b) => batches.push(b) });
    for (let i = 1; i <= 1234; i++) bus.emit({ type: 'log', entry: entry(i) });
    expect(batches.map((b) => b.entries.length)).toEqual([500, 500]);
    vi.advanceTimersByTime(150);
    expect(batches.map((b) => b.entries.length)).toEqual([500, 500, 234]);
    expect(batches.flatMap((b) => b.entries.map((e) => e.seq))).toEqual(Array.from({ length: 1234 }, (_, i) => i + 1));
  });
});

describe('the ready queue', () => {
  it('holds pushes until the renderer is ready, then sends them in order', () => {
    const sent: [string, unknown][] = [];
    const gate = new PushGate((c, p) => sent.push([c, p]));
    gate.send('logs:append', { entries: [entry(1)] });
    gate.send('state:patch', { rev: 1, baseRev: 0, changes: {} });
    expect(sent).toEqual([]);
    expect(gate.ready()).toBe(2);
    expect(sent.map(([c]) => c)).toEqual(['logs:append', 'state:patch']);
    gate.send('logs:append', { entries: [entry(2)] });
    expect(sent).toHaveLength(3);
  });

  it('queues again after a reload, dropping the old page\'s backlog, and caps what it keeps', () => {
    const sent: [string, unknown][] = [];
    const gate = new PushGate((c, p) => sent.push([c, p]), 3);
    gate.ready();
    gate.reset();
    for (let i = 1; i <= 5; i++) gate.send('logs:append', { entries: [entry(i)] });
    expect(gate.queued).toBe(3);
    gate.ready();
    expect(sent.map(([, p]) => (p as LogBatch).entries[0].seq)).toEqual([3, 4, 5]);
  });
});
