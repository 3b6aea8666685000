// The app state the window shows, kept by main: a snapshot with a revision, and batched patches
// (state:patch) whenever the host, the controller or the app info changes.
import type { EventBus } from '../../core/events/bus';
import type { EkidenEvent } from '../../core/events/types';
import type { HostSnapshot } from '../../core/runner/supervisor';
import { CycleTimelines, type CycleTimeline } from '../../core/telemetry/cycle-timeline';
import { diffParts } from '../../ipc/state-patch';
import type { AppInfo, AppSnapshot, HostHealth, JobRecord, ServiceState, SnapshotParts, StatePatch } from '../../ipc/types';

export interface StateSource {
  state(): ServiceState;
  snapshot(): HostSnapshot | null;
  onChange(listener: () => void): () => void;
}

export interface StateFeedOptions {
  bus: EventBus;
  source: StateSource;
  appInfo: () => AppInfo;
  /** Free disk and preflight warnings for the host header (null: none yet). */
  health?: () => HostHealth | null;
  /** Receives each patch (the push gate in the app, a socket in the web bridge). */
  send: (patch: StatePatch) => void;
  /** Changes within this window travel as one patch. Default 100 ms. */
  batchMs?: number;
  /** Completed jobs kept for the history view. Default 50. */
  maxJobs?: number;
}

/** Events that never change the snapshot: no need to look. */
const QUIET: ReadonlySet<EkidenEvent['type']> = new Set(['log', 'github.call', 'host.checks']);

/** A job kept for History, with the cycle it ran in (finishing and teardown end after the job). */
interface KeptJob {
  record: Omit<JobRecord, 'phases' | 'cycleSeconds'>;
  cycle: CycleTimeline | undefined;
}

export class StateFeed {
  private current: AppSnapshot;
  private timer: NodeJS.Timeout | undefined;
  private readonly jobs: KeptJob[] = [];
  private readonly timelines = new CycleTimelines();
  private readonly listeners = new Set<(snapshot: AppSnapshot) => void>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly opts: StateFeedOptions) {
    this.current = { rev: 0, ...this.parts() };
    this.unsubscribe.push(
      opts.bus.subscribe((e) => {
        this.timelines.apply(e);
        if (e.type === 'job.completed') this.recordJob(e);
        if (!QUIET.has(e.type)) this.schedule();
      }),
      opts.source.onChange(() => this.schedule()),
    );
  }

  /** The state now (pending changes are sent first, so patches after it continue from its rev). */
  snapshot(): AppSnapshot {
    this.flush();
    return this.current;
  }

  /** Something outside the bus changed (e.g. the login item). */
  changed(): void {
    this.schedule();
  }

  /** Called with each new revision, after its patch was sent (tray, power, notifications). */
  onChange(listener: (snapshot: AppSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends what changed since the last revision, if anything. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.parts();
    const changes = diffParts(this.current, next);
    if (!changes) return;
    const patch: StatePatch = { rev: this.current.rev + 1, baseRev: this.current.rev, changes };
    this.current = { rev: patch.rev, ...next };
    this.opts.send(patch);
    for (const l of [...this.listeners]) l(this.current);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe.splice(0).forEach((u) => u());
    this.listeners.clear();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.opts.batchMs ?? 100);
  }

  private parts(): SnapshotParts {
    const host = this.opts.source.snapshot();
    const slots = new Set(host?.slots.map((s) => s.slot));
    return {
      app: this.opts.appInfo(), service: this.opts.source.state(), host,
      // Copies: the timelines keep changing, and the last snapshot must not change with them.
      recentJobs: this.jobs.map(({ record, cycle }) => ({
        ...record, phases: (cycle?.done ?? []).map((s) => ({ ...s })), ...(cycle?.ended ? { cycleSeconds: (cycle.ended.at - cycle.startedAt) / 1000 } : {}),
      })),
      cycles: this.timelines.all().filter((c) => slots.has(c.slot)).map((c) => structuredClone(c)),
      health: this.opts.health?.() ?? null,
    };
  }

  private recordJob(e: Extract<EkidenEvent, { type: 'job.completed' }>): void {
    this.jobs.push({
      record: {
        at: e.at, slot: e.slot, vm: e.vm, runnerName: e.runnerName, job: e.job, result: e.result, runnerResult: e.runnerResult,
        seconds: e.seconds, ...(e.imageDigest ? { imageDigest: e.imageDigest } : {}),
        ...(e.repository ? { repository: e.repository } : {}), ...(e.runUrl ? { runUrl: e.runUrl } : {}),
      },
      cycle: this.timelines.of(e.slot),
    });
    if (this.jobs.length > (this.opts.maxJobs ?? 50)) this.jobs.shift();
  }
}
