import { describe, expect, it } from 'vitest';
import { hostLabel, isOwnedBy, newVmId, parseVmName, vmName } from '../../../src-main/core/host/tart/vm-name';

describe('VM names encode ownership', () => {
  it('vmName is ekiden-<host>-<slot>-<id> and parses back', () => {
    const name = vmName('mini-01', 1, 'k3x9a');
    expect(name).toBe('ekiden-mini-01-1-k3x9a');
    expect(parseVmName(name)).toEqual({ host: 'mini-01', slot: 1, id: 'k3x9a' });
  });

  it('hosts with dashes, dots and capitals become a label that still parses', () => {
    expect(hostLabel('Build-Mac.local')).toBe('build-mac');
    expect(hostLabel('  ')).toBe('host');
    // Any config hostId (/^[a-z0-9-]+$/, <= 32) is kept as is, so names parse back to it.
    for (const id of ['mac-mini-3', 'a--b', '-x-', '42']) {
      expect(hostLabel(id)).toBe(id);
      expect(parseVmName(vmName(id, 1))?.host).toBe(id);
    }
    const name = vmName('Build-Mac.local', 0);
    expect(parseVmName(name)?.host).toBe('build-mac');
    expect(isOwnedBy(name, 'Build-Mac.local')).toBe(true);
    expect(isOwnedBy(name, 'other-mac')).toBe(false);
  });

  it.each([['base'], ['ghcr.io/cirruslabs/macos-sequoia-base:latest'], ['ekiden-host'], ['ekiden-host-x-abc'], ['runner_1'], ['ekiden-host-0-'], ['ekiden--0-abc'], ['ekiden-Host-0-abc']])(
    '%s is not one of ours',
    (name) => expect(parseVmName(name)).toBeNull(),
  );

  it('generated ids never repeat, even within one millisecond', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) ids.add(newVmId(1_700_000_000_000));
    expect(ids.size).toBe(2000);
    const names = new Set(Array.from({ length: 500 }, () => vmName('h', 0)));
    expect(names.size).toBe(500);
    for (const n of names) expect(parseVmName(n)).not.toBeNull();
  });

  it('refuses ids and slots that would break parsing', () => {
    expect(() => vmName('h', -1, 'a')).toThrow();
    expect(() => vmName('h', 0, 'a-b')).toThrow();
  });
});
