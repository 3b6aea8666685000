// @vitest-environment jsdom
// The cycle pieces of the window: the slot card's live timeline, the host header's disk and check
// warnings, History's chart and per-job phase breakdown. Views run against the real bridge services
// in-process (as views.test.tsx); only the DOM is jsdom's.
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSnapshot, CycleTimeline, JobRecord } from '../../src-main/ipc/types';
import { DurationChart } from '../../src-renderer/components/DurationChart';
import { HostDisk, HostWarnings } from '../../src-renderer/components/HostHealthLine';
import { PhaseBreakdown } from '../../src-renderer/components/PhaseBreakdown';
import { PhaseTimeline, timelineItems } from '../../src-renderer/components/PhaseTimeline';
import { EkidenProvider, type Ekiden } from '../../src-renderer/stores/context';
import { createLogStore } from '../../src-renderer/stores/log-store';
import { createStateStore } from '../../src-renderer/stores/state-store';
import { History } from '../../src-renderer/views/History';
import { Overview } from '../../src-renderer/views/Overview';
import { startLoopback, type Loopback } from './support/loopback';

let loop: Loopback | undefined;
afterEach(async () => {
  cleanup();
  await loop?.close();
  loop = undefined;
});

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

/** A cycle in its `connect` step: four steps ended, the login under way for 2.5 s. */
const connecting: CycleTimeline = {
  slot: 0, vm: 'ekiden-mini-0-abc', startedAt: NOW - 10_000,
  done: [
    { step: 'clone', outcome: 'ok', seconds: 0.22, endedAt: NOW - 9_000 },
    { step: 'boot', outcome: 'ok', seconds: 3.4, endedAt: NOW - 5_500 },
    { step: 'ip', outcome: 'ok', seconds: 1.1, endedAt: NOW - 2_500 },
  ],
  current: { step: 'connect', since: NOW - 2_500 },
};

function job(o: Partial<JobRecord> & { job: string; at: number }): JobRecord {
  return {
    slot: 0, vm: `vm-${o.at}`, runnerName: 'r', result: 'success', runnerResult: 'Succeeded', seconds: 3,
    phases: [
      { step: 'clone', outcome: 'ok', seconds: 0.25, endedAt: o.at - 8_000 },
      { step: 'boot', outcome: 'ok', seconds: 2, endedAt: o.at - 6_000 },
      { step: 'idle', outcome: 'ok', seconds: 1.5, endedAt: o.at - 3_000 },
      { step: 'job', outcome: 'ok', seconds: o.seconds ?? 3, endedAt: o.at },
      { step: 'teardown', outcome: 'ok', seconds: 0.4, endedAt: o.at + 400 },
    ],
    cycleSeconds: 9.5,
    ...o,
  };
}

function snapshot(over: Partial<AppSnapshot> = {}): AppSnapshot {
  return {
    rev: 3,
    app: { name: 'Ekiden', version: '1.0.0', platform: 'darwin', configPath: '/c.json', logsDir: '/l', startAtLogin: false },
    service: { status: 'running' },
    host: {
      hostId: 'mini-1', paused: false, draining: false, stopped: false,
      slots: [
        { slot: 0, state: 'connecting', since: NOW - 5_500, vm: 'ekiden-mini-0-abc' },
        { slot: 1, state: 'idle', since: NOW - 1_000 },
      ],
    },
    recentJobs: [],
    cycles: [connecting],
    health: null,
    ...over,
  };
}

async function mount(view: React.ReactNode, snap: AppSnapshot): Promise<void> {
  loop = await startLoopback();
  const ekiden: Ekiden = { api: loop.api, state: createStateStore(loop.api), logs: createLogStore(loop.api) };
  render(<EkidenProvider value={ekiden}>{view}</EkidenProvider>);
  act(() => ekiden.state.store.setState({ snapshot: snap }));
}

describe('the slot card timeline', () => {
  it('lists ended steps with their times, the running one counting from its start, then what is to come', () => {
    const items = timelineItems(connecting, NOW);
    expect(items.map((i) => `${i.step}:${i.status}`)).toEqual([
      'clone:done', 'boot:done', 'ip:done', 'connect:running', 'register:pending', 'idle:pending', 'job:pending', 'finishing:pending', 'teardown:pending',
    ]);
    expect(items.find((i) => i.status === 'running')?.seconds).toBe(2.5);
    expect(timelineItems(connecting, NOW + 4_000).find((i) => i.status === 'running')?.seconds).toBe(6.5);

    render(<PhaseTimeline timeline={connecting} now={NOW} />);
    const list = screen.getByRole('list', { name: 'Cycle of slot 0' });
    const running = within(list).getAllByRole('listitem').filter((li) => li.getAttribute('aria-current') === 'step');
    expect(running.map((li) => li.getAttribute('aria-label'))).toEqual(['connect: running now, 2s']);
    expect(within(list).getByLabelText('clone: done, 0.22s').dataset.status).toBe('done');
    expect(within(list).getByLabelText('boot: done, 3.4s')).toBeTruthy();
    expect(within(list).getByLabelText('waiting for job: to come').dataset.status).toBe('pending');
  });

  it('marks a failed step, and once the cycle ended shows no step to come but how it ended', () => {
    const failed: CycleTimeline = {
      slot: 1, startedAt: NOW - 70_000,
      done: [
        { step: 'clone', outcome: 'ok', seconds: 0.3, endedAt: NOW - 69_000 },
        { step: 'boot', outcome: 'timeout', seconds: 60, endedAt: NOW - 9_000 },
        { step: 'teardown', outcome: 'ok', seconds: 1, endedAt: NOW - 8_000 },
      ],
      ended: { at: NOW - 8_000, outcome: 'failed' },
    };
    render(<PhaseTimeline timeline={failed} now={NOW} />);
    const steps = screen.getAllByRole('listitem');
    expect(steps.map((li) => li.dataset.step)).toEqual(['clone', 'boot', 'teardown']);
    expect(screen.getByLabelText('boot: timeout, 1m 0s').className).toContain('outcome-timeout');
    expect(screen.getByTestId('timeline-ended').textContent).toBe('last cycle failed in 1m 2s');
  });

  it('shows on the Overview card of its slot only', async () => {
    await mount(<Overview />, snapshot());
    expect(within(screen.getByTestId('slot-0')).getByTestId('phase-timeline')).toBeTruthy();
    expect(within(screen.getByTestId('slot-1')).queryByTestId('phase-timeline')).toBeNull();
  });
});

