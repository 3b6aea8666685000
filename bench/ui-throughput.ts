// How many log lines per second the window absorbs while following the tail (telemetry.md §5.3:
// 5,000 lines/s with no long task over 50 ms).
//
// Method: the built renderer runs in real Chromium (Debian /usr/bin/chromium via playwright-core),
// served by the web bridge exactly as in test/e2e/ui.test.ts. No jobs run: the host controller is
// not started, and lines are fed on the main side through the app's own logger at a controlled
// rate (a 10 ms timer), so they take the real path: redaction, ring buffer, bus, LogFeed's 150 ms /
// 500-line batches, WebSocket, log store, filter, view. Lines mix levels, sources and slots, and
// one in 40 is a long compiler command line. The ring is prefilled so the renderer holds its full
// 20,000 lines and trims on every update. Each step feeds for a few seconds with the Logs view at
// the tail (or scrolled up, for "held"), while the page records long tasks (PerformanceObserver
// 'longtask'), frame times (requestAnimationFrame deltas), the newest seq it holds per frame, the
// rows drawn and whether the view is at the bottom. CDP gives heap and busy time
// (Performance.getMetrics) and a trace whose per-task CPU time does not grow with machine load as
// the wall-clock long tasks do ("max task CPU ms").
//   node --import tsx/esm bench/ui-throughput.ts [--quick]
// EKIDEN_BENCH_PREFILL=<lines> starts with fewer lines held (the store still growing; default 30,000).
// EKIDEN_BENCH_PROFILE=/tmp/ui also writes the page's CPU profile per step (/tmp/ui-<step>.cpuprofile).
// Exit: 0 targets met, 1 missed, 2 crashed.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { buildRenderer } from '../scripts/build-renderer';
import type { LogContext, LogLevel } from '../src-main/core/util/logger';
import { startWebBridge, type WebBridge } from '../src-main/web-bridge/server';
import { createBridgeServices, type BridgeServices } from '../src-main/web-bridge/services';
import { LOG_CAP } from '../src-renderer/stores/log-store';
import { report, type Target } from './lib/report';

const CHROMIUM = '/usr/bin/chromium';
const quick = process.argv.includes('--quick');
const PROFILE = process.env.EKIDEN_BENCH_PROFILE;
const TARGET_RATE = 5_000;
const LONG_TASK_MS = 50;
/** The view's row height (src-renderer/views/log-window.ts). */
const LOG_ROW_PX = 18;

interface Step {
  name: string;
  rate: number;
  seconds: number;
  /** Typed into the search box before the step (the view then filters every batch). */
  search?: string;
  /** Scrolled up instead of following: the view must hold still while lines stream in (fewer than
   *  the store trims before the line at the top would go). */
  held?: boolean;
}

const STEPS: Step[] = quick
  ? [
      { name: 'follow', rate: TARGET_RATE, seconds: 4 },
      { name: 'follow+search', rate: TARGET_RATE, seconds: 3, search: 'xcodebuild' },
      { name: 'held', rate: TARGET_RATE, seconds: 2, held: true },
    ]
  : [
      { name: 'follow', rate: 2_000, seconds: 8 },
      { name: 'follow', rate: TARGET_RATE, seconds: 12 },
      { name: 'follow+search', rate: TARGET_RATE, seconds: 8, search: 'xcodebuild' },
      { name: 'held', rate: TARGET_RATE, seconds: 2.5, held: true },
      { name: 'follow', rate: 10_000, seconds: 8 },
    ];
const PREFILL = Number(process.env.EKIDEN_BENCH_PREFILL ?? 30_000);

// A plausible mix: mostly runner output, some guest/tart/host lines, a few warnings and errors.
const WORDS = ['npm ci', 'xcodebuild -scheme App', 'swift test', 'git fetch --depth=1', 'pod install', 'bundle exec fastlane', 'cache restore', 'upload-artifact'];
function line(i: number): { level: LogLevel; text: string; ctx: LogContext } {
  const slot = i % 2;
  const r = i % 200;
  const level: LogLevel = r === 0 ? 'error' : r < 5 ? 'warn' : r < 40 ? 'debug' : 'info';
  const source = r < 150 ? 'runner' : r < 180 ? 'guest' : r < 195 ? 'tart' : 'host';
  // One line in 40 is a long compiler invocation, as CI output has.
  const tail =
    i % 40 === 3
      ? Array.from({ length: 30 }, (_, k) => ` -I/Users/runner/work/app/Sources/M${(i + k * 37) % 1000}/include`).join('')
      : ` ${'.'.repeat(i % 90)} ${i % 7 === 0 ? 'done in 1.42s' : ''}`;
  const text = `line ${i} step ${(i >> 4) % 12}/12: ${WORDS[i % WORDS.length]}${tail}`;
  return { level, text, ctx: { source, slot: source === 'host' ? undefined : slot, vm: `ekiden-bench-${slot}-a1b2c3`, job: source === 'runner' ? `build (macos-15, #${slot})` : undefined } };
}

