// The app state the window shows, kept by main: a snapshot with a revision, and batched patches
// (state:patch) whenever the host, the controller or the app info changes.
import type { EventBus } from '../../core/events/bus';
import type { EkidenEvent } from '../../core/events/types';
import type { HostSnapshot } from '../../core/runner/supervisor';
import { diffParts } from '../../ipc/state-patch';
import type { AppInfo, AppSnapshot, JobRecord, ServiceState, SnapshotParts, StatePatch } from '../../ipc/types';

export interface StateSource {
  state(): ServiceState;
  snapshot(): HostSnapshot | null;
  onChange(listener: () => void): () => void;
}

export interface StateFeedOptions {
  bus: EventBus;
  source: StateSource;
  appInfo: () => AppInfo;
  /** Receives each patch (the push gate in the app, a socket in the web bridge). */
  send: (patch: StatePatch) => void;
  /** Changes within this window travel as one patch. Default 100 ms. */
  batchMs?: number;
  /** Completed jobs kept for the history view. Default 50. */
  maxJobs?: number;
}

/** Events that never change the snapshot: no need to look. */
const QUIET: ReadonlySet<EkidenEvent['type']> = new Set(['log', 'github.call', 'phase.completed', 'host.checks']);

export class StateFeed {
  private current: AppSnapshot;
  private timer: NodeJS.Timeout | undefined;
  private readonly jobs: JobRecord[] = [];
  private readonly listeners = new Set<(snapshot: AppSnapshot) => void>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly opts: StateFeedOptions) {
    this.current = { rev: 0, ...this.parts() };
    this.unsubscribe.push(
      opts.bus.subscribe((e) => {
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
    return { app: this.opts.appInfo(), service: this.opts.source.state(), host: this.opts.source.snapshot(), recentJobs: [...this.jobs] };
  }

  private recordJob(e: Extract<EkidenEvent, { type: 'job.completed' }>): void {
    this.jobs.push({
      at: e.at, slot: e.slot, vm: e.vm, runnerName: e.runnerName, job: e.job, result: e.result, runnerResult: e.runnerResult,
      seconds: e.seconds, ...(e.imageDigest ? { imageDigest: e.imageDigest } : {}),
    });
    if (this.jobs.length > (this.opts.maxJobs ?? 50)) this.jobs.shift();
  }
}
