import { describe, expect, it } from 'vitest';
import type { SlotSnapshot } from '../../../src-main/core/events/types';
import type { AppSnapshot, ServiceState } from '../../../src-main/ipc/types';
import { formatElapsed, trayModel, type TrayItem } from '../../../src-main/app/tray/tray-model';

const NOW = 1_700_000_000_000;

function snapshot(o: { slots?: Partial<SlotSnapshot>[]; host?: Partial<NonNullable<AppSnapshot['host']>>; service?: ServiceState; noHost?: boolean; login?: boolean } = {}): AppSnapshot {
  const slots = (o.slots ?? [{}, {}]).map((s, i): SlotSnapshot => ({ slot: i, state: 'listening', since: NOW - 125_000, ...s }));
  return {
    rev: 1,
    app: { name: 'Ekiden', version: '0.1.0', platform: 'darwin', configPath: '/c.json', logsDir: '/logs', startAtLogin: o.login ?? false },
    service: o.service ?? { status: 'running' },
    host: o.noHost ? null : { hostId: 'mini', paused: false, draining: false, stopped: false, slots, ...o.host },
    recentJobs: [],
    cycles: [],
    health: null,
  };
}

const job = (name: string, startedAgoMs: number) => ({ state: 'running' as const, job: { name, startedAt: NOW - startedAgoMs }, vm: 'ekiden-mini-0-abc' });
const labels = (items: TrayItem[]) => items.filter((i) => i.type !== 'separator').map((i) => ('label' in i ? i.label : ''));
const actions = (items: TrayItem[]) => items.flatMap((i) => (i.type === 'action' ? [`${i.id}${i.enabled ? '' : ' (disabled)'}`] : []));