/** Logs `rate` lines/s for `seconds` from a 10 ms timer (catching up on a late tick). */
async function feed(services: BridgeServices, from: number, rate: number, seconds: number): Promise<{ lines: number; ms: number }> {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.round(((performance.now() - started) / 1000) * rate));
      for (; sent < due; sent++) {
        const l = line(from + sent);
        services.logger.log(l.level, l.text, l.ctx);
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  return { lines: total, ms: performance.now() - started };
}

/** What the page records during a step; installed fresh before each. */
interface Probe {
  longTasks: number[];
  frames: number[];
  /** [time, newest seq held, rows in the DOM, at the bottom (null: not read)] per frame. */
  samples: [number, number, number, boolean | null][];
  stop(): void;
}

// The few page shapes the page-side code uses (this file is type-checked without the DOM lib).
interface PageElement {
  dataset: Record<string, string | undefined>;
  scrollHeight: number;
  scrollTop: number;
  clientHeight: number;
  getBoundingClientRect(): { top: number; left: number };
  getElementsByClassName(name: string): { length: number };
  closest(selector: string): PageElement | null;
}
interface PageGlobals {
  document: { querySelector(selector: string): PageElement | null; elementFromPoint(x: number, y: number): PageElement | null };
  requestAnimationFrame(cb: (t: number) => void): number;
  PerformanceObserver: new (cb: (list: { getEntries(): { duration: number }[] }) => void) => { observe(o: { type: string }): void; disconnect(): void };
  probe?: Probe;
}

async function startProbe(page: Page): Promise<number> {
  return page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    g.probe?.stop();
    const view = g.document.querySelector('[data-testid="logs"]')!;
    const scroll = g.document.querySelector('[data-testid="log-scroll"]')!;
    const rendered = scroll.getElementsByClassName('log-row');
    const probe: Probe = { longTasks: [], frames: [], samples: [], stop: () => {} };
    const observer = new g.PerformanceObserver((list) => list.getEntries().forEach((e) => probe.longTasks.push(e.duration)));
    observer.observe({ type: 'longtask' });
    let last = performance.now();
    let running = true;
    const frame = (t: number) => {
      if (!running) return;
      probe.frames.push(t - last);
      last = t;
      // Layout is read every 6th frame only, so the probe adds little to the frames it measures.
      const check = probe.frames.length % 6 === 0;
      const atEnd = check ? scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight <= 18 : null;
      probe.samples.push([t, Number(view.dataset.lastSeq), rendered.length, atEnd]);
      g.requestAnimationFrame(frame);
    };
    g.requestAnimationFrame(frame);
    probe.stop = () => {
      running = false;
      observer.disconnect();
    };
    g.probe = probe;
    return performance.now();
  });
}

/** Resolves once the view holds `seq`. */
async function viewHolds(page: Page, seq: number): Promise<void> {
  await page.waitForFunction((s) => Number((globalThis as unknown as PageGlobals).document.querySelector('[data-testid="logs"]')?.dataset.lastSeq) >= s, seq, { timeout: 30_000 });
}

/** The row at the top of the log view: its seq and its offset from the view's top edge. */
async function topRow(page: Page): Promise<{ seq: number; offset: number } | null> {
  return page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const box = g.document.querySelector('[data-testid="log-scroll"]')!.getBoundingClientRect();
    const row = g.document.elementFromPoint(box.left + 40, box.top + 2)?.closest('[data-seq]');
    return row ? { seq: Number(row.dataset.seq), offset: Math.round(row.getBoundingClientRect().top - box.top) } : null;
  });
}

/** How far the view moved, in lines (0: the same line at the same place). */
function moved(before: { seq: number; offset: number } | null, after: { seq: number; offset: number } | null): number {
  if (!before || !after) return Infinity;
  return Math.abs(after.seq - before.seq) + Math.abs(after.offset - before.offset) / LOG_ROW_PX;
}

/** CPU and wall time of the renderer's main-thread tasks in a Chromium trace (load-independent). */
function mainThreadTasks(trace: { traceEvents: { name: string; ph: string; pid: number; tid: number; dur?: number; tdur?: number; args?: { name?: string } }[] }) {
  const mains = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const tasksOf = (pid: number, tid: number) => trace.traceEvents.filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === pid && e.tid === tid);
  // The page's renderer is the busiest one.
  const tasks = mains.map((m) => tasksOf(m.pid, m.tid)).sort((a, b) => b.length - a.length)[0] ?? [];
  const cpu = tasks.map((t) => (t.tdur ?? 0) / 1000).sort((a, b) => a - b);
  return { count: cpu.length, maxCpu: cpu.at(-1) ?? 0, p99Cpu: pct(cpu, 99), top: cpu.slice(-5).reverse().map((c) => round(c)) };
}

