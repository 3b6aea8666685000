// Quit never leaves a VM or a runner registration behind. With jobs running it asks: wait for them
// (idle runners are removed now, nothing new starts) or stop now (jobs cancelled, VMs deleted).
// Cmd-Q, the tray's Quit and a logout all come through before-quit.
import type { App, Dialog, Event } from 'electron';
import type { Logger } from '../core/util/logger';
import type { AppSnapshot } from '../ipc/types';
import { busySlots } from './tray/tray-model';

export interface QuitDeps {
  app: Pick<App, 'quit'> & { on(event: 'before-quit', listener: (event: Pick<Event, 'preventDefault'>) => void): unknown };
  dialog: Pick<Dialog, 'showMessageBox'>;
}

export interface QuitOptions {
  snapshot(): AppSnapshot;
  shutdown(how: 'drain' | 'now'): Promise<void>;
  /** Called when quitting starts (the tray shows it) and when it is cancelled. */
  changed(): void;
  logger: Logger;
}

export interface QuitHandle {
  isQuitting(): boolean;
  /** Asks (when jobs run), then drains or stops, then quits. */
  requestQuit(): Promise<void>;
  /** While waiting for jobs: cancel them and quit now. */
  stopNowAndQuit(): Promise<void>;
  /** Resolves when everything is shut down and app.quit() was called. */
  readonly done: Promise<void>;
}

export const QUIT_BUTTONS = ['Wait for Jobs', 'Stop Now', 'Cancel'] as const;

export function registerQuit(deps: QuitDeps, o: QuitOptions): QuitHandle {
  let phase: 'running' | 'asking' | 'stopping' | 'done' = 'running';
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));

  const stop = async (how: 'drain' | 'now') => {
    phase = 'stopping';
    o.changed();
    o.logger.log('info', how === 'drain' ? 'quitting after running jobs finish' : 'quitting now: cancelling jobs', { scope: 'app' });
    try {
      await o.shutdown(how);
    } catch (e) {
      o.logger.log('error', `shutdown failed: ${(e as Error).message}`, { scope: 'app' });
    }
    phase = 'done';
    deps.app.quit();
    finished();
  };

  const requestQuit = async () => {
    if (phase !== 'running') return;
    phase = 'asking';
    const jobs = busySlots(o.snapshot());
    let how: 'drain' | 'now' = 'drain';
    if (jobs > 0) {
      const { response } = await deps.dialog.showMessageBox({
        type: 'question',
        buttons: [...QUIT_BUTTONS],
        defaultId: 0,
        cancelId: 2,
        message: jobs === 1 ? 'A job is running' : `${jobs} jobs are running`,
        detail:
          'Wait for Jobs: Ekiden quits when they finish; idle runners are removed now and nothing new starts.\n' +
          'Stop Now: the jobs are cancelled and their VMs deleted.',
      });
      if (response === 2) {
        phase = 'running';
        o.changed();
        return;
      }
      how = response === 1 ? 'now' : 'drain';
    }
    await stop(how);
  };

  deps.app.on('before-quit', (event) => {
    if (phase === 'done') return;
    event.preventDefault();
    void requestQuit();
  });

  return {
    isQuitting: () => phase === 'stopping' || phase === 'done',
    requestQuit,
    async stopNowAndQuit() {
      if (phase === 'done') return;
      await o.shutdown('now');
    },
    done,
  };
}
