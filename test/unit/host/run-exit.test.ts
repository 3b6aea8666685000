import { describe, expect, it } from 'vitest';
import { classifyRunExit } from '../../../src-main/core/host/tart/run-exit';
import { TartError } from '../../../src-main/core/host/tart/tart-errors';
import type { FailureReason } from '../../../src-main/core/errors';

type Row = [string, { code: number | null; signal?: string; stdout?: string[]; stderr?: string[] }, boolean, FailureReason | undefined, string | undefined];

// `tart run` endings from tart.md §4 (run) and §9.5.
const ROWS: Row[] = [
  ['guest shuts itself down', { code: 0, stdout: ['guest has stopped the virtual machine'] }, true, undefined, 'guest has stopped the virtual machine'],
  ['tart stop (SIGINT)', { code: 0, stdout: ['Stopping VM...'] }, true, undefined, 'Stopping VM...'],
  [
    'VZ stops the VM with an error (exit 0!)',
    { code: 0, stdout: ['guest has stopped the virtual machine due to error: Internal Virtualization error.'] },
    false, 'vm_error_stop', 'guest has stopped the virtual machine due to error: Internal Virtualization error.',
  ],
  [
    'network attachment lost (exit 0!)',
    { code: 0, stdout: ["virtual machine's network attachment <VZVirtioNetworkDeviceConfiguration> has been disconnected with error: vmnet stopped"] },
    false, 'vm_error_stop', "virtual machine's network attachment <VZVirtioNetworkDeviceConfiguration> has been disconnected with error: vmnet stopped",
  ],
  ['VM limit', { code: 1, stderr: ['The number of VMs exceeds the system limit (other running VMs: a, b)'] }, false, 'vm_limit_exceeded', 'The number of VMs exceeds the system limit (other running VMs: a, b)'],
  ['already running', { code: 2, stderr: ['VM "ekiden-h-0-a" is already running!'] }, false, 'vm_already_running', 'VM "ekiden-h-0-a" is already running!'],
  ['keychain locked', { code: 1, stderr: ['Failed to generate keypair: Interaction is not allowed with the Security Server.'] }, false, 'keychain_locked', undefined],
  ['VM missing', { code: 2, stderr: ['the specified VM "ekiden-h-0-a" does not exist'] }, false, 'vm_start_failed', undefined],
  ['other start failure', { code: 1, stderr: ['disk /x seems to be already in use, unmount it first in Finder'] }, false, 'vm_start_failed', 'disk /x seems to be already in use, unmount it first in Finder'],
  ['killed by a signal', { code: null, signal: 'SIGKILL' }, false, 'vm_exited_unexpectedly', 'signal SIGKILL'],
  ['suspend failed', { code: 1, stdout: ['Failed to suspend the VM: not suspendable'] }, false, 'vm_start_failed', 'exit 1'],
];

describe('classifyRunExit', () => {
  it.each(ROWS)('%s', (_name, run, clean, reason, why) => {
    const exit = classifyRunExit({ code: run.code, signal: run.signal ?? null, stdout: run.stdout ?? [], stderr: run.stderr ?? [] });
    expect(exit.clean).toBe(clean);
    expect(exit.code).toBe(run.code);
    if (reason) {
      expect(exit.error).toBeInstanceOf(TartError);
      expect((exit.error as TartError).reason).toBe(reason);
    } else {
      expect(exit.error).toBeUndefined();
    }
    if (why) expect(exit.reason).toBe(why);
  });
});
