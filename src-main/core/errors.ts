/**
 * Typed failure reasons: the closed set of telemetry.md §4.2. The same strings appear in logs,
 * metrics (`error.type`) and the UI.
 */
export const FAILURE_REASONS = {
  tart: [
    'tart_missing', 'tart_cli_mismatch', 'clone_failed', 'vm_limit_exceeded', 'vm_already_running',
    'vm_start_failed', 'vm_error_stop', 'vm_exited_unexpectedly', 'keychain_locked', 'teardown_failed',
  ],
  image: ['pull_failed', 'registry_auth', 'image_not_found', 'disk_full'],
  guest: [
    'ip_timeout', 'ip_identity_mismatch', 'local_network_denied', 'ssh_refused', 'ssh_auth', 'ssh_timeout',
    'ssh_dropped', 'guest_network',
  ],
  github: [
    'github_auth', 'github_permission', 'github_not_found', 'github_rate_limited', 'github_5xx', 'jit_conflict',
    'runner_delete_busy',
  ],
  runner: [
    'runner_register_timeout', 'registration_deleted', 'session_conflict', 'runner_deprecated', 'runner_crashed',
    'job_timeout', 'finishing_timeout',
  ],
  host: ['host_reboot_needed', 'config_invalid'],
} as const;

export type FailureComponent = keyof typeof FAILURE_REASONS;
export type FailureReason = (typeof FAILURE_REASONS)[FailureComponent][number];

export function componentOf(reason: FailureReason): FailureComponent {
  for (const [component, reasons] of Object.entries(FAILURE_REASONS)) {
    if ((reasons as readonly string[]).includes(reason)) return component as FailureComponent;
  }
  throw new Error(`unknown failure reason ${reason}`);
}

/**
 * Failures that are about the host, not one slot: reported once, and all slots pause until the
 * operator fixes the cause (or a periodic re-check finds it fixed).
 */
export const HOST_WIDE_REASONS: ReadonlySet<FailureReason> = new Set<FailureReason>([
  'tart_missing', 'tart_cli_mismatch', 'keychain_locked', 'registry_auth', 'image_not_found', 'disk_full',
  'local_network_denied', 'github_auth', 'github_permission', 'github_not_found', 'host_reboot_needed',
  'config_invalid', 'runner_deprecated',
]);

/** An error with a typed reason, a message that tells the operator what to do, and the raw cause. */
export class EkidenError extends Error {
  override readonly name: string = 'EkidenError';
  /** About the host rather than one slot, although the reason alone is not (e.g. an IP timeout from a full DHCP pool). */
  readonly hostWide: boolean;
  constructor(
    readonly reason: FailureReason,
    message: string,
    readonly detail?: string,
    options?: { cause?: unknown; hostWide?: boolean },
  ) {
    super(message, options);
    this.hostWide = options?.hostWide ?? false;
  }
}

export function isEkidenError(e: unknown): e is EkidenError {
  return e instanceof Error && typeof (e as EkidenError).reason === 'string' && 'detail' in (e as object);
}
