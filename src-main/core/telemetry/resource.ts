// The resource every signal carries (telemetry.md §3): one series per host via service.instance.id.
import os from 'node:os';
import { resourceFromAttributes, type DetectedResourceAttributes, type Resource } from '@opentelemetry/resources';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';
import { ATTR_HOST_ARCH, ATTR_HOST_NAME, ATTR_OS_TYPE, ATTR_OS_VERSION } from '@opentelemetry/semantic-conventions/incubating';

export const ATTR_TART_VERSION = 'ekiden.tart.version';
export const ATTR_GITHUB_SCOPE = 'ekiden.github.scope';

export interface ResourceInfo {
  /** App version (`app.getVersion()`; the CLI reads package.json). */
  serviceVersion: string;
  /** Config `hostId`: stable per host, becomes `instance` in Prometheus. */
  instanceId: string;
  /** `repo:<owner>/<repo>` | `org:<org>` | `enterprise:<slug>`. */
  githubScope: string;
  environment?: string;
  /** `tart --version`; a promise is awaited before the first export, a failure leaves it out. */
  tartVersion?: string | Promise<string | undefined>;
  /** macOS product version; a promise like tartVersion. Default: the kernel release off macOS. */
  osVersion?: string | Promise<string | undefined>;
  hostName?: string;
  arch?: string;
  platform?: NodeJS.Platform;
}

/** Node's arch -> semconv `host.arch`. */
export function hostArch(arch: string = process.arch): string {
  return ({ x64: 'amd64', ia32: 'x86', arm: 'arm32', ppc: 'ppc32' } as Record<string, string>)[arch] ?? arch;
}

/** Node's platform -> semconv `os.type`. */
export function osType(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'windows' : platform === 'sunos' ? 'solaris' : platform;
}

const settle = (v: string | Promise<string | undefined> | undefined) =>
  v instanceof Promise ? v.then((x) => x || undefined, () => undefined) : v;

export function resourceAttributes(info: ResourceInfo): DetectedResourceAttributes {
  const platform = info.platform ?? process.platform;
  const attributes: DetectedResourceAttributes = {
    [ATTR_SERVICE_NAME]: 'ekiden',
    [ATTR_SERVICE_VERSION]: info.serviceVersion,
    [ATTR_SERVICE_INSTANCE_ID]: info.instanceId,
    [ATTR_HOST_NAME]: info.hostName ?? os.hostname(),
    [ATTR_HOST_ARCH]: hostArch(info.arch),
    [ATTR_OS_TYPE]: osType(platform),
    [ATTR_OS_VERSION]: settle(info.osVersion ?? (platform === 'darwin' ? undefined : os.release())),
    [ATTR_GITHUB_SCOPE]: info.githubScope,
    [ATTR_TART_VERSION]: settle(info.tartVersion),
  };
  if (info.environment) attributes[ATTR_DEPLOYMENT_ENVIRONMENT_NAME] = info.environment;
  for (const [k, v] of Object.entries(attributes)) if (v === undefined) delete attributes[k];
  return attributes;
}

export function ekidenResource(info: ResourceInfo): Resource {
  return resourceFromAttributes(resourceAttributes(info));
}
