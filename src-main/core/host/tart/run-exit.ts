// Why `tart run` ended (tart.md §4 `run`, §9.5): exit 0 is not always a clean end.
import type { VmExit } from '../vm-backend';
import { TartError, tartFailure } from './tart-errors';

const ERROR_STOP = /^guest has stopped the virtual machine due to error/;
const NET_LOST = /^virtual machine's network attachment .* has been disconnected/;
const GUEST_STOP = /^guest has stopped the virtual machine$/;

export interface RunOutcome {
  code: number | null;
  signal: string | null;
  stdout: string[];
  stderr: string[];
}

export function classifyRunExit(run: RunOutcome): VmExit {
  const { code, signal } = run;
  const failureLine = run.stdout.find((l) => ERROR_STOP.test(l) || NET_LOST.test(l));
  if (code === 0) {
    if (failureLine) {
      const error = new TartError('other', 'vm_error_stop', `the VM stopped with an error: ${failureLine}`, 'run', 0, failureLine);
      return { code, signal, clean: false, reason: failureLine, error };
    }
    return { code, signal, clean: true, reason: run.stdout.find((l) => GUEST_STOP.test(l)) ?? run.stdout.at(-1) };
  }
  if (code === null) {
    const line = run.stderr[0] ?? failureLine ?? '';
    const error = new TartError('other', 'vm_exited_unexpectedly', `tart run ended by signal ${signal ?? 'unknown'}`, 'run', null, line);
    return { code, signal, clean: false, reason: line || `signal ${signal}`, error };
  }
  const error = tartFailure('run', code, run.stderr.join('\n'));
  return { code, signal, clean: false, reason: error.stderrLine || failureLine || `exit ${code}`, error };
}
