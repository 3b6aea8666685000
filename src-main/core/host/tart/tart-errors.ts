import { EkidenError, type FailureReason } from '../../errors';

/** What went wrong, as far as tart's exit code and stderr tell (tart.md §3, §11). */
export type TartErrorKind =
  | 'not-found' | 'not-running' | 'already-running' | 'is-running' | 'vm-limit' | 'missing-files' | 'no-ip'
  | 'cli-mismatch' | 'registry-auth' | 'image-not-found' | 'keychain-locked' | 'disk-full' | 'tart-missing'
  | 'timeout' | 'other';

/** The tart subcommands the driver runs; the command decides the reason of an untyped failure. */
export type TartCommand = 'version' | 'pull' | 'fqn' | 'clone' | 'set' | 'run' | 'ip' | 'stop' | 'delete' | 'list' | 'get' | 'prune';

export class TartError extends EkidenError {
  override readonly name = 'TartError';
  constructor(
    readonly kind: TartErrorKind,
    reason: FailureReason,
    message: string,
    readonly command: TartCommand,
    readonly exitCode: number | null,
    /** The first stderr line, verbatim, for the UI. */
    readonly stderrLine: string,
    options?: { cause?: unknown },
  ) {
    super(reason, message, stderrLine || undefined, options);
  }
}

export function isTartError(e: unknown, kind?: TartErrorKind): e is TartError {
  return e instanceof TartError && (kind === undefined || e.kind === kind);
}

/** The reason of a failure that has no dedicated kind, by the command that failed. */
const COMMAND_REASON: Record<TartCommand, FailureReason> = {
  version: 'tart_cli_mismatch',
  pull: 'pull_failed',
  fqn: 'pull_failed',
  clone: 'clone_failed',
  set: 'clone_failed',
  run: 'vm_start_failed',
  ip: 'ip_timeout',
  stop: 'teardown_failed',
  delete: 'teardown_failed',
  list: 'vm_start_failed',
  get: 'vm_start_failed',
  prune: 'pull_failed',
};

interface Rule {
  kind: TartErrorKind;
  test: RegExp;
  /** Only for these exit codes (default: any non-zero). */
  codes?: number[];
  reason: FailureReason | ((command: TartCommand) => FailureReason);
  advice: string;
}

/** Ordered: the first rule whose exit code and stderr text match wins. */
const RULES: Rule[] = [
  { kind: 'not-found', codes: [2], test: /^the specified VM ".*" does not exist$/, reason: (c) => COMMAND_REASON[c], advice: 'the VM does not exist' },
  { kind: 'already-running', codes: [2], test: /^VM ".*" is already running!$/, reason: 'vm_already_running', advice: 'the VM is already running' },
  { kind: 'not-running', codes: [2], test: /^VM ".*" is not running$/, reason: (c) => COMMAND_REASON[c], advice: 'the VM is not running' },
  { kind: 'vm-limit', test: /^The number of VMs exceeds the system limit/, reason: 'vm_limit_exceeded', advice: 'macOS allows 2 VMs per host: stop other VMs, or reboot the host if none run' },
  { kind: 'keychain-locked', test: /SecKeyCreateRandomKey_ios failed|Failed to generate keypair|Interaction is not allowed with the Security Server|Keychain returned unsuccessful status -25308|User interaction is not allowed/, reason: 'keychain_locked', advice: 'unlock the login keychain (log in to the Mac, or `security unlock-keychain login.keychain`)' },
  { kind: 'is-running', codes: [1], test: /^VM ".*" is running$/, reason: (c) => COMMAND_REASON[c], advice: 'the VM is still running; stop it first' },
  { kind: 'missing-files', test: /^VM is missing some of its files/, reason: (c) => COMMAND_REASON[c], advice: 'the VM directory is incomplete; delete it' },
  { kind: 'no-ip', test: /^no IP address found/, reason: 'ip_timeout', advice: 'the VM got no IP address in time' },
  { kind: 'registry-auth', test: /AuthFailed\(|code: 401\b|invalid credentials:/, reason: 'registry_auth', advice: 'the registry refused the credentials: check the registry username and password' },
  { kind: 'image-not-found', test: /code: 404\b|is not a digest and doesn't point to a digest/, reason: 'image_not_found', advice: 'the image does not exist: check the image reference' },
  { kind: 'disk-full', test: /no space left on device|not enough (?:free )?space|isn.t enough space|ENOSPC|disk is full/i, reason: 'disk_full', advice: 'the disk is full: free space or lower the cache budget' },
];

const GC_NOISE = /^Failed to perform garbage collection: /;

/**
 * Maps a failed tart call to a typed error (tart.md §11): exit 2 and 1 by stderr text,
 * 64 as a CLI mismatch, anything unknown by the command that failed.
 */
export function tartFailure(command: TartCommand, exitCode: number | null, stderr: string): TartError {
  const lines = stderr.split(/\r?\n/).filter((l) => l.trim() !== '');
  // tart's GC warning precedes the real error and says nothing about it (tart.md §1 "GC").
  const first = lines.find((l) => !GC_NOISE.test(l)) ?? lines[0] ?? '';
  if (exitCode === 64) {
    return new TartError('cli-mismatch', 'tart_cli_mismatch', `tart rejected the command line (exit 64): check tart version; ${first}`, command, exitCode, first);
  }
  for (const rule of RULES) {
    if (rule.codes && (exitCode === null || !rule.codes.includes(exitCode))) continue;
    // A bare `Error: ` prefix is ArgumentParser's; the text after it is tart's.
    const hit = lines.find((l) => rule.test.test(l.replace(/^Error: /, '')));
    if (!hit) continue;
    const reason = typeof rule.reason === 'function' ? rule.reason(command) : rule.reason;
    return new TartError(rule.kind, reason, `tart ${command}: ${rule.advice} (${hit})`, command, exitCode, first);
  }
  const shown = first || `exit ${exitCode}`;
  return new TartError('other', otherReason(command, first), `tart ${command} failed: ${shown}`, command, exitCode, first);
}

/** `set` below the image's minimums or shrinking the disk is a configuration problem, not a tart one. */
function otherReason(command: TartCommand, line: string): FailureReason {
  if (command === 'set' && /at minimum \(requested|should be larger than the current disk size/.test(line)) return 'config_invalid';
  return COMMAND_REASON[command];
}

export function tartTimeout(command: TartCommand, ms: number): TartError {
  return new TartError('timeout', COMMAND_REASON[command], `tart ${command} did not finish within ${Math.round(ms / 1000)} s and was killed`, command, null, '');
}

export function tartMissing(command: TartCommand, tartPath: string, cause?: unknown): TartError {
  return new TartError('tart-missing', 'tart_missing', `tart not found at ${tartPath}: install Tart (brew install cirruslabs/cli/tart) or fix the tart path`, command, null, '', { cause });
}
