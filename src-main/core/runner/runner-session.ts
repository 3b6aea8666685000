import { EkidenError } from '../errors';
import type { GuestShell } from '../guest/guest-shell';
import { parseRunnerLine, type RunnerMarker } from '../guest/runner-output';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import type { RunnerLauncher } from './ports';

type Waiter = { match: (m: RunnerMarker) => boolean; resolve: (m: RunnerMarker) => void };

/** Lines that end a runner's usefulness before its job: the VM must go (github.md §6.3, field-failures #31-34). */
function terminalFailure(marker: RunnerMarker): EkidenError | null {
  switch (marker.kind) {
    case 'registration-deleted':
      return new EkidenError('registration_deleted', 'The runner registration was deleted on GitHub; recycling the VM.', marker.line);
    case 'session-conflict':
      return new EkidenError('session_conflict', 'A session for this runner already exists (JIT config reused); recycling with a new name.', marker.line);
    case 'deprecated':
      return new EkidenError(
        'runner_deprecated',
        'The runner in the image is too old for GitHub: rebuild the image with a current actions runner, or allow self-update.',
        marker.line,
      );
    case 'registration-token-invalid':
      // One cycle's token, not the host's credentials: fail this cycle only (no host-wide pause).
      return new EkidenError('registration_deleted', 'Registration token expired or invalid; a fresh one is minted next cycle.', marker.line);
    default:
      return null;
  }
}

/**
 * Follows one runner in one guest: its output lines (re-attaching after a dropped SSH connection
 * without losing or repeating a line), its markers, and its exit. The runner process in the guest
 * is the authority; the SSH connection only observes it.
 */
export class RunnerSession {
  private offset = 0;
  private readonly seen: RunnerMarker[] = [];
  private waiters: Waiter[] = [];
  private jobDone = false;
  private failureHandler: ((e: EkidenError) => void) | undefined;
  readonly exited: Promise<number | null>;
  private resolveExit!: (code: number | null) => void;

  constructor(
    private shell: GuestShell,
    private readonly deps: {
      launcher: RunnerLauncher;
      reconnect: (signal: AbortSignal) => Promise<GuestShell>;
      onLine: (line: string, marker: RunnerMarker | null) => void;
      clock: Clock;
      logger: Logger;
    },
  ) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  /** Called once with the first terminal failure line seen before the job completed. */
  onFailure(handler: (e: EkidenError) => void): void {
    this.failureHandler = handler;
  }

  get currentShell(): GuestShell {
    return this.shell;
  }

  /** Follows the output until the runner exits or `signal` aborts. Never rejects on a drop. */
  async follow(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let result;
      try {
        result = await this.deps.launcher.attach(this.shell, this.offset, (line) => this.handleLine(line), signal);
      } catch (error) {
        if (signal.aborted) return;
        result = { kind: 'dropped' as const, offset: this.offset, error };
      }
      this.offset = result.offset;
      if (result.kind === 'exited') {
        // run.sh exits 0 for almost every outcome (github.md §6.2): logged, never used to classify.
        this.deps.logger.log('info', `run.sh exited with code ${result.exitCode ?? 'unknown (killed)'}`, { source: 'host' });
        this.resolveExit(result.exitCode);
        return;
      }
      if (signal.aborted) return;
      this.deps.logger.log('warn', `guest connection dropped; re-attaching to the runner output at byte ${this.offset}`, { source: 'host' });
      await this.shell.close().catch(() => {});
      this.shell = await this.deps.reconnect(signal);
    }
  }

  private handleLine(line: string): void {
    const marker = parseRunnerLine(line);
    this.deps.onLine(line, marker);
    if (!marker) return;
    this.seen.push(marker);
    if (marker.kind === 'job-completed') this.jobDone = true;
    const failure = this.jobDone ? null : terminalFailure(marker);
    if (failure) this.failureHandler?.(failure);
    const still: Waiter[] = [];
    for (const w of this.waiters) (w.match(marker) ? w.resolve(marker) : still.push(w));
    this.waiters = still;
  }

  /** Resolves with the first marker (already seen or future) that matches. */
  waitFor<K extends RunnerMarker['kind']>(kind: K | K[], signal: AbortSignal): Promise<Extract<RunnerMarker, { kind: K }>> {
    const kinds = Array.isArray(kind) ? kind : [kind];
    const match = (m: RunnerMarker) => (kinds as string[]).includes(m.kind);
    const hit = this.seen.find(match);
    if (hit) return Promise.resolve(hit as Extract<RunnerMarker, { kind: K }>);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { match, resolve: resolve as (m: RunnerMarker) => void };
      this.waiters.push(waiter);
      signal.addEventListener(
        'abort',
        () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  hasSeen(kind: RunnerMarker['kind']): boolean {
    return this.seen.some((m) => m.kind === kind);
  }
}