describe('the tray menu model', () => {
  it.each([
    {
      state: 'listening: two idle runners',
      snap: snapshot(),
      icon: 'idle', title: '0/2', headline: 'Listening for jobs',
      slotLines: ['Slot 0: listening — 2m', 'Slot 1: listening — 2m'],
      actions: ['pause', 'open', 'open-logs', 'quit'],
    },
    {
      state: 'busy: one slot runs a job',
      snap: snapshot({ slots: [job('build (macos-15, #3)', 65_000), {}] }),
      icon: 'busy', title: '1/2', headline: '1 job running',
      slotLines: ['Slot 0: running — build (macos-15, #3) — 1m', 'Slot 1: listening — 2m'],
      actions: ['pause', 'open', 'open-logs', 'quit'],
    },
    {
      state: 'busy: both slots, one finishing',
      snap: snapshot({ slots: [job('a', 5_000), { ...job('b', 3_723_000), state: 'finishing' }] }),
      icon: 'busy', title: '2/2', headline: '2 jobs running',
      slotLines: ['Slot 0: running — a — 5s', 'Slot 1: finishing — b — 1h 02m'],
      actions: ['pause', 'open', 'open-logs', 'quit'],
    },
    {
      state: 'pausing: draining while a job finishes',
      snap: snapshot({ host: { draining: true }, slots: [job('a', 5_000), { state: 'draining' }] }),
      icon: 'paused', title: '1/2', headline: 'Pausing: waiting for 1 job',
      slotLines: ['Slot 0: running — a — 5s', 'Slot 1: draining — 2m'],
      actions: ['resume', 'open', 'open-logs', 'quit'],
    },
    {
      state: 'paused',
      snap: snapshot({ host: { paused: true }, slots: [{ state: 'paused' }, { state: 'paused' }] }),
      icon: 'paused', title: '0/2', headline: 'Paused',
      slotLines: ['Slot 0: paused — 2m', 'Slot 1: paused — 2m'],
      actions: ['resume', 'open', 'open-logs', 'quit'],
    },
    {
      state: 'error: a host-wide problem',
      snap: snapshot({ host: { hostError: { reason: 'github_auth', message: 'GitHub rejected the App key — generate a new one\nmore', since: NOW } }, slots: [{ state: 'idle' }] }),
      icon: 'error', title: '0/1', headline: 'Error: GitHub rejected the App key — generate a new one',
      slotLines: ['Slot 0: idle — 2m'],
      actions: ['pause', 'open', 'open-logs', 'quit'],
    },
    {
      state: 'error: one slot\'s breaker opened',
      snap: snapshot({ slots: [{ state: 'paused', lastError: { reason: 'ssh_timeout', message: 'Slot 0 paused after 5 failures', at: NOW } }, {}] }),
      icon: 'error', title: '0/2', headline: 'Error: Slot 0 paused after 5 failures',
      slotLines: ['Slot 0: paused — 2m — ssh_timeout', 'Slot 1: listening — 2m'],
      actions: ['pause', 'open', 'open-logs', 'quit'],
    },
    {
      state: 'error: the configuration cannot start',
      snap: snapshot({ noHost: true, service: { status: 'error', problem: { name: 'ConfigError', message: 'Ekiden cannot read its secrets (1 problem):\n  - guest.password: …' } } }),
      icon: 'error', title: '', headline: 'Error: Ekiden cannot read its secrets (1 problem):',
      slotLines: [],
      actions: ['resume', 'open', 'open-logs', 'quit'],
    },
    {
      state: 'backoff shows when the slot retries',
      snap: snapshot({ slots: [{ state: 'backoff', retryAt: NOW + 30_000, lastError: { reason: 'clone_failed', message: 'x', at: NOW } }] }),
      icon: 'idle', title: '0/1', headline: 'Listening for jobs',
      slotLines: ['Slot 0: backoff — retry in 30s — clone_failed'],
      actions: ['pause', 'open', 'open-logs', 'quit'],
    },
    {
      state: 'stopped (Stop now)',
      snap: snapshot({ service: { status: 'stopped' }, host: { stopped: true, paused: false }, slots: [{ state: 'stopped' }, { state: 'stopped' }] }),
      icon: 'stopped', title: '0/2', headline: 'Stopped',
      slotLines: ['Slot 0: stopped — 2m', 'Slot 1: stopped — 2m'],
      actions: ['resume', 'open', 'open-logs', 'quit'],
    },
    {
      state: 'not configured yet',
      snap: snapshot({ noHost: true, service: { status: 'unconfigured', problem: { name: 'ConfigError', message: 'no file' } } }),
      icon: 'stopped', title: '', headline: 'Not set up yet: open Ekiden to configure',
      slotLines: [],
      actions: ['resume (disabled)', 'open', 'open-logs', 'quit'],
    },
  ])('$state', (c) => {
    const model = trayModel(c.snap, { now: NOW, quitting: false });
    expect(model.icon).toBe(c.icon);
    expect(model.title).toBe(c.title);
    const [headline, ...rest] = labels(model.items);
    expect(headline).toBe(c.headline);
    expect(rest.slice(0, c.slotLines.length)).toEqual(c.slotLines);
    expect(actions(model.items)).toEqual(c.actions);
    expect(model.items.find((i) => i.type === 'checkbox')).toEqual({ type: 'checkbox', id: 'toggle-login', label: 'Start at Login', checked: false });
  });

  it('while quitting offers only "Stop Now and Quit" and says what it waits for', () => {
    const model = trayModel(snapshot({ service: { status: 'stopping' }, host: { draining: true }, slots: [job('deploy', 1000)] }), { now: NOW, quitting: true });
    expect(labels(model.items)[0]).toBe('Quitting: waiting for 1 job');
    expect(actions(model.items)).toEqual(['stop-now-quit', 'open', 'open-logs', 'quit (disabled)']);
    expect(model.icon).toBe('paused');
  });

  it('shows Start at Login checked when the login item is on', () => {
    const model = trayModel(snapshot({ login: true }), { now: NOW, quitting: false });
    expect(model.items).toContainEqual({ type: 'checkbox', id: 'toggle-login', label: 'Start at Login', checked: true });
  });

  it('the tooltip counts busy slots', () => {
    expect(trayModel(snapshot({ slots: [job('a', 1), {}] }), { now: NOW, quitting: false }).tooltip).toBe('Ekiden — 1 of 2 slots busy');
  });

  it.each([
    [0, '0s'], [59_999, '59s'], [60_000, '1m'], [3_599_000, '59m'], [3_600_000, '1h 00m'], [36_540_000, '10h 09m'], [-5, '0s'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});
