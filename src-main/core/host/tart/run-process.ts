// Runs one short-lived command to its end with node:child_process: the tart commands of a cycle.
// Each cycle runs about ten of them; execa's per-call machinery (option normalisation, stream
// transforms, command formatting) cost Ekiden more CPU than its own orchestration did.
import { spawn } from 'node:child_process';

export interface RunOptions {
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Polite signal on timeout or abort; SIGKILL follows after `forceKillAfterMs`. */
  killSignal: NodeJS.Signals;
  forceKillAfterMs: number;
  /** Called for each stdout line (without its newline) as it arrives. */
  onStdoutLine?: (line: string) => void;
}

export type RunOutcome =
  | { kind: 'exited'; exitCode: number; stdout: string; stderr: string }
  | { kind: 'signalled'; signal: NodeJS.Signals | null; stdout: string; stderr: string }
  | { kind: 'timed-out' }
  | { kind: 'aborted' }
  | { kind: 'spawn-failed'; code: string | undefined; error: Error };

const stripFinalNewline = (s: string): string => s.replace(/\r?\n$/, '');

export function runProcess(file: string, args: string[], o: RunOptions): Promise<RunOutcome> {
  return new Promise<RunOutcome>((resolve) => {
    if (o.signal?.aborted) return resolve({ kind: 'aborted' });
    const child = spawn(file, args, { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    let ending: 'timed-out' | 'aborted' | undefined;
    let forceKill: NodeJS.Timeout | undefined;
    const stop = (why: 'timed-out' | 'aborted') => {
      if (ending || child.exitCode !== null || child.signalCode !== null) return;
      ending = why;
      child.kill(o.killSignal);
      forceKill = setTimeout(() => child.kill('SIGKILL'), o.forceKillAfterMs);
    };
    const timer = setTimeout(() => stop('timed-out'), o.timeoutMs);
    const onAbort = () => stop('aborted');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (!o.onStdoutLine) return;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        o.onStdoutLine(pending.slice(0, nl).replace(/\r$/, ''));
        pending = pending.slice(nl + 1);
      }
    });
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    const finish = (outcome: RunOutcome) => {
      clearTimeout(timer);
      clearTimeout(forceKill);
      o.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      // Only a failed spawn reports here without a later 'close'.
      if (child.pid === undefined) finish({ kind: 'spawn-failed', code: error.code, error });
    });
    child.once('close', (code, signal) => {
      if (o.onStdoutLine && pending) o.onStdoutLine(pending);
      if (ending) return finish({ kind: ending });
      if (code === null) return finish({ kind: 'signalled', signal, stdout: stripFinalNewline(stdout), stderr: stripFinalNewline(stderr) });
      finish({ kind: 'exited', exitCode: code, stdout: stripFinalNewline(stdout), stderr: stripFinalNewline(stderr) });
    });
  });
}
