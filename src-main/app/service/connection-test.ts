// "Test connection" in settings: GitHub with the saved credentials, the image registry through
// tart, and SSH into a guest: one that is up right now, else a throwaway VM booted from the image.
// Nothing is registered with GitHub.
import path from 'node:path';
import { ConfigError } from '../../core/config/config-error';
import { isEkidenError } from '../../core/errors';
import { isOciRef, parseOciRef } from '../../core/config/oci-ref';
import { githubSettings } from '../../core/ekiden-host';
import type { SlotState } from '../../core/events/types';
import { checkGitHubAccess } from '../../core/github';
import { SshGuestConnector } from '../../core/guest/ssh-guest-connector';
import type { CheckStatus, ConnectionReport, ConnectionTarget } from '../../ipc/types';
import type { HostController, LoadedSettings } from './host-controller';

const GUEST_UP: ReadonlySet<SlotState> = new Set<SlotState>(['registering', 'listening', 'running', 'finishing']);
/** A pull that is still downloading after this long is reported as reachable-but-slow. */
const PULL_PROBE_MS = 120_000;
/** A guest test boots a VM: each step has its own bound; this caps the whole. */
const GUEST_PROBE_MS = 10 * 60_000;

type Row = ConnectionReport['rows'][number];

const report = (target: ConnectionTarget, rows: Row[]): ConnectionReport => ({
  target,
  rows,
  status: rows.some((r) => r.status === 'fail') ? 'fail' : rows.some((r) => r.status === 'warn') ? 'warn' : rows.every((r) => r.status === 'skipped') ? 'skipped' : 'ok',
});

const row = (check: string, status: CheckStatus, message: string, fix?: string): Row => ({ check, status, message, ...(fix ? { fix } : {}) });

export async function testConnection(target: ConnectionTarget, controller: HostController): Promise<ConnectionReport> {
  let settings: LoadedSettings;
  try {
    settings = await controller.loadSettings();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return report(target, e.issues.map((i) => row(i.path || 'config', 'fail', i.message)));
  }
  if (target === 'github') return report(target, await testGitHub(settings));
  if (target === 'registry') return report(target, await testRegistry(settings, controller));
  return report(target, await testGuest(settings, controller));
}

async function testGitHub({ config, secrets }: LoadedSettings): Promise<Row[]> {
  const rows = await checkGitHubAccess(githubSettings(config, secrets), {});
  return rows.map((r) => row(r.check, r.status, r.message, r.fix));
}

async function testRegistry({ config }: LoadedSettings, controller: HostController): Promise<Row[]> {
  const ref = config.image.ref;
  if (!isOciRef(parseOciRef(ref))) return [row('registry', 'skipped', `${ref} is a local VM image: no registry is involved`)];
  const host = controller.host;
  if (!host || controller.state().status !== 'running' || controller.loaded?.config.image.ref !== ref) {
    return [row('registry', 'skipped', 'Ekiden is not running with these settings yet', 'save the settings, then test again')];
  }
  const signal = AbortSignal.timeout(PULL_PROBE_MS);
  try {
    const pulled = await host.backend.pull(ref, { signal });
    return [row('registry', 'ok', pulled.changed ? `pulled a new version of ${ref}` : `${ref} is reachable and up to date`)];
  } catch (e) {
    if (signal.aborted) return [row('registry', 'warn', `tart pull ${ref} is still downloading after ${PULL_PROBE_MS / 1000} s`, 'a first pull of a macOS image can take long; the slots pull it themselves')];
    return [row('registry', 'fail', (e as Error).message)];
  }
}

async function testGuest(settings: LoadedSettings, controller: HostController): Promise<Row[]> {
  const host = controller.host;
  if (!host || controller.state().status !== 'running') {
    return [row('guest_ssh', 'skipped', 'Ekiden is not running yet: the guest test boots a VM from the image', 'fix the problems above, save, then test again')];
  }
  if (!sameGuestSettings(settings, controller.loaded)) {
    return [row('guest_ssh', 'skipped', 'the running host still uses the previous guest settings', 'save the settings, then test again')];
  }
  const slot = host.snapshot().slots.find((s) => s.vm && GUEST_UP.has(s.state));
  return slot?.vm ? loginToRunningVm(settings, controller, slot.vm) : bootAndLogin(controller);
}

/** The guest part of the settings (and its secrets) the host runs with equals the saved one. */
function sameGuestSettings(a: LoadedSettings, b: LoadedSettings | undefined): boolean {
  if (!b) return false;
  const key = (s: LoadedSettings) => JSON.stringify([s.config.guest, s.config.image.ref, s.secrets.guestPassword, s.secrets.guestPrivateKey]);
  return key(a) === key(b);
}

async function loginToRunningVm({ config, secrets }: LoadedSettings, controller: HostController, vm: string): Promise<Row[]> {
  const host = controller.host!;
  try {
    const ip = await host.backend.ip(vm, { waitSeconds: 5, resolver: config.guest.ipResolver });
    const shell = await new SshGuestConnector({ logger: host.logger }).connect(
      {
        host: ip, port: config.guest.port, user: config.guest.user, password: secrets.guestPassword, privateKey: secrets.guestPrivateKey,
        pinnedHostKey: config.guest.hostKeyPin, knownHostsFile: path.join(controller.stateDir, 'known_hosts', vm),
      },
      { timeoutMs: 15_000, retryDelayMs: 1000, keepaliveIntervalMs: 10_000 },
    );
    try {
      const r = await shell.exec('true', { timeoutMs: 10_000 });
      if (r.code !== 0) return [row('guest_ssh', 'fail', `connected to ${vm}, but a command exited ${r.code ?? r.signal}`)];
    } finally {
      await shell.close();
    }
    return [row('guest_ssh', 'ok', `connected to ${vm} (${ip}:${config.guest.port}) as ${config.guest.user}`)];
  } catch (e) {
    return [row('guest_ssh', 'fail', (e as Error).message)];
  }
}

/** No VM is up: boot a throwaway one from the image under the two-VM limit, log in, remove it. */
async function bootAndLogin(controller: HostController): Promise<Row[]> {
  const { config } = controller.loaded!;
  try {
    const r = await controller.host!.supervisor.probeGuest(AbortSignal.timeout(GUEST_PROBE_MS));
    return [row('guest_ssh', 'ok', `booted ${r.vm} from the image and logged in at ${r.ip}:${config.guest.port} as ${config.guest.user} (MAC ${r.mac} matches) in ${r.seconds.toFixed(1)} s; the VM is removed`)];
  } catch (e) {
    const reason = isEkidenError(e) ? `${e.reason}: ` : '';
    return [row('guest_ssh', 'fail', `${reason}${(e as Error).message}`, GUEST_FIXES[isEkidenError(e) ? e.reason : ''])];
  }
}

const GUEST_FIXES: Record<string, string> = {
  ssh_auth: 'check guest.user and the guest password or key (the image\'s login)',
  ssh_refused: 'enable Remote Login (SSH) in the image',
  ssh_timeout: 'check that the image boots to a login and that SSH is enabled; see docs/image.md',
  ip_timeout: 'the guest got no address: check the image boots and its network (guest.ipResolver)',
  vm_limit_exceeded: 'pause Ekiden or wait until a slot is listening, then test again',
};
