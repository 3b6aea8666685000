// "Test connection" in settings: GitHub with the saved credentials, the image registry through
// tart, and SSH into a guest that is up right now. Read-only probes; nothing is registered.
import path from 'node:path';
import { ConfigError } from '../../core/config/config-error';
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

async function testGuest({ config, secrets }: LoadedSettings, controller: HostController): Promise<Row[]> {
  const host = controller.host;
  const slot = host?.snapshot().slots.find((s) => s.vm && GUEST_UP.has(s.state));
  if (!host || !slot?.vm) {
    return [row('guest_ssh', 'skipped', 'no VM is up right now', 'test again while a slot is listening; each cycle also connects and reports failures')];
  }
  const vm = slot.vm;
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