describe('the host header', () => {
  it('shows free disk of the TART_HOME volume, flagged when low, and the check warnings with their fix', async () => {
    const health: AppSnapshot['health'] = {
      disk: { tartHome: '/Users/ci/.tart', mountpoint: '/System/Volumes/Data', freeBytes: 84_300_000_000, usedBytes: 400e9, at: NOW },
      warnings: [
        { check: 'dhcp_lease_time', status: 'warn', message: 'VM DHCP leases last 86400 s', fix: 'sudo defaults write … 600' },
        { check: 'login_keychain', status: 'fail', message: 'the login keychain is locked' },
      ],
      // The view reads the clock itself.
      checkedAt: Date.now() - 120_000,
    };
    await mount(<Overview />, snapshot({ health }));
    const disk = screen.getByTestId('host-disk');
    expect(disk.textContent).toBe('84.3 GB free');
    expect(disk.title).toContain('/Users/ci/.tart on /System/Volumes/Data');
    const warnings = screen.getByTestId('host-warnings');
    expect(within(warnings).getAllByRole('listitem').map((li) => li.dataset.check)).toEqual(['dhcp_lease_time', 'login_keychain']);
    expect(warnings.textContent).toContain('fix: sudo defaults write … 600');
    expect(warnings.textContent).toMatch(/checked 2m \ds ago$/);
    cleanup();

    render(<HostDisk health={{ ...health, disk: { ...health.disk!, freeBytes: 12e9 } }} />);
    expect(screen.getByTestId('host-disk').textContent).toBe('12.0 GB free (low)');
    expect(screen.getByTestId('host-disk').className).toBe('error');
    cleanup();
    render(<HostWarnings health={{ warnings: [] }} now={NOW} />);
    expect(screen.queryByTestId('host-warnings')).toBeNull();
  });
});

describe('History', () => {
  const jobs = [
    job({ job: 'build #1', at: NOW - 60_000, seconds: 10 }),
    job({ job: 'test #2', at: NOW - 30_000, seconds: 5, result: 'failure', runnerResult: 'Failed' }),
    job({ job: 'lint #3', at: NOW - 1_000, seconds: 2.5, result: 'cancellation', runnerResult: 'Canceled', cycleSeconds: undefined }),
  ];

  it('charts one bar per job, oldest first, its height by duration and its colour by result', () => {
    render(<DurationChart jobs={jobs} />);
    const bars = screen.getAllByTestId('chart-bar');
    expect(bars.map((b) => b.dataset.job)).toEqual(['build #1', 'test #2', 'lint #3']);
    expect(bars.map((b) => b.getAttribute('class'))).toEqual(['bar result-success', 'bar result-failure', 'bar result-cancellation']);
    const heights = bars.map((b) => Number(b.getAttribute('height')));
    expect(heights[0]).toBeGreaterThan(heights[1]);
    expect(heights[1] / heights[0]).toBeCloseTo(0.5, 5);
    expect(Number(bars[0].getAttribute('x'))).toBeLessThan(Number(bars[2].getAttribute('x')));
    expect(screen.getByRole('img', { name: /^test #2: failure, 5\.0s, finished \d\d:\d\d:\d\d on slot 0$/ })).toBe(bars[1]);
    expect(screen.getByTestId('legend-failure').textContent).toBe('1 failure');
  });

  it('shows each job with its wait, time and cycle, and its phase breakdown in words and as a bar', async () => {
    await mount(<History />, snapshot({ recentJobs: jobs }));
    expect(screen.getAllByTestId('chart-bar')).toHaveLength(3);
    const rows = screen.getAllByTestId('history-job');
    expect(rows.map((r) => r.dataset.job)).toEqual(['lint #3', 'test #2', 'build #1']);
    const build = rows[2];
    const cells = within(build).getAllByRole('cell').map((c) => c.textContent);
    expect(cells.slice(1, 7)).toEqual(['build #1', 'success', '0', '1.5s', '10s', '9.5s']);
    // A cycle still tearing down has no total yet.
    expect(within(rows[0]).getAllByRole('cell')[6].textContent).toBe('…');
    const breakdown = within(build).getByRole('group', { name: 'Phases of build #1' });
    expect([...breakdown.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'clone 0.25s', 'boot 2.0s', 'waiting for job 1.5s', 'job 10s', 'teardown 0.40s',
    ]);
    const segments = [...breakdown.querySelectorAll<HTMLElement>('.seg')];
    expect(segments.map((s) => s.title)).toEqual(['clone 0.25s', 'boot 2.0s', 'waiting for job 1.5s', 'job 10s', 'teardown 0.40s']);
    expect(Number(segments[3].style.flexGrow)).toBeCloseTo(10 / 14.15, 5);
  });

  it('names a step that did not end well', () => {
    render(<PhaseBreakdown label="x" phases={[{ step: 'finishing', outcome: 'timeout', seconds: 60, endedAt: NOW }]} />);
    expect(screen.getByRole('group', { name: 'Phases of x' }).textContent).toBe('finishing 1m 0s (timeout)');
  });
});
