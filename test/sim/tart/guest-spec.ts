/** What `tart run` tells the guest process it starts (env TART_SIM_GUEST_SPEC). Per-boot faults are decided by `tart run`. */
export interface GuestSpec {
  tartHome: string;
  vmName: string;
  vmDir: string;
  runId: string;
  instanceId: string;
  mac: string;
  os: 'darwin' | 'linux';
  /** Epoch ms of the `tart run` start; the boot timeline counts from here. */
  startedAt: number;
  leaseTimeSec: number;
  /** tart.boot_hang: never leases, never serves. */
  bootHang: boolean;
  /** agent.absent: control.sock never answers. */
  agentAbsent: boolean;
  /** ssh.host_key_change: a fresh host key instead of the image's. */
  hostKeyChange: boolean;
  /** net.guest_offline taken at boot: guest processes cannot reach GitHub. */
  guestOffline: boolean;
  /** ssh.refuse(s): SSH keeps refusing this much longer (real ms). */
  sshRefuseMs: number;
}

export const GUEST_USER = 'admin';
export const GUEST_PASSWORD = 'admin';
export const GUEST_HOSTNAME = 'admins-Virtual-Machine.local';
