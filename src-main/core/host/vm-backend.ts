/**
 * The VM backend: everything the run loop asks of the host's virtualisation.
 * Implemented by the tart CLI driver (host/tart/); a remote controller can implement it later.
 */
export interface VmInfo {
  name: string;
  source: 'local' | 'oci';
  running: boolean;
  state: 'running' | 'suspended' | 'stopped';
  sizeGb: number;
  diskGb: number;
  accessed: string;
}

export interface VmConfigureOptions {
  randomMac: boolean;
  cpu?: number;
  memoryMb?: number;
  diskSizeGb?: number;
}

export interface VmDirMount {
  name: string;
  hostPath: string;
  readOnly: boolean;
}

export interface VmStartOptions {
  dirs?: VmDirMount[];
  extraArgs?: string[];
  /** Every stdout/stderr line of the supervised `tart run` child, as printed. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** Why a running VM's process ended. `clean` is true only for a plain guest shutdown. */
export interface VmExit {
  code: number | null;
  signal: string | null;
  clean: boolean;
  /** The tart line that explains the end (e.g. "guest has stopped the virtual machine due to error: ..."). */
  reason?: string;
  /** Typed failure when the exit is not clean. */
  error?: Error;
}

export interface VmHandle {
  name: string;
  pid: number | undefined;
  /** Settles when `tart run` exits; never rejects. */
  exited: Promise<VmExit>;
  /** SIGKILL our own child (last resort in teardown). */
  kill(): void;
}

export interface PullResult {
  changed: boolean;
  lines: string[];
}

export interface VmBackend {
  version(): Promise<string>;
  pull(ref: string, opts?: { signal?: AbortSignal; onLine?: (line: string) => void }): Promise<PullResult>;
  /** The digest-qualified name of a cached image (`host/ns@sha256:...`). */
  fqn(ref: string): Promise<string>;
  clone(source: string, name: string, opts?: { signal?: AbortSignal }): Promise<void>;
  configure(name: string, opts: VmConfigureOptions): Promise<void>;
  start(name: string, opts?: VmStartOptions): VmHandle;
  /** The VM's MAC address as configured (used to confirm the guest's identity). */
  macAddress(name: string): Promise<string>;
  ip(name: string, opts: { waitSeconds: number; resolver?: 'dhcp' | 'arp' | 'agent'; signal?: AbortSignal }): Promise<string>;
  /** Idempotent: a VM that is not running counts as stopped. */
  stop(name: string, opts?: { timeoutSeconds?: number }): Promise<void>;
  /** Idempotent: a VM that does not exist counts as deleted. */
  delete(name: string): Promise<void>;
  list(): Promise<VmInfo[]>;
  prune(opts: { spaceBudgetGb?: number; olderThanDays?: number }): Promise<void>;
}
