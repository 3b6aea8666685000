import { describe, expect, it } from 'vitest';
import { tartFailure, type TartCommand, type TartErrorKind } from '../../../src-main/core/host/tart/tart-errors';
import type { FailureReason } from '../../../src-main/core/errors';

// Exact stderr texts and exit codes of tart.md §3.
const CASES: [TartCommand, number, string, TartErrorKind, FailureReason][] = [
  ['run', 2, 'the specified VM "ekiden-h-0-a" does not exist', 'not-found', 'vm_start_failed'],
  ['delete', 2, 'the specified VM "ekiden-h-0-a" does not exist', 'not-found', 'teardown_failed'],
  ['clone', 2, 'the specified VM "base" does not exist', 'not-found', 'clone_failed'],
  ['run', 1, 'VM is missing some of its files (config.json, disk.img or nvram.bin)', 'missing-files', 'vm_start_failed'],
  ['run', 2, 'VM "ekiden-h-0-a" is already running!', 'already-running', 'vm_already_running'],
  ['stop', 2, 'VM "ekiden-h-0-a" is not running', 'not-running', 'teardown_failed'],
  ['stop', 2, 'VM "VM "ekiden-h-0-a" is not running" is not running', 'not-running', 'teardown_failed'],
  ['delete', 1, 'VM "ekiden-h-0-a" is running', 'is-running', 'teardown_failed'],
  ['run', 1, 'The number of VMs exceeds the system limit', 'vm-limit', 'vm_limit_exceeded'],
  ['run', 1, 'The number of VMs exceeds the system limit (other running VMs: a, b)', 'vm-limit', 'vm_limit_exceeded'],
  ['ip', 1, 'no IP address found, is your VM running?', 'no-ip', 'ip_timeout'],
  ['ip', 1, 'no IP address found (also make sure that Guest agent for Tart is running inside of a VM)', 'no-ip', 'ip_timeout'],
  ['ip', 1, 'no IP address found (not all Linux distributions are compatible with the ARP resolver)', 'no-ip', 'ip_timeout'],
  ['stop', 1, 'failed to forcefully terminate the VM "ekiden-h-0-a": 3', 'other', 'teardown_failed'],
  ['run', 1, 'disk /Volumes/x/disk.img seems to be already in use, unmount it first in Finder', 'other', 'vm_start_failed'],
  ['pull', 1, 'invalid credentials: 401', 'registry-auth', 'registry_auth'],
  ['fqn', 1, "OCI storage error: ghcr.io/cirruslabs/macos-sequoia-base:latest is not a digest and doesn't point to a digest", 'image-not-found', 'image_not_found'],
  ['pull', 1, 'Error: AuthFailed(why: "received unexpected HTTP status code 401 while retrieving an authentication token", details: "{}")', 'registry-auth', 'registry_auth'],
  ['pull', 1, 'Error: UnexpectedHTTPStatusCode(when: "pulling manifest", code: 401, details: "")', 'registry-auth', 'registry_auth'],
  ['clone', 1, 'Error: UnexpectedHTTPStatusCode(when: "pulling manifest", code: 404, details: "")', 'image-not-found', 'image_not_found'],
  ['run', 1, 'Failed to generate keypair', 'keychain-locked', 'keychain_locked'],
  ['run', 1, 'SecKeyCreateRandomKey_ios failed', 'keychain-locked', 'keychain_locked'],
  ['run', 1, 'Interaction is not allowed with the Security Server.', 'keychain-locked', 'keychain_locked'],
  ['pull', 1, 'Keychain returned unsuccessful status -25308', 'keychain-locked', 'keychain_locked'],
  ['clone', 1, 'Error: The operation couldn’t be completed. No space left on device', 'disk-full', 'disk_full'],
  ['set', 1, 'Error: LessThanMinimalResourcesError: VM should have 4 CPU cores at minimum (requested 2)', 'other', 'config_invalid'],
  ['set', 1, 'new disk size of 40 GB should be larger than the current disk size of 50 GB', 'other', 'config_invalid'],
  ['clone', 1, 'TART_HOME is invalid: /x does not exist, yet we can\'t create it: denied', 'other', 'clone_failed'],
  ['pull', 1, 'something unexpected', 'other', 'pull_failed'],
];

describe('tart failures map by exit code and stderr text (tart.md §3, §11)', () => {
  it.each(CASES)('%s exit %i: %s', (command, code, stderr, kind, reason) => {
    const e = tartFailure(command, code, `${stderr}\n`);
    expect(e.kind).toBe(kind);
    expect(e.reason).toBe(reason);
    expect(e.exitCode).toBe(code);
    expect(e.stderrLine).toBe(stderr);
    expect(e.detail).toBe(stderr);
  });

  it('exit 64 is a CLI mismatch that says to check the tart version; the first stderr line is kept', () => {
    const e = tartFailure('run', 64, "Error: Unknown option '--no-graphics'\nUsage: tart run <name> ...\n  See 'tart run --help'.\n");
    expect(e.kind).toBe('cli-mismatch');
    expect(e.reason).toBe('tart_cli_mismatch');
    expect(e.message).toContain('check tart version');
    expect(e.stderrLine).toBe("Error: Unknown option '--no-graphics'");
  });

  it('exit-2 texts do not count under exit 1 ("is running" is not "is not running")', () => {
    expect(tartFailure('stop', 1, 'VM "x" is not running').kind).toBe('other');
    expect(tartFailure('delete', 2, 'VM "x" is running').kind).toBe('other');
  });

  it("skips tart's garbage-collection warning when it precedes the real error", () => {
    const e = tartFailure('run', 1, '\nFailed to perform garbage collection: busy\nThe number of VMs exceeds the system limit\n');
    expect(e.kind).toBe('vm-limit');
    expect(e.stderrLine).toBe('The number of VMs exceeds the system limit');
  });

  it('a failure with no stderr still names the command and exit code', () => {
    const e = tartFailure('clone', 1, '');
    expect(e.kind).toBe('other');
    expect(e.reason).toBe('clone_failed');
    expect(e.message).toBe('tart clone failed: exit 1');
  });
});
