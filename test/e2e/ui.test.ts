// The renderer in real Chromium, served by the web bridge, driving the app's host controller on the
// simulator. Skips only when /usr/bin/chromium is missing (CI installs it).
// EKIDEN_SCREENSHOTS=1 also writes docs/screenshots/*.png.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRenderer } from '../../scripts/build-renderer';
import { checkConfig } from '../../src-main/core/config/load';
import { startWebBridge, type WebBridge } from '../../src-main/web-bridge/server';
import { createBridgeServices, type BridgeServices } from '../../src-main/web-bridge/services';
import { LOG_CAP } from '../../src-renderer/stores/log-store';
import { startSimHost, type SimHost } from '../sim/host';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`e2e UI tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
const SHOTS = process.env.EKIDEN_SCREENSHOTS ? path.resolve(import.meta.dirname, '../../docs/screenshots') : undefined;

describe.skipIf(!hasChromium)('the window in Chromium, against the simulator', () => {
  let tmp: string;
  let sim: SimHost;
  let services: BridgeServices;
  let bridge: WebBridge;
  let context: BrowserContext;
  let page: Page;

  const open = async (tab: string) => {
    await page.getByRole('tab', { name: tab }).click();
  };
  const shot = async (name: string) => {
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  };
  const slotState = (slot: number) => page.getByTestId(`slot-${slot}`).getAttribute('data-state');

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ekiden-e2e-'));
    const rendererDir = await buildRenderer(path.join(tmp, 'renderer'));
    sim = await startSimHost({ slots: 2 });
    services = createBridgeServices({ configFile: sim.configPath, stateDir: sim.stateDir, env: sim.env, appVersion: 'e2e' });
    bridge = await startWebBridge({ services, rendererDir });
    await services.controller.start();
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1100, height: 720 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    if (SHOTS) await mkdir(SHOTS, { recursive: true });
    await page.goto(bridge.url);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await bridge?.close();
    await services?.stop('now');
    await sim?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }, 120_000);

  it("a job's lifecycle shows on its slot's card: listening, running it, then a fresh VM listening", async () => {
    await expect.poll(async () => [await slotState(0), await slotState(1)], { timeout: 60_000, interval: 200 }).toEqual(['listening', 'listening']);
    await sim.enqueue(1, { durationMs: 3_000, name: () => 'e2e lifecycle job' });
    const running = page.locator('[data-state="running"]', { hasText: 'e2e lifecycle job' });
    await running.waitFor({ timeout: 60_000 });
    const slot = Number((await running.getAttribute('data-testid'))!.replace('slot-', ''));
    const vm = await running.getByTestId('slot-vm').textContent();
    // Where the job comes from, with a link to its run on GitHub.
    const [queued] = (await sim.github.jobs()).filter((j) => j.name === 'e2e lifecycle job');
    const origin = running.getByTestId('slot-repository');
    await expect.poll(() => origin.textContent(), { timeout: 10_000, interval: 100 }).toBe(`${queued.repo} run ↗`);
    expect(await origin.getByRole('link').getAttribute('href')).toBe(`${sim.github.url}/${queued.repo}/actions/runs/${queued.run_id}`);
    // The card's timeline: the steps that led here are done, the job is the step under way.
    const timeline = running.getByTestId('phase-timeline');
    await expect.poll(() => timeline.locator('[aria-current="step"]').getAttribute('data-step'), { timeout: 10_000, interval: 100 }).toBe('job');
    const done = await timeline.locator('[data-status="done"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
    expect(done).toEqual(expect.arrayContaining(['clone', 'boot', 'ip', 'connect', 'register', 'idle']));
    expect(await timeline.locator('[data-status="pending"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).toEqual(['finishing', 'teardown']);
    // The header shows free disk of the TART_HOME volume (re-read by main, not per render).
    await expect.poll(() => page.getByTestId('host-disk').textContent(), { timeout: 10_000, interval: 200 }).toMatch(/^\d+(\.\d)? [kMGT]?B free/);
    await shot('overview');
    const card = page.getByTestId(`slot-${slot}`);
    await expect.poll(async () => [await card.getAttribute('data-state'), await card.getByTestId('slot-vm').textContent()], { timeout: 60_000, interval: 200 })
      .toEqual(['listening', expect.not.stringMatching(`^${vm}$`)]);
    await expect.poll(() => page.getByTestId('jobs-today').textContent(), { timeout: 5_000 }).toBe('1 job today');
    await open('History');
    await page.getByRole('table', { name: 'Job history' }).getByText('e2e lifecycle job').waitFor();
    // Its phase breakdown: every step of its cycle with a time, teardown included once it ended.
    const breakdown = page.getByRole('group', { name: 'Phases of e2e lifecycle job' });
    const steps = () => breakdown.locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
    await expect.poll(steps, { timeout: 30_000, interval: 200 }).toEqual(expect.arrayContaining(['clone', 'boot', 'ip', 'connect', 'register', 'idle', 'job', 'finishing', 'teardown']));
    const jobTime = await breakdown.locator('li[data-step="job"]').textContent();
    expect(jobTime).toMatch(/^job \d+(\.\d+)?s$/);
    // And the chart has its bar, coloured by its result.
    const bar = page.getByTestId('duration-chart').locator('[data-job="e2e lifecycle job"]');
    expect(await bar.getAttribute('class')).toBe('bar result-success');
    expect(await bar.getAttribute('aria-label')).toMatch(/^e2e lifecycle job: success, \d+(\.\d+)?s, finished \d\d:\d\d:\d\d on slot \d$/);
    if (SHOTS) {
      // A few more jobs, one failing, so the picture shows bars by result.
      await sim.enqueue(1, { durationMs: 4_000, result: 'Failed', name: () => 'e2e failing job' });
      await sim.enqueue(2, { durationMs: 1_500, name: (n) => `e2e short job #${n}` });
      await expect.poll(() => page.getByTestId('chart-bar').count(), { timeout: 60_000, interval: 200 }).toBe(4);
    }
    await shot('history');
  });

  it('pause drains the slots and resume starts them again', async () => {
    await open('Controls');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('controls-mode').textContent(), { timeout: 60_000, interval: 200 }).toBe('paused');
    await page.getByRole('button', { name: 'Stop now…' }).click();
    await shot('controls');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.getByTestId('controls-mode').textContent(), { timeout: 30_000, interval: 200 }).toBe('running');
    await open('Overview');
    await expect.poll(async () => [await slotState(0), await slotState(1)], { timeout: 60_000, interval: 200 }).toEqual(['listening', 'listening']);
  });

  it("settings reject a bad value with the field's own message, inline", async () => {
    await open('Settings');
    const slots = page.locator('[name="vm.slots"]');
    await slots.fill('3');
    const checked = checkConfig({ ...sim.config, vm: { ...sim.config.vm, slots: 3 } });
    const expected = checked.ok ? '' : checked.issues.find((i) => i.path === 'vm.slots')!.message;
    expect(expected).toMatch(/1 or 2/);
    await expect.poll(() => page.getByTestId('issue-vm.slots').textContent(), { timeout: 10_000 }).toBe(expected);
    await page.getByTestId('issue-vm.slots').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await shot('settings');
    await page.getByRole('button', { name: 'Revert' }).click();
    await expect.poll(() => page.getByTestId('settings-validity').textContent(), { timeout: 10_000 }).toBe('valid');
  });

  it('logs stay responsive while 2,000 lines/s stream in: every seq arrives, no long task', async () => {
    await open('Logs');
    const view = page.getByTestId('logs');
    await view.waitFor();
    // Runs in the page (this file is type-checked without the DOM lib, hence the narrow types).
    await page.evaluate(() => {
      type Observer = new (cb: (list: { getEntries(): { duration: number }[] }) => void) => { observe(o: { type: string }): void };
      const g = globalThis as unknown as { longTasks: number[]; PerformanceObserver: Observer };
      g.longTasks = [];
      new g.PerformanceObserver((list) => list.getEntries().forEach((e) => g.longTasks.push(e.duration))).observe({ type: 'longtask' });
    });
    const rate = 2_000;
    const seconds = 5;
    const total = rate * seconds;
    const started = Date.now();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(total, Math.round(((Date.now() - started) / 1000) * rate));
        for (; sent < due; sent++) services.logger.log(sent % 50 === 0 ? 'warn' : 'info', `stream line ${sent} ${'x'.repeat(sent % 80)}`, { source: 'runner', slot: sent % 2 });
        if (sent >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    const last = services.logs.lastSeq;
    await expect.poll(() => view.getAttribute('data-last-seq'), { timeout: 20_000, interval: 100 }).toBe(String(last));
    const first = Number(await view.getAttribute('data-first-seq'));
    const count = Number(await view.getAttribute('data-count'));
    // The store only ever appends seq > last, ascending: a count equal to the span means no gap.
    expect(count).toBe(last - first + 1);
    expect(await view.getAttribute('data-refetches')).toBe('0');
    // Following the tail: still at the bottom, the newest line drawn.
    await page.locator(`[data-seq="${last}"]`).waitFor({ timeout: 5_000 });
    expect(await page.getByTestId('log-scroll').getAttribute('data-live')).toBe('true');
    const longTasks = await page.evaluate(() => (globalThis as unknown as { longTasks: number[] }).longTasks);
    console.log(`log stream: ${total} lines in ${((Date.now() - started) / 1000).toFixed(1)} s; long tasks: ${longTasks.length} [${longTasks.map((d) => d.toFixed(0)).join(", ")}] ms`);
    // Budget (telemetry.md §5.3): no long task over 50 ms at 5,000 lines/s, held by
    // bench/ui-throughput.ts. A shared, loaded CI machine stretches tasks unpredictably, so the
    // test asserts only that the view never freezes (500 ms) and prints what it saw.
    expect(Math.max(0, ...longTasks)).toBeLessThan(500);

    // Scrolling up stops following; "Jump to live" returns to the tail.
    await page.getByTestId('log-scroll').evaluate((el) => (el.scrollTop = 0));
    await page.getByRole('button', { name: /Jump to live/ }).click();
    await page.locator(`[data-seq="${last}"]`).waitFor({ timeout: 5_000 });

    // Scrolled up, the view holds still while a burst fills the store and trims its oldest lines.
    const scroller = page.getByTestId('log-scroll');
    const topRow = () =>
      scroller.evaluate((el) => {
        type Box = { top: number; left: number };
        type Row = { getBoundingClientRect(): Box; closest(s: string): (Row & { dataset: Record<string, string> }) | null };
        const doc = (globalThis as unknown as { document: { elementFromPoint(x: number, y: number): Row | null } }).document;
        const box = (el as unknown as Row).getBoundingClientRect();
        const row = doc.elementFromPoint(box.left + 40, box.top + 2)?.closest('[data-seq]');
        return row ? { seq: Number(row.dataset.seq), offset: Math.round(row.getBoundingClientRect().top - box.top) } : null;
      });
    await scroller.evaluate((el) => (el.scrollTop = Math.round(el.scrollHeight * 0.8) + 7));
    await expect.poll(() => scroller.getAttribute('data-live')).toBe('false');
    const held = await topRow();
    expect(held).not.toBeNull();
    for (let i = 0; i < 15_000; i++) services.logger.log('info', `burst line ${i}`, { source: 'runner', slot: i % 2 });
    const burstLast = services.logs.lastSeq;
    await expect.poll(async () => Number(await view.getAttribute('data-last-seq')), { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(burstLast);
    expect(await view.getAttribute('data-count')).toBe(String(LOG_CAP));
    expect(Number(await view.getAttribute('data-first-seq'))).toBeGreaterThan(first);
    expect(await topRow()).toEqual(held);
    await page.getByRole('button', { name: /Jump to live/ }).click();
    await page.locator(`[data-seq="${burstLast}"]`).waitFor({ timeout: 5_000 });
    expect(await scroller.getAttribute('data-live')).toBe('true');
    // A copied selection reads as one plain line per row: time, level, source, text.
    const copied = await scroller.evaluate((el, seqs) => {
      type Range = { setStartBefore(n: unknown): void; setEndAfter(n: unknown): void };
      type Doc = { createRange(): Range; getSelection(): { removeAllRanges(): void; addRange(r: Range): void; toString(): string } };
      const doc = (globalThis as unknown as { document: Doc }).document;
      const row = (seq: number) => (el as unknown as { querySelector(s: string): unknown }).querySelector(`[data-seq="${seq}"]`);
      const range = doc.createRange();
      range.setStartBefore(row(seqs[0]));
      range.setEndAfter(row(seqs[1]));
      const selection = doc.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return selection.toString();
    }, [burstLast - 1, burstLast]);
    expect(copied.trim().split('\n')).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}runner\[0\] burst line 14998$/),
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}runner\[1\] burst line 14999$/),
    ]);

    await page.getByLabel('Search logs').fill('stream line 9999 ');
    // One match; the total may have grown meanwhile (the host keeps logging while the test runs).
    await expect.poll(async () => {
      const m = /^1 of (\d+) lines$/.exec((await page.getByTestId('log-count').textContent()) ?? '');
      return m !== null && Number(m[1]) >= count;
    }).toBe(true);
    await page.getByLabel('Search logs').fill('');
    await shot('logs');
  });
});
