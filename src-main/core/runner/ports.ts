import type { JobDetails } from '../guest/job-message';
import type { EventBus } from '../events/bus';
import type { GitHubClient } from '../github/github-client';
import type { GuestConnector, GuestShell, GuestTarget } from '../guest/guest-shell';
import type { VmBackend } from '../host/vm-backend';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';

/** How the runner is started in a guest and followed from the host (guest/runner-control.ts). */
export interface RunnerLauncher {
  /** Starts run.sh detached, the JIT config going in over stdin only. */
  startJit(shell: GuestShell, encodedJitConfig: string): Promise<void>;
  /** Registration-token fallback: config.sh (token over stdin) then run.sh, detached. */
  startWithToken(shell: GuestShell, req: TokenRegistration): Promise<void>;
  /**
   * Streams the runner's output from byte `fromOffset` until the runner exits. Resolves with the exit
   * code when it exited, or `dropped` when the connection went away first (re-attach from `offset`).
   */
  attach(shell: GuestShell, fromOffset: number, onLine: (line: string) => void, signal: AbortSignal): Promise<AttachResult>;
  /** The guest's MAC address (en0), to prove we reached the VM we started. */
  guestMac(shell: GuestShell): Promise<string>;
  /** The running job's repository and run, from the runner's diagnostics; undefined until the worker wrote them. */
  jobDetails?(shell: GuestShell): Promise<JobDetails | undefined>;
  /** Asks the runner to stop (its running job ends Canceled and it deregisters). */
  interrupt?(shell: GuestShell): Promise<void>;
}

export interface TokenRegistration {
  url: string;
  token: string;
  name: string;
  labels: string[];
  group: string;
  workFolder: string;
  disableUpdate: boolean;
}

export type AttachResult = { kind: 'exited'; exitCode: number | null; offset: number } | { kind: 'dropped'; offset: number };

/** Redaction registry (telemetry/redact.ts). */
export interface SecretRegistry {
  register(value: string): void;
  unregister(value: string): void;
}

export interface SlotTimeouts {
  pull: number;
  clone: number;
  boot: number;
  ip: number;
  connect: number;
  register: number;
  idle: number;
  job: number;
  finishing: number;
  stop: number;
  delete: number;
}

export interface SlotSettings {
  hostId: string;
  labels: string[];
  runnerGroup: string;
  workFolder: string;
  registration: 'jit' | 'token';
  disableUpdate: boolean;
  vm: { randomMac: boolean; cpu?: number; memoryMb?: number; diskSizeGb?: number; dirs: { name: string; hostPath: string; readOnly: boolean }[]; extraRunArgs: string[] };
  guest: Omit<GuestTarget, 'host' | 'knownHostsFile'> & { ipResolver: 'dhcp' | 'agent' };
  timeouts: SlotTimeouts;
  /** Where per-VM throwaway known-hosts files live. */
  stateDir: string;
  /** How often a listening runner's registration is re-checked with GitHub (s). */
  livenessIntervalSeconds: number;
  /** bootpd's lease file, read after an IP timeout to tell a full address pool (host-wide) from a slow guest. */
  dhcpLeasesFile?: string;
}

export interface SlotDeps {
  backend: VmBackend;
  connector: GuestConnector;
  github: GitHubClient;
  launcher: RunnerLauncher;
  secrets: SecretRegistry;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
}
