// @vitest-environment jsdom
// The views against the real bridge services in-process (config schema, settings service, host
// controller); only the DOM is jsdom's.
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src-main/core/config/load';
import { MANAGED_DOMAIN } from '../../src-main/core/config/managed';
import type { AppSnapshot } from '../../src-main/ipc/types';
import { EkidenProvider, type Ekiden } from '../../src-renderer/stores/context';
import { createLogStore } from '../../src-renderer/stores/log-store';
import { createStateStore } from '../../src-renderer/stores/state-store';
import { Controls } from '../../src-renderer/views/Controls';
import { Overview } from '../../src-renderer/views/Overview';
import { Settings } from '../../src-renderer/views/Settings';
import { sampleConfig, startLoopback, type Loopback } from './support/loopback';

let loop: Loopback | undefined;
afterEach(async () => {
  cleanup();
  await loop?.close();
  loop = undefined;
});

function mount(l: Loopback, view: React.ReactNode): Ekiden {
  const ekiden: Ekiden = { api: l.api, state: createStateStore(l.api), logs: createLogStore(l.api) };
  render(<EkidenProvider value={ekiden}>{view}</EkidenProvider>);
  return ekiden;
}

const inputFor = (p: string) => document.querySelector(`[name="${p}"]`) as HTMLInputElement;

describe('Overview', () => {
  it('shows a card per slot with its state, job, VM and image digest, and the host header', async () => {
    loop = await startLoopback();
    const ekiden = mount(loop, <Overview />);
    const now = Date.now();
    const snapshot: AppSnapshot = {
      rev: 7,
      app: { name: 'Ekiden', version: '1.0.0', platform: 'darwin', configPath: '/c.json', logsDir: '/l', startAtLogin: false },
      service: { status: 'running' },
      host: {
        hostId: 'mini-1', paused: false, draining: false, stopped: false,
        hostError: { reason: 'disk_full', message: 'The disk is full: free 30 GB', since: now - 5_000 },
        imageDigest: 'sha256:8c0ccc693c8c0123456789',
        slots: [
          { slot: 0, state: 'running', since: now - 65_000, vm: 'ekiden-mini-1-0-abc', runnerName: 'ekiden-mini-1-0-abc', job: { name: 'build (macos-15, #3)', startedAt: now - 60_000, repository: 'acme/app', runUrl: 'https://github.com/acme/app/actions/runs/5' }, imageDigest: 'sha256:8c0ccc693c8c0123456789' },
          { slot: 1, state: 'backoff', since: now - 2_000, lastError: { reason: 'ip_timeout', message: 'the VM got no IP address in 120 s', at: now - 2_000 }, retryAt: now + 10_000 },
        ],
      },
      recentJobs: [{ at: now, slot: 0, vm: 'v', runnerName: 'r', job: 'j', result: 'success', runnerResult: 'Succeeded', seconds: 3, phases: [] }],
      cycles: [],
      health: null,
    };
    act(() => ekiden.state.store.setState({ snapshot }));
    const card0 = screen.getByTestId('slot-0');
    expect(card0.dataset.state).toBe('running');
    expect(card0.textContent).toContain('build (macos-15, #3)');
    expect(card0.textContent).toContain('ekiden-mini-1-0-abc');
    const run = screen.getByRole('link', { name: 'run ↗' });
    expect([run.getAttribute('href'), run.getAttribute('target'), run.closest('[data-testid="slot-repository"]')?.textContent]).toEqual([
      'https://github.com/acme/app/actions/runs/5', '_blank', 'acme/app run ↗',
    ]);
    expect(screen.getByTestId('slot-1').querySelector('[data-testid="slot-repository"]')?.textContent).toBe('—');
    expect(card0.textContent).toContain('sha256:8c0ccc693c8c');
    expect(card0.textContent).toMatch(/for 1m \d+s/);
    expect(screen.getByTestId('slot-1').textContent).toContain('ip_timeout: the VM got no IP address in 120 s');
    expect(screen.getByTestId('host-mode').textContent).toBe('running');
    expect(screen.getByTestId('jobs-today').textContent).toBe('1 job today');
    expect(screen.getByTestId('host-error').textContent).toContain('The disk is full: free 30 GB');
  });
});

