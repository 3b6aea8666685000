// Which settings a running host can take between cycles, and which need a new host: the GitHub
// client, the tart driver, telemetry and the slot count are built once per host.
import type { EkidenConfig } from '../../core/config/schema';
import type { ResolvedSecrets } from '../../core/config/secrets';

export interface HostSettings {
  config: EkidenConfig;
  secrets: ResolvedSecrets;
}

const BUILT_ONCE: readonly [string, (c: EkidenConfig) => unknown][] = [
  ['hostId', (c) => c.hostId],
  ['github', (c) => c.github],
  ['vm.slots', (c) => c.vm.slots],
  ['tart', (c) => c.tart],
  ['telemetry', (c) => c.telemetry],
  ['image.registry', (c) => c.image.registry],
  ['image.concurrency', (c) => c.image.concurrency],
  ['backoff', (c) => c.backoff],
];

const SECRETS_BUILT_ONCE: readonly [keyof ResolvedSecrets, string][] = [
  ['githubToken', 'github.auth.token'],
  ['githubPrivateKey', 'github.auth.privateKey'],
  ['registryPassword', 'image.registry.password'],
  ['otlpAuthorization', 'telemetry.authorization'],
];

/** The changed settings that need a new host; [] when `reconfigure` can apply the change. */
export function restartReasons(prev: HostSettings, next: HostSettings): string[] {
  const reasons = BUILT_ONCE.filter(([, get]) => JSON.stringify(get(prev.config)) !== JSON.stringify(get(next.config))).map(([name]) => name);
  for (const [key, field] of SECRETS_BUILT_ONCE) {
    if (prev.secrets[key] !== next.secrets[key] && !reasons.some((r) => field.startsWith(r))) reasons.push(`${field} (secret)`);
  }
  return reasons;
}