async function traced<T>(cdp: CDPSession, run: () => Promise<T>): Promise<[T, ReturnType<typeof mainThreadTasks>]> {
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'] }, transferMode: 'ReturnAsStream' });
  const result = await run();
  const complete = new Promise<string>((resolve) => cdp.once('Tracing.tracingComplete', (e) => resolve(e.stream!)));
  await cdp.send('Tracing.end');
  const stream = await complete;
  let data = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream });
    data += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  return [result, mainThreadTasks(JSON.parse(data))];
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

const pct = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function main(): Promise<boolean> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'ekiden-bench-ui-'));
  let services: BridgeServices | undefined;
  let bridge: WebBridge | undefined;
  let context: BrowserContext | undefined;
  try {
    const rendererDir = await buildRenderer(path.join(tmp, 'renderer'));
    // The controller never starts, so the config file need not exist: only the log path runs.
    services = createBridgeServices({ configFile: path.join(tmp, 'ekiden.json'), stateDir: path.join(tmp, 'state'), env: { HOME: tmp, PATH: process.env.PATH }, appVersion: 'bench' });
    bridge = await startWebBridge({ services, rendererDir });
    let fed = 0;
    for (; fed < PREFILL; fed++) {
      const l = line(fed);
      services.logger.log(l.level, l.text, l.ctx);
    }
    services.logFeed.flush();
    const loadAtStart = os.loadavg().map((l) => round(l, 2));

    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1100, height: 720 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // tsx compiles this file with esbuild's keepNames, whose __name helper the probe's code calls.
    await page.addInitScript('globalThis.__name = (f) => f');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${bridge.url}#logs`);
    const view = page.getByTestId('logs');
    await viewHolds(page, services.logs.lastSeq);
    const held = Number(await view.getAttribute('data-count'));
    if (held !== Math.min(LOG_CAP, PREFILL)) throw new Error(`the view holds ${held} lines after the initial load`);

    const rows: Record<string, string | number>[] = [];
    const details: Record<string, unknown>[] = [];
    const heldMoves: number[] = [];
    const atTarget: { maxLongTask: number; absorbedRatio: number; catchUpMs: number; tailShare: number }[] = [];
    for (const step of STEPS) {
      const label = `${step.name}${step.search ? ` "${step.search}"` : ''}`;
      await page.getByLabel('Search logs').fill(step.search ?? '');
      if (step.held) await page.getByTestId('log-scroll').evaluate((el) => (el.scrollTop = Math.round(el.scrollHeight * 0.8) + 5));
      else if (await page.getByRole('button', { name: /Jump to live/ }).isVisible()) await page.getByRole('button', { name: /Jump to live/ }).click();
      // Let the filter settle and the view come to rest before measuring.
      await page.waitForTimeout(500);
      const topBefore = await topRow(page);
      if (PROFILE) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      const before = await metrics(cdp);
      const [{ pageStart, startSeq, finalSeq, lines, ms, probe }, tasks] = await traced(cdp, async () => {
        const pageStart = await startProbe(page);
        const startSeq = services!.logs.lastSeq;
        const { lines, ms } = await feed(services!, fed, step.rate, step.seconds);
        const finalSeq = services!.logs.lastSeq;
        await viewHolds(page, finalSeq);
        // A few more frames so the last update shows in the frame times.
        await page.waitForTimeout(300);
        const probe = await page.evaluate(() => {
          const p = (globalThis as unknown as PageGlobals).probe!;
          p.stop();
          return { longTasks: p.longTasks, frames: p.frames, samples: p.samples };
        });
        return { pageStart, startSeq, finalSeq, lines, ms, probe };
      });
      fed += lines;
      const after = await metrics(cdp);
      if (PROFILE) {
        const { profile } = await cdp.send('Profiler.stop');
        const file = `${PROFILE}-${step.name.replace(/\W+/g, '-')}-${step.rate}.cpuprofile`;
        await writeFile(file, JSON.stringify(profile));
        console.log(`profile: ${file}`);
      }
      // Following: the newest line is drawn and visible. Held: the same line stays at the same place.
      const tailShown = step.search || step.held ? true : await page.locator(`[data-seq="${finalSeq}"]`).isVisible();
      const topAfter = await topRow(page);

      const samples = probe.samples.filter(([t]) => t >= pageStart);
      const firstMoved = samples.find(([, seq]) => seq > startSeq);
      const caught = samples.find(([, seq]) => seq >= finalSeq);
      if (!firstMoved || !caught) throw new Error(`step ${label}@${step.rate}: the view never showed the fed lines`);
      // Steady-state rate: the least-squares slope of the newest seq held over time, from the first
      // update shown to the last (a view that falls behind flattens it).
      const absorbed = slope(samples.filter(([t]) => t >= firstMoved[0] && t <= caught[0]).map(([t, seq]) => [t / 1000, seq]));
      const offered = lines / (ms / 1000);
      const catchUpMs = Math.max(0, caught[0] - pageStart - ms);
      const checked = samples.filter(([t, , , atEnd]) => t <= caught[0] && atEnd !== null);
      const tailShare = checked.filter(([, , , atEnd]) => atEnd).length / Math.max(1, checked.length);
      const frames = [...probe.frames.slice(1)].sort((a, b) => a - b);
      const maxLong = Math.max(0, ...probe.longTasks);
      const seconds = (after.Timestamp - before.Timestamp) || 1;
      rows.push({
        step: label,
        'offered/s': Math.round(offered),
        'absorbed/s': Math.round(absorbed),
        'catch-up ms': Math.round(catchUpMs),
        'long tasks': probe.longTasks.length,
        'max long ms': Math.round(maxLong),
        'max task CPU ms': round(tasks.maxCpu),
        'p95 frame ms': round(pct(frames, 95)),
        'max frame ms': round(frames.at(-1) ?? 0),
        [step.held ? 'moved lines' : 'at tail %']: step.held ? round(moved(topBefore, topAfter)) : Math.round(tailShare * 100),
        'DOM rows': Math.max(0, ...samples.map(([, , r]) => r)),
        'held lines': Number(await view.getAttribute('data-count')),
        'heap MB': round(after.JSHeapUsedSize / 2 ** 20),
        'busy %': Math.round(((after.TaskDuration - before.TaskDuration) / seconds) * 100),
      });
      details.push({
        step: label,
        rate: step.rate,
        longTasksMs: probe.longTasks.map((d) => Math.round(d)),
        topTaskCpuMs: tasks.top,
        p99TaskCpuMs: round(tasks.p99Cpu),
        tasks: tasks.count,
        layoutsPerS: round((after.LayoutCount - before.LayoutCount) / seconds),
        layoutMsPerS: round(((after.LayoutDuration - before.LayoutDuration) * 1000) / seconds),
        scriptMsPerS: round(((after.ScriptDuration - before.ScriptDuration) * 1000) / seconds),
        topRow: [topBefore, topAfter],
      });
      console.log(`${label}@${step.rate}: ${JSON.stringify(rows.at(-1))}${tailShown ? '' : ' (newest line NOT visible)'}`);
      if (step.rate === TARGET_RATE && !step.held) atTarget.push({ maxLongTask: maxLong, absorbedRatio: absorbed / offered, catchUpMs, tailShare: tailShown ? tailShare : 0 });
      if (step.held) heldMoves.push(moved(topBefore, topAfter));
    }
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);

    const worst = (f: (s: (typeof atTarget)[number]) => number, pick: (...n: number[]) => number) => pick(...atTarget.map(f));
    const targets: Target[] = [
      { name: `longest task while following at ${TARGET_RATE} lines/s`, measured: Math.round(worst((s) => s.maxLongTask, Math.max)), unit: 'ms', limit: LONG_TASK_MS, kind: 'max' },
      { name: `absorbed / offered at ${TARGET_RATE} lines/s`, measured: round(worst((s) => s.absorbedRatio, Math.min), 3), unit: '', limit: 0.98, kind: 'min' },
      // One 150 ms batch plus transit and an update; a view falling behind grows this without bound.
      { name: `newest line shown after the feed stops at ${TARGET_RATE} lines/s`, measured: Math.round(worst((s) => s.catchUpMs, Math.max)), unit: 'ms', limit: 1_000, kind: 'max' },
      { name: `frames at the tail while following at ${TARGET_RATE} lines/s`, measured: round(worst((s) => s.tailShare, Math.min) * 100, 0), unit: '%', limit: 95, kind: 'min' },
    ];
    if (heldMoves.length > 0) {
      targets.push({ name: 'scrolled up while lines stream in, the view moved by', measured: round(Math.max(...heldMoves)), unit: 'lines', limit: 0, kind: 'max' });
    }
    return await report({
      bench: 'ui-throughput',
      params: { quick, steps: STEPS, prefill: PREFILL, rendererCap: LOG_CAP, viewport: '1100x720', chromium: await context.browser()?.version() ?? 'persistent context' },
      rows,
      targets,
      extra: { steps: details, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)) },
    });
  } finally {
    await context?.close();
    await bridge?.close();
    await services?.stop('now');
    await rm(tmp, { recursive: true, force: true });
  }
}

main().then(
  (met) => process.exit(met ? 0 : 1),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
