// Each slot's current cycle as a timeline of steps, folded from the bus: which steps ended (with
// their time and outcome), which one runs now and since when. The window shows it live on the slot
// card and keeps the finished cycle's steps with each job in History. It records nothing the
// events do not carry.
import type { EventBus } from '../events/bus';
import type { CycleOutcome, EkidenEvent, Phase, PhaseOutcome, SlotState } from '../events/types';

/** The timed phases of a cycle plus the job itself, which runs between `idle` and `finishing`. */
export type CycleStep = Phase | 'job';

export interface StepTiming {
  step: CycleStep;
  outcome: PhaseOutcome;
  seconds: number;
  endedAt: number;
}

export interface CycleTimeline {
  slot: number;
  vm?: string;
  startedAt: number;
  /** Steps that ended, in the order they ended. */
  done: StepTiming[];
  /** The step under way and when it began; `prepare` is the image check and the wait for a guest place. */
  current?: { step: CycleStep | 'prepare'; since: number };
  /** Set when the cycle ended; the timeline stays until the slot's next cycle starts. */
  ended?: { at: number; outcome: CycleOutcome };
}

/** The step a slot state means (`connecting` starts with the address, then the login). */
const STEP_OF_STATE: Partial<Record<SlotState, CycleStep | 'prepare'>> = {
  preparing: 'prepare',
  cloning: 'clone',
  booting: 'boot',
  connecting: 'ip',
  registering: 'register',
  listening: 'idle',
  running: 'job',
  finishing: 'finishing',
  'tearing-down': 'teardown',
};

/** The step that follows a phase within the same slot state. */
const NEXT_IN_STATE: Partial<Record<Phase, CycleStep | 'prepare'>> = { pull: 'prepare', ip: 'connect' };

export class CycleTimelines {
  private readonly bySlot = new Map<number, CycleTimeline>();
  /** Slot -> when its running job started, until the job step is recorded. */
  private readonly jobStarts = new Map<number, number>();

  /** The current (or, between cycles, the last) cycle of each slot, by slot number. */
  all(): CycleTimeline[] {
    return [...this.bySlot.values()].sort((a, b) => a.slot - b.slot);
  }

  of(slot: number): CycleTimeline | undefined {
    return this.bySlot.get(slot);
  }

  apply(e: EkidenEvent): void {
    switch (e.type) {
      case 'slot.state': {
        const step = STEP_OF_STATE[e.state];
        if (e.state === 'preparing') {
          this.jobStarts.delete(e.slot);
          this.bySlot.set(e.slot, { slot: e.slot, vm: e.vm, startedAt: e.at, done: [], current: { step: 'prepare', since: e.at } });
          return;
        }
        if (!step) return;
        const c = this.open(e.slot, e.at, e.vm);
        // Stop-now during a job: the job ends without the runner's completion line.
        if (e.state === 'tearing-down') this.endJob(c, 'cancelled', e.at);
        c.current = { step, since: e.at };
        return;
      }
      case 'phase.completed': {
        const c = this.open(e.slot, e.at - e.seconds * 1000, e.vm);
        c.done.push({ step: e.phase, outcome: e.outcome, seconds: e.seconds, endedAt: e.at });
        const next = NEXT_IN_STATE[e.phase];
        if (next && c.current?.step === (e.phase === 'pull' ? 'prepare' : e.phase)) c.current = { step: next, since: e.at };
        return;
      }
      case 'job.started': {
        const c = this.open(e.slot, e.at, e.vm);
        this.jobStarts.set(e.slot, e.at);
        c.current = { step: 'job', since: e.at };
        return;
      }
      case 'job.completed': {
        const c = this.open(e.slot, e.at - e.seconds * 1000, e.vm);
        this.jobStarts.delete(e.slot);
        c.done.push({ step: 'job', outcome: 'ok', seconds: e.seconds, endedAt: e.at });
        return;
      }
      case 'failure': {
        // A job cut short by a failure (timeout, crash, lost guest) ends at the failure.
        const c = e.slot === undefined ? undefined : this.bySlot.get(e.slot);
        if (c && !c.ended) this.endJob(c, e.reason === 'job_timeout' ? 'timeout' : 'error', e.at);
        return;
      }
      case 'cycle.completed': {
        const c = this.open(e.slot, e.at - e.seconds * 1000, e.vm);
        c.startedAt = e.at - e.seconds * 1000;
        c.current = undefined;
        c.ended = { at: e.at, outcome: e.outcome };
        this.jobStarts.delete(e.slot);
        return;
      }
    }
  }

  follow(bus: EventBus): () => void {
    return bus.subscribe((e) => this.apply(e));
  }

  /** The slot's cycle under way; a new one when the last one ended or none was seen starting. */
  private open(slot: number, startedAt: number, vm: string | undefined): CycleTimeline {
    let c = this.bySlot.get(slot);
    if (!c || c.ended) {
      c = { slot, startedAt, done: [] };
      this.bySlot.set(slot, c);
    }
    c.vm ??= vm;
    return c;
  }

  private endJob(c: CycleTimeline, outcome: PhaseOutcome, at: number): void {
    const started = this.jobStarts.get(c.slot);
    if (started === undefined) return;
    this.jobStarts.delete(c.slot);
    c.done.push({ step: 'job', outcome, seconds: (at - started) / 1000, endedAt: at });
  }
}
