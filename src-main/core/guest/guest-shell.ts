/** A command channel into a running guest. Implemented over SSH now (ssh2); `tart exec` later. */
export interface ExecOptions {
  /** Written to the command's stdin, then EOF. The only way secrets reach the guest. */
  stdin?: string;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ExecResult {
  /** null when the channel closed without an exit status (e.g. the connection dropped). */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface GuestShell {
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Resolves when the underlying connection is gone (closed by us or dropped). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export interface GuestTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  privateKey?: string;
  /** Known-hosts file private to this VM; a changed key on a reused IP is then harmless. */
  knownHostsFile: string;
  /** Pinned host key (OpenSSH public key line or SHA256 fingerprint); a mismatch is refused. */
  pinnedHostKey?: string;
}

export interface GuestConnectOptions {
  /** Total time allowed for all attempts. */
  timeoutMs: number;
  /** Delay between attempts. */
  retryDelayMs: number;
  keepaliveIntervalMs: number;
  signal?: AbortSignal;
}

export interface GuestConnector {
  connect(target: GuestTarget, opts: GuestConnectOptions): Promise<GuestShell>;
}
