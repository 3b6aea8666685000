import type { Phase } from '../events/types';
import type { GuestShell } from '../guest/guest-shell';
import type { JobDetails } from '../guest/job-message';
import type { VmHandle } from '../host/vm-backend';
import type { RunnerSession } from './runner-session';

/** Ends a cycle without counting a failure: the operator paused (drain) or stopped the host. */
export class CycleCancelled extends Error {
  override readonly name = 'CycleCancelled';
  constructor(readonly why: 'drain' | 'stop') {
    super(why === 'drain' ? 'draining: this cycle ends without a job' : 'stopped by the operator');
  }
}

/** Everything one cycle created, so teardown can undo exactly that (and nothing else). */
export class CycleContext {
  readonly controller = new AbortController();
  /** Stops following the runner's output (teardown) without aborting the cycle's bookkeeping. */
  readonly followController = new AbortController();
  readonly startedAt: number;
  cloneStarted = false;
  handle: VmHandle | undefined;
  shell: GuestShell | undefined;
  session: RunnerSession | undefined;
  runner: { id?: number; name: string } | undefined;
  secrets: string[] = [];
  imageDigest: string | undefined;
  reserved = false;
  tearingDown = false;
  jobStarted = false;
  /** Where the running job comes from, once the runner's diagnostics said. */
  jobDetails: JobDetails | undefined;
  /** Ekiden is deleting the idle runner's registration: the runner saying so is expected, not a failure. */
  deregistering = false;
  /** The first timed phase that ended in an error, for the failure's `ekiden.phase`. */
  failedPhase: Phase | undefined;

  constructor(
    readonly vm: string,
    startedAt: number,
  ) {
    this.startedAt = startedAt;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Aborts the cycle with `reason`, unless it is already aborting or tearing down. */
  abort(reason: Error): void {
    if (!this.controller.signal.aborted && !this.tearingDown) this.controller.abort(reason);
  }
}
