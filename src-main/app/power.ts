// Keeps the Mac from sleeping while a job runs, and re-checks the host after it wakes (leases,
// VMs and SSH sessions may not have survived the sleep).
import type { PowerSaveBlocker } from 'electron';
import type { Logger } from '../core/util/logger';
import type { AppSnapshot } from '../ipc/types';
import { busySlots } from './tray/tray-model';

export interface PowerDeps {
  powerSaveBlocker: Pick<PowerSaveBlocker, 'start' | 'stop'>;
  powerMonitor: { on(event: 'suspend' | 'resume', listener: () => void): unknown };
}

export interface PowerOptions {
  onChange: (listener: (s: AppSnapshot) => void) => () => void;
  reprobe(): void;
  logger: Logger;
}

export interface PowerHandle {
  /** The blocker's id while one is held. */
  readonly blockerId: number | undefined;
  dispose(): void;
}

export function registerPower(deps: PowerDeps, o: PowerOptions): PowerHandle {
  let id: number | undefined;
  const release = () => {
    if (id === undefined) return;
    deps.powerSaveBlocker.stop(id);
    id = undefined;
  };
  const stop = o.onChange((s) => {
    const busy = busySlots(s) > 0;
    if (busy && id === undefined) id = deps.powerSaveBlocker.start('prevent-app-suspension');
    else if (!busy) release();
  });
  deps.powerMonitor.on('suspend', () => o.logger.log('info', 'the Mac is going to sleep', { scope: 'app' }));
  deps.powerMonitor.on('resume', () => o.reprobe());
  return {
    get blockerId() {
      return id;
    },
    dispose() {
      stop();
      release();
    },
  };
}
