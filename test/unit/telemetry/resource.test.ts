import { describe, expect, it } from 'vitest';
import { hostArch, osType, resourceAttributes } from '../../../src-main/core/telemetry/resource';

describe('resource attributes (telemetry.md §3)', () => {
  it('maps Node arch and platform to semconv values', () => {
    expect(hostArch('arm64')).toBe('arm64');
    expect(hostArch('x64')).toBe('amd64');
    expect(osType('darwin')).toBe('darwin');
    expect(osType('win32')).toBe('windows');
  });

  it('names the service, the host and the scope; environment only when configured', () => {
    const attrs = resourceAttributes({
      serviceVersion: '1.2.3', instanceId: 'mac-mini-3', githubScope: 'repo:acme/widgets', hostName: 'Mac-mini-3.local', arch: 'arm64',
      platform: 'darwin', osVersion: '15.5', tartVersion: '2.22.0',
    });
    expect(attrs).toEqual({
      'service.name': 'ekiden', 'service.version': '1.2.3', 'service.instance.id': 'mac-mini-3', 'host.name': 'Mac-mini-3.local',
      'host.arch': 'arm64', 'os.type': 'darwin', 'os.version': '15.5', 'ekiden.github.scope': 'repo:acme/widgets', 'ekiden.tart.version': '2.22.0',
    });
    expect(resourceAttributes({ serviceVersion: '1', instanceId: 'h', githubScope: 'org:acme', environment: 'staging' })['deployment.environment.name']).toBe('staging');
  });

  it('leaves out a tart version that cannot be read', async () => {
    const attrs = resourceAttributes({ serviceVersion: '1', instanceId: 'h', githubScope: 'org:acme', tartVersion: Promise.reject(new Error('tart missing')) });
    await expect(attrs['ekiden.tart.version']).resolves.toBeUndefined();
  });
});
