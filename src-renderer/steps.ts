// How the window names a cycle's steps, in the order a cycle runs them.
import type { CycleStep } from '../src-main/ipc/types';

/** Every step (the Record keeps the list complete when the core adds one). */
export const STEP_LABELS: Record<CycleStep | 'prepare', string> = {
  prepare: 'prepare',
  pull: 'pull',
  clone: 'clone',
  boot: 'boot',
  ip: 'IP',
  connect: 'connect',
  register: 'register',
  idle: 'waiting for job',
  job: 'job',
  finishing: 'finishing',
  teardown: 'teardown',
};

/** The steps every cycle with a job goes through (a pull only when the image changed). */
export const CYCLE_ORDER: readonly (CycleStep | 'prepare')[] = ['prepare', 'clone', 'boot', 'ip', 'connect', 'register', 'idle', 'job', 'finishing', 'teardown'];