describe('Settings', () => {
  it('shows the schema’s own message at a field given a bad value, and saves nothing while invalid', async () => {
    loop = await startLoopback();
    mount(loop, <Settings />);
    await waitFor(() => expect(inputFor('vm.slots')).toBeTruthy());
    fireEvent.change(inputFor('vm.slots'), { target: { value: '3' } });
    const bad = { ...sampleConfig(loop.dir), vm: { slots: 3 } };
    const result = checkConfig(bad);
    const expected = !result.ok ? result.issues.find((i) => i.path === 'vm.slots')!.message : '';
    expect(expected).not.toBe('');
    await waitFor(() => expect(screen.getByTestId('issue-vm.slots').textContent).toBe(expected));
    expect(inputFor('vm.slots').getAttribute('aria-invalid')).toBe('true');

    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.getByTestId('settings-status').textContent).toMatch(/^Not saved/));
    const onDisk = JSON.parse(await readFile(path.join(loop.dir, 'config.json'), 'utf8'));
    expect(onDisk.vm).toBeUndefined();
  });

  it('shows managed fields read-only and marked as managed', async () => {
    loop = await startLoopback({
      managed: async (dir) => {
        await writeFile(path.join(dir, `${MANAGED_DOMAIN}.plist`), JSON.stringify({ vm: { slots: 1 } }));
        return { platform: 'darwin', dir, user: 'nobody', plistToJson: (file) => readFile(file, 'utf8') };
      },
    });
    mount(loop, <Settings />);
    await waitFor(() => expect(inputFor('vm.slots')).toBeTruthy());
    expect(inputFor('vm.slots').disabled).toBe(true);
    expect(inputFor('vm.cpu').disabled).toBe(false);
    expect(document.querySelector('[data-path="vm.slots"]')!.textContent).toContain('managed');
  });

  it('a secret is write-only: stored through secrets:set, the input cleared, the ref pointing at the store', async () => {
    loop = await startLoopback();
    mount(loop, <Settings />);
    const field = await screen.findByLabelText('new value for guest.password');
    fireEvent.change(field, { target: { value: 'hunter2-secret' } });
    fireEvent.click(screen.getByTestId('secret-guest.password').querySelector('button')!);
    await waitFor(() => expect(screen.getByLabelText('guest.password keychain')).toHaveProperty('value', 'guest.password'));
    expect((field as HTMLInputElement).value).toBe('');
    expect(await loop.services.contextFor({ ready: () => 0 }).secrets.get('guest.password')).toBe('hunter2-secret');
    expect(document.body.innerHTML).not.toContain('hunter2-secret');
  });
});

describe('Test connection', () => {
  it('runs each test against the saved settings and shows its rows with the fix; disabled while unsaved', async () => {
    loop = await startLoopback();
    mount(loop, <Settings />);
    const github = await screen.findByRole('button', { name: 'Test GitHub' });
    fireEvent.click(github);
    // The sample's App key file does not exist: the test names the field instead of calling GitHub.
    await waitFor(() => expect(screen.getByTestId('connection-github-status').textContent).toBe('fail'));
    expect(screen.getByRole('table', { name: 'GitHub test' }).textContent).toMatch(/github\.auth\.privateKey/);

    fireEvent.click(screen.getByRole('button', { name: 'Test Guest login' }));
    await waitFor(() => expect(screen.getByTestId('connection-guest-status').textContent).toBe('fail'));

    fireEvent.change(inputFor('vm.cpu'), { target: { value: '4' } });
    expect(screen.getByRole('button', { name: 'Test GitHub' })).toHaveProperty('disabled', true);
    expect(screen.getByText('Tests use the saved settings: save your changes first.')).toBeTruthy();
  });
});

describe('Controls', () => {
  it('stop now asks first; confirming with no host running shows why it cannot stop', async () => {
    loop = await startLoopback({ config: () => undefined });
    const ekiden = mount(loop, <Controls />);
    act(() => void ekiden.state.start());
    fireEvent.click(screen.getByRole('button', { name: 'Stop now…' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('cancels');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.queryByTestId('controls-message')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Stop now…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Stop now' }));
    await waitFor(() => expect(screen.getByTestId('controls-message').textContent).toMatch(/^Stop now failed: cannot stop: Ekiden is not running/));
  });

  it('open logs folder asks main; the web bridge cannot open folders and says where the logs are', async () => {
    loop = await startLoopback({ config: () => undefined });
    mount(loop, <Controls />);
    fireEvent.click(screen.getByRole('button', { name: 'Open logs folder' }));
    await waitFor(() =>
      expect(screen.getByTestId('controls-message').textContent).toMatch(/^Open logs folder failed: the web bridge cannot open folders; the logs are in \/.*logs/),
    );
  });
});
