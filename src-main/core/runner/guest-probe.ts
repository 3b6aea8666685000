// "Test connection" for the guest login when no slot has a VM up: boot a throwaway VM from the
// image exactly as a cycle does (clone, random MAC, `tart run`, address, SSH, MAC proof), run one
// command, and tear it down. It takes a place under the two-VM limit like a slot, and never
// registers a runner.
import path from 'node:path';
import { EkidenError, isEkidenError } from '../errors';
import { EventBus } from '../events/bus';
import { vmName } from '../host/tart/vm-name';
import { abortable, withDeadline } from '../util/async';
import type { CapacityGate } from './capacity';
import { CycleContext } from './cycle-context';
import type { ImageManager } from './image-manager';
import type { SlotDeps, SlotSettings } from './ports';
import { tearDown } from './teardown';

/** Probe VMs are named as a slot this host never has (`ekiden-<host>-9-<id>`), so reconcile can reap one left by a crash. */
export const PROBE_SLOT = 9;
/** How long the probe waits for a free macOS guest place before giving up (the slots keep theirs). */
const PLACE_WAIT_MS = 15_000;

export interface GuestProbeResult {
  vm: string;
  ip: string;
  mac: string;
  /** Seconds from the clone to a command answered in the guest. */
  seconds: number;
}

export interface GuestProbeDeps extends SlotDeps {
  images: ImageManager;
  capacity: CapacityGate;
  /** Tells the owner which VM the probe holds, so reconcile leaves it alone (undefined: none). */
  onVm(vm: string | undefined): void;
}

export async function probeGuest(deps: GuestProbeDeps, settings: SlotSettings, signal: AbortSignal): Promise<GuestProbeResult> {
  const { backend, clock } = deps;
  const t = settings.timeouts;
  const c = new CycleContext(vmName(settings.hostId, PROBE_SLOT), clock.now());
  const log = deps.logger.child({ scope: 'core', vm: c.vm });
  const forward = () => c.abort(signal.reason instanceof Error ? signal.reason : new Error('guest test cancelled'));
  signal.addEventListener('abort', forward, { once: true });
  const step = <T>(seconds: number, onTimeout: () => EkidenError, work: (s: AbortSignal) => Promise<T>) =>
    withDeadline(clock, seconds * 1000, onTimeout, work, c.signal);
  deps.onVm(c.vm);
  try {
    const image = await step(t.pull, () => new EkidenError('pull_failed', `The image was not ready within ${t.pull}s.`), (s) => deps.images.forCycle(s));
    await step(PLACE_WAIT_MS / 1000, () => new EkidenError('vm_limit_exceeded', 'Both macOS guest places are in use (Apple allows two per host); test again when a slot is listening or idle.'), (s) =>
      abortable(deps.capacity.acquire(c.vm, s), s),
    );
    c.reserved = true;
    log.log('info', `guest test: booting ${c.vm} from ${image.source}`);
    await step(t.clone, () => new EkidenError('clone_failed', `Clone did not finish within ${t.clone}s.`), async (s) => {
      c.cloneStarted = true;
      await backend.clone(image.source, c.vm, { signal: s });
      const vm = settings.vm;
      await backend.configure(c.vm, { randomMac: vm.randomMac, cpu: vm.cpu, memoryMb: vm.memoryMb, diskSizeGb: vm.diskSizeGb });
    });
    c.handle = backend.start(c.vm, { dirs: settings.vm.dirs, extraArgs: settings.vm.extraRunArgs });
    void c.handle.exited.then((exit) => {
      if (!c.tearingDown) c.abort(isEkidenError(exit.error) ? exit.error : new EkidenError('vm_exited_unexpectedly', `The VM exited during the test${exit.reason ? `: ${exit.reason}` : ''}.`));
    });
    const g = settings.guest;
    const ip = await step(t.ip, () => new EkidenError('ip_timeout', `No IP address within ${t.ip}s.`), (s) =>
      backend.ip(c.vm, { waitSeconds: t.ip, resolver: g.ipResolver, signal: s }),
    );
    const expectedMac = (await backend.macAddress(c.vm)).toLowerCase();
    c.shell = await step(t.connect, () => new EkidenError('ssh_timeout', `No guest login within ${t.connect}s.`), (s) =>
      deps.connector.connect(
        {
          host: ip, port: g.port, user: g.user, password: g.password, privateKey: g.privateKey, pinnedHostKey: g.pinnedHostKey,
          knownHostsFile: path.join(settings.stateDir, 'known_hosts', c.vm),
        },
        { timeoutMs: t.connect * 1000, retryDelayMs: 1000, keepaliveIntervalMs: 10_000, signal: s },
      ),
    );
    const mac = (await deps.launcher.guestMac(c.shell)).trim().toLowerCase();
    if (mac !== expectedMac) {
      throw new EkidenError('ip_identity_mismatch', `${ip} answered with MAC ${mac || 'unknown'}, expected ${expectedMac}: the address belongs to another guest.`);
    }
    return { vm: c.vm, ip, mac, seconds: (clock.now() - c.startedAt) / 1000 };
  } catch (error) {
    throw c.signal.aborted && c.signal.reason !== error && isEkidenError(c.signal.reason) ? c.signal.reason : error;
  } finally {
    signal.removeEventListener('abort', forward);
    // A private bus: the probe's teardown is not a slot's phase and must not reach metrics.
    await tearDown(
      c,
      { ...deps, bus: new EventBus(), slot: PROBE_SLOT, timeouts: t, busyRetrySeconds: 0 },
      () => {},
    );
    deps.onVm(undefined);
  }
}
